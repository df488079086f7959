"""The structural parser on the seed, the extra UN texts, the real PDFs and bad input."""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.errors import ParseError, RagError
from rag.footnote_markers import marker_candidates
from rag.gold import compare, read_gold
from rag.parse import parse_file, parse_text
from rag.types import Document, LoadedText, Page

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "corpus" / "E-CN.15-2019-L.8-Rev.1.txt"
EXTRA = ROOT / "tests" / "data" / "extra"
PDF = ROOT / "tests" / "data" / "pdf"
GOLD_NAMES = ["A_RES_77_236", "A_RES_79_172", "E_RES_2023_23", "S_RES_2730_2024"]

#: Page furniture that must never end up inside a paragraph.
FURNITURE = re.compile(r"V\.19-03717|\d{2}-\d{5} \(E\)|\b\d{1,2}/\d{1,2} \d{2}-\d{5}|\*\d{7}\*|https?://|_{5,}")


@pytest.fixture(scope="module")
def seed() -> Document:
    return parse_file(SEED)


def numbers(document: Document, kind: str = "operative", part: str = "") -> list[str]:
    return [p.number for p in document.passages if p.kind == kind and p.part == part]


def body_passages(document: Document) -> list:
    return [p for p in document.passages if p.kind != "heading"]


# ------------------------------------------------------------------ the seed


def test_seed_counts_and_symbol(seed: Document) -> None:
    assert seed.symbol == "E/CN.15/2019/L.8/Rev.1"
    assert numbers(seed, "preambular") == [str(n) for n in range(1, 20)]
    assert numbers(seed, "operative") == [str(n) for n in range(1, 31)]
    assert {p.part for p in seed.passages} == {""}
    assert seed.body == "Commission on Crime Prevention and Criminal Justice"
    assert seed.title == "Technical assistance provided by UNODC related to counter-terrorism"
    assert seed.enacting_formulas == ["The General Assembly,"]


def test_seed_heading_holds_the_front_matter(seed: Document) -> None:
    heading = seed.passages[0]
    assert heading.kind == "heading"
    assert "recommends to the Economic and Social Council the approval of the following draft" in heading.text
    assert "Technical assistance provided by UNODC related to counter-terrorism" in heading.text
    assert heading.text.endswith("The General Assembly,")
    assert not any("recommends to the Economic" in p.text for p in body_passages(seed))


def test_seed_footnotes_linked_both_ways(seed: Document) -> None:
    notes = {p.number: p for p in seed.by_kind("footnote")}
    assert sorted(notes) == sorted(["*", "**", "1", "2", "3", "4", "5", "6", "7"])
    assert notes["6"].cited_by == ("OP 6",)
    assert notes["7"].cited_by == ("OP 24",)
    assert seed.get("OP 6").footnotes == ("6",)
    assert seed.get("OP 24").footnotes == ("7",)
    assert seed.get("PP 7").footnotes == ("2", "3")
    assert notes["*"].text == "Reissued for technical reasons on 28 May 2019."
    assert notes["1"].text.startswith("General Assembly resolutions 72/194, 72/284")
    assert notes["6"].text.endswith("International Association of Prosecutors.")


def test_seed_markers_removed_and_real_numbers_kept(seed: Document) -> None:
    assert seed.get("OP 6").text.endswith("developed by the Office;")
    assert "Convention, as well as its optional protocol" in seed.get("OP 24").text
    assert "Culture of Peace and the Global Agenda for Dialogue among Civilizations," in seed.get("PP 7").text
    assert "Global Counter-Terrorism Strategy and the need" in seed.get("PP 10").text
    assert seed.get("PP 1").text.endswith("especially the most recent ones,")
    assert "resolution 72/194 of 19 December 2017" in seed.get("PP 9").text
    assert "resolution 71/291," in seed.get("PP 15").text


def test_seed_has_no_page_furniture_urls_or_rules(seed: Document) -> None:
    for passage in body_passages(seed):
        assert not FURNITURE.search(passage.text), passage.label
        assert "E/CN.15/2019/L.8/Rev.1" not in passage.text, passage.label
    # the paragraph interrupted by footnotes 1 and 7 reads on
    assert "by enhancing the national capacity of States" in seed.get("PP 5").text
    assert "“Handbook on Gender Dimensions of Criminal Justice Responses to Terrorism”" in seed.get("OP 25").text


