"""The extractive answerer, with hand-made passages and hits (no model, no index)."""

from __future__ import annotations

from collections.abc import Sequence

from rag.answer import AbstentionPolicy, Answerer, SelectionPolicy
from rag.embed import FakeEmbedder
from rag.excerpts import clause_spans
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

    def headings(self) -> dict[str, Passage]:
        return {p.doc: p for p in reversed(self._passages) if p.kind == "heading"}  # each document's first

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
    assert named.abstained and named.answer.startswith("The indexed documents do not mention “Somalia”")
    in_one = _answerer(symbols=[DOC, OTHER]).answer("What does A/RES/99/1 say about Somalia?", hits, LIBRARY)
    assert in_one.abstained and in_one.answer.startswith(f"{DOC} does not mention “Somalia”: it does not")
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
    answer = _answerer().answer("Which resolutions deal with sharing information on pirate financing?", hits,
                                library)
    assert [(c.doc, c.label) for c in answer.citations] == [(DOC, "OP 3"), (OTHER, "OP 1")]


def test_documents_beyond_k_are_named_and_cited_with_a_larger_k() -> None:
    others = [Passage(f"S/RES/{n} (2030)", "operative", "1", f"1. Urges States to fight piracy in region {n};")
              for n in (9001, 9002, 9003)]
    library = FakeLibrary([*_passages(), *others])
    hits = [*_hits("OP 1", dense=0.8), *(Hit(p, 0.5 - 0.1 * i, dense=0.6, lexical=1.0, rank=i + 2)
                                         for i, p in enumerate(others))]
    question = "Which resolutions mention piracy?"
    two = _answerer().answer(question, hits, library, k=2)
    assert [c.doc for c in two.citations] == [DOC, "S/RES/9001 (2030)"]
    assert "say so too: S/RES/9002 (2030), S/RES/9003 (2030); with k = 4 all are cited" in two.answer
    four = _answerer().answer(question, hits, library, k=4)
    assert [c.doc for c in four.citations] == [DOC, *(p.doc for p in others)] and "say so too" not in four.answer


def test_which_resolutions_request_an_actor_lists_the_mandates_of_every_document() -> None:
    # the search found only the first document's paragraph; the mandate map knows the other's
    report = Passage(OTHER, "operative", "2", "2. Requests the Secretary-General to report to the Council within "
                     "six months;")
    library = FakeLibrary([*_passages(), report])
    answer = _answerer().answer("Which resolutions request the Secretary-General to report?", _hits("OP 1"), library)
    assert [(c.doc, c.label) for c in answer.citations] == [(DOC, "OP 1"), (OTHER, "OP 2")]
    assert answer.citations[0].excerpt.startswith("and requests the Secretary-General to report")


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
    hits = [Hit(piracy, 1.0, dense=0.8, lexical=5.0, rank=1), Hit(BY_LABEL["OP 3"], 0.9, dense=0.8, lexical=5.0,
                                                                    rank=2)]
    question = "What does resolution 99/1 ask States to share on pirate financing networks?"
    assert [c.doc for c in _answerer().answer(question, hits, library).citations] == [DOC]
    # named by nothing: the best hit leads, whatever its document
    other = _answerer().answer("What are States asked to share on pirate financing networks?", hits, library)
    assert other.citations[0].doc == OTHER
    # a label of the named document only; several named documents: the best paragraph of each
    assert [(c.doc, c.label) for c in _answerer().answer("OP 1 of resolution 9999 (2030)", hits, library).citations] \
        == [(OTHER, "OP 1")]
    both = _answerer().answer("What do resolutions 99/1 and 9999 (2030) say on sharing information?", hits, library)
    assert {c.doc for c in both.citations} == {DOC, OTHER}
    # named by its title: that document too
    titled = _answerer().answer("What does the piracy at sea resolution ask States to share?", hits, library)
    assert {c.doc for c in titled.citations} == {DOC}


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


