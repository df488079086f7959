"""Reading a question: cleaning, language, names, list, label, metadata and present-state questions."""

from __future__ import annotations

import pytest

from rag.errors import InputError
from rag.question import (
    adoption_scope,
    asks_about_present,
    clean_question,
    foreign_language,
    metadata_intent,
    parse_label_request,
    parse_label_requests,
    question_names,
    wants_list,
    without_document_references,
)


# ------------------------------------------------------------------ input handling
def test_clean_question_strips_controls_and_rejects_empty_or_long() -> None:
    assert clean_question("What\x00 is\u200b piracy?\x1b", 100) == "What is piracy?"
    for bad in ("", "   ", "\x00\x07"):
        with pytest.raises(InputError, match="empty"):
            clean_question(bad, 100)
    with pytest.raises(InputError, match=r"10,000 characters.*RAG_MAX_QUESTION_CHARS"):
        clean_question("x" * 10_000, 2000)


def test_foreign_language_and_names() -> None:
    assert foreign_language("Que demande la résolution aux États Membres ?") == "French"
    assert foreign_language("Was verlangt die Resolution von den Mitgliedstaaten?") == "German"
    assert foreign_language("What does the resolution ask of the States?") is None
    assert question_names("What does it say about the Human Rights Council and ISIL?") == ["Human Rights Council",
                                                                                          "ISIL"]


def test_question_classifiers() -> None:
    assert wants_list("Which paragraphs concern fisheries?") and not wants_list("What is SHERLOC?")
    assert metadata_intent("Is this a reissued version?") == "reissue"
    assert metadata_intent("What is the title of this resolution?") == "title"
    assert metadata_intent("What is the document symbol of the Secretary-General's report?") is None
    assert parse_label_request("paragraph 3") is not None
    assert parse_label_request("Show me operative paragraph 26 of A/RES/99/1").symbol == "A/RES/99/1"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("question", "listing"),
    [
        ("What does the text say about radicalization?", True),
        ("What is said about capacity building?", True),
        ("Which texts deal with the safety of humanitarian personnel?", True),
        ("What measures on transplantation registries are proposed?", True),
        ("Which UNODC handbooks and guides are welcomed?", True),
        ("When must the Secretary-General report?", False),
        ("Which guide on electronic evidence does it welcome?", False),
        ("Which session gets the report?", False),
        ("What is the DDRRR process?", False),
    ],
)
def test_list_questions(question: str, listing: bool) -> None:
    assert wants_list(question) is listing


@pytest.mark.parametrize(
    ("question", "present"),
    [
        ("How many victims were identified last year?", True),
        ("What has happened since its adoption?", True),
        ("Which States have acted on it so far?", True),
        ("What does the current resolution ask of UNODC?", False),
        ("What did the resolution of last December decide?", False),
        ("When is the report due?", False),
    ],
)
def test_questions_about_the_present_state_of_affairs(question: str, present: bool) -> None:
    assert asks_about_present(question) is present


@pytest.mark.parametrize(
    ("question", "kind", "number", "part", "only"),
    [
        ("Annex OP 49 of A/RES/99/1", "operative", "49", "annex", True),
        ("annex paragraph 49", "", "49", "annex", True),
        ("Draft OP 3", "operative", "3", "draft", True),
        ("operative paragraph 3 of the draft", "operative", "3", "draft", True),
        ("What does PP 2 of the draft resolution say about victims?", "preambular", "2", "draft", False),
        ("the last operative paragraph of the annex", "operative", "last", "annex", True),
        ("footnote 2 of the annex", "footnote", "2", "", True),  # footnotes are numbered through the document
        # no part named: the document's own text first (the answerer then looks in its parts)
        ("OP 22 of E/RES/2099/1", "operative", "22", "", True),
        ("paragraph 10 of resolution 787", "", "10", "", True),  # the document named by number is no question word
        ("What does OP 16 of resolution 2730 (2024) say?", "operative", "16", "", True),
        ("para 2 of 73/6", "", "2", "", True),
        ("OP 11 (1) of the draft", "operative", "11(1)", "draft", True),
        ("What does OP 3 say about the draft budget?", "operative", "3", "", False),
    ],
)
def test_label_requests_with_a_part_of_the_document(question: str, kind: str, number: str, part: str,
                                                    only: bool) -> None:
    request = parse_label_request(question)
    assert request is not None
    assert (request.kind, request.number, request.part, request.only) == (kind, number, part, only)


@pytest.mark.parametrize(
    ("question", "labels"),
    [
        ("What does § 4 say?", ["paragraph 4"]),
        ("operative § 3 and preambular § 2", ["OP 3", "PP 2"]),
        ("note 3", ["Footnote 3"]),
        ("What do footnotes 2 and 3 cite?", ["Footnote 2", "Footnote 3"]),
        ("footnote no. 2", ["Footnote 2"]),
        ("paragraph No. 5", ["paragraph 5"]),
        ("What is the final operative paragraph?", ["last operative paragraph"]),
        ("the third preambular paragraph", ["PP 3"]),
        ("Does the text take note of 2 reports?", []),
    ],
)
def test_label_requests_written_every_way(question: str, labels: list[str]) -> None:
    assert [request.label for request in parse_label_requests(question)] == labels


