"""The extractive answerer, with hand-made passages and hits (no model, no index)."""

from __future__ import annotations

from collections.abc import Sequence

from rag.answer import AbstentionPolicy, Answerer, SelectionPolicy, clause_spans
from rag.embed import FakeEmbedder
from rag.lexical import tokenize
from rag.question import metadata_intent
from rag.types import Hit, Passage

DOC = "A/RES/99/1"
OTHER = "S/RES/9999 (2030)"


def _passages() -> list[Passage]:
    return [
        Passage(DOC, "heading", "", f"{DOC}\nThe General Assembly adopts the following resolution:\n"
                                    "Cooperation against piracy at sea\nThe General Assembly,"),
        Passage(DOC, "preambular", "1", "Recalling its resolution 12/34 on the protection of fisheries,",
                footnotes=("1",)),
        Passage(DOC, "preambular", "2", "Noting with concern the growing number of attacks on fishing vessels,"),
        Passage(DOC, "operative", "1", "1. Urges Member States to criminalize piracy under their domestic law, "
                "to prosecute suspected pirates in their national courts and to cooperate in the transfer of "
                "suspects for prosecution, and requests the Secretary-General to report on the number of "
                "prosecutions at its next session;"),
        Passage(DOC, "operative", "2", "2. Requests the Office on Drugs and Crime to provide training to coast "
                "guards on the collection of evidence at sea;"),
        Passage(DOC, "operative", "3", "3. Encourages Member States to share information on pirate financing "
                "networks with the Office on Drugs and Crime;"),
        Passage(DOC, "operative", "4", "4. Decides to remain seized of the matter."),
        Passage(DOC, "footnote", "1", "Resolution 12/34 of 1 March 2029.", cited_by=("PP 1",)),
        Passage(DOC, "footnote", "*", "Reissued for technical reasons on 2 May 2030."),
        Passage(DOC, "footnote", "**", "Issued without formal editing."),
    ]


class FakeLibrary:
    """What the pipeline provides to the answerer: passages and documents."""

    def __init__(self, passages: Sequence[Passage]) -> None:
        self._passages = list(passages)

    def passages(self, doc: str | None = None) -> list[Passage]:
        return [p for p in self._passages if doc is None or p.doc == doc]

    def documents(self) -> list[object]:
        class Info:
            def __init__(self, symbol: str, title: str) -> None:
                self.symbol, self.title = symbol, title

        symbols = list(dict.fromkeys(p.doc for p in self._passages))
        return [Info(s, "Cooperation against piracy at sea" if s == DOC else "") for s in symbols]

    def documents_named(self, question: str) -> tuple[list[str], list[str]]:
        from rag.retrieve import find_symbols, find_title_mentions

        titles = {info.symbol: info.title for info in self.documents()}
        full, short = find_symbols(question, list(titles))
        return full + short, [s for mention in find_title_mentions(question, titles) for s in mention.symbols]

    def heading_bodies(self, doc: str) -> set[str]:
        from rag.aliases import AliasTable
        from rag.retrieve import bodies_in

        headings = [p for p in self.passages(doc) if p.kind == "heading"]
        return {canonical for p in headings for _, _, canonical in bodies_in(p.text, AliasTable.builtin())}


LIBRARY = FakeLibrary(_passages())
BY_LABEL = {p.label: p for p in _passages()}
VOCABULARY = {t for p in _passages() for t in tokenize(p.text)}


def _hits(*labels: str, dense: float = 0.7) -> list[Hit]:
    """Hits in the given order with decreasing fused scores."""
    return [Hit(BY_LABEL[label], score=1.0 - 0.05 * i, dense=dense - 0.02 * i, lexical=5.0, rank=i + 1)
            for i, label in enumerate(labels)]


def _answerer(**kw: object) -> Answerer:
    return Answerer(embedder=FakeEmbedder(64), vocabulary=lambda t: t in VOCABULARY, **kw)  # type: ignore[arg-type]


