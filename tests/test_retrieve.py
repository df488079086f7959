"""Hybrid retrieval: query analysis, fusion, filters, direct label lookup, aliases, re-ranker."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest
from conftest import JsonPipeline, make_document, sample_documents, write_json_documents

from rag.embed import FakeEmbedder
from rag.errors import InputError
from rag.lexical import tokenize
from rag.question import parse_label_requests
from rag.retrieve import (
    FusionConfig,
    Retriever,
    TitleMatcher,
    analyse_query,
    find_edges,
    find_labels,
    find_symbols,
    find_title_mentions,
    fuse,
    normalise_dates,
    unindexed_references,
)
from rag.settings import Settings
from rag.types import Passage, format_label

SEED = "E/CN.15/2019/L.8/Rev.1"
OTHER = "A/RES/77/236"


@pytest.mark.parametrize(
    ("text", "labels"),
    [
        ("OP 9", ["OP 9"]),
        ("op9", ["OP 9"]),
        ("operative paragraph 5 (a)", ["OP 5 (a)"]),
        ("Para. 5(a)(ii)", ["OP 5 (a) (ii)"]),
        ("preambular paragraph 12 and PP 3", ["PP 12", "PP 3"]),
        ("what does footnote 2 cite?", ["Footnote 2"]),
        ("the footnote * marker", ["Footnote *"]),
        ("resolution 72/194 of 2017", []),
        ("OPEC and people", []),
        # a part of the document before or after the label (``Passage.part``: a draft it contains, its annex)
        ("Annex OP 49 of A/RES/73/3", ["Annex OP 49"]),
        ("annex paragraph 49", ["Annex OP 49"]),
        ("draft preambular paragraph 2", ["Draft PP 2"]),
        ("operative paragraph 3 of the draft", ["Draft OP 3"]),
        ("what does OP 5 (a) in the annex say?", ["Annex OP 5 (a)"]),
        ("footnote 2 of the annex", ["Footnote 2"]),
        # read as the answerer reads them (``rag.question.find_label_mentions``): ranges, lists, symbols, places
        ("What do paragraphs 5 to 7 say?", ["OP 5", "OP 6", "OP 7"]),
        ("OP 16 (a)-(c) of resolution 2730", ["OP 16 (a)", "OP 16 (b)", "OP 16 (c)"]),
        ("OP 3 and OP 4", ["OP 3", "OP 4"]),
        ("OP 3, 4 and PP 5", ["OP 3", "OP 4", "PP 5"]),
        ("¶ 12", ["OP 12"]),
        ("§ 4 and footnote no. 2", ["OP 4", "Footnote 2"]),
        ("op. 5 of res. 79/172", ["OP 5"]),
        ("OP 16 b", ["OP 16 (b)"]),
        ("the second preambular paragraph", ["PP 2"]),
        ("the last paragraph", []),  # the last paragraph is found by ``find_edges``
    ],
)
def test_find_labels(text: str, labels: list[str]) -> None:
    assert [label for label, _ in find_labels(text)] == labels


@pytest.mark.parametrize(
    ("question", "edges"),
    [
        ("the last operative paragraph", [("operative", True)]),
        ("What does the last paragraph of resolution 1445 say?", [("operative", True)]),
        ("the final preambular paragraph and the first operative one", [("preambular", True)]),
        ("First preambular paragraph", [("preambular", False)]),
        ("the second preambular paragraph", []),  # a label (PP 2), not an edge
    ],
)
def test_find_edges(question: str, edges: list[tuple[str, bool]]) -> None:
    assert [edge for edge, _ in find_edges(question)] == edges


@pytest.mark.parametrize(
    ("question", "labels"),
    [
        ("What do operative paragraphs 2 to 4 say about terrorism?", {"OP 2", "OP 3", "OP 4"}),
        ("What do OP 2 (a)-(b) say about Member States?", {"OP 2 (a)", "OP 2 (b)"}),
        ("Do OP 1 and OP 3 mention victims?", {"OP 1", "OP 3"}),
        ("Does ¶ 4 mention terrorism?", {"OP 4"}),
        ("What does op. 3 of the text say on victims?", {"OP 3"}),
        ("Are criminal justice officials named in OP 2 b?", {"OP 2 (b)"}),
        ("Does the second preambular paragraph mention terrorism?", {"PP 2"}),
        ("Does the last paragraph mention terrorism?", {"OP 4"}),
    ],
)
def test_every_way_of_writing_a_label_puts_its_passages_first(built_pipeline: JsonPipeline, question: str,
                                                              labels: set[str]) -> None:
    hits = built_pipeline.search(question, k=len(labels) + 1, doc=SEED)
    assert {h.passage.label for h in hits[: len(labels)]} == labels
    assert hits[len(labels)].passage.label not in labels  # the rest is ranked by content, after them


def test_a_label_question_and_the_answerer_read_the_same_labels() -> None:
    questions = ["paragraphs 5 to 7 of the annex", "OP 16 (a)-(c) and PP 2", "¶ 12, 13 & 14", "note 3",
                 "draft op. 5 of res. 79/172", "What is the fourth operative paragraph?", "OP 16 b and fn 2"]
    for question in questions:
        # a paragraph of no said kind ("paragraph 5") is looked up as an operative one
        read = [format_label(r.kind or "operative", r.number, r.part) for r in parse_label_requests(question)]
        assert [label for label, _ in find_labels(question)] == read, question


def test_find_symbols_full_and_short() -> None:
    known = ["A/RES/77/236", "S/RES/2730 (2024)", SEED]
    assert find_symbols("see e/cn.15/2019/l.8/rev.1 please", known) == ([SEED], [])
    assert find_symbols("S/RES/2730(2024) on aid workers", known) == (["S/RES/2730 (2024)"], [])
    assert find_symbols("resolution 77/236 and 2730 (2024)", known) == ([], ["A/RES/77/236", "S/RES/2730 (2024)"])
    assert find_symbols("resolution 72/194", known) == ([], [])
    # a Security Council resolution named without its year, after "resolution(s)" only
    assert find_symbols("At which meeting was resolution 2730 adopted?", known) == ([], ["S/RES/2730 (2024)"])
    assert find_symbols("resolutions 787 and 2730 say", [*known, "S/RES/787 (1992)"]) == (
        [], ["S/RES/787 (1992)", "S/RES/2730 (2024)"])
    assert find_symbols("the 2730 aid workers", known) == ([], [])
    # "res.", "UNSCR", "No.", a list with "or", a number after one with its year: the same reading everywhere
    with_787 = [*known, "S/RES/787 (1992)"]
    assert find_symbols("When was UNSCR 2730 adopted, and res. 77/236?", known) == (
        [], ["A/RES/77/236", "S/RES/2730 (2024)"])
    assert find_symbols("resolutions 757 (1992) and 787", with_787) == ([], ["S/RES/787 (1992)"])
    assert find_symbols("resolution No. 787 or 2730", with_787) == ([], ["S/RES/787 (1992)", "S/RES/2730 (2024)"])


def test_unindexed_references_read_every_way_of_naming_a_resolution() -> None:
    known = ["S/RES/2730 (2024)"]
    assert unindexed_references("What do UNSCR 1325 and res. 79/172 say?", known) == [
        ("resolution", "1325"), ("resolution", "79/172")]
    assert unindexed_references("Does UNSCR 2730 recall decision 29/101?", known) == [("decision", "29/101")]


def test_normalise_dates_and_analysis() -> None:
    assert normalise_dates("on 2017-12-19") == "on 19 December 2017"
    analysis = analyse_query("  OP   2 (a) of A/RES/77/236 ", [OTHER])
    assert analysis.labels == ["OP 2 (a)"] and analysis.symbols == [OTHER] and analysis.label_only
    assert not analyse_query("what does OP 2 say about victims?").label_only


def test_weighted_fusion_favours_agreement() -> None:
    dense = np.array([0.8, 0.7, 0.2])
    lexical = np.array([0.0, 9.0, 10.0])
    fused = fuse(dense, lexical, FusionConfig(dense_weight=0.5))
    assert int(np.argmax(fused)) == 1  # good on both beats best on one
    assert fuse(np.zeros(0), np.zeros(0), FusionConfig()).shape == (0,)
    rrf = fuse(dense, lexical, FusionConfig(method="rrf", dense_weight=0.5, rrf_k=1))
    assert rrf.tolist() == pytest.approx([0.5 / 2, 0.5 / 3 + 0.5 / 3, 0.5 / 4 + 0.5 / 2])


def test_search_modes_find_the_obvious_passage(built_pipeline: JsonPipeline) -> None:
    for mode in ("hybrid", "dense", "lexical"):
        hits = built_pipeline.search("collect and share biometric data", k=3, mode=mode)
        assert hits[0].passage.label == "OP 3" and hits[0].passage.doc == SEED, mode
        assert [h.rank for h in hits] == list(range(1, len(hits) + 1))
        assert len(hits) == 3 or mode == "lexical"  # BM25 returns only passages sharing a word
        assert all(a.score >= b.score for a, b in itertools.pairwise(hits))
    hybrid = built_pipeline.search("collect and share biometric data", k=1)[0]
    assert hybrid.dense > 0 and hybrid.lexical > 0


def test_filters_by_document_kind_and_page(built_pipeline: JsonPipeline) -> None:
    hits = built_pipeline.search("Requests the Secretary-General to report", k=10, doc="a_res_77_236")
    assert hits and {h.passage.doc for h in hits} == {OTHER}
    hits = built_pipeline.search("terrorism", k=10, kind="footnote")
    assert hits and {h.passage.kind for h in hits} == {"footnote"}
    hits = built_pipeline.search("terrorism", k=10, kind=["preambular", "heading"], doc=SEED)
    assert {h.passage.kind for h in hits} <= {"preambular", "heading"}
    hits = built_pipeline.search("terrorism", k=20, page=2)
    assert hits and all(2 in h.passage.pages for h in hits)
    assert built_pipeline.search("terrorism", k=5, page=99) == []


def test_bad_input_is_an_input_error(built_pipeline: JsonPipeline) -> None:
    with pytest.raises(InputError, match="empty"):
        built_pipeline.search("   ")
    with pytest.raises(InputError, match=r"no indexed document 'X/RES/1'.*A/RES/77/236"):
        built_pipeline.search("terrorism", doc="X/RES/1")
    with pytest.raises(InputError, match="unknown passage kind"):
        built_pipeline.search("terrorism", kind="annex")
    with pytest.raises(InputError, match="unknown search mode"):
        built_pipeline.search("terrorism", mode="magic")
    with pytest.raises(InputError, match="k must be"):
        built_pipeline.search("terrorism", k=0)


def test_label_query_is_a_direct_lookup(built_pipeline: JsonPipeline) -> None:
    hits = built_pipeline.search("OP 2 (a)")
    assert [h.passage.citation for h in hits] == [f"{SEED}, OP 2 (a)"]
    hits = built_pipeline.search("op 1")
    assert {h.passage.doc for h in hits} == {SEED, OTHER} and {h.passage.label for h in hits} == {"OP 1"}
    assert [h.passage.doc for h in built_pipeline.search("OP 1", doc=OTHER)] == [OTHER]
    assert [h.passage.doc for h in built_pipeline.search("A/RES/77/236 OP 1")] == [OTHER]
    assert built_pipeline.search("OP 99") == []


def test_label_named_in_a_question_comes_first(built_pipeline: JsonPipeline) -> None:
    hits = built_pipeline.search("what does operative paragraph 4 ask about biometric data?", k=3, doc=SEED)
    assert hits[0].passage.label == "OP 4"
    assert hits[1].passage.label == "OP 3"  # the rest is still ranked by content


def test_first_and_last_paragraph_are_looked_up(built_pipeline: JsonPipeline) -> None:
    hits = built_pipeline.search("the last operative paragraph", doc=SEED)
    assert [h.passage.label for h in hits] == ["OP 4"]
    hits = built_pipeline.search("first preambular paragraph")
    assert {h.passage.label for h in hits} == {"PP 1"} and len(hits) == 2


def test_alias_expansion_counts_less_than_the_question(built_pipeline: JsonPipeline) -> None:
    retriever = built_pipeline.retriever
    analysis = analyse_query("UNODC support to victims", expander=built_pipeline.snapshot().aliases)
    weights = retriever._lexical_weights(analysis)
    assert weights["victim"] == 1.0
    expansion_total = sum(w for t, w in weights.items() if t not in {"unodc", "support", "victim"})
    assert 0 < expansion_total <= len(analysis.expansions) * retriever.fusion.expansion_weight + 1e-6


def test_which_resolutions_puts_each_documents_best_passage_first(built_pipeline: JsonPipeline) -> None:
    plain = built_pipeline.search("What do they say about Member States?", k=4)
    per_document = built_pipeline.search("Which resolutions say something about Member States?", k=4)
    assert len({h.passage.doc for h in plain[:2]}) == 1  # one document holds the best two
    assert {h.passage.doc for h in per_document[:2]} == {SEED, OTHER}


def test_symbol_in_the_question_restricts_to_that_document(built_pipeline: JsonPipeline) -> None:
    hits = built_pipeline.search("What does A/RES/77/236 ask the Secretary-General?", k=5)
    assert hits and {h.passage.doc for h in hits} == {OTHER}


def test_acronyms_are_expanded_from_the_alias_table(built_pipeline: JsonPipeline) -> None:
    # OP 2 spells out "United Nations Office on Drugs and Crime"; the question only says UNODC. (OP 4, on
    # "the present resolution", is indexed with the title, "Technical assistance provided by UNODC ...".)
    hits = built_pipeline.search("UNODC", k=3, mode="lexical", kind="operative")
    assert "OP 2" in [h.passage.label for h in hits]
    plain = Retriever(built_pipeline.embedder, fusion=FusionConfig(expand_lexical=False))

    class NoAliases:
        def expand(self, query: str) -> list[str]:
            return []

    unexpanded = plain.search(built_pipeline.snapshot(), "UNODC", 3, mode="lexical", kind="operative",
                              expander=NoAliases())
    assert "OP 2" not in [h.passage.label for h in unexpanded]


def test_footnote_is_found_through_the_paragraph_citing_it(built_pipeline: JsonPipeline) -> None:
    # Footnote 2 only lists resolution numbers; PP 2 citing it names the Culture of Peace.
    # The dense side indexes it with its citing paragraph; BM25 indexes its own words only.
    hits = built_pipeline.search("Culture of Peace", k=5, kind="footnote", mode="dense")
    assert hits and hits[0].passage.label == "Footnote 2"
    assert built_pipeline.search("Culture of Peace", k=5, kind="footnote", mode="lexical") == []


def test_reranker_reorders_the_top(built_pipeline: JsonPipeline) -> None:
    class ShortestFirst:
        def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
            return -np.array([len(t) for t in texts], dtype=np.float32)

    retriever = Retriever(built_pipeline.embedder, reranker=ShortestFirst())
    hits = retriever.search(built_pipeline.snapshot(), "terrorism", 5)
    lengths = [len(h.passage.text) for h in hits]
    assert lengths == sorted(lengths)


def test_reranker_is_off_unless_configured(built_pipeline: JsonPipeline) -> None:
    assert built_pipeline.retriever.reranker is None


@pytest.mark.slow
def test_missing_reranker_model_is_a_clear_model_error(built_pipeline: JsonPipeline, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rag.errors import ModelError
    from rag.settings import Settings

    pipeline = JsonPipeline(Settings(index_dir=built_pipeline.index_dir, reranker_model=str(tmp_path / "none")),
                            embedder=built_pipeline.embedder)
    with pytest.raises(ModelError, match="RAG_RERANKER_MODEL"):
        pipeline.search("terrorism")


# ------------------------------------------------------------------ question forms that change the ranking
def _two_bodies(tmp_path) -> JsonPipeline:  # type: ignore[no-untyped-def]
    """Two resolutions on the same topic, adopted by different bodies (the body named in the heading)."""
    from conftest import write_json_documents

    from rag.embed import FakeEmbedder
    from rag.settings import Settings
    from rag.types import Document, Passage

    def resolution(symbol: str, body: str, title: str, paragraphs: list[tuple[str, str, str]]) -> Document:
        passages = [Passage(symbol, "heading", "", f"{symbol}\n{body}\n{title}\nThe {body},")]
        passages += [Passage(symbol, kind, number, text) for kind, number, text in paragraphs]  # type: ignore[arg-type]
        return Document(symbol=symbol, title=title, passages=passages)

    documents = [
        resolution("A/RES/90/1", "General Assembly", "Protection of fisheries", [
            ("preambular", "1", "Noting with concern piracy against fishing vessels,"),
            ("operative", "1", "Calls upon States to cooperate against piracy at sea;"),
            ("operative", "2", "Requests the Secretary-General to report on the implementation of the present "
                               "resolution at its ninety-fifth session."),
            ("operative", "3", "Requests the Secretary-General to report on the cooperation of States, regional "
                               "organizations and the shipping industry against armed robbery in ports."),
        ]),
        resolution("S/RES/9001 (2030)", "Security Council", "Resolution 9001 (2030)", [
            ("operative", "1", "Calls upon States to cooperate against piracy at sea;"),
            ("operative", "2", "Requests the Secretary-General to report regularly on piracy."),
        ]),
    ]
    pipeline = JsonPipeline(Settings(index_dir=tmp_path / "bodies"), embedder=FakeEmbedder(128))
    assert pipeline.ingest(write_json_documents(tmp_path / "bodies-corpus", documents)).ok
    return pipeline


def test_a_body_named_as_author_selects_its_documents_not_words(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rag.aliases import AliasTable

    analysis = analyse_query("What does the Security Council ask on piracy?", [], AliasTable.builtin())
    assert analysis.issuers == ["Security Council"] and "Security" not in analysis.content
    assert not any("Security Council" in e for e in analysis.expansions)
    assert analyse_query("Who reports to the Security Council?", [], AliasTable.builtin()).issuers == []
    pipeline = _two_bodies(tmp_path)
    for body, symbol in (("Security Council", "S/RES/9001 (2030)"), ("General Assembly", "A/RES/90/1")):
        hits = pipeline.search(f"What does the {body} ask on piracy at sea?", k=3)
        assert hits[0].passage.doc == symbol and hits[0].passage.kind == "operative", [h.passage.label for h in hits]


def test_asking_questions_prefer_operative_paragraphs(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from rag.retrieve import asks_for_action

    pipeline = _two_bodies(tmp_path)
    question = "What are States asked to do on piracy against vessels?"  # the preamble's words match it best
    assert asks_for_action(question) and not asks_for_action("What does the preamble note about piracy?")
    labels = {}
    for boost in (0.0, 0.5):
        pipeline.fusion, pipeline._retriever = FusionConfig(action_boost=boost), None
        labels[boost] = pipeline.search(question, k=1, doc="A/RES/90/1")[0].passage.label
    assert labels == {0.0: "PP 1", 0.5: "OP 1"}


def test_when_questions_prefer_a_paragraph_that_gives_a_time(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pipeline = _two_bodies(tmp_path)
    question = "When must the Secretary-General report on piracy?"
    assert pipeline.search(question, k=1, doc="A/RES/90/1")[0].passage.label == "OP 2"
    pipeline.fusion = FusionConfig(answer_type_boost=0.0)
    pipeline._retriever = None
    assert pipeline.search(question, k=1, doc="A/RES/90/1")[0].passage.label == "OP 3"


def test_the_present_resolution_stands_for_its_title(tmp_path) -> None:  # type: ignore[no-untyped-def]
    pipeline = _two_bodies(tmp_path)  # "report on ... the present resolution" is the report on fisheries
    hits = pipeline.search("Which report on fisheries is requested?", k=1, mode="lexical")
    assert (hits[0].passage.doc, hits[0].passage.label) == ("A/RES/90/1", "OP 2")


def test_an_acronym_only_the_question_uses_is_read_as_the_name_it_spells(tmp_path: Path,
                                                                         fake_embedder: FakeEmbedder) -> None:
    # The resolution writes the name in full and never "UNGEGN"; a delegate types the acronym.
    names = make_document("E/RES/2099/2", "Arrangements for geographical names", [
        ("operative", "1", "Decides that the United Nations Group of Experts on Geographical Names shall convene "
                           "biennial sessions over a period of five days;"),
        ("operative", "2", "Requests the Secretary-General to report on the arrangements;"),
    ], date="2099-01-01")
    write_json_documents(tmp_path / "corpus", [*sample_documents(), names])
    pipeline = JsonPipeline(Settings(index_dir=tmp_path / "index"), embedder=fake_embedder)
    assert pipeline.ingest([tmp_path / "corpus"]).ok
    hits = pipeline.search("UNGEGN", k=3, mode="lexical")
    assert hits and hits[0].passage.label == "OP 1" and hits[0].passage.doc == "E/RES/2099/2"
    answer = pipeline.ask("How often does UNGEGN meet?")
    assert not answer.abstained and (answer.citations[0].doc, answer.citations[0].label) == ("E/RES/2099/2", "OP 1")
    # without the corpus's names the acronym is unknown: the answer says the documents do not mention it
    assert pipeline.retriever.search(pipeline.snapshot(), "UNGEGN", 3, mode="lexical") == []


def test_a_long_name_in_the_question_counts_as_one_concept(built_pipeline: JsonPipeline) -> None:
    question = "Which body offered to host the Fifteenth United Nations Congress on Crime Prevention?"
    retriever = built_pipeline.retriever
    weights = retriever._lexical_weights(analyse_query(question))
    name = ["fifteenth", "unit", "nation", "congress", "crime", "prevent"]
    shared = [weights[t] for t in weights if t in name]
    assert len(shared) >= 4 and abs(sum(shared) - retriever.fusion.name_weight) < 1e-6
    assert weights["offer"] == weights["host"] == 1.0  # the words saying what is asked keep their full weight
    plain = Retriever(built_pipeline.embedder, fusion=FusionConfig(name_weight=6.0))
    assert all(w == 1.0 for w in plain._lexical_weights(analyse_query(question)).values())


# ------------------------------------------------------------------ documents named by their title
TITLES = {
    "A/RES/79/172": "Human rights in the administration of justice",
    "E/RES/2023/23": "Follow-up to the Fourteenth Congress on Crime Prevention and Criminal Justice",
    "A/RES/73/3": "Political declaration of the high-level meeting on the fight against tuberculosis",
    SEED: "Technical assistance provided by UNODC related to counter-terrorism",
    "S/RES/2730 (2024)": "Resolution 2730 (2024) [on protection of humanitarian personnel and UN and associated "
                         "personnel in armed conflict]",  # the topic from the catalogue (rag.akn)
    "S/RES/787 (1992)": "Resolution 787 (1992)",
}


def _named(question: str, titles: dict[str, str] = TITLES) -> list[tuple[str, tuple[str, ...]]]:
    from rag.aliases import AliasTable

    return [(question[m.start : m.end], m.symbols) for m in find_title_mentions(question, titles, AliasTable.builtin())]


@pytest.mark.parametrize(
    ("question", "named"),
    [
        ("According to the administration of justice resolution, who may be detained?",
         [("administration of justice resolution", ("A/RES/79/172",))]),
        ("Does the draft resolution on UNODC counter-terrorism assistance link terrorism to any faith?",
         [("draft resolution on UNODC counter-terrorism assistance", (SEED,))]),
        ("What does the resolution about the United Nations Office on Drugs and Crime ask?",  # through the alias
         [("resolution about the United Nations Office on Drugs and Crime", (SEED,))]),
        ("In the TB political declaration, what is the target?", [("TB political declaration", ("A/RES/73/3",))]),
        ("Where did the crime congress resolution say it met?", [("crime congress resolution", ("E/RES/2023/23",))]),
        ("What does the humanitarian personnel resolution condemn?",
         [("humanitarian personnel resolution", ("S/RES/2730 (2024)",))]),
    ],
)
def test_a_document_named_by_its_title_is_found(question: str, named: list[tuple[str, tuple[str, ...]]]) -> None:
    assert _named(question) == named


@pytest.mark.parametrize(
    "question",
    [
        "What does the resolution say about detention?",  # no title words
        "What does the General Assembly draft resolution ask?",  # generic words only
        "What does the present resolution decide?",
        "What does the resolution on piracy decide?",  # in no title
        "Which resolution, on justice, is cited?",  # the words are not next to the noun
        "the 787 resolution",  # a title that names no topic ("Resolution 787 (1992)") is never matched
        "What does the justice resolution say?",  # two different titles hold "justice": ambiguous
    ],
)
def test_no_document_is_named_by_title(question: str) -> None:
    assert _named(question) == []


def test_a_document_named_by_number_outweighs_a_loose_title_match() -> None:
    titles = TitleMatcher(TITLES)
    by_title = analyse_query("What does the TB political declaration commit to?", list(TITLES), None, titles)
    assert by_title.named == ["A/RES/73/3"]
    question = "Where did the Council meet to adopt the high-level meeting resolution 2730?"
    both = analyse_query(question, list(TITLES), None, titles)
    assert "A/RES/73/3" in both.titled and both.named == ["S/RES/2730 (2024)"]


def test_an_indexed_documents_number_names_the_document_not_words_to_find() -> None:
    known = ["S/RES/2730 (2024)", "A/RES/79/172"]
    condemn = analyse_query("What does resolution 2730 condemn?", known)
    assert condemn.numbered == ["S/RES/2730 (2024)"] and "2730" not in tokenize(condemn.content)
    assert tokenize(analyse_query("What does A/RES/79/172 say on prisons?", known).content) == tokenize("say prisons")
    # a resolution that is not indexed is a topic: the paragraphs recalling it are what is asked for
    recalled = analyse_query("What does resolution 2730 say about resolution 1502?", known)
    assert "1502" in tokenize(recalled.content) and "2730" not in tokenize(recalled.content)
    # nothing but the number: it stays, there is nothing else to look for
    assert tokenize(analyse_query("S/RES/2730 (2024)", known).content)


def test_the_best_fitting_title_wins_and_a_series_shares_its_title() -> None:
    # both titles hold "crime" and "justice"; only one holds them in the question's order
    assert _named("What does the criminal justice resolution say?")[0][1] == ("E/RES/2023/23",)
    series = {"A/RES/77/1": "Human rights in the administration of justice",
              "A/RES/79/172": "Human rights in the administration of justice", "A/RES/1/1": "Oceans"}
    assert _named("In the administration of justice resolution ...", series)[0][1] == ("A/RES/77/1", "A/RES/79/172")
    kyoto = {"A/RES/76/181": "Follow-up to the Kyoto Declaration", "A/RES/1/1": "Oceans"}
    assert _named("Which resolution welcomes the Kyoto Declaration?", kyoto) == []  # an instrument's name
    assert _named("the Kyoto resolution", kyoto)[0][1] == ("A/RES/76/181",)


def test_title_words_leave_the_lexical_query_but_not_the_dense_one() -> None:
    from rag.aliases import AliasTable

    question = "According to the administration of justice resolution, where did the Fourteenth Congress meet?"
    titles = TitleMatcher(TITLES, AliasTable.builtin())
    analysis = analyse_query(question, list(TITLES), AliasTable.builtin(), titles)
    assert analysis.mentioned == analysis.titled == ["A/RES/79/172"]
    assert "justice" not in analysis.content and "resolution" not in analysis.content
    assert "Fourteenth Congress meet" in analysis.content
    assert analysis.search_text() == question  # the dense query keeps every word
    # a question that is nothing but the title keeps its words (else BM25 would have nothing to search)
    assert analyse_query("the administration of justice resolution", [], None, titles).content.strip()
    assert analyse_query(question, list(TITLES)).mentioned == []  # without the titles nothing is named


def _justice_and_congress(tmp_path: Path, fake_embedder: FakeEmbedder) -> JsonPipeline:
    """Two resolutions that both speak of the Fourteenth Congress; the second one is about it."""
    documents = [
        make_document("A/RES/79/172", TITLES["A/RES/79/172"], [
            ("preambular", "1", "Welcoming the Kyoto Declaration adopted at the Fourteenth Congress, which took place "
                                "in Kyoto in 2021, and the work of the regional preparatory meetings for it,"),
            ("operative", "1", "Urges States to ensure that no one is detained because of a family relationship;"),
        ], date="17 December 2024"),
        make_document("E/RES/2023/23", TITLES["E/RES/2023/23"], [
            ("preambular", "1", "Recalling that the Fourteenth Congress took place in Kyoto, Japan,"),
            ("operative", "1", "Decides that the Fifteenth Congress shall be held in 2026;"),
        ], date="25 July 2023"),
    ]
    write_json_documents(tmp_path / "corpus", documents)
    pipeline = JsonPipeline(Settings(index_dir=tmp_path / "index"), embedder=fake_embedder)
    assert pipeline.ingest([tmp_path / "corpus"]).ok
    return pipeline


def test_the_document_named_by_title_is_searched_first(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    pipeline = _justice_and_congress(tmp_path, fake_embedder)
    question = "According to the administration of justice resolution, where did the Fourteenth Congress take place?"
    hits = pipeline.search(question, k=2)
    assert (hits[0].passage.doc, hits[0].passage.label) == ("A/RES/79/172", "PP 1")
    assert pipeline.search("Where did the Fourteenth Congress take place?", k=1)[0].passage.doc == "E/RES/2023/23"
    # without it (no boost, no title matching), the title's words in the query pull up the title itself
    pipeline.fusion, pipeline._retriever = FusionConfig(doc_boost=0.0), None
    assert pipeline.search(question, k=1)[0].passage.kind == "heading"


def _with_a_draft(tmp_path: Path, fake_embedder: FakeEmbedder) -> JsonPipeline:
    """A resolution of one operative paragraph recommending a draft of three (its part ``draft``)."""
    symbol = "E/RES/2099/1"
    own = make_document(symbol, "Follow-up to the congress", [
        ("operative", "1", "Recommends to the General Assembly the adoption of the following draft resolution:"),
    ], date="2099-07-25")
    draft = [Passage(symbol, "operative", str(n), text, part="draft") for n, text in enumerate((
        "Welcomes the offer to host the congress;", "Decides that the congress shall last eight days;",
        "Requests the Secretary-General to report on the congress;"), 1)]
    own.passages += draft
    write_json_documents(tmp_path / "corpus", [*sample_documents(), own])
    pipeline = JsonPipeline(Settings(index_dir=tmp_path / "index"), embedder=fake_embedder)
    assert pipeline.ingest([tmp_path / "corpus"]).ok
    return pipeline


def test_a_label_the_document_lacks_is_looked_up_in_its_parts(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    pipeline = _with_a_draft(tmp_path, fake_embedder)
    assert [h.passage.label for h in pipeline.search("OP 3 of E/RES/2099/1")] == ["Draft OP 3"]
    assert [h.passage.label for h in pipeline.search("OP 1", doc="E/RES/2099/1")] == ["OP 1"]  # its own first
    assert [h.passage.label for h in pipeline.search("Draft OP 1", doc="E/RES/2099/1")] == ["Draft OP 1"]
    assert [h.passage.label for h in pipeline.search("operative paragraph 2 of the draft")] == ["Draft OP 2"]
    # a draft resolution that is the document itself, not a part of it
    assert [h.passage.citation for h in pipeline.search(f"OP 4 of the draft resolution {SEED}")] == [f"{SEED}, OP 4"]
    # across documents: each document's own paragraph, else its draft's
    assert {(h.passage.doc, h.passage.label) for h in pipeline.search("OP 3")} == {
        (SEED, "OP 3"), (OTHER, "OP 3"), ("E/RES/2099/1", "Draft OP 3")}
    answer = pipeline.ask("OP 3 of E/RES/2099/1")
    assert [c.label for c in answer.citations] == ["Draft OP 3"]
    assert answer.answer.startswith("E/RES/2099/1 has no OP 3 of its own")


def test_ask_keeps_to_the_kind_filter(built_pipeline: JsonPipeline) -> None:
    title = built_pipeline.ask(f"What is the title of {SEED}?", kind="operative")
    assert {c.kind for c in title.citations} <= {"operative"}
    footnote = built_pipeline.ask(f"footnote 1 of {SEED}", kind=["operative", "preambular"])
    assert footnote.abstained and "--kind" in footnote.answer
    assert [c.label for c in built_pipeline.ask(f"footnote 1 of {SEED}", kind="footnote").citations] == ["Footnote 1"]


def test_a_number_written_alone_names_the_document_unless_it_counts_or_dates() -> None:
    known = ["S/RES/787 (1992)", "S/RES/2730 (2024)", "S/RES/2024 (2011)"]
    assert find_symbols("what are the terms of the no-fly zone 787 sets over Bosnia?", known) == (
        [], ["S/RES/787 (1992)"])
    assert find_symbols("under 2730 what happens to a State?", known) == ([], ["S/RES/2730 (2024)"])
    assert find_symbols("about 787 troops and $2730", known) == ([], [])
    assert find_symbols("what happened in 2024?", known) == ([], [])  # a year, unless "resolution 2024"
    assert find_symbols("what does resolution 2024 say?", known) == ([], ["S/RES/2024 (2011)"])


def test_a_draft_is_named_by_the_end_of_its_symbol() -> None:
    known = [SEED, "A/RES/77/236", "E/CN.15/2019/L.9"]
    assert find_symbols("when was L.8/Rev.1 reissued and why?", known) == ([SEED], [])
    assert find_symbols("what does L.9 say?", known) == (["E/CN.15/2019/L.9"], [])
    assert find_symbols("what does L.7 say?", known) == ([], [])