def test_a_resolution_named_by_number_but_not_indexed_is_answered_only_from_what_mentions_it() -> None:
    hits = [Hit(BY_LABEL["Heading"], 1.0, dense=0.8, lexical=5.0, rank=1), *_hits("PP 1", "Footnote 1", dense=0.7)]
    recalled = _answerer().answer("When was resolution 12/34 on fisheries adopted?", hits, LIBRARY)
    assert recalled.answer.startswith("(Resolution 12/34 is not indexed") and "1 March 2029" in recalled.answer
    assert "Heading" not in [c.label for c in recalled.citations]  # never the indexed document's own date
    unknown = _answerer().answer("When was resolution 56/78 adopted?", hits, LIBRARY)
    assert unknown.abstained and unknown.citations == [] and "56/78" in unknown.answer
    # the body named wrote the text that is not indexed: the indexed texts need not be its own
    from rag.aliases import AliasTable

    recalling = Passage(DOC, "preambular", "3", "Recalling Human Rights Council resolution 12/34 of 1 March 2029,")
    library = FakeLibrary([*_passages(), recalling])
    words = {t for p in library.passages() for t in tokenize(p.text)}
    by_author = Answerer(embedder=FakeEmbedder(64), vocabulary=lambda t: t in words, aliases=AliasTable.builtin(),
                         ).answer("When did the Human Rights Council adopt resolution 12/34?",
                                  [Hit(recalling, 1.0, dense=0.8, lexical=5.0, rank=1)], library)
    assert not by_author.abstained and "1 March 2029" in by_author.answer, by_author.answer
    by_symbol = _answerer().answer("What does A/RES/56/78 say about fisheries?", hits, LIBRARY)
    assert by_symbol.abstained and "56/78 is not among the indexed documents" in by_symbol.answer
    # the indexed document itself, named by number, is answered from its heading as before
    assert [c.label for c in _answerer().answer("What is the title of resolution 99/1?", hits, LIBRARY).citations] \
        == ["Heading"]


def test_a_country_adjective_or_a_typing_slip_names_what_the_corpus_has() -> None:
    passage = Passage(DOC, "operative", "5", "5. Welcomes the offer of the Government of Japan and of UNODC;")
    vocabulary = set(tokenize(passage.text))
    answerer = Answerer(embedder=FakeEmbedder(64), vocabulary=lambda t: t in vocabulary)
    hits = [Hit(passage, 1.0, dense=0.7, lexical=5.0, rank=1)]
    assert answerer.unknown_names("What did the Japanese Government offer?", hits) == []
    assert answerer.unknown_names("What is UNDOC asked to do?", hits) == []
    assert answerer.unknown_names("What does it say about Chile? What did the Kenyan Government do?", hits) == [
        "Chile", "Kenyan Government"]


# ------------------------------------------------------------------ label questions: parts, chapeaux, --kind
ECOSOC = "E/RES/2099/1"
DECLARATION = "A/RES/99/2"


def _parts_library() -> FakeLibrary:
    """A resolution recommending a draft (few paragraphs of its own, more in the draft), and one adopting a
    declaration in its annex; both have a chapeau with sub-paragraphs."""
    return FakeLibrary([
        Passage(ECOSOC, "heading", "", f"{ECOSOC}\nEconomic and Social Council"),
        Passage(ECOSOC, "operative", "1", "1. Recommends to the General Assembly the adoption of the following draft "
                "resolution:"),
        Passage(ECOSOC, "heading", "", "The General Assembly,", part="draft"),
        Passage(ECOSOC, "operative", "1", "1. Welcomes the offer to host the congress;", part="draft"),
        Passage(ECOSOC, "operative", "2", "2. Decides that the following issues shall be considered in workshops:",
                part="draft"),
        Passage(ECOSOC, "operative", "2(a)", "(a) Protecting children;", part="draft", parent="2"),
        Passage(ECOSOC, "operative", "2(b)", "(b) Access to justice;", part="draft", parent="2"),
        Passage(ECOSOC, "operative", "3", "3. Requests the Secretary-General to report on the congress.", part="draft"),
        Passage(DECLARATION, "heading", "", f"{DECLARATION}\nGeneral Assembly"),
        Passage(DECLARATION, "operative", "1", "1. Adopts the following declaration:"),
        Passage(DECLARATION, "operative", "1", "1. Reaffirm our commitment to end the epidemic;", part="annex"),
        Passage(DECLARATION, "operative", "2", "2. Commit to:", part="annex"),
        Passage(DECLARATION, "operative", "2(a)", "(a) Financing research;", part="annex", parent="2"),
        Passage(DECLARATION, "operative", "2(a)(i)", "(i) In every region;", part="annex", parent="2(a)"),
        Passage(DECLARATION, "operative", "3", "3. Request a progress report.", part="annex"),
    ])


