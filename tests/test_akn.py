"""Akoma Ntoso XML loads to exactly the gold paragraph split."""

from __future__ import annotations

from pathlib import Path

import pytest

from rag.akn import load_akn, load_akn_bytes
from rag.errors import LoadError
from rag.gold import compare, read_gold
from rag.parse import parse_file

EXTRA = Path(__file__).resolve().parent / "data" / "extra"
NAMES = ["A_RES_77_236", "A_RES_79_172", "E_RES_2023_23", "S_RES_2730_2024"]


@pytest.mark.parametrize("name", NAMES)
def test_xml_is_exactly_the_gold(name: str) -> None:
    document = parse_file(EXTRA / "akn" / f"{name}.akn.xml")
    result = compare(document, read_gold(EXTRA / "gold" / f"{name}.gold.json"), strict=True)
    assert result.exact, result.problems


def test_metadata_and_heading() -> None:
    document = load_akn(str(EXTRA / "akn" / "A_RES_77_236.akn.xml"))
    assert document.symbol == "A/RES/77/236"
    assert document.body == "General Assembly"
    assert document.date == "2022-12-15"
    assert document.title.startswith("Strengthening and promoting effective measures")
    heading = document.passages[0]
    assert heading.kind == "heading" and heading.text.startswith("A/RES/77/236")
    # the conclusions (meeting and date of adoption) end the heading, a line each, as in the text rendering
    assert heading.text.endswith("The General Assembly,\n54th plenary meeting\n15 December 2022")
    printed = parse_file(EXTRA / "A_RES_77_236.txt").passages[0].text.split("\n")
    assert heading.text.split("\n")[-2:] == printed[-2:]
    assert document.get("OP 6 (k)").parent == "6"
    assert document.get("Footnote 11").cited_by == ("OP 6",)


def test_embedded_draft_and_number_in_text() -> None:
    draft = load_akn(str(EXTRA / "akn" / "E_RES_2023_23.akn.xml"))
    assert draft.get("OP 1").lead == "Recommends" and draft.get("OP 1").part == ""
    assert draft.get("Draft Heading").text == "The General Assembly,"
    assert draft.get("Draft OP 11 (7)").text == "Adoption of the report of the Congress."
    assert draft.get("Draft PP 16").footnotes == ("1",)
    council = load_akn(str(EXTRA / "akn" / "S_RES_2730_2024.akn.xml"))
    assert council.get("OP 11").text.startswith("Condemns disinformation")
    assert [p.number for p in council.by_kind("operative") if not p.parent] == [str(n) for n in range(1, 17)]
    # the XML glues the date to the word before it ("on<docDate>24 May 2024"); the heading reads as printed
    assert "at its 9634th meeting, on 24 May 2024" in council.get("Heading").text
    # the printed title is only the number; the catalogue's title keyword gives the topic
    assert council.title == ("Resolution 2730 (2024) [on protection of humanitarian personnel and UN and associated "
                             "personnel in armed conflict]")


def test_passage_order_heading_paragraphs_footnotes() -> None:
    document = load_akn(str(EXTRA / "akn" / "A_RES_79_172.akn.xml"))
    kinds = [p.kind for p in document.passages]
    assert kinds[0] == "heading"
    first_note = kinds.index("footnote")
    assert set(kinds[first_note:]) == {"footnote"}
    assert len(document.by_kind("footnote")) == 35


def test_bad_xml() -> None:
    with pytest.raises(LoadError, match="not Akoma Ntoso"):
        load_akn_bytes(b"<html/>", source="x.xml")
    with pytest.raises(LoadError, match="without a document symbol"):
        load_akn_bytes(b"<akomaNtoso><statement><preamble/></statement></akomaNtoso>", source="y.xml")


#: The shape of A/RES/75/1 in the UN's XML: "Adopts the following declaration:" and then the
#: declaration's title and numbered paragraphs in the same mainBody (no embeddedStructure).
ADOPTED_DECLARATION = b"""<akomaNtoso xmlns="http://docs.oasis-open.org/legaldocml/ns/akn/3.0">
<statement name="resolution">
<coverPage><p><docNumber refersTo="#symbol">A/RES/75/1</docNumber></p>
<p><docAuthority refersTo="#issuingBody">General Assembly</docAuthority></p>
<p><docDate date="2020-09-28" refersTo="#dateOfIssuance">28 September 2020</docDate></p></coverPage>
<preface><p><docNumber>75/1.</docNumber><docTitle refersTo="#resolutionTitle">Declaration on the
 commemoration</docTitle></p></preface>
<preamble><formula name="enactingFormula"><p><span class="italic">The General Assembly</span></p></formula></preamble>
<mainBody>
<paragraph eId="para_2"><content><p><span class="italic">Adopts</span> the following declaration:</p></content>
</paragraph>
<paragraph eId="para_3"><heading>\t\tDeclaration on the commemoration</heading></paragraph>
<paragraph eId="para_4"><num>\t1.</num><content><p>\tWe, the Heads of State and Government, have gathered.<authorialNote
 marker="1"><p>Resolution 74/1.</p></authorialNote></p></content></paragraph>
<paragraph eId="para_5"><num>\t2.</num><content><p>\tBorn out of the horrors of war.</p></content></paragraph>
</mainBody></statement></akomaNtoso>"""


def test_adopted_text_in_the_same_main_body_is_an_annex() -> None:
    document = load_akn_bytes(ADOPTED_DECLARATION, source="75_1.xml")
    labels = [(p.label, p.text) for p in document.passages if p.kind != "heading" or p.part]
    assert labels == [
        ("OP 1", "Adopts the following declaration:"),
        ("Annex Heading", "Declaration on the commemoration"),
        ("Annex OP 1", "We, the Heads of State and Government, have gathered."),
        ("Annex OP 2", "Born out of the horrors of war."),
        ("Footnote 1", "Resolution 74/1."),
    ]
    assert document.get("Footnote 1").cited_by == ("Annex OP 1",)
    assert document.date == "2020-09-28" and document.title == "Declaration on the commemoration"
