"""Loaders: format sniffing, encodings, PDF pages, DOCX numbering, and every way a file can be bad."""

from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

import pytest

from rag.errors import LoadError
from rag.load import load_file, sniff_format

ROOT = Path(__file__).resolve().parent.parent
PDF = ROOT / "tests" / "data" / "pdf"
AKN = ROOT / "tests" / "data" / "extra" / "akn"


def test_utf8_and_cp1252_text(tmp_path: Path) -> None:
    utf8 = tmp_path / "a.txt"
    utf8.write_text("Résolution 1/2 “quoted”\n", encoding="utf-8")
    cp = tmp_path / "b.txt"
    cp.write_bytes("Résolution “quoted” – Côte d’Ivoire\n".encode("cp1252"))
    assert load_file(utf8, 1).text.startswith("Résolution 1/2 “quoted”")
    utf16 = tmp_path / "c.txt"
    utf16.write_text("The General Assembly,\n", encoding="utf-16")
    assert load_file(utf16, 1).text.startswith("The General Assembly,")
    loaded = load_file(cp, 1)
    assert loaded.format == "text"
    assert "Côte d’Ivoire" in loaded.text
    assert [p.number for p in loaded.pages] == [0]


def test_form_feeds_become_pages(tmp_path: Path) -> None:
    path = tmp_path / "dump.txt"
    path.write_text("page one\fpage two\f", encoding="utf-8")
    assert [(p.number, p.text) for p in load_file(path, 1).pages] == [(1, "page one"), (2, "page two")]


def test_pdf_is_read_page_by_page_whatever_its_name(tmp_path: Path) -> None:
    renamed = tmp_path / "resolution.txt"
    renamed.write_bytes((PDF / "A_RES_73_6.pdf").read_bytes())
    loaded = load_file(renamed, 25)
    assert loaded.format == "pdf"
    assert [p.number for p in loaded.pages] == [1, 2, 3, 4, 5]
    assert "The General Assembly," in loaded.pages[0].text


def test_akn_xml_is_loaded_with_its_structure() -> None:
    loaded = load_file(AKN / "S_RES_2730_2024.akn.xml", 25)
    assert loaded.format == "akn"
    assert loaded.structured is not None
    assert loaded.structured.symbol == "S/RES/2730 (2024)"


def test_html_is_reduced_to_paragraphs(tmp_path: Path) -> None:
    path = tmp_path / "r.html"
    path.write_text(
        "<!DOCTYPE html><html><head><title>x</title><style>p{}</style></head><body>"
        "<p>The General Assembly,</p><p><i>Recalling</i> its resolution 70/1,</p><p>1. <i>Decides</i> to act.</p>"
        "<script>alert(1)</script></body></html>",
        encoding="utf-8",
    )
    text = load_file(path, 1).text
    paragraphs = text.strip().split("\n\n")
    assert paragraphs[:3] == ["The General Assembly,", "Recalling its resolution 70/1,", "1. Decides to act."]
    assert "alert" not in text and "p{}" not in text


# ------------------------------------------------------------------- DOCX


def _docx(path: Path) -> None:
    import docx

    document = docx.Document()
    document.add_paragraph("The General Assembly,")
    document.add_paragraph("Recalling its resolution 70/1,")
    document.add_paragraph("Urges Member States to act;", style="List Number")
    document.add_paragraph("Requests the Secretary-General to report.", style="List Number")
    table = document.add_table(rows=1, cols=1)
    table.cell(0, 0).text = "cell text"
    document.save(str(path))


def test_docx_keeps_word_auto_numbering(tmp_path: Path) -> None:
    path = tmp_path / "draft.docx"
    _docx(path)
    loaded = load_file(path, 5)
    assert loaded.format == "docx"
    paragraphs = loaded.text.split("\n\n")
    assert "1. Urges Member States to act;" in paragraphs
    assert "2. Requests the Secretary-General to report." in paragraphs
    assert "cell text" in loaded.text


_W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"


def _add_footnote(path: Path) -> None:
    """Give a python-docx file a real footnote (python-docx cannot write one)."""
    with zipfile.ZipFile(path) as archive:
        parts = {name: archive.read(name) for name in archive.namelist()}
    parts["word/document.xml"] = parts["word/document.xml"].replace(
        b"FNREF</w:t>", b'</w:t><w:footnoteReference w:id="2"/>'
    )
    parts["word/footnotes.xml"] = (
        f'<w:footnotes xmlns:w="{_W_NS}"><w:footnote w:id="2"><w:p><w:r><w:t>Resolution 70/1.</w:t></w:r>'
        "</w:p></w:footnote></w:footnotes>"
    ).encode()
    parts["word/_rels/document.xml.rels"] = parts["word/_rels/document.xml.rels"].replace(
        b"</Relationships>",
        b'<Relationship Id="rIdFn" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'footnotes" Target="footnotes.xml"/></Relationships>',
    )
    parts["[Content_Types].xml"] = parts["[Content_Types].xml"].replace(
        b"</Types>",
        b'<Override PartName="/word/footnotes.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'wordprocessingml.footnotes+xml"/></Types>',
    )
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)