def test_a_label_the_document_lacks_is_answered_from_its_draft_or_annex_and_says_so() -> None:
    library = _parts_library()
    draft = _answerer().answer(f"OP 3 of {ECOSOC}", [], library)
    assert [c.label for c in draft.citations] == ["Draft OP 3"] and not draft.abstained
    lead = draft.answer.splitlines()[0]
    assert f"{ECOSOC} has no OP 3 of its own" in lead and "draft" in lead
    assert [c.label for c in _answerer().answer("OP 3", [], library, doc=ECOSOC).citations] == ["Draft OP 3"]
    annex = _answerer().answer(f"What does paragraph 3 of {DECLARATION} say?", [], library)
    assert [c.label for c in annex.citations] == ["Annex OP 3"] and "annex" in annex.answer.splitlines()[0]
    # the document's own paragraph stays the answer, with no note
    own = _answerer().answer(f"OP 1 of {ECOSOC}", [], library)
    assert [c.label for c in own.citations] == ["OP 1"] and own.answer.startswith("Recommends")
    # named in a part, the part's paragraph, with no note; a number no part has is said to be missing
    assert [c.label for c in _answerer().answer(f"Draft OP 1 of {ECOSOC}", [], library).citations] == ["Draft OP 1"]
    named = _answerer().answer(f"annex paragraph 1 of {DECLARATION}", [], library)
    assert [c.label for c in named.citations] == ["Annex OP 1"] and named.answer.startswith("Reaffirm")
    missing = _answerer().answer(f"Annex OP 9 of {DECLARATION}", [], library)
    assert missing.abstained and "Annex OP 9" in missing.answer and not missing.citations
    assert _answerer().answer(f"OP 9 of {ECOSOC}", [], library).abstained


def test_a_chapeau_is_shown_with_its_sub_paragraphs_at_every_depth() -> None:
    library = _parts_library()
    chapeau = _answerer().answer(f"OP 2 of {ECOSOC}", [], library)
    assert [c.label for c in chapeau.citations] == ["Draft OP 2", "Draft OP 2 (a)", "Draft OP 2 (b)"]
    lines = chapeau.answer.splitlines()
    assert lines[-2:] == ["Protecting children; [Draft OP 2 (a)]", "Access to justice; [Draft OP 2 (b)]"]
    nested = _answerer().answer(f"Annex OP 2 of {DECLARATION}", [], library)
    assert [c.label for c in nested.citations] == ["Annex OP 2", "Annex OP 2 (a)", "Annex OP 2 (a) (i)"]
    # a sub-paragraph asked for is that sub-paragraph (with its own items, if any)
    assert [c.label for c in _answerer().answer(f"Draft OP 2 (b) of {ECOSOC}", [], library).citations] == [
        "Draft OP 2 (b)"]
    assert [c.label for c in _answerer().answer(f"Annex OP 2 (a) of {DECLARATION}", [], library).citations] == [
        "Annex OP 2 (a)", "Annex OP 2 (a) (i)"]


def test_a_label_of_a_document_that_is_not_indexed_is_not_another_documents() -> None:
    answer = _answerer().answer("paragraph 2 of resolution 12/34", _hits("OP 2"), LIBRARY)
    assert answer.abstained and "12/34" in answer.answer and not answer.citations
    assert [c.label for c in _answerer().answer("paragraph 2 of resolution 99/1", [], LIBRARY).citations] == ["OP 2"]


