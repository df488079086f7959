"""Cleaning of extracted text: page furniture, footnote blocks, hyphens and split words."""

from __future__ import annotations

import pytest

from rag.clean import (
    clean_pages,
    is_page_furniture,
    is_separator_rule,
    is_url_line,
    join_lines,
    repair_split_words,
    running_headers,
    tidy,
)
from rag.types import Page


@pytest.mark.parametrize(
    "line",
    [
        "E/CN.15/2019/L.8/Rev.1 ",
        "5/7 V.19-03717",
        "18-16895 2/10",
        "3/5 18-17962",
        "18-16895 (E)    241018",
        "*1816895*",
        "S/RES/1445 (2002)",
        "02-72318 (E)",
        " United Nations  A/RES/73/6 ",
        "A/HRC/RES/52/1*",
    ],
)
def test_page_furniture(line: str) -> None:
    assert is_page_furniture(line)


@pytest.mark.parametrize(
    "line",
    [
        "A/AC.105/1168, A/AC.105/1169,",
        "5 E/CN.15/2019/5.",
        "2 Resolution 70/1.",
        "20 October 2004 and 72/79",
        "the 2030 Agenda for Sustainable Development",
        "General Assembly",
        "1. Decides to remain seized of the matter.",
    ],
)
def test_not_page_furniture(line: str) -> None:
    assert not is_page_furniture(line)


def test_rules_and_urls() -> None:
    assert is_separator_rule("__________________ ")
    assert not is_separator_rule("__ x __")
    assert is_url_line("http://undocs.org/S/RES/2462(2019)")
    assert not is_url_line("available at https://undocs.org")


@pytest.mark.parametrize(
    ("broken", "repaired"),
    [
        ("within it s mandate", "within its mandate"),
        ("nuclear te rrorism as enshrined", "nuclear terrorism as enshrined"),
        ("legislative incorpor ation of", "legislative incorporation of"),
        ("on global and national progres s, across", "on global and national progress, across"),
        ("in the Interest of All St ates,", "in the Interest of All States,"),
    ],
)
def test_split_words_are_glued(broken: str, repaired: str) -> None:
    assert repair_split_words(broken) == repaired


@pytest.mark.parametrize(
    "pair",
    [
        "as and when conducive",
        "it is essential",
        "a part of it",
        "per cent of people",
        "in to the room",
        "may be",
        "inter alia",
        "ad hoc group",
        "Boko Haram",
        "the UN it",
        "resolution 72/194 a",
    ],
)
def test_real_word_pairs_are_left_alone(pair: str) -> None:
    assert repair_split_words(pair) == pair


@pytest.mark.parametrize(
    ("lines", "joined"),
    [
        (["the Global Counter -", "Terrorism Compact"], "the Global Counter-Terrorism Compact"),
        (["through its capacity -", "building activities"], "through its capacity-building activities"),
        (["including its drug -", "resistant forms"], "including its drug-resistant forms"),
        (["Representative of the Secretary-", "General and"], "Representative of the Secretary-General and"),
        (["any ex-", "combatants who"], "any ex-combatants who"),
        (["the twenty-", "first century"], "the twenty-first century"),
        (["its incorpor-", "ation into"], "its incorporation into"),
        (["ends with a comma,", "and goes on"], "ends with a comma, and goes on"),
    ],
)
def test_join_lines(lines: list[str], joined: str) -> None:
    assert join_lines(lines) == joined


def test_tidy_mid_line_hyphens_and_spaces() -> None:
    assert tidy("providing in -kind  support , on space -related activities") == (
        "providing in-kind support, on space-related activities"
    )


def test_footnote_block_in_the_middle_of_a_paragraph() -> None:
    page = (
        "  Stressing the need to cooperate, in particular by enhancing \n\n__________________ \n\n"
        " * Reissued for technical reasons on 28 May 2019.  \n\n 1 General Assembly resolutions72/194, and \n\n"
        "(2019),  \n\nhttps://undocs.org/S/RES/2133(2014)\n the national capacity of States,  \n\n"
        "  Emphasizing the need, 2 \n\n__________________ \n\n 2 Resolution 53/243. \n Dimensions of it, \n"
    )
    cleaned = clean_pages([Page(0, page)])
    assert [line.text for line in cleaned.lines] == [
        "Stressing the need to cooperate, in particular by enhancing",
        "the national capacity of States,",
        "Emphasizing the need, 2",
        "Dimensions of it,",
    ]
    assert [(n.marker, n.text) for n in cleaned.notes] == [
        ("*", "Reissued for technical reasons on 28 May 2019."),
        ("1", "General Assembly resolutions72/194, and (2019),"),
        ("2", "Resolution 53/243."),
    ]
    sheets = [line.sheet for line in cleaned.lines]
    assert sheets[0] == 0 and sheets[1] == sheets[2] == 1 and sheets[3] == 2
    assert cleaned.notes[2].sheet == sheets[2]


def test_pdf_pages_notes_run_on_and_running_titles() -> None:
    pages = [
        Page(1, "Political declaration of the meeting\nA/RES/73/3\n1. Commit to act, 1\n____________\n 1 See A/1,\n"),
        Page(2, "A/RES/73/3\nPolitical declaration of the meeting\n18-16895 2/10\nand more;\n____________\nA/2.\n"),
        Page(3, "Political declaration of the meeting A/RES/73/3\n3/10 18-16895\n2. Request the Council;\n"),
    ]
    assert running_headers([p.text.split("\n") for p in pages]) == {"Political declaration of the meeting"}
    cleaned = clean_pages(pages)
    assert [(line.text, line.page) for line in cleaned.lines] == [
        ("1. Commit to act, 1", 1),
        ("and more;", 2),
        ("2. Request the Council;", 3),
    ]
    assert [(n.marker, n.text, n.page) for n in cleaned.notes] == [("1", "See A/1, A/2.", 1)]


def test_inline_and_old_style_notes() -> None:
    cleaned = clean_pages([Page(0, "Names,[footnoteRef:1] in which [1: See E/2016/66.]\n\n1. Decides.\n")])
    assert cleaned.lines[0].text == "Names,1 in which"
    assert [(n.marker, n.text) for n in cleaned.notes] == [("1", "See E/2016/66.")]
    old = clean_pages([Page(0, "Noting the statement 1/ and 2/,\n\n1. Decides.\n\n\n1/ S/24476.\n2/ S/24704.\n")])
    assert [(n.marker, n.text, n.old_style) for n in old.notes] == [("1", "S/24476.", True), ("2", "S/24704.", True)]
    assert [line.text for line in old.lines] == ["Noting the statement 1/ and 2/,", "1. Decides."]