def test_clause_spans_cover_text_in_order_and_split_long_sentences() -> None:
    text = BY_LABEL["OP 1"].text
    spans = clause_spans(text)
    assert len(spans) >= 2
    assert all(a < b for a, b in spans) and all(spans[i][1] <= spans[i + 1][0] for i in range(len(spans) - 1))
    assert any(text[a:b].startswith("and requests the Secretary-General") for a, b in spans)


# ------------------------------------------------------------------ answers
def test_excerpt_is_verbatim_and_labelled() -> None:
    answer = _answerer().answer("Who must report on the number of prosecutions?", _hits("OP 1", "OP 2"), LIBRARY)
    assert not answer.abstained
    first = answer.citations[0]
    assert first.label == "OP 1" and first.doc == DOC
    assert first.excerpt in first.text and first.text == BY_LABEL["OP 1"].text
    assert "report on the number of prosecutions" in first.excerpt
    assert not first.excerpt.startswith("1.")  # the paragraph number is not quoted
    assert f"{first.excerpt}" in answer.answer and "[OP 1]" in answer.answer


def test_citations_best_first_and_close_hits_joined_for_lists() -> None:
    hits = _hits("OP 2", "OP 3", "OP 1")
    answer = _answerer().answer("List all paragraphs on the Office on Drugs and Crime", hits, LIBRARY)
    labels = [c.label for c in answer.citations]
    assert labels[:2] == ["OP 2", "OP 3"]
    scores = [c.score for c in answer.citations]
    assert scores == sorted(scores, reverse=True)
    for citation in answer.citations:
        assert citation.excerpt in citation.text


def test_footnote_shown_under_the_paragraph_that_cites_it() -> None:
    hits = [Hit(BY_LABEL["Footnote 1"], 1.0, 0.7, 3.0, 1), Hit(BY_LABEL["PP 1"], 0.9, 0.68, 2.0, 2)]
    answer = _answerer().answer("Which resolution on fisheries is recalled, and of what date?", hits, LIBRARY)
    labels = [c.label for c in answer.citations]
    assert set(labels) >= {"PP 1", "Footnote 1"}
    lines = answer.answer.splitlines()
    pp = next(i for i, line in enumerate(lines) if "[PP 1]" in line)
    assert "Footnote 1: Resolution 12/34 of 1 March 2029." in lines[pp + 1]


def test_label_only_question_shows_whole_paragraph() -> None:
    answer = _answerer().answer("OP 2", [], LIBRARY)
    assert [c.label for c in answer.citations] == ["OP 2"]
    assert answer.citations[0].excerpt == BY_LABEL["OP 2"].text[3:]  # whole text, without "2. "
    missing = _answerer().answer("OP 45", [], LIBRARY)
    assert missing.abstained and "OP 45" in missing.answer and not missing.citations
    last = _answerer().answer("last operative paragraph", [], LIBRARY)
    assert [c.label for c in last.citations] == ["OP 4"]


def test_metadata_questions_use_heading_and_star_footnotes() -> None:
    hits = _hits("OP 1")
    editing = _answerer().answer("Was it formally edited?", hits, LIBRARY)
    assert [c.label for c in editing.citations] == ["Footnote **"]
    assert "Issued without formal editing." in editing.answer
    reissue = _answerer().answer("When was the document reissued?", hits, LIBRARY)
    assert [c.label for c in reissue.citations] == ["Footnote *"]
    title = _answerer().answer("What is the title of this resolution?", hits, LIBRARY)
    assert title.citations[0].label == "Heading" and "Cooperation against piracy at sea" in title.answer
    symbol = _answerer().answer("What is the document symbol?", hits, LIBRARY)
    assert DOC in symbol.answer and symbol.citations[0].label == "Heading"


def test_abstains_without_citations_when_nothing_is_relevant() -> None:
    weak = [Hit(BY_LABEL["OP 4"], 1.0, dense=0.1, lexical=0.0, rank=1)]
    answer = _answerer().answer("What does it say about climate change?", weak, LIBRARY)
    assert answer.abstained and answer.citations == [] and "do not" in answer.answer
    assert _answerer().answer("What about piracy?", [], LIBRARY).abstained