@pytest.mark.parametrize(
    ("question", "rest"),
    [
        ("What does UNSCR 1325 say?", "What does UNSCR say?"),
        ("Is it in res. 79/172 or resolution No. 5?", "Is it in res. or resolution ?"),
        ("Do resolutions 757 (1992) and 787 name it?", "Do resolutions name it?"),
        ("Does decision 29/101 recall 2730 (2024)?", "Does decision recall ?"),
        ("How many of the 2730 aid workers?", "How many of the 2730 aid workers?"),  # a count, not a document
    ],
)
def test_without_document_references(question: str, rest: str) -> None:
    assert " ".join(without_document_references(question).split()) == rest


@pytest.mark.parametrize(
    ("question", "intent"),
    [
        ("Under which agenda item was A/RES/99/5 adopted?", "agenda"),
        ("What is the agenda item of this resolution?", "agenda"),
        ("Which session of the General Assembly adopted resolution 99/5?", "session"),
        ("At what session was it adopted?", "session"),
        ("Which session is this text from?", "session"),
        ("At which plenary meeting was it adopted?", "meeting"),
        ("At which plenary was the text adopted?", "meeting"),
        ("On whose report was resolution 99/5 adopted?", "body"),
        ("Was it adopted with reference to a Main Committee?", "body"),
        ("Through which Main Committee was it adopted?", "body"),
        ("When was the resolution on fisheries adopted?", "date"),
        ("What is the date of adoption of E/RES/2099/2?", "date"),
        ("What is the date of adoption of resolution 99/5?", "date"),
        ("What is the date of adoption of the Kyoto Declaration?", None),  # an instrument it names
        # the text's own plans and contents are not facts about the document
        ("Under which agenda item will the Assembly consider the question next?", None),
        ("Which session of the Commission will consider the report?", None),
        ("In which session does the Assembly decide to consider it?", None),
        ("Whose report does the resolution take note of?", None),
        ("What does the resolution ask of the Main Committees?", None),
    ],
)
def test_metadata_intents_for_the_facts_of_the_heading(question: str, intent: str | None) -> None:
    assert metadata_intent(question) == intent


# ------------------------------------------------------------------ documents scoped by year or body
@pytest.mark.parametrize(("question", "years", "rest"), [
    ("Which 2018 resolutions are indexed?", ["2018"], "Which resolutions are indexed?"),
    ("What do the 2018 resolutions say about TB?", ["2018"], "What do the resolutions say about TB?"),
    ("Which resolutions from 2018 mention drugs?", ["2018"], "Which resolutions mention drugs?"),
    ("What do resolutions of 2024 say on detention?", ["2024"], "What do resolutions say on detention?"),
    ("What do 2024's resolutions say on detention?", ["2024"], "What do resolutions say on detention?"),
    ("What do 2024’s Security Council resolutions decide?", ["2024"], "What do Security Council resolutions decide?"),
    ("Which resolutions adopted in 2018 mention drugs?", ["2018"], "Which resolutions mention drugs?"),
    ("Which Security Council resolutions from 2024 mention humanitarian personnel?", ["2024"],
     "Which Security Council resolutions mention humanitarian personnel?"),
    ("Which documents of 2018 or 2019 mention drugs?", ["2018", "2019"], "Which documents mention drugs?"),
    ("Which resolutions did the Council adopt in 2002?", ["2002"], "Which resolutions did the Council adopt?"),
])
def test_a_year_written_as_a_modifier_scopes_the_documents(question: str, years: list[str], rest: str) -> None:
    assert adoption_scope(question) == (years, "", rest)


def test_a_year_and_a_body_both_scope() -> None:
    assert adoption_scope("Which texts adopted by the Security Council in 2024 mention aid workers?") == (
        ["2024"], "Security Council", "Which texts mention aid workers?")


@pytest.mark.parametrize("question", [
    "What does S/RES/787 (1992) decide?",
    "What does resolution 787 (1992) decide on shipping?",
    "What does E/RES/2018/2 decide?",
    "What does resolution 2018/2 decide?",
    "What does A/RES/73/3 say about tuberculosis?",
    "How do resolutions advance the 2030 Agenda?",
    "What do the 2030 Agenda resolutions say?",
    "What must States achieve by 2030?",
    "Which resolutions say that in 2023 humanitarian workers were killed?",
    "Which resolution recalls the declaration of 26 May 2018?",
    "What happened to the 2,018 resolutions?",
])
def test_a_year_in_a_symbol_or_a_date_or_of_something_else_is_no_scope(question: str) -> None:
    assert adoption_scope(question) == ([], "", question)