@pytest.mark.parametrize(
    ("label", "repaired"),
    [
        ("OP 1", "within its mandate"),
        ("OP 1", "Global Counter-Terrorism Coordination Compact"),
        ("OP 1", "legislative incorporation of"),
        ("OP 13", "relevant Global Counter-Terrorism Coordination Compact entities"),
        ("OP 13", "through its capacity-building activities"),
        ("OP 28", "providing in-kind support"),
        ("OP 20", "nuclear terrorism as enshrined"),
        ("OP 19", "the Office of Counter-Terrorism, the United Nations Office on Drugs and Crime, the Counter-"),
        ("PP 11", "preventing violent extremism as and when conducive to terrorism"),
        ("OP 25", "inputs from relevant stakeholders"),
    ],
)
def test_seed_split_words_repaired(seed: Document, label: str, repaired: str) -> None:
    assert repaired in seed.get(label).text


def test_seed_leads(seed: Document) -> None:
    assert seed.get("PP 13").lead == "Noting with appreciation"
    assert seed.get("PP 5").lead == "Stressing again"
    assert seed.get("OP 18").lead == "Also calls upon"
    assert seed.get("OP 19").lead == "Takes note with appreciation"


# ------------------------------------------------------- gold text renderings


@pytest.mark.parametrize("name", GOLD_NAMES)
def test_text_rendering_agrees_with_gold(name: str) -> None:
    document = parse_file(EXTRA / f"{name}.txt")
    result = compare(document, read_gold(EXTRA / "gold" / f"{name}.gold.json"))
    assert result.percent >= 98.0, result.problems[:5]
    assert document.symbol == read_gold(EXTRA / "gold" / f"{name}.gold.json").symbol


@pytest.mark.parametrize("name", GOLD_NAMES)
def test_text_rendering_footnote_links_agree_with_gold(name: str) -> None:
    document = parse_file(EXTRA / f"{name}.txt")
    gold = read_gold(EXTRA / "gold" / f"{name}.gold.json")
    found = {(p.part, p.kind, p.number): p.footnotes for p in document.passages}
    wrong = [g.key for g in gold.paragraphs if found.get(g.key) != g.footnotes]
    assert not wrong
    notes = {p.number: p.text for p in document.by_kind("footnote")}
    assert notes == gold.footnotes


def _wrap(paragraph: str) -> list[str]:
    return textwrap.wrap(paragraph, 80) or [""]


def _starts(paragraph: str) -> bool:
    return paragraph[:1].isupper() or paragraph[:1].isdigit() or paragraph[:1] in "(["


def relayout(text: str, style: str) -> str:
    """The same rendering laid out as other dumps lay out text (hard wraps, no blank lines,
    indented paragraph starts, double spacing)."""
    paragraphs = text.split("\n\n")
    if style == "wrapped":
        return "\n\n".join("\n".join(_wrap(p)) for p in paragraphs)
    if style == "wrapped-no-blank-lines":
        return "\n".join("\n".join(_wrap(p)) for p in paragraphs)
    if style == "one-line-no-blank-lines":
        return "\n".join(paragraphs)
    if style == "indented-no-blank-lines":
        return "\n".join(("     " if _starts(p) else "") + "\n".join(_wrap(p)) for p in paragraphs)
    assert style == "double-spaced-indented"
    return "\n\n".join("  " + "\n\n".join(_wrap(p)) for p in paragraphs)