def test_abstains_on_names_the_corpus_never_mentions_and_on_present_state() -> None:
    hits = _hits("OP 1", dense=0.8)
    named = _answerer().answer("What does the resolution say about Somalia?", hits, LIBRARY)
    assert named.abstained and "Somalia" in named.answer
    present = _answerer().answer("Which States currently prosecute pirates?", hits, LIBRARY)
    assert present.abstained


def test_another_language_is_said_plainly() -> None:
    answer = _answerer().answer("¿Qué pide la resolución a los Estados sobre la piratería?", _hits("OP 1"), LIBRARY)
    assert answer.abstained and "Spanish" in answer.answer and "English" in answer.answer


def test_policy_thresholds_drive_the_decision() -> None:
    features = {"dense": 0.5, "coverage": 0.5, "unknown": 0.0, "names": 0.0, "relevance": 0.5}
    assert not Answerer(policy=AbstentionPolicy(min_relevance=0.4)).should_abstain(features)
    assert Answerer(policy=AbstentionPolicy(min_relevance=0.6)).should_abstain(features)
    assert Answerer().should_abstain({**features, "names": 1.0})


def test_which_paragraphs_mention_lists_every_hit_that_does_however_low_it_ranks() -> None:
    # OP 3 names the Office far below the best hit; OP 1 does not name it
    hits = [Hit(BY_LABEL["OP 2"], 1.0, dense=0.8, lexical=5.0, rank=1),
            Hit(BY_LABEL["OP 1"], 0.5, dense=0.5, lexical=1.0, rank=2),
            Hit(BY_LABEL["OP 3"], 0.2, dense=0.3, lexical=1.0, rank=3)]
    mentions = _answerer().answer("Which paragraphs mention the Office on Drugs and Crime?", hits, LIBRARY)
    assert [c.label for c in mentions.citations] == ["OP 2", "OP 3"]
    topical = _answerer().answer("What does the text say about the Office on Drugs and Crime?", hits, LIBRARY)
    assert "OP 3" not in [c.label for c in topical.citations]


def test_which_resolutions_cites_the_best_paragraph_of_each_document() -> None:
    piracy = Passage(OTHER, "operative", "1", "1. Urges States to share information on pirate financing networks;")
    library = FakeLibrary([*_passages(), piracy])
    hits = [*_hits("OP 3", "OP 1", dense=0.8), Hit(piracy, 0.3, dense=0.6, lexical=1.0, rank=3)]
    answer = _answerer().answer("Which resolutions ask States to share information on pirate financing?", hits,
                                library)
    assert [(c.doc, c.label) for c in answer.citations] == [(DOC, "OP 3"), (OTHER, "OP 1")]


def test_mandate_question_lists_every_paragraph_addressing_the_actor() -> None:
    answer = _answerer().answer("What are Member States asked to do?", _hits("OP 3"), LIBRARY)
    labels = {c.label for c in answer.citations}
    assert labels == {"OP 1", "OP 3"}, answer.answer
    for citation in answer.citations:
        assert citation.excerpt in citation.text


# ------------------------------------------------------------------ which paragraphs join the best one
def _financing() -> list[Passage]:
    return [
        Passage(DOC, "operative", "5", "5. Requests the Office to help States assess their terrorist financing risks "
                "and to counter the financing of terrorism;"),
        Passage(DOC, "preambular", "4", "Recalling all relevant resolutions on terrorism,"),
        Passage(DOC, "operative", "6", "6. Encourages States to counter the links between drug trafficking, "
                "money-laundering and the financing of terrorism;"),
        Passage(DOC, "operative", "7", "7. Decides to remain seized of the matter of terrorism."),
    ]


def test_a_close_score_on_a_frequent_word_alone_does_not_join_the_answer() -> None:
    passages = _financing()
    hits = [Hit(p, score=s, dense=0.55, lexical=3.0, rank=i + 1)
            for i, (p, s) in enumerate(zip(passages, (1.0, 0.9, 0.8, 0.75), strict=True))]
    rare = {"financ": 2.5, "terror": 0.3, "resolut": 0.5}
    answerer = Answerer(term_weight=lambda t: rare.get(t, 1.0), vocabulary=lambda t: True)
    answer = answerer.answer("What does the resolution say about the financing of terrorism?", hits,
                             FakeLibrary(passages))
    assert [c.label for c in answer.citations] == ["OP 5", "OP 6"], answer.answer
    strict = Answerer(term_weight=lambda t: rare.get(t, 1.0), vocabulary=lambda t: True,
                      selection=SelectionPolicy(score_share=0.95, list_score_share=0.95))
    assert [c.label for c in strict.answer("What does the resolution say about the financing of terrorism?",
                                           hits, FakeLibrary(passages)).citations] == ["OP 5"]