def test_the_kind_filter_holds_in_every_kind_of_answer() -> None:
    operative = ["operative"]
    footnote = _answerer().answer("Footnote 1", [], LIBRARY, kinds=operative)
    assert footnote.abstained and "--kind" in footnote.answer and not footnote.citations
    assert [c.label for c in _answerer().answer("paragraph 1", [], LIBRARY, kinds=operative).citations] == ["OP 1"]
    assert [c.label for c in _answerer().answer("paragraph 1", [], LIBRARY, kinds=["preambular"]).citations] == [
        "PP 1"]
    # a question about the document itself: its heading and * footnotes are left out
    editing = _answerer().answer("Was it formally edited?", _hits("OP 1"), LIBRARY, kinds=operative)
    assert editing.abstained and not editing.citations and "--kind" in editing.answer  # not an unrelated OP
    # mandates: only the paragraphs of the kinds asked for
    mandates = _answerer().answer("What are Member States asked to do?", _hits("PP 2"), LIBRARY, kinds=["preambular"])
    assert {c.kind for c in mandates.citations} <= {"preambular"}
    # a footnote hit stands alone when its paragraph's kind is left out
    notes = _answerer().answer("Which resolution on fisheries is recalled, and of what date?",
                               [Hit(BY_LABEL["Footnote 1"], 1.0, 0.7, 3.0, 1)], LIBRARY, kinds=["footnote"])
    assert [c.label for c in notes.citations] == ["Footnote 1"]


def test_when_several_parts_have_the_label_the_first_is_quoted_and_the_others_named() -> None:
    library = FakeLibrary([
        Passage(ECOSOC, "operative", "1", "1. Recommends the following draft resolution:"),
        Passage(ECOSOC, "operative", "2", "2. Welcomes the offer to host the congress;", part="draft"),
        Passage(ECOSOC, "operative", "2", "2. Commit to end the epidemic;", part="annex"),
    ])
    answer = _answerer().answer(f"OP 2 of {ECOSOC}", [], library)
    assert [c.label for c in answer.citations] == ["Draft OP 2"]
    assert "Annex OP 2" in answer.answer.splitlines()[0]


# ------------------------------------------------------------------- facts of the heading

COUNCIL_RES = "E/RES/2099/3"
ASSEMBLY_RES = "A/RES/99/5"
PLENARY_RES = "A/RES/99/6"


def _heading_facts_library() -> FakeLibrary:
    """An ECOSOC resolution whose adoption is told only by its closing lines, a General Assembly resolution on
    the report of a Main Committee, one adopted without reference to a Main Committee, and a Council resolution."""
    council = Passage(COUNCIL_RES, "heading", "", f"{COUNCIL_RES}\n27 December 2099\n2099 session\n"
                      "Agenda item 5 (b)\nSocial questions: fisheries\n2099/3. Fisheries cooperation\n"
                      "The Economic and Social Council,\n12th plenary meeting\n10 November 2099")
    assembly = Passage(ASSEMBLY_RES, "heading", "", f"{ASSEMBLY_RES}\nGeneral Assembly\n19 December 2099\n"
                       "Ninety-ninth session\nAgenda item 71\nResolution adopted by the General Assembly on "
                       "17 December 2099\n[on the report of the Third Committee (A/99/400, para. 9)]\n"
                       "99/5. Rights of fishers\nThe General Assembly,\n53rd plenary meeting\n17 December 2099")
    plenary = Passage(PLENARY_RES, "heading", "", f"{PLENARY_RES}\nGeneral Assembly\nResolution adopted by the "
                      "General Assembly on 2 October 2099\n[without reference to a Main Committee (A/99/L.4)]\n"
                      "99/6. Oceans day\nThe General Assembly,")
    return FakeLibrary([
        council,
        Passage(COUNCIL_RES, "operative", "1", "1. Decides to convene a session of experts in 2100;"),
        assembly,
        Passage(ASSEMBLY_RES, "preambular", "1", "Bearing in mind the report of the Special Rapporteur,",
                footnotes=("1",)),
        Passage(ASSEMBLY_RES, "footnote", "1", "Seventy-third Session, report of the Committee (A/73/53).",
                cited_by=("PP 1",)),
        plenary,
        *[p for p in _passages() if p.doc == OTHER],
        Passage(OTHER, "heading", "", f"{OTHER}\nSecurity Council\nAdopted by the Security Council at its "
                "9999th meeting, on 2 June 2030\nThe Security Council,"),
    ])


def _cited_excerpts(answer: object) -> list[tuple[str, str]]:
    return [(c.label, c.excerpt) for c in answer.citations]  # type: ignore[attr-defined]


