"""Follow-up questions (``rag.followup``): which questions refer back, and to which document."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from rag.followup import FollowUp, cites_a_document, follow_up, pipeline_namer, refers_back
from rag.pipeline import Pipeline

SYMBOLS = ["S/RES/787 (1992)", "S/RES/1445 (2002)", "A/RES/73/3"]
FIRST = "What does resolution 1445 request of the Secretary-General?"


def named(question: str) -> list[str]:
    """A stand-in for the pipeline's ``documents_named``: numbers, and one title ("TB declaration")."""
    found = [s for s in SYMBOLS if s.split("/")[-1].split(" ")[0] in question]
    return found + (["A/RES/73/3"] if "TB declaration" in question else [])


def ask_after(question: str, previous: str = FIRST, cited: Sequence[str] = ("S/RES/1445 (2002)",),
              **options: object) -> FollowUp | None:
    return follow_up(question, previous, list(cited), named=named, symbols=options.pop("symbols", SYMBOLS),  # type: ignore[arg-type]
                     **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "question, cue",
    [
        ("And what does it demand?", "And"),
        ("When was it adopted?", "it"),
        ("What are its main requests?", "its"),
        ("What does this resolution say about Ituri?", "this resolution"),
        ("Does that document mention MONUC?", "that document"),
        ("What does the same text say on elections?", "the same text"),
        ("What does the draft say about victims?", "the draft"),
        ("Is Ituri mentioned there?", "there"),
        ("What about OP 5?", "What about"),
        ("How about the Secretary-General?", "How about"),
        ("Also, who must report?", "Also"),
        ("OP 5 (a)", "OP 5 (a)"),
        ("Show me preambular paragraph 3", "preambular paragraph 3"),
        ("What does the first operative paragraph say?", "first operative paragraph"),
        ("Which resolutions does it recall?", "it"),  # the previous document is the subject
    ],
)
def test_questions_that_refer_back(question: str, cue: str) -> None:
    assert refers_back(question) == cue


@pytest.mark.parametrize(
    "question",
    [
        "What is UNODC asked to do?",
        "Is there a deadline for the report?",
        "There are many measures: which concern victims?",
        "Which resolutions mention it?",  # "it" is a topic, asked of every document
        "In which text is it named?",
        "Do the other resolutions say it too?",
        "What do all resolutions ask of States?",
        "Does any other document mention it?",
        "Compare it with resolution 787",
        "Where else is it mentioned in the index?",
        "Android phones and itineraries",  # "and", "it" inside words
        "",
    ],
)
def test_questions_that_stand_on_their_own(question: str) -> None:
    assert refers_back(question) == ""


def test_a_question_citing_a_document_by_symbol_or_number() -> None:
    assert cites_a_document("And what does A/RES/78/1 say?") and cites_a_document("And resolution 757?")
    assert cites_a_document("What about 2730 (2024)?") and cites_a_document("And 73/3?")
    assert cites_a_document("What about 787?", SYMBOLS) and not cites_a_document("What about 787?", ["A/RES/73/3"])
    assert not cites_a_document("What about OP 15?", SYMBOLS) and not cites_a_document("When was it adopted?")


def test_the_document_the_previous_question_named() -> None:
    follow = ask_after("And what does it demand?")
    assert follow == FollowUp("S/RES/1445 (2002)", "And", "question")
    assert follow.note.startswith("Taken as about S/RES/1445 (2002), the document of the previous question")
    # the previous question named it, even when its answer cited nothing (it abstained)
    assert ask_after("What about OP 5?", cited=()) == FollowUp("S/RES/1445 (2002)", "What about", "question")


def test_the_document_the_previous_answer_cited() -> None:
    follow = ask_after("When was it adopted?", "Who is asked to protect civilians?", ["S/RES/787 (1992)"] * 3)
    assert follow == FollowUp("S/RES/787 (1992)", "it", "answer")
    assert "the document the previous answer quotes" in follow.note


def test_a_chain_of_follow_ups_keeps_the_document() -> None:
    # the previous turn was itself a follow-up (its question names nothing) and abstained
    follow = ask_after("And what about Ituri?", "What does it say on climate?", (), previous_about="A/RES/73/3")
    assert follow is not None and follow.doc == "A/RES/73/3"


@pytest.mark.parametrize(
    "question, previous, cited, options",
    [
        ("And what does resolution 787 demand?", FIRST, ["S/RES/1445 (2002)"], {}),  # names its own document
        ("What does the TB declaration say about it?", FIRST, ["S/RES/1445 (2002)"], {}),  # by its title
        ("And resolution 757?", FIRST, ["S/RES/1445 (2002)"], {}),  # not indexed, but its own
        ("And what about 787?", FIRST, ["S/RES/1445 (2002)"], {}),  # a bare indexed number
        ("What does it demand?", FIRST, ["S/RES/1445 (2002)"], {"doc_filter": "S/RES/787 (1992)"}),  # user's filter
        ("What does it demand?", FIRST, ["S/RES/1445 (2002)"], {"symbols": ["S/RES/1445 (2002)"]}),  # one document
        ("What does it demand?", "What do resolutions 787 and 1445 demand?", ["S/RES/787 (1992)"], {}),  # two named
        ("What does it demand?", "Who must report?", ["S/RES/787 (1992)", "A/RES/73/3"], {}),  # cited several
        ("What does it demand?", "Who must report?", [], {}),  # nothing to go by
        ("What does it demand?", "Who must report?", ["A/RES/1/1"], {}),  # cited a document since removed
        ("What does it demand?", "", [], {}),  # no previous turn
        ("Who must report?", FIRST, ["S/RES/1445 (2002)"], {}),  # does not refer back
    ],
)
def test_no_document_is_carried(question: str, previous: str, cited: list[str], options: dict[str, object]) -> None:
    assert ask_after(question, previous, cited, **options) is None


def test_with_the_pipeline_namer(built_pipeline: Pipeline) -> None:
    """The pipeline's own way of finding the documents a question names (by symbol, here)."""
    namer = pipeline_namer(built_pipeline)
    symbols = built_pipeline.snapshot().symbols
    assert namer("What does A/RES/77/236 ask of States?") == ["A/RES/77/236"]
    follow = follow_up("And what does it request of the Secretary-General?", "What does A/RES/77/236 ask of States?",
                       ["A/RES/77/236"], named=namer, symbols=symbols)
    assert follow is not None and follow.doc == "A/RES/77/236"
    assert follow_up("What does E/CN.15/2019/L.8/Rev.1 request of it?", "What does A/RES/77/236 ask of States?",
                     ["A/RES/77/236"], named=namer, symbols=symbols) is None
