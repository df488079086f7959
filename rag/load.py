"""Loaders: turn a file into ``LoadedText`` (text page by page).

The format is chosen by sniffing the content first and the suffix second:
the bytes decide (a PDF renamed ``.txt`` is still read as a PDF), and a suffix
that promises a format the bytes do not have is an error rather than a guess.

=============  =========================================  ======================
format         recognised by                              read with
=============  =========================================  ======================
PDF            ``%PDF-`` in the first 1 KB                ``pypdf``, page by page
DOCX           zip holding ``word/document.xml``          ``python-docx``
Akoma Ntoso    XML whose root is ``akomaNtoso``            ``rag.akn`` (structure)
HTML           ``<html`` / ``<!doctype html``             stdlib ``html.parser``
text           anything else that decodes cleanly         UTF-8, then cp1252
=============  =========================================  ======================

Every failure is a ``LoadError`` whose message names the file and says what to do.

>>> import tempfile, pathlib
>>> folder = pathlib.Path(tempfile.mkdtemp())
>>> (folder / "note.txt").write_text("The General Assembly,\\n", encoding="utf-8")
22
>>> load_file(folder / "note.txt", max_mb=1).format
'text'
>>> (folder / "empty.txt").write_bytes(b"")
0
>>> load_file(folder / "empty.txt", max_mb=1)
Traceback (most recent call last):
...
rag.errors.LoadError: empty.txt is empty: there is nothing to parse.
"""

from __future__ import annotations

import contextlib
import dataclasses
import io
import logging
import re
import time
import zipfile
import zlib
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from rag.errors import LoadError
from rag.types import LoadedText, Page

#: Bytes read to sniff a file's format.
SNIFF_BYTES = 8192
#: A DOCX may inflate to at most this many times the size limit before we refuse it (zip bombs) ...
DOCX_INFLATE_FACTOR = 20
#: ... and never past this many MB, whatever the limit (python-docx holds every part in memory).
DOCX_MAX_INFLATED_MB = 100
#: Bounds on reading one PDF: a PDF small on disk may inflate to gigabytes ("PDF bomb"), hold
#: thousands of pages or take minutes to extract. Each stream is inflated to at most
#: ``PDF_MAX_STREAM_MB`` (and a page's content stream parsed to at most ``PDF_MAX_PARSE_WORK``
#: operators and operands; pypdf's own limits, set per call), the page count and the text
#: extracted are capped, and extraction stops after ``PDF_MAX_SECONDS`` (checked between pages).
PDF_MAX_PAGES = 2000
PDF_MAX_STREAM_MB = 16
PDF_MAX_PARSE_WORK = 500_000
PDF_MAX_TEXT_CHARS = 20_000_000
PDF_MAX_SECONDS = 120.0
#: Share of control characters above which decoded "text" is treated as binary garbage.
MAX_CONTROL_RATIO = 0.01

#: Control characters that have no business in text (tabs, newlines and form feeds aside).
_CONTROL = re.compile(r"[\x00-\x08\x0e-\x1f\x7f-\x9f]")

PDF_SUFFIXES = {".pdf"}
DOCX_SUFFIXES = {".docx", ".docm", ".dotx"}
XML_SUFFIXES = {".xml", ".akn"}
HTML_SUFFIXES = {".html", ".htm", ".xhtml"}


def load_file(path: str | Path, max_mb: float | None = None) -> LoadedText:
    """Read ``path`` into pages of text, or raise ``LoadError`` naming the file.

    ``max_mb`` is the size limit (the ``max_file_mb`` setting, ``RAG_MAX_FILE_MB``);
    ``None`` takes it from ``Settings``.
    """
    path = Path(path)
    if max_mb is None:
        from rag.settings import Settings

        max_mb = Settings().max_file_mb
    data = _read_checked(path, max_mb)
    kind = sniff_format(data, path)
    if kind == "pdf":
        return _load_pdf(path, data)
    if kind == "docx":
        return _load_docx(path, data, max_mb)
    if kind == "akn":
        from rag.akn import load_akn_bytes

        document = load_akn_bytes(data, source=str(path))
        text = "\n\n".join(p.text for p in document.passages)
        return LoadedText(path=str(path), format="akn", pages=(Page(0, text),), structured=document)
    if kind == "html":
        return LoadedText(path=str(path), format="text", pages=_split_pages(html_to_text(decode_text(data, path))))
    return LoadedText(path=str(path), format="text", pages=_split_pages(decode_text(data, path)))