def test_the_adoption_date_is_the_adoption_line_not_the_issue_date() -> None:
    library = _heading_facts_library()
    ask = _answerer().answer
    # the closing lines: the date under the meeting line is the date of adoption
    closing = ask(f"When was {COUNCIL_RES} adopted?", [], library)
    assert _cited_excerpts(closing) == [("Heading", "12th plenary meeting\n10 November 2099")]
    assert "27 December 2099" not in closing.answer and "adoption" in closing.answer.split("\n")[0]
    # an adoption line and closing lines: one of them, never the issue date nor the lines between them
    assembly = ask(f"On what date was {ASSEMBLY_RES} adopted?", [], library)
    assert _cited_excerpts(assembly)[0][1] in ("Resolution adopted by the General Assembly on 17 December 2099",
                                               "53rd plenary meeting\n17 December 2099")
    council = ask(f"When was {OTHER} adopted?", [], library)
    assert _cited_excerpts(council) == [("Heading", "Adopted by the Security Council at its 9999th meeting, on "
                                                    "2 June 2030")]
    # asked when it was issued: the date alone on the cover
    assert _cited_excerpts(ask(f"When was {ASSEMBLY_RES} issued?", [], library)) == [("Heading", "19 December 2099")]


def test_meeting_agenda_item_and_session_come_from_their_heading_lines() -> None:
    library = _heading_facts_library()
    ask = _answerer().answer
    meeting = ask(f"At which plenary meeting was {COUNCIL_RES} adopted?", [], library)
    assert _cited_excerpts(meeting) == [("Heading", "12th plenary meeting\n10 November 2099")]
    agenda = ask(f"Under which agenda item was {COUNCIL_RES} adopted?", [], library)
    assert _cited_excerpts(agenda) == [("Heading", "Agenda item 5 (b)\nSocial questions: fisheries")]
    assert _cited_excerpts(ask(f"Under which agenda item was {ASSEMBLY_RES} adopted?", [], library)) == [
        ("Heading", "Agenda item 71")]  # the next line is the adoption line, not the item's name
    assert _cited_excerpts(ask(f"Which session adopted {COUNCIL_RES}?", [], library)) == [("Heading", "2099 session")]
    # the session line, not a footnote on another session that the search would rank first
    hits = [Hit(p, 1.0, 0.8, 5.0, 1) for p in library.passages(ASSEMBLY_RES) if p.kind != "heading"]
    session = ask(f"Which session of the General Assembly adopted {ASSEMBLY_RES}?", hits, library)
    assert _cited_excerpts(session) == [("Heading", "Ninety-ninth session")]


def test_a_fact_the_heading_does_not_give_is_said_to_be_missing() -> None:
    library = _heading_facts_library()
    agenda = _answerer().answer(f"Under which agenda item was {OTHER} adopted?", [], library)
    assert agenda.abstained and not agenda.citations and f"{OTHER} does not state an agenda item" in agenda.answer
    session = _answerer().answer(f"At which session was {PLENARY_RES} adopted?", [], library)
    assert session.abstained and "does not state a session" in session.answer


def test_the_report_or_main_committee_line_answers_on_whose_report() -> None:
    library = _heading_facts_library()
    hits = [Hit(p, 1.0, 0.8, 5.0, 1) for p in library.passages(ASSEMBLY_RES) if p.kind == "footnote"]
    report = _answerer().answer(f"On whose report was {ASSEMBLY_RES} adopted?", hits, library)
    assert _cited_excerpts(report) == [("Heading", "[on the report of the Third Committee (A/99/400, para. 9)]")]
    none = _answerer().answer(f"Was {PLENARY_RES} adopted with reference to a Main Committee?", [], library)
    assert _cited_excerpts(none) == [("Heading", "[without reference to a Main Committee (A/99/L.4)]")]