def paginate(text: str, symbol: str, lines_per_page: int = 40) -> LoadedText:
    """The rendering as a PDF extraction shows it: pages with running headers and page
    counters, paragraph starts indented, footnotes at the foot of the page citing them."""
    body, _, notes_text = text.partition("\n__________________\n")
    notes = dict(re.findall(r"^(\d+) (.*)$", notes_text, re.M))
    lines: list[str] = []
    for paragraph in body.split("\n\n"):
        for index, line in enumerate(_wrap(paragraph)):
            lines.append(" " + line if index == 0 and _starts(paragraph) else line)
    pages = []
    for number, start in enumerate(range(0, len(lines), lines_per_page), start=1):
        chunk = lines[start: start + lines_per_page]
        cited = sorted({m for line in chunk for m in re.findall(r"(?:[A-Za-z,;:)”’]|20\d\d)(\d{1,2})\b", line)
                        if m in notes}, key=int)
        header = [f"United Nations  {symbol}", ""] if number == 1 else [f"{symbol} ", "", f"24-00000 {number}/9", ""]
        foot = ["__________________", *[f" {m}  {notes[m]}" for m in cited]] if cited else []
        pages.append(Page(number, "\n".join(header + chunk + foot)))
    return LoadedText(path="paged.pdf", format="pdf", pages=tuple(pages))


@pytest.mark.parametrize("name", GOLD_NAMES)
@pytest.mark.parametrize(
    "style",
    ["wrapped", "wrapped-no-blank-lines", "one-line-no-blank-lines", "indented-no-blank-lines",
     "double-spaced-indented", "paginated"],
)
def test_other_layouts_of_the_same_text_agree_with_gold(name: str, style: str) -> None:
    text = (EXTRA / f"{name}.txt").read_text(encoding="utf-8")
    gold = read_gold(EXTRA / "gold" / f"{name}.gold.json")
    if style == "paginated":
        document = parse_text(paginate(text, gold.symbol))
        assert all(p.pages for p in document.passages if p.kind != "footnote")
    else:
        document = parse_text(relayout(text, style), source=f"{name}.txt")
    assert document.symbol == gold.symbol
    assert compare(document, gold).percent >= 98.0, compare(document, gold).problems[:3]
    found = {(p.part, p.kind, p.number): p.footnotes for p in document.passages}
    assert [g.key for g in gold.paragraphs if found.get(g.key) != g.footnotes] == []


def test_embedded_draft_is_its_own_part() -> None:
    document = parse_file(EXTRA / "E_RES_2023_23.txt")
    own = [p for p in document.passages if p.kind in ("preambular", "operative") and not p.part]
    assert [(p.label, p.lead) for p in own] == [("OP 1", "Recommends")]
    assert numbers(document, "preambular", "draft") == [str(n) for n in range(1, 17)]
    top = [p.number for p in document.by_kind("operative", "draft") if not p.parent]
    assert top == [str(n) for n in range(1, 25)]
    agenda = [p.number for p in document.by_kind("operative", "draft") if p.parent == "11"]
    assert agenda == [f"11({n})" for n in range(1, 8)]
    assert document.get("Draft OP 12 (d)") is not None
    assert document.enacting_formulas == ["The Economic and Social Council", "The General Assembly,"]
    assert document.get("Footnote 1").cited_by == ("Draft PP 16",)


# ------------------------------------------------------------- plain extras


@pytest.mark.parametrize(
    ("name", "symbol", "pp", "op"),
    [
        ("S_RES_787_1992", "S/RES/787 (1992)", 12, 21),
        ("S_RES_1445_2002", "S/RES/1445 (2002)", 8, 25),
        ("E_RES_2018_2", "E/RES/2018/2", 10, 6),
    ],
)
def test_plain_extras_numbering_and_no_residue(name: str, symbol: str, pp: int, op: int) -> None:
    document = parse_file(EXTRA / f"{name}.txt")
    assert document.symbol == symbol
    assert numbers(document, "preambular") == [str(n) for n in range(1, pp + 1)]
    assert [p.number for p in document.by_kind("operative") if not p.parent] == [str(n) for n in range(1, op + 1)]
    for passage in body_passages(document):
        assert not FURNITURE.search(passage.text), passage.label
        assert symbol not in passage.text, passage.label
        assert "[footnote" not in passage.text and not re.search(r"\[\d+:", passage.text)


def test_s_res_1445_paragraphs_cut_by_page_headers_read_on() -> None:
    document = parse_file(EXTRA / "S_RES_1445_2002.txt")
    assert "as well as progress in the implementation of these processes" in document.get("OP 2").text
    assert "to achieve an inclusive agreement on the political transition" in document.get("OP 9").text
    assert "in need and to ensure the safety and security of humanitarian workers" in document.get("OP 14").text
    assert "Special Representative of the Secretary-General" in document.get("OP 24").text
    assert "— Calls for a full cessation of hostilities" in document.get("OP 13").text


