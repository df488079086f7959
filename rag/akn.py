"""Akoma Ntoso (AKN4UN) XML straight to a ``Document``.

The UN's XML carries the structure the text parser has to guess, so it is
read as it is:

* ``coverPage`` / ``preface``: symbol (``docNumber``), issuing body
  (``docAuthority`` ``#issuingBody``), dates, title;
* ``preamble/formula`` (enacting formula) and ``preamble/container``
  (preambular paragraphs, numbered 1.. in order; the italic span is the lead);
* ``mainBody/paragraph`` with ``num`` (operative paragraphs); ``list/intro`` is
  the chapeau and ``list/point`` the sub-paragraphs, numbered ``"6(a)"``,
  ``"11(1)"``, ``"5(a)(ii)"``;
* ``embeddedStructure`` inside a paragraph: a draft recommended by the
  document (``part="draft"``), with its own formula and numbering;
* ``authorialNote``: footnotes, linked both ways, markers taken out of the text;
* ``conclusions``: the closing lines (meeting and date of adoption), at the end of the heading, a line
  each, as the text parser puts them.

XML is parsed with ``defusedxml`` (no entity expansion, no external entities).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import date as Date
from typing import Any

from rag.clean import neutralise_controls
from rag.errors import LoadError
from rag.types import CATALOGUE_TOPIC, Document, Passage

#: Characters the UN's XML uses that plain text renders differently.
_CHAR_MAP = str.maketrans({"\u2011": "-", "\u00a0": " ", "\u202f": " ", "\u00ad": "", "\u200b": ""})
_LEADING_NUMBER = re.compile(r"^(?P<num>\d{1,3})\.?\s+(?=\S)")


def normalise_space(text: str) -> str:
    """Collapse whitespace, map typographic variants to what text renderings show, and drop control
    characters and bidirectional overrides (``rag.clean.neutralise_controls``).

    >>> normalise_space("\\t pre\\u2011Congress \\n consultations ")
    'pre-Congress consultations'
    """
    return re.sub(r"\s+", " ", neutralise_controls(text.translate(_CHAR_MAP))).strip()


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(node: Any, name: str) -> list[Any]:
    return [child for child in node if _local(child.tag) == name]


def _first(node: Any, name: str) -> Any | None:
    for child in node.iter():
        if _local(child.tag) == name:
            return child
    return None


@dataclass
class _Text:
    """Text of an element with its footnote markers pulled out."""

    text: str
    markers: list[str] = field(default_factory=list)
    lead: str = ""


@dataclass
class _Builder:
    symbol: str
    passages: list[Passage] = field(default_factory=list)
    footnotes: dict[str, str] = field(default_factory=dict)
    formulas: list[str] = field(default_factory=list)

    def add(self, **fields: Any) -> Passage:
        passage = Passage(doc=self.symbol, **fields)
        self.passages.append(passage)
        return passage


def _collect(node: Any, footnotes: dict[str, str],
             *, skip: tuple[str, ...] = ("embeddedStructure", "num", "heading")) -> _Text:
    """Text under ``node`` without footnote bodies, nested structures or numbers."""
    parts: list[str] = []
    markers: list[str] = []
    lead: list[str] = []

    def walk(element: Any) -> None:
        name = _local(element.tag)
        if name == "authorialNote":
            marker = (element.get("marker") or "").strip()
            if marker:
                markers.append(marker)
                footnotes.setdefault(marker, normalise_space("".join(element.itertext())))
            if element.tail:
                parts.append(element.tail)
            return
        if name in skip and element is not node:
            if element.tail:
                parts.append(element.tail)
            return
        if name == "eol":
            parts.append(" ")
        if element.text:
            parts.append(element.text)
            if name == "span" and "italic" in (element.get("class") or "") and not lead:
                lead.append(normalise_space("".join(element.itertext())))
        for child in element:
            walk(child)
        if element.tail and element is not node:
            parts.append(element.tail)

    walk(node)
    return _Text(normalise_space("".join(parts)), markers, lead[0] if lead else "")


#: Elements holding a whole phrase (a date, a number, a body's name). The UN's XML sometimes glues one to the
#: word before it ("at its 9634th meeting, on<docDate>24 May 2024</docDate>"); the printed text has a space.
_PHRASE_ELEMENTS = frozenset({"docDate", "date", "docNumber", "docAuthority", "docProponent"})


def _phrase_text(node: Any) -> str:
    """The text under ``node``, with a space between a phrase element and a word glued to it.

    >>> import xml.etree.ElementTree as ET
    >>> _phrase_text(ET.fromstring("<p>adopted on<docDate>24 May 2024</docDate>, at</p>"))
    'adopted on 24 May 2024, at'
    """
    return normalise_space(_phrase_raw(node))


def _phrase_raw(node: Any) -> str:
    """:func:`_phrase_text` before whitespace is collapsed, with a newline for each ``<eol/>``."""
    parts: list[str] = []

    def glue(text: str) -> None:
        if parts and parts[-1][-1:].isalnum() and text[:1].isalnum():
            parts.append(" ")
        parts.append(text)

    def walk(element: Any) -> None:
        phrase = element is not node and _local(element.tag) in _PHRASE_ELEMENTS
        if _local(element.tag) == "eol":
            parts.append("\n")
        if element.text:
            (glue if phrase else parts.append)(element.text)
        for child in element:
            walk(child)
        if element.tail and element is not node:
            (glue if phrase else parts.append)(element.tail)

    walk(node)
    return "".join(parts)


def _lines(node: Any) -> list[str]:
    """The printed lines of ``node``: one per paragraph and per ``<eol/>`` break, as the page shows them.

    >>> import xml.etree.ElementTree as ET
    >>> _lines(ET.fromstring("<conclusions><p><inline>54th plenary meeting</inline><eol/>"
    ...                      "<docDate>15 December 2022</docDate></p></conclusions>"))
    ['54th plenary meeting', '15 December 2022']
    """
    paragraphs = [p for p in node.iter() if _local(p.tag) == "p"] or [node]
    return [line for p in paragraphs for line in (normalise_space(part) for part in _phrase_raw(p).split("\n"))
            if line]


#: A printed title that is only the text's number ("Resolution 2730 (2024)"). A catalogue title adds the topic in
#: brackets ("Security Council resolution 2730 (2024) [on protection of humanitarian personnel ...]",
#: ``rag.types.CATALOGUE_TOPIC``); the document's title keeps it, which ``Document.printed_title`` leaves out.
_NUMBER_ONLY_TITLE = re.compile(r"^Resolution\s+[\d/]+(?:\s*\(\d{4}\))?$", re.IGNORECASE)


def _num(node: Any) -> str:
    """``<num>6.</num>`` -> ``"6"``; ``<num>(a)</num>`` -> ``"(a)"``."""
    element = next((c for c in node if _local(c.tag) == "num"), None)
    if element is None:
        return ""
    return normalise_space("".join(element.itertext())).rstrip(".")


def _sub_number(parent: str, num: str) -> str:
    """Number of a sub-paragraph under ``parent``.

    >>> _sub_number("6", "(a)"), _sub_number("11", "1"), _sub_number("5(a)", "(ii)")
    ('6(a)', '11(1)', '5(a)(ii)')
    """
    inner = num.strip().strip("()")
    return f"{parent}({inner})"


def _iso(node: Any | None) -> str:
    if node is None:
        return ""
    value = (node.get("date") or "").strip()
    try:
        return Date.fromisoformat(value).isoformat()
    except ValueError:
        return ""


class _Reader:
    def __init__(self, root: Any, source: str) -> None:
        self.root = root
        self.source = source
        self.doc = next((c for c in root if _local(c.tag) not in ("components",)), root)
        self.symbol = self._symbol()
        self.out = _Builder(self.symbol)
        self.unnumbered: dict[str, int] = {}
        self.unnumbered_keys: set[tuple[str, str]] = set()
        self.heading_extra: list[str] = []
        self.closing: list[str] = []  # the conclusions: "54th plenary meeting", "15 December 2022"
        self.main_part = ""
        self.pp_count: dict[str, int] = {}

    def _symbol(self) -> str:
        numbers = [n for n in self.doc.iter() if _local(n.tag) == "docNumber"]
        for node in numbers:
            if (node.get("refersTo") or "") == "#symbol":
                return normalise_space("".join(node.itertext()))
        for node in numbers:
            text = normalise_space("".join(node.itertext()))
            if "/" in text:
                return text
        raise LoadError(f"{self.source}: Akoma Ntoso file without a document symbol (no <docNumber>).")

    # -- metadata
    def metadata(self) -> tuple[str, str, str, list[str]]:
        cover = _first(self.doc, "coverPage")
        body = ""
        heading: list[str] = []
        adoption = ""
        issued = ""
        if cover is not None:
            for node in cover.iter():
                name = _local(node.tag)
                if name == "docAuthority" and (node.get("refersTo") or "") == "#issuingBody":
                    body = normalise_space("".join(node.itertext()))
                if name == "docDate":
                    if (node.get("refersTo") or "") == "#adoptionDate":
                        adoption = adoption or _iso(node)
                    else:
                        issued = issued or _iso(node)
            for paragraph in _children(cover, "p"):
                text = _phrase_text(paragraph)
                refers = " ".join((n.get("refersTo") or "") for n in paragraph.iter())
                if text and "#publisher" not in refers and "#generalDistribution" not in refers:
                    heading.append(text)
        conclusions = _first(self.doc, "conclusions")
        if conclusions is not None:
            adoption = adoption or _iso(_first(conclusions, "docDate"))
            self.closing = _lines(conclusions)
        if not adoption:
            match = re.search(r"\bon\s*(\d{1,2} \w+ \d{4})", " ".join(heading))
            if match:
                from rag.parse import iso_date

                adoption = iso_date(match.group(1))
        title = ""
        preface = _first(self.doc, "preface")
        if preface is not None:
            title_node = _first(preface, "docTitle")
            if title_node is not None:
                title = _phrase_text(title_node)
            preface_text = normalise_space(" ".join(preface.itertext()))
            if preface_text:
                heading.append(preface_text)
        if not title:
            titles = [normalise_space("".join(n.itertext())) for n in self.doc.iter() if _local(n.tag) == "docTitle"]
            title = titles[0] if titles else ""
        if _NUMBER_ONLY_TITLE.match(title):
            topic = self.catalogue_topic()
            if topic:
                title = f"{title} [{topic}]"
        if self.symbol not in heading:
            heading.insert(0, self.symbol)
        return title, body, adoption or issued, heading

    def catalogue_topic(self) -> str:
        """The topic the library catalogue gives a text in its title keyword ("on protection of humanitarian
        personnel ..."), or ``""``. Security Council resolutions print no topic title, only their number."""
        for node in self.doc.iter():
            if _local(node.tag) == "keyword" and (node.get("refersTo") or "") == "title":
                match = CATALOGUE_TOPIC.search(normalise_space(node.get("value") or ""))
                if match:
                    return match.group("topic")
        return ""

    # -- structure
    def preamble_item(self, node: Any, part: str) -> None:
        name = _local(node.tag)
        if name == "formula" or (name == "container" and (node.get("name") or "") == "formula"):
            text = _collect(node, self.out.footnotes).text
            self.out.formulas.append(text)
            if part:
                self.out.add(kind="heading", number="", text=text, part=part)
            else:
                self.heading_extra.append(text)
            return
        if name == "container":
            got = _collect(node, self.out.footnotes)
            if not got.text:
                return
            self.pp_count[part] = self.pp_count.get(part, 0) + 1
            self.out.add(kind="preambular", number=str(self.pp_count[part]), text=got.text,
                         footnotes=tuple(got.markers), part=part, lead=got.lead)
            return
        if name == "paragraph":
            self.paragraph(node, part)

    def paragraph(self, node: Any, part: str) -> None:
        number = _num(node)
        lists = _children(node, "list")
        content = next(iter(_children(node, "content")), None)
        embedded: list[Any] = []
        if lists:
            intro = next(iter(_children(lists[0], "intro")), None)
            got = _collect(intro, self.out.footnotes) if intro is not None else _Text("")
        else:
            target = content if content is not None else node
            got = _collect(target, self.out.footnotes)
            embedded = [n for n in target.iter() if _local(n.tag) == "embeddedStructure"]
        if not number:
            match = _LEADING_NUMBER.match(got.text)
            if match:
                number = match.group("num")
                got.text = got.text[match.end():]
                got.lead = got.lead if not got.lead.startswith(number) else ""
        if not number:
            self.unnumbered[part] = self.unnumbered.get(part, 0) + 1
            number = str(self.unnumbered[part])
            self.unnumbered_keys.add((part, number))
        self.out.add(kind="operative", number=number, text=got.text, footnotes=tuple(got.markers),
                     part=part, lead=got.lead)
        for sub_list in lists:
            self.points(sub_list, number, part)
        for structure in embedded:
            self.embedded(structure)

    def points(self, node: Any, parent: str, part: str) -> None:
        for point in _children(node, "point"):
            number = _sub_number(parent, _num(point))
            nested = _children(point, "list")
            if nested:
                intro = next(iter(_children(nested[0], "intro")), None)
                got = _collect(intro, self.out.footnotes) if intro is not None else _Text("")
            else:
                content = next(iter(_children(point, "content")), point)
                got = _collect(content, self.out.footnotes)
            self.out.add(kind="operative", number=number, text=got.text, footnotes=tuple(got.markers),
                         part=part, parent=parent)
            for sub_list in nested:
                self.points(sub_list, number, part)

    def embedded(self, structure: Any) -> None:
        drafts = sum(1 for p in self.out.passages if p.kind == "heading" and p.part.startswith("draft"))
        part = "draft" if drafts == 0 else f"draft {drafts + 1}"
        saw_formula = False
        for child in structure:
            name = _local(child.tag)
            if name in ("formula", "container") and (name == "formula" or (child.get("name") or "") == "formula"):
                saw_formula = True
            self.preamble_item(child, part)
        if not saw_formula:
            self.out.add(kind="heading", number="", text="", part=part)

    def main_item(self, node: Any) -> None:
        """A child of ``mainBody``. After an unnumbered "Adopts the following declaration:"
        that embeds nothing, the paragraphs that follow are the adopted text (``part="annex"``),
        its title in heading-only paragraphs."""
        if _local(node.tag) != "paragraph":
            self.preamble_item(node, self.main_part)
            return
        last = self.out.passages[-1] if self.out.passages else None
        if (self.main_part == "" and last is not None and last.part == "" and last.kind == "operative"
                and (last.part, last.number) in self.unnumbered_keys and last.text.endswith(":")):
            self.main_part = "annex"
        title = " ".join(normalise_space("".join(h.itertext())) for h in _children(node, "heading")).strip()
        if title:
            self.add_heading(self.main_part, title)
        if any(_local(child.tag) in ("content", "list", "num") for child in node):
            self.paragraph(node, self.main_part)

    def add_heading(self, part: str, text: str) -> None:
        """Heading text of a part: the main heading, or one heading passage per other part."""
        if not part:
            self.heading_extra.append(text)
            return
        last = self.out.passages[-1] if self.out.passages else None
        if last is not None and last.kind == "heading" and last.part == part:
            self.out.passages[-1] = replace(last, text=f"{last.text}\n{text}")
        else:
            self.out.add(kind="heading", number="", text=text, part=part)

    def read(self) -> Document:
        title, body, when, heading = self.metadata()
        preamble = _first(self.doc, "preamble")
        if preamble is not None:
            for child in preamble:
                self.preamble_item(child, "")
        main = _first(self.doc, "mainBody")
        if main is not None:
            for child in main:
                self.main_item(child)
        heading_text = "\n".join(heading + self.heading_extra + self.closing)
        heading_passage = Passage(doc=self.symbol, kind="heading", number="", text=heading_text)
        passages = [heading_passage, *[p for p in self.out.passages if p.kind != "heading" or p.text]]
        return _link_footnotes(
            Document(
                symbol=self.symbol,
                title=title,
                body=body,
                date=when,
                enacting_formulas=list(self.out.formulas),
                passages=passages,
                source=self.source,
            ),
            self.out.footnotes,
        )


def _link_footnotes(document: Document, footnotes: dict[str, str]) -> Document:
    cited: dict[str, list[str]] = {marker: [] for marker in footnotes}
    for passage in document.passages:
        for marker in passage.footnotes:
            if passage.label not in cited.setdefault(marker, []):
                cited[marker].append(passage.label)
    for marker, text in footnotes.items():
        document.passages.append(
            Passage(doc=document.symbol, kind="footnote", number=marker, text=text, cited_by=tuple(cited[marker]))
        )
    return document


def load_akn_bytes(data: bytes, source: str = "") -> Document:
    """Parse AKN4UN XML bytes into a ``Document``; ``LoadError`` when it is not valid AKN."""
    from defusedxml import DefusedXmlException
    from defusedxml import ElementTree as SafeTree

    name = source or "<xml>"
    try:
        root = SafeTree.fromstring(data, forbid_dtd=True)  # AKN never needs a DTD
    except DefusedXmlException as error:
        raise LoadError(f"{name}: XML with forbidden constructs (entities or DTD) refused: {error}.") from None
    except SafeTree.ParseError as error:
        raise LoadError(f"{name} is not well-formed XML ({error}).") from None
    if _local(root.tag) != "akomaNtoso":
        raise LoadError(f"{name} is XML but not Akoma Ntoso (root <{_local(root.tag)}>).")
    try:
        return _Reader(root, source).read()
    except RecursionError:
        raise LoadError(f"{name}: its elements are nested too deeply for a UN document; refusing to read it.") from None


def load_akn(path: str) -> Document:
    """Read an AKN4UN file from disk."""
    with open(path, "rb") as handle:
        return load_akn_bytes(handle.read(), source=str(path))