def test_a_draft_has_no_adoption_date_and_its_other_dates_are_labelled() -> None:
    draft = "E/CN.7/2099/L.3/Rev.1"
    library = FakeLibrary([
        Passage(draft, "heading", "", f"{draft}\nThe Commission on Narcotic Drugs recommends to the Economic and "
                "Social Council the approval of the following draft resolution:\nDrug policy\n"
                "The Economic and Social Council,"),
        Passage(draft, "operative", "1", "1. Decides to act."),
        Passage(draft, "footnote", "*", "Reissued for technical reasons on 3 April 2099."),
        Passage(draft, "footnote", "**", "Issued without formal editing."),
    ])
    answer = _answerer().answer("When was it adopted?", [], library, doc=draft)
    first = answer.answer.split("\n")[0]
    assert f"{draft} is a draft" in first and "no date of adoption" in first
    assert "reissued 3 April 2099 [Footnote *]" in first
    assert [c.label for c in answer.citations] == ["Heading", "Footnote *"]
    assert "draft resolution" in answer.citations[0].excerpt
    assert "adopted on" not in answer.answer
    meeting = _answerer().answer("At which meeting was it adopted?", [], library, doc=draft)
    assert meeting.abstained and "is a draft" in meeting.answer
    # a draft told by its symbol alone; an issue date on its cover is said to be one
    bare = FakeLibrary([Passage("A/C.3/99/L.9", "heading", "", "A/C.3/99/L.9\n4 November 2099\nFisheries\n"
                                "The General Assembly,"),
                        Passage("A/C.3/99/L.9", "operative", "1", "1. Decides to act.")])
    dated = _answerer().answer("When was it adopted?", [], bare, doc="A/C.3/99/L.9")
    assert "is a draft (its symbol (/L.) is that of a draft)" in dated.answer
    assert "issued 4 November 2099 [Heading]" in dated.answer
    assert _cited_excerpts(dated) == [("Heading", "4 November 2099")]


def test_an_adopted_text_without_an_adoption_line_says_so_and_gives_its_issue_date() -> None:
    symbol = "A/RES/99/7"
    library = FakeLibrary([Passage(symbol, "heading", "", f"{symbol}\nGeneral Assembly\n8 January 2100\n"
                                   "99/7. Oceans\nThe General Assembly,"),
                           Passage(symbol, "operative", "1", "1. Decides to act.")])
    answer = _answerer().answer(f"When was {symbol} adopted?", [], library)
    assert answer.answer.startswith(f"{symbol} gives no date of adoption in its text. The date it does give: "
                                    "issued 8 January 2100 [Heading].")
    assert "is a draft" not in answer.answer and _cited_excerpts(answer) == [("Heading", "8 January 2100")]


def test_a_mandate_in_a_chapeau_comes_with_its_items() -> None:
    from rag.aliases import AliasTable

    chapeau = Passage(DOC, "operative", "5", "5. Urges Member States to consider the following measures on fisheries:")
    items = [Passage(DOC, "operative", "5(a)", "(a) Closing their ports to vessels fishing illegally;", parent="5"),
             Passage(DOC, "operative", "5(b)", "(b) Sharing the data of their catch registries;", parent="5")]
    library = FakeLibrary([*_passages(), chapeau, *items])
    hits = [Hit(chapeau, 1.0, dense=0.8, lexical=5.0, rank=1)]
    answer = _answerer(aliases=AliasTable.builtin()).answer(
        "Which measures on fisheries are Member States urged to consider?", hits, library)
    assert [c.label for c in answer.citations] == ["OP 5", "OP 5 (a)", "OP 5 (b)"]
    assert "Closing their ports" in answer.answer and "catch registries" in answer.answer


def test_a_question_on_several_documents_says_which_has_nothing_as_close() -> None:
    other = Passage(OTHER, "operative", "1", "1. Decides to remain seized of the matter.")
    library = FakeLibrary([*_passages(), other])
    hits = [*_hits("OP 2", dense=0.8), Hit(other, 0.2, dense=0.1, lexical=0.0, rank=3)]
    answer = _answerer().answer("Compare what resolutions 99/1 and 9999 (2030) ask of coast guards", hits, library)
    assert [c.label for c in answer.citations][:1] == ["OP 2"]
    assert answer.answer.endswith(f"(No paragraph of {OTHER} answers this question as closely.)")
    alone = _answerer().answer("What does resolution 99/1 ask of coast guards?", hits, library)
    assert "No paragraph of" not in alone.answer