def test_docx_footnotes_become_markers_and_notes(tmp_path: Path) -> None:
    import docx

    from rag.parse import parse_file

    path = tmp_path / "noted.docx"
    document = docx.Document()
    document.add_paragraph("The General Assembly,")
    document.add_paragraph("Recalling its resolution 70/1,FNREF")
    document.add_paragraph("Decides to act.", style="List Number")
    document.save(str(path))
    _add_footnote(path)
    text = load_file(path, 5).text
    assert "Recalling its resolution 70/1,1" in text
    assert text.rstrip().endswith("__________________\n\n1 Resolution 70/1.")
    parsed = parse_file(path)
    assert parsed.get("PP 1").footnotes == ("1",)
    assert parsed.get("PP 1").text == "Recalling its resolution 70/1,"
    assert parsed.get("Footnote 1").cited_by == ("PP 1",)
    assert parsed.get("OP 1").text == "Decides to act."


def test_docx_zip_bomb_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "bomb.docx"
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("word/document.xml", b"<w:document>" + b" " * (30 * 1024 * 1024) + b"</w:document>")
    path.write_bytes(buffer.getvalue())
    assert path.stat().st_size < 1024 * 1024
    with pytest.raises(LoadError, match=r"bomb\.docx inflates to more than 20 MB"):
        load_file(path, max_mb=1)


def test_zip_that_is_not_word_and_legacy_doc(tmp_path: Path) -> None:
    archive_path = tmp_path / "photos.docx"
    with zipfile.ZipFile(archive_path, "w") as archive:
        archive.writestr("a.jpg", b"x")
    with pytest.raises(LoadError, match="not a Word document"):
        load_file(archive_path, 1)
    legacy = tmp_path / "old.doc"
    legacy.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 600)
    with pytest.raises(LoadError, match=r"legacy binary Office file \(\.doc\)"):
        load_file(legacy, 1)


# ------------------------------------------------------------- bad input


def test_missing_and_folder(tmp_path: Path) -> None:
    with pytest.raises(LoadError, match=r"nothing.txt: file not found"):
        load_file(tmp_path / "nothing.txt", 1)
    with pytest.raises(LoadError, match="is a folder"):
        load_file(tmp_path, 1)


@pytest.mark.parametrize("content", [b"", b"   \n\n\t "])
def test_empty_file(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(content)
    with pytest.raises(LoadError, match=r"empty.txt is empty"):
        load_file(path, 1)


def test_binary_garbage(tmp_path: Path) -> None:
    path = tmp_path / "garbage.bin"
    path.write_bytes(os.urandom(4096) + b"\x00")
    with pytest.raises(LoadError, match=r"garbage.bin is a binary file of unknown format"):
        load_file(path, 1)
    controls = tmp_path / "controls.txt"
    controls.write_bytes(bytes(range(1, 9)) * 200)
    with pytest.raises(LoadError, match="does not look like text"):
        load_file(controls, 1)


def test_file_over_the_size_limit(tmp_path: Path) -> None:
    path = tmp_path / "huge.txt"
    with path.open("wb") as handle:  # a sparse 50 MB file: nothing is written to disk
        handle.truncate(50 * 1024 * 1024)
    with pytest.raises(LoadError, match=r"huge.txt is 50.0 MB, over the limit of 25 MB .*max_file_mb"):
        load_file(path, 25)


def test_pdf_without_text_layer_needs_ocr(tmp_path: Path) -> None:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(LoadError, match=r"scan.pdf is a PDF with no text layer.*OCR"):
        load_file(path, 1)


def test_corrupt_pdf_and_fake_pdf(tmp_path: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog >>\ngarbage\n")
    with pytest.raises(LoadError, match=r"broken.pdf"):
        load_file(broken, 1)
    fake = tmp_path / "fake.pdf"
    fake.write_text("Recalling its resolution 70/1,", encoding="utf-8")
    with pytest.raises(LoadError, match=r"fake.pdf has a .pdf name but is not a PDF"):
        load_file(fake, 1)


def test_xml_that_is_not_akn_or_not_safe(tmp_path: Path) -> None:
    other = tmp_path / "feed.xml"
    other.write_text("<?xml version='1.0'?><rss><channel/></rss>", encoding="utf-8")
    with pytest.raises(LoadError, match="not Akoma Ntoso"):
        load_file(other, 1)
    bomb = tmp_path / "laughs.xml"
    bomb.write_text(
        '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x "xxxxxxxxxx"><!ENTITY y "&x;&x;&x;&x;&x;&x;">]>'
        "<akomaNtoso><statement>&y;</statement></akomaNtoso>",
        encoding="utf-8",
    )
    with pytest.raises(LoadError, match=r"laughs.xml"):
        load_file(bomb, 1)
    broken = tmp_path / "cut.akn.xml"
    broken.write_text("<akomaNtoso><statement><preamble>", encoding="utf-8")
    with pytest.raises(LoadError, match="not well-formed"):
        load_file(broken, 1)


def test_sniffing_prefers_content_to_suffix() -> None:
    assert sniff_format(b"%PDF-1.4 ...", Path("a.docx")) == "pdf"
    assert sniff_format(b"The General Assembly,", Path("a.md")) == "text"
    assert sniff_format(b"<html><body>x</body></html>", Path("a.txt")) == "html"