def test_old_style_and_inline_footnotes() -> None:
    old = parse_file(EXTRA / "S_RES_787_1992.txt")
    assert old.get("PP 8").footnotes == ("1", "2", "3", "4", "5")
    assert "30 September 1992 and 20 October 1992 by the Presidents" in old.get("PP 8").text
    assert old.get("Footnote 5").text == "S/24795, annex VII."
    inline = parse_file(EXTRA / "E_RES_2018_2.txt")
    assert inline.get("Footnote 1").cited_by == ("PP 7",)
    assert inline.get("Footnote 1").text == "See E/2016/66, sect. I.B."
    assert [p.number for p in inline.by_kind("operative") if p.parent == "6"] == [f"6({c})" for c in "abcde"]


# --------------------------------------------------------------------- PDFs


def test_pdf_a_res_73_6() -> None:
    document = parse_file(PDF / "A_RES_73_6.pdf")
    assert document.symbol == "A/RES/73/6"
    assert document.date == "2018-10-26"
    assert numbers(document, "operative") == [str(n) for n in range(1, 15)]
    assert len(document.by_kind("preambular")) == 25
    notes = {p.number: p for p in document.by_kind("footnote")}
    assert sorted(notes, key=int) == ["1", "2", "3", "4", "5", "6"]
    assert notes["1"].cited_by[0] == "PP 2" and notes["1"].pages == (1,)
    assert notes["3"].cited_by == ("PP 5",) and notes["4"].cited_by == ("PP 5",)
    assert notes["6"].text.endswith("A/AC.105/1180 and A/AC.105/1181.")  # a note running on to the next page
    assert "Goals for the benefit of all countries" in document.get("OP 1").text
    assert document.get("OP 1").footnotes == ("2",)
    assert document.get("PP 4").pages == (1, 2)
    for passage in body_passages(document):
        assert not FURNITURE.search(passage.text), passage.label
        assert "A/RES/73/6" not in passage.text


def test_pdf_a_res_73_3_adopted_declaration_is_an_annex() -> None:
    document = parse_file(PDF / "A_RES_73_3.pdf")
    assert document.symbol == "A/RES/73/3"
    own = [p for p in document.passages if p.kind in ("preambular", "operative") and not p.part]
    assert [(p.label, p.lead) for p in own] == [("OP 1", "Adopts")]
    assert numbers(document, "operative", "annex") == [str(n) for n in range(1, 54)]
    notes = {p.number: p for p in document.by_kind("footnote")}
    assert notes["1"].cited_by == ("Annex OP 1",) and notes["2"].cited_by == ("Annex OP 1",)
    assert notes["6"].cited_by == ("Annex OP 3",)
    assert notes["7"].cited_by == ("Annex OP 23",)
    assert "including its drug-resistant forms" in document.get("Annex PP 1").text
    assert "tuberculosis-associated deaths" in document.get("Annex OP 6").text
    running_title = "Political declaration of the high-level meeting of the General Assembly on the fight"
    for passage in body_passages(document):
        assert not FURNITURE.search(passage.text), passage.label
        assert "A/RES/73/3" not in passage.text
        if passage.kind == "operative" and passage.part == "annex":
            assert running_title not in passage.text, passage.label


# ------------------------------------------------------------- footnote markers


@pytest.mark.parametrize(
    ("text", "markers"),
    [
        ("General Assembly resolution 72/194 of 2017", []),
        ("the 2030 Agenda for Sustainable Development", []),
        ("the United Nations Global Counter-Terrorism Strategy4 and the need", ["4"]),
        ("parties to that Convention ,7 as well as", ["7"]),
        ("developed by the Office;6", ["6"]),
        ("a Culture of Peace 2 and the Global Agenda", ["2"]),
        ("children under 5 years of age", []),
        ("the COVID-19 pandemic and the G20", []),
        ("resolution 37/22 of 23 March 201810 and", ["10"]),
    ],
)
def test_marker_candidates(text: str, markers: list[str]) -> None:
    assert [c.marker for c in marker_candidates(text)] == markers