class _DatedLibrary(FakeLibrary):
    """A library whose documents have dates (``rag list``)."""

    def __init__(self, passages: Sequence[Passage], dates: dict[str, str]) -> None:
        super().__init__(passages)
        self.dates = dates

    def documents(self) -> list[object]:
        from types import SimpleNamespace

        return [SimpleNamespace(symbol=s, title="", date=d) for s, d in self.dates.items()]


def test_which_documents_were_adopted_when_or_by_whom_is_answered_from_their_headings() -> None:
    from rag.aliases import AliasTable

    council = Passage(OTHER, "heading", "", f"{OTHER}\nAdopted by the Security Council at its 9999th meeting, on "
                                             "2 June 2030\nThe Security Council,")
    draft = Passage("E/CN.15/2029/L.1", "heading", "", "E/CN.15/2029/L.1\nThe Commission recommends the following "
                                                       "draft resolution:")
    library = _DatedLibrary([*_passages(), council, draft],
                            {DOC: "2029-05-01", OTHER: "2030-06-02", "E/CN.15/2029/L.1": "2030-01-01"})
    answerer = _answerer(aliases=AliasTable.builtin())
    in_2030 = answerer.answer("Which resolutions were adopted in 2030?", [], library)
    assert [c.doc for c in in_2030.citations] == [OTHER]  # the draft of 2030 was not adopted
    assert in_2030.answer.startswith("1 of the 3 indexed documents was adopted in 2030:")
    assert "on 2 June 2030" in in_2030.answer
    council_texts = answerer.answer("Which resolutions did the Security Council adopt?", [], library)
    assert [c.doc for c in council_texts.citations] == [OTHER]
    for phrasing in ("Which Security Council resolutions are in the collection?", "List the Security Council "
                     "resolutions", "Which resolutions did the United Nations Security Council adopt?"):
        assert [c.doc for c in answerer.answer(phrasing, [], library).citations] == [OTHER], phrasing
    none = answerer.answer("Which resolutions were adopted in 1999?", [], library)
    assert none.abstained and "None of the 3 indexed documents was adopted in 1999" in none.answer
    # a question about their text is not a question about the documents
    assert not answerer.answer("Which resolutions adopted in 2030 mention piracy?", _hits("OP 1"), library
                               ).answer.startswith("1 of the")


def test_several_labels_a_range_and_a_symbol_without_its_year_are_all_answered() -> None:
    council = Passage(OTHER, "operative", "2", "2. Decides to remain seized of the matter.")
    library = FakeLibrary([*_passages(), council])
    both = _answerer().answer("OP 3 and OP 1 of A/RES/99/1", [], library)
    assert [c.label for c in both.citations] == ["OP 3", "OP 1"] and not both.abstained
    ranged = _answerer().answer("paragraphs 2 to 4 of A/RES/99/1", [], library)
    assert [c.label for c in ranged.citations] == ["OP 2", "OP 3", "OP 4"]
    one_missing = _answerer().answer("OP 1 and OP 9 of A/RES/99/1", [], library)
    assert [c.label for c in one_missing.citations] == ["OP 1"]
    assert "There is no OP 9 in A/RES/99/1." in one_missing.answer
    undated = _answerer().answer("OP 2 of S/RES/9999", [], library)  # its symbol is "S/RES/9999 (2030)"
    assert [(c.doc, c.label) for c in undated.citations] == [(OTHER, "OP 2")]
    revision = _answerer().answer("OP 2 of A/RES/99", [], library)
    assert revision.abstained and "did you mean A/RES/99/1?" in revision.answer


def test_a_number_counts_whether_written_in_digits_or_in_words() -> None:
    profile = _answerer().profile("What is due in 6 months?")
    spelled = set(tokenize("Requests a report within six months;"))
    assert profile.coverage(spelled) == _answerer().profile("What is due in six months?").coverage(spelled) > 0.5


def test_a_document_named_by_its_title_is_answered_from_it_alone() -> None:
    elsewhere = Passage(OTHER, "operative", "1", "1. Urges States to protect coast guards at sea;")
    library = FakeLibrary([*_passages(), elsewhere])
    hits = [Hit(elsewhere, 1.0, dense=0.8, lexical=5.0, rank=1), *_hits("OP 2", dense=0.7)]
    answer = _answerer().answer("What does the piracy at sea resolution say about coast guards?", hits, library)
    assert [c.doc for c in answer.citations] == [DOC], answer.answer