def test_an_excerpt_brings_the_clause_it_continues_or_points_back_to() -> None:
    text = ("1. Encourages Member States to maintain a safe and humane environment in prisons, and to develop "
            "tools to address radicalization to violence and terrorist recruitment in prisons; taking into "
            "consideration the Nelson Mandela Rules, and encourages the Office to intensify its technical "
            "assistance in that regard;")
    passage = Passage(DOC, "operative", "1", text)
    answer = Answerer().answer("What is the Office asked to intensify?", [Hit(passage, 1.0, 0.7, 4.0, 1)],
                               FakeLibrary([passage]))
    excerpt = answer.citations[0].excerpt
    assert excerpt in text and "intensify its technical assistance" in excerpt
    assert "safe and humane environment in prisons" in excerpt  # "in that regard" needs what it refers to


def test_abstains_when_the_paragraphs_give_no_answer_of_the_asked_type() -> None:
    hits = _hits("OP 1", "OP 2", dense=0.8)
    budget = _answerer().answer("What is the budget for prosecuting pirates?", hits, LIBRARY)
    assert budget.abstained and budget.citations == [] and "amount of money" in budget.answer
    definition = _answerer().answer("How does the text define piracy?", hits, LIBRARY)
    assert definition.abstained and "definition" in definition.answer
    # the same paragraphs answer a question whose type they give ("at its next session")
    when = _answerer().answer("When must the Secretary-General report on prosecutions of pirates?", hits, LIBRARY)
    assert not when.abstained and when.citations[0].label == "OP 1"


def test_the_paragraph_giving_the_asked_type_leads_the_answer() -> None:
    # OP 2 ranks first but gives no time; OP 1, also chosen, says "at its next session"
    question = "When must the Secretary-General report on the prosecution of pirates?"
    answer = _answerer().answer(question, _hits("OP 2", "OP 1", dense=0.8), LIBRARY)
    assert not answer.abstained
    assert [c.label for c in answer.citations][:2] == ["OP 1", "OP 2"]
    assert answer.answer.splitlines()[0].endswith("[OP 1]")
    # without a type to give, the ranking decides
    plain = _answerer().answer("What about the prosecution of pirates?", _hits("OP 2", "OP 1", dense=0.8), LIBRARY)
    assert not plain.abstained and plain.citations[0].label == "OP 2"


def test_metadata_questions_on_adoption_date_meeting_and_committee() -> None:
    heading = Passage(OTHER, "heading", "", f"{OTHER}\nSecurity Council\nAdopted by the Security Council at its "
                      "9999th meeting, on 2 June 2030\n[on the report of the Sixth Committee]\nThe Security Council,")
    library = FakeLibrary([*_passages(), heading])
    hits = [Hit(heading, 1.0, dense=0.8, lexical=5.0, rank=1)]
    assert metadata_intent("On what date did the Council adopt resolution 9999 (2030)?") == "date"
    assert metadata_intent("At which Security Council meeting was resolution 9999 (2030) adopted?") == "meeting"
    assert metadata_intent("On the report of which Main Committee was it adopted?") == "body"
    assert metadata_intent("Which meeting of experts does the text welcome?") is None
    answer = _answerer().answer("At which meeting was resolution 9999 (2030) adopted?", hits, library)
    assert [c.label for c in answer.citations] == ["Heading"] and "9999th meeting" in answer.answer
    # the question names the document: no "(About ...; 2 documents are indexed ...)" note
    assert not answer.answer.startswith("(About")
    other = _answerer().answer("When was it adopted?", hits, library)
    assert other.answer.startswith(f"(About {OTHER}; 2 documents")
    # a heading's line is quoted alone, the one that answers (not the symbol the question repeats)
    dated = _answerer().answer("On what date did the Council adopt resolution 9999 (2030)?", hits, library)
    assert "… Adopted by the Security Council at its 9999th meeting, on 2 June 2030 … [Heading]" in dated.answer
    committee = _answerer().answer("On the report of which Main Committee was resolution 9999 (2030) adopted?", hits,
                                   library)
    assert "[on the report of the Sixth Committee] … [Heading]" in committee.answer
    assert "Security Council\n" not in committee.answer and "Security Council\n" not in dated.answer