def _read_checked(path: Path, max_mb: float) -> bytes:
    name = path.name or str(path)
    if not path.exists():
        raise LoadError(f"{path}: file not found.")
    if path.is_dir():
        raise LoadError(f"{path} is a folder, not a document file.")
    try:
        size = path.stat().st_size
        if size > max_mb * 1024 * 1024:
            raise LoadError(
                f"{name} is {size / 1024 / 1024:.1f} MB, over the limit of {max_mb:g} MB "
                "(raise the max_file_mb setting, RAG_MAX_FILE_MB, if you trust this file)."
            )
        data = path.read_bytes()
    except OSError as error:
        raise LoadError(f"{path}: cannot be read ({error.strerror or error}).") from None
    if not data.strip():
        raise LoadError(f"{name} is empty: there is nothing to parse.")
    return data


def sniff_format(data: bytes, path: Path) -> str:
    """Decide the format from the bytes, checked against the suffix.

    Returns ``"pdf"``, ``"docx"``, ``"akn"``, ``"html"`` or ``"text"``.

    >>> sniff_format(b"%PDF-1.7 ...", Path("x.txt"))
    'pdf'
    >>> sniff_format(b"<akomaNtoso xmlns='x'><statement/></akomaNtoso>", Path("r.xml"))
    'akn'
    >>> sniff_format(b"Recalling its resolutions", Path("r.pdf"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rag.errors.LoadError: r.pdf has a .pdf name but is not a PDF (it starts with 'Recalling its resolutions'); ...
    """
    suffix = path.suffix.lower()
    head = data[:SNIFF_BYTES]
    name = path.name
    if b"%PDF-" in head[:1024]:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(io.BytesIO(data)) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            raise LoadError(f"{name} looks like a zip archive (a .docx?) but is corrupt or truncated.") from None
        if "word/document.xml" in names:
            return "docx"
        raise LoadError(f"{name} is a zip archive but not a Word document (no word/document.xml); unzip it first.")
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise LoadError(f"{name} is a legacy binary Office file (.doc); save it as .docx or PDF and try again.")
    if suffix in PDF_SUFFIXES:
        raise LoadError(f"{name} has a .pdf name but is not a PDF (it starts with {_preview(head)}); "
                        "check the file or rename it.")
    if suffix in DOCX_SUFFIXES:
        raise LoadError(f"{name} has a {suffix} name but is not a Word document; check the file or rename it.")
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16 text has NULs
        raise LoadError(f"{name} is a binary file of unknown format (it holds NUL bytes); "
                        "supported: .txt, .pdf, .docx, Akoma Ntoso .xml, .html.")
    start = head.lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if start.startswith(b"<"):
        if b"<akomantoso" in start[:4096]:
            return "akn"
        if b"<html" in start or b"<!doctype html" in start:
            return "html"
        if start.startswith(b"<?xml") or suffix in XML_SUFFIXES:
            raise LoadError(f"{name} is XML but not Akoma Ntoso (no <akomaNtoso> root); "
                            "only AKN4UN XML is supported.")
    if suffix in HTML_SUFFIXES:
        return "html"
    return "text"


def _preview(head: bytes) -> str:
    """How a file starts, for a message: its first words quoted, or "binary data" (never raw bytes).

    >>> _preview(b"Recalling its resolutions 1/2"), _preview(bytes(range(1, 40)))
    ("'Recalling its resolutions 1/2'", 'binary data')
    """
    text = re.sub(r"\s+", " ", head[:40].decode("utf-8", errors="replace")).strip()
    printable = sum(c.isprintable() and c != "\ufffd" for c in text)
    return repr(text) if text and printable >= 0.9 * len(text) else "binary data"