def test_markers_follow_their_sequence() -> None:
    text = (
        "The General Assembly,\n\nRecalling paragraph 2 of its resolution 70/1,1\n\n"
        "Noting the 2 reports of the Secretary-General,2\n\n"
        "1. Decides to act under paragraph 1 of the Charter;\n\n__________\n\n1 Resolution 70/1.\n\n2 A/70/1.\n"
    )
    document = parse_text(text, source="t.txt")
    assert document.get("PP 1").footnotes == ("1",)
    assert document.get("PP 1").text == "Recalling paragraph 2 of its resolution 70/1,"
    assert document.get("PP 2").text == "Noting the 2 reports of the Secretary-General,"
    assert document.get("OP 1").footnotes == ()
    assert document.get("Footnote 2").cited_by == ("PP 2",)


# ----------------------------------------------------------------- fallback


def test_unstructured_text_falls_back_to_plain_paragraphs() -> None:
    text = "Minutes of the meeting\n\nThe chair opened the meeting at ten.\n\nLunch was served at noon.\n"
    document = parse_text(text, source="minutes.txt")
    assert [p.label for p in document.passages if p.kind == "paragraph"] == ["Para 1", "Para 2", "Para 3"]
    assert any("plain paragraphs" in w for w in document.warnings)
    assert any("no document symbol" in w for w in document.warnings)
    assert document.symbol == "minutes"


def test_empty_text_is_a_parse_error() -> None:
    with pytest.raises(ParseError):
        parse_text("   \n\n ", source="blank.txt")


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_parse_text_raises_nothing_but_rag_errors(text: str) -> None:
    try:
        document = parse_text(text, source="fuzz.txt")
    except RagError:
        return
    keys = [(p.part, p.kind, p.number) for p in document.passages if p.kind != "heading"]
    assert len(keys) == len(set(keys))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["The General Assembly,", "Recalling its resolution 70/1,1", "1. Decides to act;",
                             "(a) To report;", "__________", "1 Resolution 70/1.", "Annex", "A/RES/1/2",
                             "54th plenary meeting", "Recommends the draft:", "(i) Also;", "— Calls for;"]),
            st.text(alphabet="abc ,;:.()1*\n-", max_size=30),
        ),
        max_size=25,
    )
)
def test_parse_text_survives_resolution_shaped_noise(lines: list[str]) -> None:
    try:
        document = parse_text("\n\n".join(lines), source="noise.txt")
    except RagError:
        return
    labels = [p.label for p in document.passages if p.kind != "heading"]
    assert len(labels) == len(set(labels))


# ------------------------------------------------------------ other shapes


def test_star_notes_on_the_cover_and_a_commission_formula() -> None:
    text = (
        "E/CN.7/2099/L.1*\n\nCommission on Narcotic Drugs\nSixty-second session\n\nDrug policy**\n\n"
        "The Commission on Narcotic Drugs,\n\nRecalling its resolution 61/1,1\n\n1. Decides to act.\n\n"
        "__________________\n* Reissued for technical reasons.\n** Issued without formal editing.\n1 See E/2018/28.\n"
    )
    document = parse_text(text, source="cnd.txt")
    assert (document.symbol, document.title, document.body) == (
        "E/CN.7/2099/L.1", "Drug policy", "Commission on Narcotic Drugs")
    assert document.enacting_formulas == ["The Commission on Narcotic Drugs,"]
    assert document.passages[0].footnotes == ("*", "**")
    assert "**" not in document.passages[0].text
    assert document.get("Footnote **").cited_by == ("Heading",)
    assert document.get("PP 1").footnotes == ("1",)


