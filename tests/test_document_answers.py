"""Answers from the documents' headings: which documents are of a year or a body (the catalogue, the scope)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from rag.aliases import AliasTable
from rag.answer import Answerer
from rag.document_answers import CATALOGUE_QUESTION, adopted_documents, symbol_year
from rag.embed import FakeEmbedder
from rag.types import Passage

#: (symbol, date of adoption, heading): ECOSOC numbers a resolution adopted in late 2029 in its 2030 series.
DOCUMENTS = [
    ("A/RES/98/7", "2029-12-10", "A/RES/98/7\nResolution adopted by the General Assembly on 10 December 2029"),
    ("A/RES/99/1", "2030-12-01", "A/RES/99/1\nResolution adopted by the General Assembly on 1 December 2030"),
    ("E/RES/2030/1", "2029-11-10", "E/RES/2030/1\nResolution adopted by the Economic and Social Council on "
                                   "10 November 2029"),
    ("S/RES/9999 (2030)", "2030-06-02", "S/RES/9999 (2030)\nAdopted by the Security Council at its 9999th meeting, "
                                        "on 2 June 2030"),
    ("E/CN.15/2030/L.1", "2030-01-01", "E/CN.15/2030/L.1\nThe Commission recommends the following draft "
                                       "resolution:"),
]


class HeadingsOnly:
    """A library that gives each document's heading and refuses to read whole documents (a large index)."""

    def __init__(self) -> None:
        self._headings = {symbol: Passage(symbol, "heading", "", text) for symbol, _, text in DOCUMENTS}

    def passages(self, doc: str | None = None) -> list[Passage]:
        raise AssertionError(f"read the whole of {doc or 'the index'} to find headings")

    def documents(self) -> list[SimpleNamespace]:
        return [SimpleNamespace(symbol=symbol, title="", date=date) for symbol, date, _ in DOCUMENTS]

    def headings(self) -> dict[str, Passage]:
        return dict(self._headings)

    def heading_bodies(self, doc: str) -> set[str]:
        from rag.retrieve import bodies_in

        return {canonical for _, _, canonical in bodies_in(self._headings[doc].text, AliasTable.builtin())}

    def documents_named(self, question: str) -> tuple[list[str], list[str]]:
        return [], []


def _catalogue(question: str) -> tuple[str, list[str]]:
    answerer = Answerer(embedder=FakeEmbedder(64), aliases=AliasTable.builtin())
    answer = answerer.answer(question, [], HeadingsOnly())
    return answer.answer.splitlines()[0], [c.doc for c in answer.citations]


def test_a_document_is_of_a_year_by_its_adoption_or_by_its_symbol_and_only_headings_are_read() -> None:
    of_2030 = [info.symbol for info, _ in adopted_documents(HeadingsOnly(), {"2030"})]
    assert of_2030 == ["A/RES/99/1", "E/RES/2030/1", "S/RES/9999 (2030)"]  # the draft of 2030 was not adopted
    of_2029 = [info.symbol for info, _ in adopted_documents(HeadingsOnly(), {"2029"})]
    assert of_2029 == ["A/RES/98/7", "E/RES/2030/1"]
    council = adopted_documents(HeadingsOnly(), {"2030"}, {"Security Council"})
    assert [(info.symbol, heading.label) for info, heading in council] == [("S/RES/9999 (2030)", "Heading")]
    assert (symbol_year("E/CN.15/2030/L.1"), symbol_year("A/RES/2030"), symbol_year("S/RES/2030 (2011)")) == (
        "2030", "", "2011")


def test_the_catalogue_of_a_year_says_which_document_was_adopted_in_another() -> None:
    lead, cited = _catalogue("Which 2030 resolutions are indexed?")
    assert cited == ["A/RES/99/1", "E/RES/2030/1", "S/RES/9999 (2030)"]
    assert lead == ("2 of the 5 indexed documents were adopted in 2030, and E/RES/2030/1 in 2029 as resolution "
                    "2030/1:")
    lead, cited = _catalogue("Which ECOSOC resolutions of 2030 are indexed?")
    assert cited == ["E/RES/2030/1"]
    assert lead == "None of the 5 indexed documents was adopted by ECOSOC in 2030, but E/RES/2030/1 was adopted in " \
                   "2029 as resolution 2030/1:"
    lead, cited = _catalogue("Which resolutions were adopted in 2029?")
    assert cited == ["A/RES/98/7", "E/RES/2030/1"] and lead == "2 of the 5 indexed documents were adopted in 2029:"


@pytest.mark.parametrize("question", [
    "Which 2030 resolutions are indexed?", "List 2030's resolutions", "What are the 2030 resolutions?",
    "Which resolutions from 2030 do you have?", "Which documents of the year 2030 are in the collection?",
    "Which resolutions adopted by the Security Council in 2030 are indexed?",
    "Which Security Council resolutions adopted in 2030 are available?",
    "Which Security Council resolutions were adopted in 2030?", "Security Council resolutions from 2030",
    "resolutions from 2030",
])
def test_a_question_on_the_documents_of_a_year_is_a_catalogue_question(question: str) -> None:
    assert CATALOGUE_QUESTION.match(question)
    lead, cited = _catalogue(question)
    assert "S/RES/9999 (2030)" in cited and "A/RES/98/7" not in cited, lead


@pytest.mark.parametrize("question", [
    "Which 2030 resolutions mention piracy?", "What do the 2030 resolutions say about piracy?",
    "Which resolutions adopted in 2030 mention piracy?", "Which resolutions recall the 2030 Agenda?",
])
def test_a_question_on_what_the_documents_say_is_no_catalogue_question(question: str) -> None:
    assert not CATALOGUE_QUESTION.match(question)
