"""Follow-up questions (``rag.followup``): which questions refer back, and to which document."""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from rag.followup import (
    Carried,
    FollowUp,
    Turn,
    carried_document,
    cites_a_document,
    complete,
    complete_question,
    follow_up,
    parse_fragment,
    pipeline_namer,
    refers_back,
    spell_out,
)
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
    assert follow == FollowUp("S/RES/1445 (2002)", "question", cue="And")
    assert follow.note.startswith("Taken as about S/RES/1445 (2002), the document of the previous question")
    # the previous question named it, even when its answer cited nothing (it abstained)
    assert ask_after("What about OP 5?", cited=()) == FollowUp("S/RES/1445 (2002)", "question", cue="What about")


def test_the_document_the_previous_answer_cited() -> None:
    follow = ask_after("When was it adopted?", "Who is asked to protect civilians?", ["S/RES/787 (1992)"] * 3)
    assert follow == FollowUp("S/RES/787 (1992)", "answer", cue="it")
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


# ---- the chain of documents survives an abstention


def test_the_chain_of_documents_survives_an_abstention() -> None:
    """Turn 2 asked the whole index and abstained: turn 3's "it" is still turn 1's document, and says so."""
    earlier = [Turn(FIRST, ("S/RES/1445 (2002)",))]
    follow = ask_after("When was it adopted?", "Is anything said about volcanoes?", (), earlier=earlier)
    assert follow == FollowUp("S/RES/1445 (2002)", "question", 2, FIRST, cue="it")
    assert follow.note.startswith(f"Taken as about S/RES/1445 (2002), the document of your earlier question “{FIRST}”")
    # two abstentions in a row, the document coming from turn 1's answer
    earlier = [Turn("Who must protect civilians?", ("S/RES/787 (1992)",)), Turn("Anything on volcanoes?")]
    follow = ask_after("And what does it demand?", "Is there anything on glaciers?", (), earlier=earlier)
    assert follow is not None and (follow.doc, follow.source, follow.back) == ("S/RES/787 (1992)", "answer", 3)
    assert "the document the answer to “Who must protect civilians?” quotes" in follow.note


@pytest.mark.parametrize(
    "earlier",
    [
        [Turn("Who must report?", ("S/RES/787 (1992)", "A/RES/73/3"))],  # answered from two documents
        [Turn("What do resolutions 787 and 1445 demand?", ("S/RES/787 (1992)",))],  # named two
        [Turn("What does resolution 1445 demand?"), Turn("Who must report?", ("S/RES/787 (1992)", "A/RES/73/3"))],
        [],  # no turn before
    ],
)
def test_the_chain_ends_at_a_turn_about_several_documents(earlier: list[Turn]) -> None:
    assert ask_after("When was it adopted?", "Anything on volcanoes?", (), earlier=earlier) is None


def test_turns_from_the_chats_records() -> None:
    record = {"question": FIRST, "citations": [{"doc": "S/RES/1445 (2002)", "label": "OP 1"}], "about": ""}
    assert Turn.from_record(record) == Turn(FIRST, ("S/RES/1445 (2002)",), "")
    assert Turn.from_record({"question": "Why?"}) == Turn("Why?")
    turns = [Turn.from_record(record), Turn.from_record({"question": "Anything on volcanoes?", "citations": []})]
    assert carried_document(turns, named=named, symbols=SYMBOLS) == Carried("S/RES/1445 (2002)", "question", 2, FIRST)


# ---- fragments


ADOPTED = "When was resolution 2730 adopted?"


@pytest.mark.parametrize(
    "fragment, previous, completed",
    [
        # a circumstance asked of the same clause
        ("And when?", "Was resolution 2730 adopted unanimously?", "When was resolution 2730 adopted unanimously?"),
        ("By which body?", ADOPTED, "By which body was resolution 2730 adopted?"),
        ("Where?", ADOPTED, "Where was resolution 2730 adopted?"),
        ("So, why?", "And when was it adopted?", "Why was it adopted?"),
        ("Until when?", "How long does the mandate of the mission last?",
         "Until when does the mandate of the mission last?"),
        # "who" / "which body" of a passive clause: its agent
        ("Who?", ADOPTED, "By whom was resolution 2730 adopted?"),
        ("Which body?", ADOPTED, "By which body was resolution 2730 adopted?"),
        # a second part of a question asking for a thing
        ("And when?", FIRST, "What does resolution 1445 request of the Secretary-General, and when?"),
        ("Why?", FIRST, "What does resolution 1445 request of the Secretary-General, and why?"),
        ("Which paragraph?", ADOPTED, "When was resolution 2730 adopted, and in which paragraph?"),
        ("And in which paragraphs?", FIRST,
         "What does resolution 1445 request of the Secretary-General, and in which paragraphs?"),
        ("And the deadline?", FIRST,
         "What does resolution 1445 request of the Secretary-General, and what is the deadline?"),
        ("What about its budget?", "Who is asked to protect civilians?",
         "Who is asked to protect civilians, and what is the budget?"),
        ("How many?", "Which States are asked to report?", "Which States are asked to report, and how many?"),
        # a question completed before is completed anew from its first part
        ("Which paragraph?", f"{FIRST[:-1]}, and what is the deadline?",
         "What does resolution 1445 request of the Secretary-General, and in which paragraph?"),
        ("Where?", "By which body was resolution 2730 adopted?", "Where was resolution 2730 adopted?"),
    ],
)
def test_a_fragment_is_completed_from_the_previous_question(fragment: str, previous: str, completed: str) -> None:
    assert complete_question(fragment, previous) == completed