def test_annex_after_the_closing_lines_with_section_headings() -> None:
    text = (
        "United Nations A/RES/99/1\n\nGeneral Assembly\n\n99/1. Declaration on something\n\n"
        "The General Assembly,\n\nRecalling its resolution 70/1,\n\n"
        "1. Adopts the declaration contained in the annex to the present resolution;\n\n"
        "2. Requests the Secretary-General to disseminate it.\n\n1st plenary meeting\n1 January 2099\n\n"
        "Annex\n\nDeclaration on something\n\nWe, the Heads of State and Government, gathered here:\n\n"
        "I. Commitments\n\n1. Commit to act;\n\n2. Commit to report, including on:\n\n(a) Progress;\n\n(b) Gaps;\n\n"
        "II. Follow-up\n\n3. Decide to review the declaration in 2100.\n"
    )
    document = parse_text(text, source="x.txt")
    assert document.date == "2099-01-01"
    assert numbers(document, "operative") == ["1", "2"]
    assert numbers(document, "operative", "annex") == ["1", "2", "2(a)", "2(b)", "3"]
    assert document.get("Annex PP 1").text == "We, the Heads of State and Government, gathered here:"
    annex_heading = document.get("Annex Heading").text
    assert "Declaration on something" in annex_heading and "II. Follow-up" in annex_heading
    # the closing lines are the document's own facts: in its heading, on lines of their own, nowhere else
    assert [p.label for p in document.passages if "plenary" in p.text] == ["Heading"]
    assert document.passages[0].text.endswith("\n1st plenary meeting\n1 January 2099")


def test_closing_lines_end_the_heading_on_their_own_lines() -> None:
    text = (
        "E/RES/2099/7\n\n27 December 2099\n\n2099/7. Geographical names\n\nThe Economic and Social Council,\n\n"
        "Recalling its resolution 1/1,\n\n1. Decides to act;\n\n2. Requests a report.\n\n"
        "12th plenary meeting\n\n10 November 2099\n"
    )
    document = parse_text(text, source="x.txt")
    heading = document.passages[0]
    assert heading.kind == "heading"
    assert heading.text.split("\n")[-2:] == ["12th plenary meeting", "10 November 2099"]
    assert "27 December 2099" in heading.text.split("\n")  # the issue date stays where the cover has it
    assert document.date == "2099-11-10"
    assert document.get("OP 2").text == "Requests a report."


def test_text_without_structure_keeps_its_dates_in_paragraphs() -> None:
    document = parse_text("Some notes on a meeting.\n\n3rd plenary meeting\n\n1 May 2099\n", source="notes.txt")
    assert not any(p.kind == "heading" for p in document.passages)
    assert any("3rd plenary meeting" in p.text for p in document.passages)


def test_sub_paragraph_levels() -> None:
    text = (
        "The Security Council,\n\nRecalling its resolutions,\n\n1. Decides:\n\n(a) That first;\n\n"
        "(i) With a point;\n\n(ii) And another;\n\n(b) That second;\n\n(c) ... (h) skipped;\n\n(h) Eighth;\n\n"
        "(i) Ninth, a letter after (h);\n\n2. Requests a report.\n"
    )
    document = parse_text(text, source="sc.txt")
    assert numbers(document, "operative") == ["1", "1(a)", "1(a)(i)", "1(a)(ii)", "1(b)", "1(c)", "1(h)", "1(i)", "2"]
    assert document.get("OP 1 (a) (ii)").parent == "1(a)"
    assert document.get("OP 1 (i)").parent == "1"


def test_cover_facts_printed_in_one_block_stay_lines_of_their_own() -> None:
    text = (
        "United Nations  A/RES/99/2\n\nGeneral Assembly\n\nDistr.: General\n18 October 2099\nNinety-ninth session\n"
        "Agenda item 12\n\n  Resolution adopted by the General Assembly\non 10 October 2099\n\n"
        " 99/2. Cooperation on something of the\nGeneral Assembly on a topic\n\n The General Assembly,\n\n"
        "     Recalling its resolution 1/1,\n and its resolution 2/2,\n\n"
        "     Noting the report of the Secretary-General,\n\n     1. Decides to act;\n\n     2. Requests a report.\n\n"
        "                    18th plenary meeting\n                    10 October 2099\n"
    )
    lines = parse_text(text, source="x.txt").passages[0].text.split("\n")
    assert lines[2:6] == ["18 October 2099", "Ninety-ninth session", "Agenda item 12",
                          "Resolution adopted by the General Assembly on 10 October 2099"]
    assert "99/2. Cooperation on something of the General Assembly on a topic" in lines
    assert lines[-2:] == ["18th plenary meeting", "10 October 2099"]