def decode_text(data: bytes, path: Path) -> str:
    """Decode text as UTF-8 (with or without BOM), else cp1252; refuse binary garbage.

    >>> decode_text("Résolution".encode("cp1252"), Path("r.txt"))
    'Résolution'
    >>> decode_text(bytes(range(1, 32)) * 20, Path("junk.bin"))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    rag.errors.LoadError: junk.bin does not look like text (84% control characters): it is binary or corrupt. ...
    """
    text: str | None = None
    for encoding in ("utf-16",) if data[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-8-sig", "cp1252"):
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    if text is None:  # cp1252 leaves five bytes undefined; latin-1 takes anything
        text = data.decode("latin-1")
    sample = text[:200_000]
    control = len(_CONTROL.findall(sample))
    if sample and control / len(sample) > MAX_CONTROL_RATIO:
        raise LoadError(
            f"{path.name} does not look like text ({control / len(sample):.0%} control characters): it is binary "
            "or corrupt. Supported: .txt, .pdf, .docx, Akoma Ntoso .xml, .html."
        )
    if not text.strip():
        raise LoadError(f"{path.name} is empty: there is nothing to parse.")
    return text


def _split_pages(text: str) -> tuple[Page, ...]:
    """Text with form feeds (``pdftotext`` output) keeps its pages; other text is one page numbered 0.

    >>> [p.number for p in _split_pages("one\\fpage two")]
    [1, 2]
    >>> _split_pages("no pages")[0].number
    0
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\f" in text.strip("\f\n "):
        parts = text.split("\f")
        while parts and not parts[-1].strip():
            parts.pop()
        return tuple(Page(i + 1, part) for i, part in enumerate(parts))
    return (Page(0, text.replace("\f", "\n")),)


# --------------------------------------------------------------------- PDF


def _pdf_limits() -> contextlib.AbstractContextManager[Any]:
    """pypdf's resource limits for one read (a context variable: other threads keep theirs)."""
    import pypdf

    apply = getattr(pypdf, "apply_configuration", None)
    if apply is None:  # pragma: no cover - pypdf < 7 has fixed limits of 75 MB per stream
        return contextlib.nullcontext()
    stream = PDF_MAX_STREAM_MB * 1024 * 1024
    wanted = {
        "zlib_maximum_output_length": stream, "lzw_maximum_output_length": stream,
        "run_length_maximum_output_length": stream, "brotli_maximum_output_length": stream,
        "array_based_stream_maximum_output_length": stream, "stream_decoding_work_maximum_length": 4 * stream,
        "stream_parsing_work_maximum_count": PDF_MAX_PARSE_WORK,
    }
    known = {f.name for f in dataclasses.fields(pypdf.Configuration)}
    limits: contextlib.AbstractContextManager[Any] = apply(**{k: v for k, v in wanted.items() if k in known})
    return limits


def _pdf_texts(reader: Any, name: str) -> list[str]:
    """The text of every page, within the ``PDF_MAX_*`` bounds (``LoadError`` past one of them)."""
    count = len(reader.pages)
    if count > PDF_MAX_PAGES:
        raise LoadError(f"{name} has {count:,} pages, more than the {PDF_MAX_PAGES:,} a document may have; "
                        "split it, or check that it is the document you meant.")
    deadline = time.monotonic() + PDF_MAX_SECONDS
    texts: list[str] = []
    total = 0
    for page in reader.pages:
        if time.monotonic() > deadline:
            raise LoadError(f"{name}: extracting its text took more than {PDF_MAX_SECONDS:g} s (stopped at page "
                            f"{len(texts) + 1} of {count}); it is too complex to read safely.")
        text = page.extract_text() or ""
        total += len(text)
        if total > PDF_MAX_TEXT_CHARS:
            raise LoadError(f"{name} holds more than {PDF_MAX_TEXT_CHARS:,} characters of text (at page "
                            f"{len(texts) + 1} of {count}); refusing to read it (a PDF bomb?).")
        texts.append(text)
    return texts


def _load_pdf(path: Path, data: bytes) -> LoadedText:
    try:
        import pypdf
        from pypdf.errors import PdfReadError
    except ImportError:  # pragma: no cover - pypdf is a dependency
        raise LoadError("pypdf is not installed; run `make install`.") from None
    limit_reached: type[Exception] = getattr(pypdf.errors, "LimitReachedError", LoadError)
    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        with _pdf_limits():
            reader = pypdf.PdfReader(io.BytesIO(data))
            if reader.is_encrypted and not reader.decrypt(""):
                raise LoadError(f"{path.name} is an encrypted PDF; remove the password and try again.")
            texts = _pdf_texts(reader, path.name)
    except LoadError:
        raise
    except limit_reached as error:
        raise LoadError(
            f"{path.name} is refused: part of it is too large or too complex once decompressed ({error}); "
            f"a PDF bomb, or not a document to index (streams are read up to {PDF_MAX_STREAM_MB} MB)."
        ) from None
    except (PdfReadError, ValueError, KeyError, TypeError, AttributeError, OSError, RecursionError) as error:
        raise LoadError(f"{path.name} is a corrupt or unreadable PDF ({type(error).__name__}: {error}).") from None
    except Exception as error:  # pypdf raises a wide range of errors on broken files
        raise LoadError(f"{path.name} is a corrupt or unreadable PDF ({type(error).__name__}).") from None
    if not texts:
        raise LoadError(f"{path.name} is a PDF with no pages.")
    if not any(text.strip() for text in texts):
        raise LoadError(
            f"{path.name} is a PDF with no text layer (a scan or images only): it needs OCR first, "
            "e.g. `ocrmypdf in.pdf out.pdf`, then parse the output."
        )
    return LoadedText(path=str(path), format="pdf", pages=tuple(Page(i + 1, t) for i, t in enumerate(texts)))


# -------------------------------------------------------------------- DOCX

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_package(path: Path, data: bytes, max_mb: float) -> bytes:
    """The DOCX's parts, read safely and packed again uncompressed, for python-docx to open.

    Refuses archives that declare more than ``DOCX_INFLATE_FACTOR`` times the size limit (at most
    ``DOCX_MAX_INFLATED_MB``) and XML parts declaring a DTD or entities (Word never writes them: they
    are how XML bombs and external-entity attacks start). Each part is inflated in 1 MB steps and
    never past its declared size (``zipfile`` stops there), so a part lying about its size costs no
    more than it declares; reading it in one call, as python-docx would, inflates up to 2 GB at once.
    """
    limit = min(max_mb * DOCX_INFLATE_FACTOR, DOCX_MAX_INFLATED_MB) * 1024 * 1024
    parts: dict[str, bytes] = {}
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            members = [info for info in archive.infolist() if not info.is_dir()]
            declared = [info.file_size for info in members]
            if max(declared, default=0) > limit or sum(declared) > limit:
                raise LoadError(
                    f"{path.name} inflates to more than {limit / 1024 / 1024:.0f} MB when unzipped "
                    "(a zip bomb or a huge embedded file); refusing to read it."
                )
            for info in members:
                with archive.open(info) as member:
                    parts[info.filename] = _read_in_steps(member)
                if info.filename.endswith((".xml", ".rels")) and _declares_dtd(parts[info.filename]):
                    raise LoadError(f"{path.name}: its part {info.filename} declares a DTD or XML entities, "
                                    "which Word documents never do (an XML bomb?); refusing to read it.")
    except LoadError:
        raise
    except (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError, ValueError,
            OSError) as error:
        raise LoadError(f"{path.name} is a corrupt or unsupported zip archive ({type(error).__name__}: "
                        f"{str(error)[:120]}); save it again from Word.") from None
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_STORED) as package:
        for name, body in parts.items():
            package.writestr(name, body)
    return out.getvalue()