def test_a_documents_title_in_the_question_is_not_a_topic_its_paragraphs_must_cover() -> None:
    from rag.retrieve import TitleMatcher

    titles = TitleMatcher({DOC: "Cooperation against piracy at sea", OTHER: "Protection of humanitarian personnel"})
    question = "What does the piracy at sea resolution say about surrogacy?"
    with_titles = _answerer(symbols=[DOC, OTHER], titles=titles).profile(question)
    assert with_titles.terms == ["surrogaci"]
    assert "piraci" in _answerer(symbols=[DOC, OTHER]).profile(question).terms
    answer = _answerer(symbols=[DOC, OTHER], titles=titles).answer(question, _hits("OP 1", "OP 3", dense=0.4),
                                                                   LIBRARY)
    assert answer.abstained, answer.answer


def test_a_document_filter_that_contradicts_the_document_named_is_said_not_overridden() -> None:
    heading = Passage(OTHER, "heading", "", f"{OTHER}\nAdopted by the Security Council at its 9999th meeting, on "
                                            "2 June 2030")
    library = FakeLibrary([*_passages(), heading])
    answer = _answerer(symbols=[DOC, OTHER]).answer("When was resolution 9999 (2030) adopted?", _hits("Heading"),
                                                    library, doc=DOC)
    assert answer.abstained and answer.citations == []
    assert answer.answer.startswith(f"The question names {OTHER}, but it is limited to {DOC} (--doc)")


def test_a_named_document_without_hits_gets_no_other_documents_paragraphs() -> None:
    elsewhere = Passage(OTHER, "operative", "1", "1. Urges States to protect coast guards at sea;")
    library = FakeLibrary([*_passages(), elsewhere])
    hits = [Hit(elsewhere, 1.0, dense=0.8, lexical=5.0, rank=1)]
    answer = _answerer(symbols=[DOC, OTHER]).answer("What does resolution 99/1 say about coast guards?", hits, library)
    assert DOC not in {c.doc for c in answer.citations} or not answer.citations
    assert OTHER not in {c.doc for c in answer.citations}


def test_a_label_with_a_bare_document_number_or_a_few_extra_words_shows_that_paragraph_whole() -> None:
    council = Passage("S/RES/2730 (2024)", "operative", "3", "3. Demands that all parties comply, and requests "
                      "the Secretary-General to report on the matter within six months of the adoption of this text;")
    library = FakeLibrary([*_passages(), council])
    answerer = _answerer(symbols=[DOC, council.doc])
    answer = answerer.answer("What about OP 3 of 2730?", [], library)
    assert [(c.doc, c.label) for c in answer.citations] == [(council.doc, "OP 3")]
    assert answer.citations[0].excerpt == council.text[3:]  # whole: "about" asks for nothing in particular
    limited = answerer.answer("OP 3 of 2730", [], library, kinds=["preambular"])
    assert "OP 3 is an operative passage" in limited.answer


def test_an_actor_no_paragraph_addresses_gets_a_plain_abstention() -> None:
    from rag.aliases import AliasTable

    answerer = _answerer(aliases=AliasTable.builtin())
    answer = answerer.answer("What is UNESCO asked to do?", _hits("OP 2", "OP 3"), LIBRARY)
    assert answer.abstained and answer.citations == [] and "UNESCO" in answer.answer
    addressed = answerer.answer("What is the Secretary-General asked to do?", _hits("OP 1", "OP 2"), LIBRARY)
    assert not addressed.abstained and addressed.citations[0].label == "OP 1"


def test_a_country_the_paragraphs_do_not_name_is_not_answered() -> None:
    question = "Does the text ask Norway to share information on pirate financing networks?"
    answer = _answerer().answer(question, _hits("OP 3", "OP 1"), LIBRARY)
    assert answer.abstained and "Norway" in answer.answer
    answer = _answerer().answer("What are States asked to share on pirate financing?", _hits("OP 3"), LIBRARY)
    assert not answer.abstained