def test_a_document_named_by_title_gets_no_note_on_the_other_documents() -> None:
    heading = Passage(OTHER, "heading", "", f"{OTHER}\nSecurity Council\nThe Security Council,")
    library = FakeLibrary([*_passages(), heading])
    hits = [Hit(BY_LABEL["Heading"], 1.0, dense=0.8, lexical=5.0, rank=1)]
    answer = _answerer().answer("What is the document symbol of the piracy at sea resolution?", hits, library)
    assert answer.answer.startswith(f"The document symbol is {DOC}.") and "(About" not in answer.answer


def test_a_question_naming_a_document_is_answered_from_it_alone() -> None:
    piracy = Passage(OTHER, "operative", "1", "1. Urges States to share information on pirate financing networks;")
    library = FakeLibrary([*_passages(), piracy])
    hits = [Hit(piracy, 1.0, dense=0.8, lexical=5.0, rank=1), *_hits("OP 3", dense=0.8)]
    question = "What does resolution 99/1 ask States to share on pirate financing networks?"
    assert [c.doc for c in _answerer().answer(question, hits, library).citations] == [DOC]
    # named by nothing: the best hit leads, whatever its document
    other = _answerer().answer("What are States asked to share on pirate financing networks?", hits, library)
    assert other.citations[0].doc == OTHER
    # a label of the named document only; several named documents: the best paragraph of each
    assert [(c.doc, c.label) for c in _answerer().answer("OP 1 of resolution 9999 (2030)", hits, library).citations] \
        == [(OTHER, "OP 1")]
    both = _answerer().answer("What do resolutions 99/1 and 9999 (2030) ask States to share?", hits, library)
    assert {c.doc for c in both.citations} == {DOC, OTHER}
    # named by title only (a looser match): the other document's hits stay
    titled = _answerer().answer("What does the piracy at sea resolution ask States to share?", hits, library)
    assert titled.citations[0].doc == OTHER


def test_a_footnote_that_matched_best_is_cited_first_under_its_paragraph() -> None:
    hits = [Hit(BY_LABEL["Footnote 1"], 1.0, dense=0.8, lexical=5.0, rank=1),
            Hit(BY_LABEL["PP 1"], 0.8, dense=0.7, lexical=4.0, rank=2)]
    answer = _answerer().answer("On which date was resolution 12/34 on fisheries adopted?", hits, LIBRARY)
    assert [c.label for c in answer.citations][:2] == ["Footnote 1", "PP 1"]
    assert answer.answer.index("[PP 1]") < answer.answer.index("[Footnote 1]")  # shown under its paragraph


def test_abstains_when_the_named_author_adopted_none_of_the_documents() -> None:
    from rag.aliases import AliasTable

    answerer = _answerer(aliases=AliasTable.builtin())
    hits = _hits("OP 1", "OP 2", dense=0.8)
    answer = answerer.answer("What does the Human Rights Council ask States to do about piracy?", hits, LIBRARY)
    assert answer.abstained and "Human Rights Council" in answer.answer and answer.citations == []
    # the General Assembly adopted the document; texts of a body the paragraphs may recall are no author
    assert not answerer.answer("What does the General Assembly ask States to do about piracy?", hits, LIBRARY).abstained
    assert answerer.absent_issuers("Which Security Council resolutions on piracy are recalled?", hits, LIBRARY) == []
    assert answerer.absent_issuers("What does the Security Council decide on piracy?", hits, LIBRARY) == [
        "Security Council"]