def _read_in_steps(member: Any) -> bytes:
    """A zip member's content read 1 MB at a time (each step inflates at most that much)."""
    chunks = []
    while chunk := member.read(1 << 20):
        chunks.append(chunk)
    return b"".join(chunks)


def _declares_dtd(xml: bytes) -> bool:
    """True when an XML text (UTF-8 or UTF-16) holds a DOCTYPE or ENTITY declaration.

    >>> _declares_dtd(b'<?xml version="1.0"?><!DOCTYPE d [<!ENTITY a "x">]><d>&a;</d>')
    True
    >>> _declares_dtd('<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE d><d/>'.encode("utf-16"))
    True
    >>> _declares_dtd(b'<w:document xmlns:w="x"><w:t>The ENTITY</w:t></w:document>')
    False
    """
    patterns = (b"<!DOCTYPE", b"<!ENTITY")
    return any(p in xml or p.decode().encode("utf-16-le") in xml or p.decode().encode("utf-16-be") in xml
               for p in patterns)


def _load_docx(path: Path, data: bytes, max_mb: float) -> LoadedText:
    package = _docx_package(path, data, max_mb)
    try:
        import docx
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise LoadError("python-docx is not installed; run `make install`.") from None
    try:
        document = docx.Document(io.BytesIO(package))
        text = DocxText(document).render()
    except LoadError:
        raise
    except Exception as error:  # python-docx / lxml raise many types on broken parts
        raise LoadError(f"{path.name} is a corrupt Word document ({type(error).__name__}: {error}).") from None
    if not text.strip():
        raise LoadError(f"{path.name} is a Word document with no text.")
    return LoadedText(path=str(path), format="docx", pages=(Page(0, text),))