@pytest.mark.parametrize(
    "fragment",
    [
        "When was it adopted?",  # a verb: a question of its own
        "Which paragraph says so?",
        "And why is that?",
        "And what does it demand?",
        "And the victims?",  # a topic (no type of answer asked): asked as it is, of the document
        "What about Ituri?",
        "And UNODC?",  # an actor: spell_out's
        "And resolution 787?",  # a document: spell_out's
        "What about OP 5?",  # a paragraph: follow_up's
        "And the last paragraph?",
        "Which resolutions?",  # about several documents
        "What?",
        "And?",
        "terrorism",  # keywords
        "",
    ],
)
def test_questions_that_are_not_fragments(fragment: str) -> None:
    assert parse_fragment(fragment) is None and complete_question(fragment, FIRST) is None


def test_no_fragment_is_completed_from_keywords() -> None:
    assert complete_question("And when?", "biometric data foreign terrorist fighters") is None
    assert complete_question("And when?", "") is None


def complete_after(fragment: str, *turns: Turn, **options: object) -> tuple[str, str, str] | None:
    done = complete(fragment, list(turns), named=named, symbols=options.pop("symbols", SYMBOLS),  # type: ignore[arg-type]
                    **options)  # type: ignore[arg-type]
    return None if done is None else (done.question, done.doc, done.note)


def test_a_fragment_is_asked_of_the_document_of_the_previous_turn() -> None:
    # the previous question named it: the completed question does too, and the note needs not say it
    question, doc, note = complete_after("And when?", Turn(FIRST, ("S/RES/1445 (2002)",)))  # type: ignore[misc]
    assert (question, doc) == (f"{FIRST[:-1]}, and when?", "S/RES/1445 (2002)")
    assert note == f"Read as “{question}” (your question, completed from the previous one)."
    # the previous turn was about it (a follow-up), or its answer quoted only it: the note says which
    question, doc, note = complete_after("By which body?", Turn("When was it adopted?", (), "A/RES/73/3"))  # type: ignore[misc]
    assert (question, doc) == ("By which body was it adopted?", "A/RES/73/3")
    assert note.endswith("; asked of A/RES/73/3, the document of the previous question).")
    done = complete_after("Why?", Turn("Who is asked to protect civilians?", ("S/RES/787 (1992)",) * 2))
    assert done is not None and done[1] == "S/RES/787 (1992)" and "the document the previous answer quotes" in done[2]


@pytest.mark.parametrize(
    "turns, options",
    [
        ([Turn("When was it adopted?", (), "A/RES/73/3")], {"doc_filter": "S/RES/787 (1992)"}),  # the user's filter
        ([Turn("When was it adopted?", (), "A/RES/73/3")], {"symbols": ["A/RES/73/3"]}),  # one document indexed
        ([Turn("Who must report?", ("S/RES/787 (1992)", "A/RES/73/3"))], {}),  # answered from several
        # the previous turn asked the whole index and abstained: so is the fragment, whatever came before
        ([Turn(FIRST, ("S/RES/1445 (2002)",)), Turn("Is anything said on volcanoes?")], {}),
    ],
)
def test_a_fragment_asked_of_no_carried_document(turns: list[Turn], options: dict[str, object]) -> None:
    done = complete_after("When?", *turns, **options)
    assert done is not None and done[1] == "" and "asked of" not in done[2]


def test_a_fragment_naming_a_document_is_not_completed() -> None:
    assert complete_after("And when for 787?", Turn(FIRST)) is None and complete_after("Why?") is None


def test_a_new_actor_is_asked_of_the_previous_document_and_question() -> None:
    spelled = spell_out("And UNODC?", "What does it request of the Secretary-General, and what is the deadline?",
                        symbols=SYMBOLS, about="S/RES/1445 (2002)")
    assert spelled is not None and spelled.question == "What does it request of UNODC?"
    assert spelled.doc == "S/RES/1445 (2002)"
    spelled = spell_out("And UNODC?", FIRST, symbols=SYMBOLS, about="S/RES/1445 (2002)")  # named in the question
    assert spelled is not None and spelled.doc == ""