def _format_counter(value: int, fmt: str) -> str:
    """Render a list counter in a Word number format.

    >>> [_format_counter(n, f) for n, f in [(3, "decimal"), (2, "lowerLetter"), (4, "lowerRoman"), (28, "lowerLetter")]]
    ['3', 'b', 'iv', 'bb']
    """
    if fmt in ("lowerLetter", "upperLetter"):
        letter = chr(ord("a") + (value - 1) % 26) * ((value - 1) // 26 + 1)
        return letter.upper() if fmt == "upperLetter" else letter
    if fmt in ("lowerRoman", "upperRoman"):
        roman = _roman(value)
        return roman.upper() if fmt == "upperRoman" else roman
    if fmt == "bullet":
        return ""
    return str(value)


def _roman(value: int) -> str:
    numerals = [(1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
                (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i")]
    out = []
    for amount, symbol in numerals:
        while value >= amount:
            out.append(symbol)
            value -= amount
    return "".join(out)


class DocxText:
    """Text of a Word document with its automatic numbering and footnotes made visible.

    Word keeps list numbers ("1.", "(a)") out of the run text: they come from
    ``numPr`` (on the paragraph or its style) and the numbering definitions. We
    re-count them so that operative paragraphs keep their numbers. Footnote
    references become markers glued to the word before them, and footnote texts
    follow the body after a rule, as in the UN's own text renderings.
    """

    def __init__(self, document: Any) -> None:
        self.document = document
        self.levels: dict[str, dict[int, tuple[str, str, int]]] = {}
        self.counters: dict[str, dict[int, int]] = {}
        self.footnote_ids: list[str] = []
        self._read_numbering()

    def _read_numbering(self) -> None:
        try:
            numbering = self.document.part.numbering_part.element
        except (KeyError, AttributeError, NotImplementedError):
            return
        abstract: dict[str, dict[int, tuple[str, str, int]]] = {}
        for node in numbering.iter(f"{_W}abstractNum"):
            levels: dict[int, tuple[str, str, int]] = {}
            for lvl in node.iter(f"{_W}lvl"):
                ilvl = int(lvl.get(f"{_W}ilvl", "0"))
                fmt = self._val(lvl, "numFmt") or "decimal"
                text = self._val(lvl, "lvlText") or f"%{ilvl + 1}."
                start = int(self._val(lvl, "start") or "1")
                levels[ilvl] = (fmt, text, start)
            abstract[node.get(f"{_W}abstractNumId", "")] = levels
        for num in numbering.iter(f"{_W}num"):
            ref = num.find(f"{_W}abstractNumId")
            if ref is not None:
                self.levels[num.get(f"{_W}numId", "")] = abstract.get(ref.get(f"{_W}val", ""), {})

    @staticmethod
    def _val(node: Any, tag: str) -> str | None:
        child = node.find(f"{_W}{tag}")
        return None if child is None else child.get(f"{_W}val")

    def _num_pr(self, paragraph: Any) -> tuple[str, int] | None:
        p_pr = paragraph._p.pPr
        candidates = [p_pr.numPr if p_pr is not None else None]
        style = paragraph.style
        while style is not None:
            style_ppr = style.element.pPr
            candidates.append(style_ppr.numPr if style_ppr is not None else None)
            style = style.base_style
        for num_pr in candidates:
            if num_pr is None or num_pr.numId is None:
                continue
            num_id = str(num_pr.numId.val)
            ilvl = int(num_pr.ilvl.val) if num_pr.ilvl is not None else 0
            return (num_id, ilvl) if num_id != "0" else None
        return None

    def _label(self, num_id: str, ilvl: int) -> str:
        levels = self.levels.get(num_id)
        if not levels:
            return ""
        counters = self.counters.setdefault(num_id, {})
        fmt, pattern, start = levels.get(ilvl, ("decimal", f"%{ilvl + 1}.", 1))
        counters[ilvl] = counters.get(ilvl, start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]
        if fmt == "bullet":
            return "•"

        def fill(match: re.Match[str]) -> str:
            level = int(match.group(1)) - 1
            lvl_fmt, _, lvl_start = levels.get(level, ("decimal", "", 1))
            return _format_counter(counters.get(level, lvl_start), lvl_fmt)

        return re.sub(r"%(\d)", fill, pattern)

    def _paragraph_text(self, paragraph: Any) -> str:
        parts: list[str] = []
        for node in paragraph._p.iter():
            tag = node.tag
            if tag == f"{_W}t":
                parts.append(node.text or "")
            elif tag == f"{_W}tab":
                parts.append(" ")
            elif tag in (f"{_W}br", f"{_W}cr"):
                parts.append("\n")
            elif tag == f"{_W}footnoteReference":
                self.footnote_ids.append(node.get(f"{_W}id", ""))
                parts.append(str(len(self.footnote_ids)))
        return "".join(parts)

    def _blocks(self) -> Iterator[Any]:
        from docx.table import Table
        from docx.text.paragraph import Paragraph

        body = self.document.element.body
        for child in body.iterchildren():
            if child.tag == f"{_W}p":
                yield Paragraph(child, self.document)
            elif child.tag == f"{_W}tbl":
                table = Table(child, self.document)
                for row in table.rows:
                    for cell in row.cells:
                        yield from cell.paragraphs

    def _footnote_texts(self) -> dict[str, str]:
        texts: dict[str, str] = {}
        try:
            parts = self.document.part.package.parts
        except AttributeError:
            return texts
        for part in parts:
            if str(part.partname).endswith("/footnotes.xml"):
                from defusedxml import ElementTree

                root = ElementTree.fromstring(part.blob)
                for note in root.iter(f"{_W}footnote"):
                    words = [t.text or "" for t in note.iter(f"{_W}t")]
                    texts[note.get(f"{_W}id", "")] = "".join(words).strip()
        return texts

    def render(self) -> str:
        lines: list[str] = []
        for paragraph in self._blocks():
            text = self._paragraph_text(paragraph).strip()
            num = self._num_pr(paragraph)
            if num is not None and text:
                label = self._label(*num)
                if label and not text.startswith(label):
                    text = f"{label} {text}"
            if text:
                lines.append(text)
        if self.footnote_ids:
            notes = self._footnote_texts()
            lines.append("__________________")
            for marker, note_id in enumerate(self.footnote_ids, start=1):
                lines.append(f"{marker} {notes.get(note_id, '')}".strip())
        return "\n\n".join(lines) + "\n"


# -------------------------------------------------------------------- HTML

_BLOCK_TAGS = {"p", "div", "br", "li", "tr", "table", "section", "article", "h1", "h2", "h3", "h4", "h5", "h6",
               "blockquote", "ul", "ol", "dd", "dt", "header", "footer", "hr", "pre", "title"}


class _HTMLText(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("script", "style", "head", "noscript"):
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("script", "style", "head", "noscript"):
            self.skip = max(0, self.skip - 1)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.parts.append(re.sub(r"\s+", " ", data))


def html_to_text(html: str) -> str:
    """Visible text of an HTML page, one block per paragraph.

    >>> html_to_text("<html><body><p>The General Assembly,</p><p>1. <i>Decides</i> to act;</p></body></html>")
    'The General Assembly,\\n\\n1. Decides to act;\\n'
    """
    parser = _HTMLText()
    parser.feed(html)
    parser.close()
    blocks = [block.strip() for block in re.split(r"\n\s*\n", "".join(parser.parts))]
    return "\n\n".join(b for b in blocks if b) + "\n"
