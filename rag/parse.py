"""Structural parser: UN resolution text -> ``Document`` of paragraphs and footnotes.

``parse_file(path)`` loads a file (``rag.load``), returns the Akoma Ntoso
structure as it is, and otherwise parses the text:

1. ``rag.clean`` drops page furniture, lifts footnote blocks out and keeps each
   line's indentation and page;
2. lines are grouped into blocks (paragraphs) by the document's own layout:
   indentation where paragraph starts are indented, blank lines where they
   separate paragraphs, and numbering ("12.", "(a)") and lead words anywhere;
   blocks split by a page foot are rejoined;
3. blocks are read in order: front matter up to the enacting formula ("The
   General Assembly,"), preambular paragraphs, numbered operative paragraphs with
   sub-paragraphs, an unnumbered single operative paragraph, a draft embedded
   after a paragraph that introduces it (a new enacting formula follows a
   paragraph ending with ":"), an annexed or adopted text (no formula follows, or
   an "Annex" line), and the closing lines ("54th plenary meeting", the date of adoption), which end
   the heading passage, a line each (the heading holds the document's own facts);
4. footnote markers are told from real numbers by their sequence (markers run
   1, 2, 3 ... through the document) and by their note being on the same page,
   then removed from the text and linked both ways (``rag.footnote_markers``).

Text with none of this structure falls back to plain numbered paragraphs, with a
warning in ``Document.warnings``.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import TYPE_CHECKING

from rag.clean import (
    SYMBOL,
    Line,
    Note,
    clean_pages,
    is_page_furniture,
    join_lines,
    normalise_chars,
    tidy,
)
from rag.errors import ParseError
from rag.footnote_markers import link_footnotes
from rag.types import MONTHS, Document, LoadedText, Page, Passage, PassageKind, format_label

if TYPE_CHECKING:
    from rag.settings import Settings

# --------------------------------------------------------------- reference

#: Warnings kept on a Document; the rest are counted in the last one.
MAX_WARNINGS = 20

_DATE = re.compile(r"\b(\d{1,2})\s+(" + "|".join(MONTHS) + r")\s+(\d{4})\b")

#: Issuing bodies by symbol series; the longest matching prefix wins.
SYMBOL_SERIES: dict[str, str] = {
    "A/HRC/": "Human Rights Council",
    "A/": "General Assembly",
    "S/": "Security Council",
    "E/CN.3/": "Statistical Commission",
    "E/CN.4/": "Commission on Human Rights",
    "E/CN.5/": "Commission for Social Development",
    "E/CN.6/": "Commission on the Status of Women",
    "E/CN.7/": "Commission on Narcotic Drugs",
    "E/CN.9/": "Commission on Population and Development",
    "E/CN.15/": "Commission on Crime Prevention and Criminal Justice",
    "E/CN.16/": "Commission on Science and Technology for Development",
    "E/CN.17/": "Commission on Sustainable Development",
    "E/": "Economic and Social Council",
    "TD/": "United Nations Conference on Trade and Development",
    "UNEP/": "United Nations Environment Programme",
    "FCCC/": "United Nations Framework Convention on Climate Change",
    "CRC/": "Committee on the Rights of the Child",
    "CEDAW/": "Committee on the Elimination of Discrimination against Women",
    "ST/": "Secretariat",
}

#: Nouns that name a body in an enacting formula ("The General Assembly,", "The Commission on ...").
BODY_NOUNS = {
    "Assembly", "Council", "Commission", "Conference", "Committee", "Parties", "Board", "Congress", "Forum",
    "Meeting", "Organization", "Group", "Court", "Secretariat", "Members", "States", "Governments", "Summit",
}

#: Adjectives and participles that open preambular paragraphs without "-ing"/"-ed".
PREAMBLE_ADJECTIVES = {
    "Mindful", "Aware", "Conscious", "Cognizant", "Desirous", "Confident", "Anxious", "Resolved", "Determined",
    "Convinced", "Concerned", "Alarmed", "Acknowledging", "Bearing", "Having", "Guided", "Keen", "Eager",
    "Sharing", "Taking", "Seized", "Gravely", "Deeply", "Fully", "Firmly", "Strongly", "Noting",
}

#: First words that open an operative paragraph without being its verb ("In regard to ..., endorses").
_NOT_VERBS = {"In", "On", "At", "For", "With", "By", "The", "A", "An", "To", "We", "It", "This", "Given", "As"}

_NUMBERED = re.compile(r"^(?P<num>\d{1,3})\.\s+(?P<rest>\S.*)$", re.S)
_LETTERED = re.compile(r"^\((?P<num>[a-z]{1,2}|[ivxlc]{1,6}|\d{1,2})\)\s+(?P<rest>\S.*)$", re.S)
_BULLET = re.compile(r"^[\u2014\u2013\u2022\u25cf\u25aa\u00b7*-]\s+(?P<rest>\S.*)$", re.S)
#: A section heading inside a text: "II. Commitments", "B. Follow-up" (short, no final punctuation).
_SECTION = re.compile(r"^(?:[IVX]{1,5}|[A-H])\.\s+[A-Z][^.;:]{0,100}$")
_RES_NUMBER_TITLE = re.compile(r"^(?P<num>\d{2,4}/\d{1,4}(?: [A-Z])?)\.\s+(?P<title>\S.*)$", re.S)
_CLOSING = re.compile(
    r"^(?:\d{1,4}(?:st|nd|rd|th)\s+(?:plenary\s+)?meeting\b.*|(?:\d{1,2}\s+(?:" + "|".join(MONTHS) + r")\s+\d{4}))$",
    re.I,
)
_ANNEX = re.compile(r"^(?:Annex|ANNEX|Appendix)(?:\s+[IVXLC\d]+)?\.?$")

_LEAD = re.compile(
    r"""^(?P<lead>
      (?:(?:Also|Further|Again|Once\ again|[A-Z][a-z]+ly)\s+)?
      (?P<head>Having\s+(?:been\s+)?[a-z]+|Continu(?:es|ing)\s+to\s+[a-z]+|[A-Za-z][a-z]+)
      (?:\s+(?:
          note(?:\s+with\s+(?:deep\s+|great\s+|grave\s+|serious\s+)?(?:appreciation|satisfaction|concern|interest))?
        | into\s+account | in\s+mind
        | with\s+(?:deep\s+|great\s+|grave\s+|serious\s+)?(?:appreciation|satisfaction|concern|regret|interest|alarm)
        | (?:deep|serious|grave|its|their|full|strong|great)\s+(?:concern|appreciation|gratitude|determination
            |conviction|support|invitation|intention|readiness|regret|call|demand|request|alarm)
        | concern | appreciation | upon | on\b | attention
      ))?
      (?:\s+(?:also|further|again|once\ again|moreover))?
    )(?=[\s,;:]|$)""",
    re.VERBOSE,
)


def iso_date(text: str) -> str:
    """First "15 December 2022" style date in ``text`` as ISO, or ``""``.

    >>> iso_date("Resolution adopted by the General Assembly on 15 December 2022")
    '2022-12-15'
    """
    match = _DATE.search(text)
    if not match:
        return ""
    return f"{match.group(3)}-{MONTHS.index(match.group(2)) + 1:02d}-{int(match.group(1)):02d}"


def body_for_symbol(symbol: str) -> str:
    """Issuing body of a symbol series.

    >>> body_for_symbol("E/CN.15/2019/L.8/Rev.1"), body_for_symbol("S/RES/2730 (2024)")
    ('Commission on Crime Prevention and Criminal Justice', 'Security Council')
    """
    best = max((prefix for prefix in SYMBOL_SERIES if symbol.startswith(prefix)), key=len, default="")
    return SYMBOL_SERIES.get(best, "")


def lead_of(text: str, *, operative: bool = False) -> str:
    """The lead phrase of a paragraph (what UN texts set in italics).

    >>> lead_of("Taking note with appreciation of the report")
    'Taking note with appreciation'
    >>> lead_of("Recalling also its resolution 70/1,"), lead_of("Deeply concerned by the violations,")
    ('Recalling also', 'Deeply concerned')
    >>> lead_of("Also requests the Secretary-General", operative=True)
    'Also requests'
    >>> lead_of("We, Heads of State and Government,")
    ''
    """
    match = _LEAD.match(text)
    if not match:
        return ""
    head = match.group("head")
    first = match.group("lead").split()[0]
    if not first[0].isupper():
        return ""
    if operative:
        verb_like = head[0].isupper() or first in ("Also", "Further", "Again") or first.endswith("ly")
        return match.group("lead") if verb_like and first not in _NOT_VERBS else ""
    if is_preamble_head(match.group("lead")):
        return match.group("lead")
    return ""


def is_preamble_head(text: str) -> bool:
    """Does ``text`` open like a preambular paragraph (participle or adjective)?

    >>> is_preamble_head("Recalling its"), is_preamble_head("Deeply concerned"), is_preamble_head("Decides to")
    (True, True, False)
    """
    words = text.split()
    if not words:
        return False
    head = words[0]
    if head.endswith("ly") and len(words) > 1 and head[0].isupper():
        head = words[1]
    head = head.strip(",;:")
    if not head[:1].isalpha():
        return False
    return head.endswith(("ing", "ed")) or head.capitalize() in PREAMBLE_ADJECTIVES


def is_operative_head(text: str) -> bool:
    """Does ``text`` open with a verb in the third person ("Decides", "Also requests")?

    >>> is_operative_head("Recommends to the General Assembly"), is_operative_head("Conscious of")
    (True, False)
    """
    words = text.split()
    if not words:
        return False
    head = words[0]
    if head in ("Also", "Further", "Again") or (head.endswith("ly") and len(words) > 1):
        head = words[1] if len(words) > 1 else ""
    head = head.strip(",;:")
    return bool(re.fullmatch(r"[A-Za-z][a-z]+s", head)) and not head.endswith(("ss", "ous", "ics", "us"))


def is_enacting_formula(text: str) -> bool:
    """"The General Assembly," and the like: a short capitalised name of a body.

    >>> [is_enacting_formula(t) for t in ["The General Assembly,", "The Economic and Social Council",
    ...   "The Conference of the Parties,", "The Commission on Narcotic Drugs,",
    ...   "The Commission recommends to the Council:", "The situation in Iraq", "The Istanbul Declaration"]]
    [True, True, True, True, False, False, False]
    """
    text = text.strip()
    name_word = r"(?:[A-Z][\w.'’-]*|and|of|on|for|the|in|to|at)"
    match = re.fullmatch(rf"The\s+(?P<name>[A-Z][\w.'’-]*(?:\s+{name_word})*)\s*[,:]?", text)
    if not match:
        return False
    words = match.group("name").split()
    return len(words) <= 12 and any(word.strip(",:") in BODY_NOUNS for word in words)


# ------------------------------------------------------------------ blocks


@dataclass
class Block:
    """A run of lines that forms one paragraph (or front-matter item)."""

    lines: list[Line]
    _cache: tuple[int, str] = (-1, "")

    @property
    def text(self) -> str:
        """The lines joined and repaired (cached until lines are added)."""
        if self._cache[0] != len(self.lines):
            self._cache = (len(self.lines), tidy(join_lines(line.text for line in self.lines)))
        return self._cache[1]

    @property
    def first(self) -> str:
        return self.lines[0].text

    @property
    def last(self) -> str:
        return self.lines[-1].text

    @property
    def pages(self) -> tuple[int, ...]:
        return tuple(sorted({line.page for line in self.lines if line.page > 0}))

    @property
    def sheets(self) -> set[int]:
        return {line.sheet for line in self.lines}


def _structural_start(text: str) -> bool:
    return bool(_NUMBERED.match(text) or _LETTERED.match(text) or _BULLET.match(text))


def _ends_clause(text: str) -> bool:
    """Does ``text`` end a clause, a footnote marker aside ("...,", "...;6", "..., 5/")?

    >>> [_ends_clause(t) for t in ["regard,", "Office;6", "Herzegovina, 5/", "United Nations", "the 2030"]]
    [True, True, True, False, False]
    """
    return bool(re.search(r"[.;:,!?]['’”\"]?\s*(?:\d{1,3}/?|\*{1,3})?$", text))


def _layout(lines: Sequence[Line]) -> tuple[bool, int | None]:
    """(double spaced?, indentation of paragraph starts or ``None`` when indentation means nothing)."""
    if not lines:
        return False, None
    spaced = [previous for previous, line in pairwise(lines) if line.blanks == 1]
    # double spacing: nearly every line is followed by a blank line although most lines stop mid-sentence
    # (a text with one paragraph per line has blank lines too, but its lines end clauses)
    double = (
        len(lines) > 10
        and len(spaced) / max(1, len(lines) - 1) > 0.6
        and sum(1 for line in spaced if _ends_clause(line.text)) / max(1, len(spaced)) < 0.5
    )
    base = Counter(line.indent for line in lines).most_common(1)[0][0]
    starts = [line.indent for line in lines if _NUMBERED.match(line.text) or is_preamble_head(line.text)]
    starts = [indent for indent in starts if indent > base]
    if len(starts) < 2:
        return double, None
    # of the two commonest start indentations, the smaller (a cover line may sit deeper)
    start_indent = min(indent for indent, _ in Counter(starts).most_common(2))
    return double, start_indent


def segment(lines: Sequence[Line], layout: tuple[bool, int | None] | None = None) -> list[Block]:
    """Group lines into blocks using blank lines, indentation and numbering.

    >>> rows = [("Recalling its resolution 70/1,", 2), ("and noting it,", 0), ("Recalling also its", 2),
    ...         ("Resolution 71/1,", 0), ("1. Decides to act;", 2), ("2. Requests the", 2),
    ...         ("Secretary-General to report.", 0)]
    >>> for block in segment([Line(text, indent, 0, 0) for text, indent in rows]):
    ...     print(block.text)
    Recalling its resolution 70/1, and noting it,
    Recalling also its Resolution 71/1,
    1. Decides to act;
    2. Requests the Secretary-General to report.
    """
    double, start_indent = layout or _layout(lines)
    blocks: list[Block] = []
    for line in lines:
        if not blocks:
            blocks.append(Block([line]))
            continue
        previous = blocks[-1].last
        starts = False
        if line.blanks >= (2 if double else 1):
            starts = True
        if start_indent is not None and line.indent >= start_indent and not line.text[0].islower():
            starts = True
        if is_enacting_formula(line.text) or is_enacting_formula(previous):
            starts = True  # "The General Assembly," stands alone
        if _CLOSING.match(line.text) and (_ends_clause(previous) or _CLOSING.match(previous)):
            starts = True  # "54th plenary meeting" after the last paragraph
        if start_indent is None and _ends_clause(previous) and (
            _structural_start(line.text) or (re.search(r"[,;:]\d{0,3}$", previous) and is_preamble_head(line.text))
        ):
            starts = True  # no indentation to go by: numbering and lead words after a clause end
        if starts:
            blocks.append(Block([line]))
        else:
            blocks[-1].lines.append(line)
    return blocks


def _continues(previous: Block, block: Block) -> bool:
    """Is ``block`` the rest of ``previous``, cut by a page foot or a stray blank line?

    A paragraph that stops without punctuation goes on in the next block ("... held at
    United Nations" / "Headquarters in New York ..."), unless that block is numbered, a
    formula, a heading or a closing line.
    """
    first = block.first
    if (_structural_start(first) or _SECTION.match(first) or is_enacting_formula(first)
            or _CLOSING.match(block.text) or _ANNEX.match(first) or _ANNEX.match(previous.text)):
        return False
    if first[0].islower() or re.search(r"[A-Za-z] ?-$", previous.last):
        return True
    if len(previous.lines) == 1 and len(previous.text.split()) <= 12:
        return False  # a title line ("Declaration on ...") before a paragraph
    return not (_ends_clause(previous.last) or _CLOSING.match(previous.text) or _SECTION.match(previous.first)
                or is_enacting_formula(previous.text))


def _split_lines(blocks: Sequence[Block]) -> list[Block]:
    """Front matter without indentation to go by: one item per line, continuation lines
    (lower-case start, or after a hyphen) kept with the line before.

    >>> [b.text for b in _split_lines([Block([Line(t, 0, 0, 0) for t in ["Security Council",
    ...   "Adopted by the Council at its 4653rd meeting,", "on 4 December 2002"]])])]
    ['Security Council', 'Adopted by the Council at its 4653rd meeting, on 4 December 2002']
    """
    items: list[Block] = []
    for block in blocks:
        for line in block.lines:
            if items and line is not block.lines[0] and (line.text[0].islower() or items[-1].last.endswith("-")):
                items[-1].lines.append(line)
            else:
                items.append(Block([line]))
    return items


def rejoin(blocks: list[Block], start_indent: int | None = None) -> list[Block]:
    """Merge blocks that continue the one before them (a block that starts at the
    paragraph indentation of an indented layout is never a continuation)."""
    out: list[Block] = []
    for block in blocks:
        indented = start_indent is not None and block.lines[0].indent >= start_indent
        if out and not indented and _continues(out[-1], block):
            out[-1].lines.extend(block.lines)
        else:
            out.append(block)
    return out


# ---------------------------------------------------------------- symbols


def find_symbol(pages: Sequence[Page]) -> str:
    """The document symbol from page headers or the cover: the symbol most often
    printed alone on a line, the first one on ties.

    >>> find_symbol([Page(0, "United Nations A/RES/77/236\\nGeneral Assembly\\n...\\nA/RES/77/236\\n")])
    'A/RES/77/236'
    """
    counts: Counter[str] = Counter()
    first_seen: dict[str, int] = {}
    position = 0
    for page in pages:
        for raw in normalise_chars(page.text).split("\n"):
            line = raw.strip()
            if not line:
                continue
            position += 1
            if not is_page_furniture(line):
                continue
            for symbol in re.findall(SYMBOL, line):
                symbol = symbol.rstrip("*").strip()
                if re.fullmatch(r"\d+/\d+", symbol):
                    continue
                counts[symbol] += 1
                first_seen.setdefault(symbol, position)
    if not counts:
        return ""
    return max(counts, key=lambda s: (counts[s], -first_seen[s]))


def symbol_from_cover(front: str, body: str) -> str:
    """A symbol implied by the cover when none is printed.

    >>> symbol_from_cover("RESOLUTION 787 (1992)\\nAdopted by the Security Council at its 3137th meeting", "")
    'S/RES/787 (1992)'
    >>> symbol_from_cover("77/236. Strengthening ...", "General Assembly")
    'A/RES/77/236'
    """
    match = re.search(r"\bresolution\s+(\d{1,5})\s+\((\d{4})\)", front, re.I)
    if match and "Security Council" in front:
        return f"S/RES/{match.group(1)} ({match.group(2)})"
    match = re.search(r"^(\d{2,4}/\d{1,4})\.\s", front, re.M)
    if match:
        if body == "General Assembly":
            return f"A/RES/{match.group(1)}"
        if body == "Economic and Social Council":
            return f"E/RES/{match.group(1)}"
    return ""


def symbol_from_filename(source: str) -> str:
    """A stable stand-in symbol derived from a file name.

    >>> symbol_from_filename("data/E-CN.15-2019-L.8-Rev.1.txt"), symbol_from_filename("x/S_RES_787_1992.txt")
    ('E/CN.15/2019/L.8/Rev.1', 'S/RES/787 (1992)')
    >>> symbol_from_filename("notes on the meeting.txt")
    'notes on the meeting'
    """
    stem = Path(source).stem if source else "document"
    for suffix in (".akn", ".gold"):
        stem = stem.removesuffix(suffix)
    candidate = re.sub(r"[-_]", "/", stem)
    if re.fullmatch(r"[A-Z][A-Za-z]{0,7}(?:\.\d+)?(?:/[A-Za-z0-9.]+)+", candidate):
        match = re.fullmatch(r"(S/RES/\d+)/(\d{4})", candidate)
        return f"{match.group(1)} ({match.group(2)})" if match else candidate
    return stem or "document"


# ------------------------------------------------------------- paragraphs


@dataclass
class Para:
    """A paragraph being built: kind, number, part and the block(s) it came from."""

    kind: PassageKind
    number: str
    text: str
    pages: tuple[int, ...] = ()
    sheets: set[int] = field(default_factory=set)
    part: str = ""
    parent: str = ""
    lead: str = ""
    footnotes: list[str] = field(default_factory=list)


_FRONT_NOISE = re.compile(r"^(?:United Nations|Distr\.?:?\s*\w+.*|Original:\s*\w+|\*\d+\*)$", re.I)
_DISTRIBUTION = re.compile(r"\bDistr\.?:?\s*(?:General|Limited|Restricted)\b", re.I)
_COVER_LINE = re.compile(
    r"""^(?:.*\bDistr\b.*|Original:.*|.*\bsession\b.*|Agenda\s+item.*|Item\s+\d+.*|Resolution\s+adopted\s+by.*
      |Adopted\s+by.*|\[.*\]|.*:\s*(?:revised\s+)?draft\s+(?:resolution|decision).*|General\s+Assembly|Security\s+Council
      |Economic\s+and\s+Social\s+Council|United\s+Nations|\d{1,2}\s+\w+\s+\d{4}|.*:$)$""",
    re.VERBOSE | re.I,
)


@dataclass
class _Level:
    """An open level of sub-paragraphs: its style ("letter", "roman", "digit"), the
    number of what it hangs under, and its last label."""

    style: str
    parent: str
    last: str


def roman_value(label: str) -> int:
    """Value of a lower-case roman numeral, 0 when it is not one.

    >>> roman_value("iv"), roman_value("xii"), roman_value("b")
    (4, 12, 0)
    """
    values = {"i": 1, "v": 5, "x": 10, "l": 50, "c": 100}
    if not label or any(ch not in values for ch in label):
        return 0
    total = 0
    for index, ch in enumerate(label):
        value = values[ch]
        total += -value if index + 1 < len(label) and values[label[index + 1]] > value else value
    return total


class _Reader:
    """Reads blocks in order into paragraphs (step 3 of the module doc).

    ``section`` is where we are in the current ``part``: ``front`` (before any
    enacting formula), ``preamble``, ``operative``, or ``part-heading`` (title
    lines of an annex before its paragraphs).
    """

    def __init__(self) -> None:
        self.paras: list[Para] = []
        self.front: list[Block] = []
        self.formulas: list[str] = []
        self.part_headings: dict[str, list[Block]] = {}
        self.warnings: list[str] = []
        self.part = ""
        self.section = "front"
        self.pp_count: Counter[str] = Counter()
        self.unnumbered: Counter[str] = Counter()
        self.next_op: dict[str, int] = {}
        self.current: Para | None = None  # the top-level operative paragraph sub-paragraphs hang under
        self.levels: list[_Level] = []
        self.nested: tuple[str, int] | None = None  # (parent number, last item) of a numbered list in an OP
        self.closed = False
        self.closing: list[Block] = []  # "54th plenary meeting", "15 December 2022"
        self.parts_started: Counter[str] = Counter()

    # -- building blocks
    def _start_part(self, base: str) -> None:
        self.parts_started[base] += 1
        count = self.parts_started[base]
        self.part = base if count == 1 else f"{base} {count}"
        self.section = "part-heading" if base == "annex" else "preamble"
        self.current, self.levels, self.nested, self.closed = None, [], None, False
        self.part_headings.setdefault(self.part, [])

    def _add(self, kind: PassageKind, number: str, block: Block, text: str, *, parent: str = "",
             lead: str = "") -> Para:
        para = Para(kind, number, text, block.pages, set(block.sheets), self.part, parent, lead)
        self.paras.append(para)
        return para

    def _append(self, block: Block, text: str, separator: str = " ") -> None:
        para = self.paras[-1]
        para.text = f"{para.text}{separator}{text}".strip()
        para.pages = tuple(sorted(set(para.pages) | set(block.pages)))
        para.sheets |= block.sheets

    def _last_in_part(self) -> Para | None:
        return self.paras[-1] if self.paras and self.paras[-1].part == self.part else None

    def _introduces_text(self) -> bool:
        """Does the last paragraph introduce a text ("Adopts the following declaration:")?"""
        last = self._last_in_part()
        return last is not None and last.text.endswith(":")

    # -- entry points
    def read(self, blocks: list[Block], *, start_indent: int | None) -> None:
        start = self._body_start(blocks)
        self.front = blocks[:start] if start_indent is not None else _split_lines(blocks[:start])
        for block in rejoin(blocks[start:], start_indent):
            self.feed(block)

    def _body_start(self, blocks: list[Block]) -> int:
        for index, block in enumerate(blocks):
            if is_enacting_formula(block.text):
                return index
        for index, block in enumerate(blocks):
            text = block.text
            if _NUMBERED.match(text) or (is_preamble_head(text) and _ends_clause(text) and len(text) > 40):
                self.warnings.append("no enacting formula (\"The General Assembly,\") found; "
                                     "the body is taken to start at the first paragraph")
                return index
        return len(blocks)

    def feed(self, block: Block) -> None:
        text = block.text
        if not text:
            return
        if _CLOSING.match(text):
            self.closed, self.current = True, None
            self.closing.append(block)
            return
        if _ANNEX.match(text):
            self._start_part("annex")
            return
        if is_enacting_formula(text):
            self._formula(block, text)
            return
        if _SECTION.match(text) and len(text.split()) <= 15:
            # "II. Commitments": a section heading of a long text goes with the part's heading
            (self.part_headings.setdefault(self.part, []) if self.part else self.front).append(block)
            return
        numbered, lettered, bullet = _NUMBERED.match(text), _LETTERED.match(text), _BULLET.match(text)
        last = self._last_in_part()
        if (lettered or bullet) and last is not None and self.section == "operative":
            if lettered:
                self._sub(block, lettered.group("num"), lettered.group("rest"))
            else:
                self._append(block, text, "\n")
            return
        if self.closed or (self.section == "operative" and not numbered and last is not None
                           and last.kind == "operative" and not last.parent and last.number.isdigit()
                           and self.next_op.get(self.part) is None and self._introduces_text()):
            # after the closing lines, or after an unnumbered "Adopts the following ...:" without a new
            # enacting formula: an annexed or adopted text with its own numbering
            self._start_part("annex")
        if self.section == "part-heading":
            if not numbered and not _ends_clause(text):
                self.part_headings[self.part].append(block)  # title lines of the annexed text
                return
            self.section = "preamble"
        if numbered and not self._nested_item(block, numbered):
            self._operative(block, numbered.group("num"), numbered.group("rest"))
        elif numbered:
            return
        elif lettered and last is not None:
            self._sub(block, lettered.group("num"), lettered.group("rest"))
        elif bullet and last is not None:
            self._append(block, text, "\n")
        elif self.section == "operative" and last is not None:
            if is_operative_head(text) and self.next_op.get(self.part) is None:
                self._unnumbered_operative(block, text)
            elif lead_of(text) and _ends_clause(last.text) and _ends_clause(text):
                self._preambular(block, text)  # a whole preambular-looking paragraph, not a tail
            else:
                self._append(block, text)  # a paragraph's tail the layout did not join
        elif self.section in ("preamble", "front") and is_operative_head(text) and not is_preamble_head(text):
            self._unnumbered_operative(block, text)
        else:
            self._preambular(block, text)

    def _formula(self, block: Block, text: str) -> None:
        self.formulas.append(text)
        if self.section == "front":
            self.section = "preamble"
            self.front.append(block)
            return
        if self.section == "part-heading":
            self.part_headings[self.part].append(block)
            self.section = "preamble"
            return
        if self._introduces_text() or self.section == "operative":
            # a draft introduced by the paragraph before, or the next of several texts ("Draft resolution II")
            if not self._introduces_text():
                self.warnings.append(f"another enacting formula ({text!r}) after operative paragraphs: "
                                     "what follows is read as a separate draft")
            self._start_part("draft")
            self.part_headings[self.part].append(block)
            return
        self.warnings.append(f"another enacting formula ({text!r}) within the preamble; kept as a heading")
        self.part_headings.setdefault(self.part, []).append(block)

    def _preambular(self, block: Block, text: str) -> None:
        self.section = "preamble"
        self.pp_count[self.part] += 1
        self._add("preambular", str(self.pp_count[self.part]), block, text, lead=lead_of(text))
        self.current, self.levels = None, []

    def _operative(self, block: Block, number: str, rest: str) -> None:
        expected = self.next_op.get(self.part, 1)
        if int(number) != expected:
            where = f" ({self.part})" if self.part else ""
            after = f"paragraph {expected - 1}" if expected > 1 else "the preamble"
            self.warnings.append(f"operative paragraph {number}{where} follows {after}")
        self.next_op[self.part] = int(number) + 1
        self.section = "operative"
        self.current = self._add("operative", number, block, rest, lead=lead_of(rest, operative=True))
        self.levels, self.nested = [], None

    def _unnumbered_operative(self, block: Block, text: str) -> None:
        self.unnumbered[self.part] += 1
        self.section = "operative"
        number = str(self.unnumbered[self.part])
        self.current = self._add("operative", number, block, text, lead=lead_of(text, operative=True))
        self.levels, self.nested = [], None

    def _nested_item(self, block: Block, numbered: re.Match[str]) -> bool:
        """A numbered list inside an operative paragraph: "11. Approves the agenda:" then "1. Opening ...".

        The list starts at 1 right after a paragraph ending with ":" and runs on while its
        numbers follow each other, unless a number is the next operative paragraph's and
        reads like one ("12. Decides ...")."""
        value, rest = int(numbered.group("num")), numbered.group("rest")
        if self.nested is not None:
            parent, last = self.nested
            expected_top = self.next_op.get(self.part, 1)
            if value == last + 1 and not (value == expected_top and is_operative_head(rest)):
                self.nested = (parent, value)
                self._add("operative", f"{parent}({value})", block, rest, parent=parent)
                return True
            self.nested = None
            return False
        if (self.current is not None and value == 1 and self._introduces_text()
                and self.next_op.get(self.part, 1) > 1):
            self.nested = (self.current.number, 1)
            self._add("operative", f"{self.current.number}(1)", block, rest, parent=self.current.number)
            return True
        return False

    def _sub(self, block: Block, label: str, rest: str) -> None:
        owner = self.current or next((p for p in reversed(self.paras) if p.part == self.part and not p.parent), None)
        if owner is None:
            self._preambular(block, f"({label}) {rest}")
            return
        style = self._style_of(label)
        index = next((i for i, level in enumerate(self.levels) if level.style == style), None)
        if index is None:
            parent = f"{self.levels[-1].parent}({self.levels[-1].last})" if self.levels else owner.number
            self.levels.append(_Level(style, parent, label))
        else:
            del self.levels[index + 1:]
            self.levels[index].last = label
            parent = self.levels[index].parent
        self._add(owner.kind, f"{parent}({label})", block, rest, parent=parent)

    def _style_of(self, label: str) -> str:
        """"letter", "roman" or "digit": "(i)" is a letter right after "(h)", and "(v)" a roman
        numeral right after "(iv)"; otherwise "(i)" opens roman numerals.

        >>> reader = _Reader()
        >>> reader.levels = [_Level("letter", "6", "h")]
        >>> reader._style_of("i"), reader._style_of("ii"), reader._style_of("c")
        ('letter', 'roman', 'letter')
        >>> reader.levels = [_Level("letter", "6", "a"), _Level("roman", "6(a)", "iv")]
        >>> reader._style_of("v"), reader._style_of("i")
        ('roman', 'roman')
        """
        if label.isdigit():
            return "digit"
        if not roman_value(label):
            return "letter"
        if len(label) > 1:
            return "roman"
        by_style = {level.style: level for level in self.levels}
        letters = by_style.get("letter")
        if letters is not None and len(letters.last) == 1 and ord(label) == ord(letters.last) + 1:
            return "letter"
        romans = by_style.get("roman")
        if romans is not None and roman_value(label) == roman_value(romans.last) + 1:
            return "roman"
        return "roman" if label == "i" else "letter"


# ------------------------------------------------------------------ entry


def parse_text(text_or_loaded: str | LoadedText, source: str = "") -> Document:
    """Parse text (or a loader's ``LoadedText``) into a ``Document``.

    Raises ``ParseError`` only when there is no text at all.
    """
    if isinstance(text_or_loaded, LoadedText):
        if text_or_loaded.structured is not None:
            return text_or_loaded.structured
        pages = text_or_loaded.pages
        source = source or text_or_loaded.path
    else:
        pages = (Page(0, text_or_loaded),)
    raw = "\n".join(page.text for page in pages)
    if not raw.strip():
        raise ParseError(f"{source or 'the text'} holds no text to parse.")
    warnings: list[str] = []
    symbol = find_symbol(pages)
    cleaned = clean_pages(pages)
    layout = _layout(cleaned.lines)
    blocks = segment(cleaned.lines, layout)
    reader = _Reader()
    reader.read(blocks, start_indent=layout[1])
    front_text = "\n".join(block.text for block in reader.front)
    body = body_for_symbol(symbol) if symbol else ""
    if not body:
        body = _body_from_formula(reader.formulas) or _body_from_front(front_text)
    if not symbol:
        from_cover = symbol_from_cover(front_text, body)
        symbol = from_cover or symbol_from_filename(source)
        warnings.append(f"no document symbol is printed in the text; {symbol!r} is inferred from the resolution "
                        "number on the cover" if from_cover else
                        f"no document symbol found in the text; the document is named {symbol!r} after its file")
        if not body:
            body = body_for_symbol(symbol)
    paras = reader.paras
    warnings.extend(reader.warnings)
    structured = any(p.kind in ("preambular", "operative") for p in paras)
    if not structured:
        paras = _fallback(blocks)
        reader.front = []
        warnings.append("no resolution structure (enacting formula, preambular or numbered operative paragraphs) "
                        "recognised: the text is split into plain paragraphs")
    title = _title(reader.front)
    heading = _heading(symbol, reader.front, reader.closing if structured else ())
    part_headings = [
        Para("heading", "", "\n".join(b.text for b in blocks_), part=part,
             pages=tuple(sorted({p for b in blocks_ for p in b.pages})))
        for part, blocks_ in reader.part_headings.items()
        if blocks_
    ]
    paged = any(page.number > 0 for page in pages) and len(pages) > 1
    link_footnotes(paras, cleaned.notes, heading, total_lines=len(cleaned.lines), paged=paged)
    star = re.search(re.escape(symbol) + r"(\*{1,3})(?!\*)", raw) if heading is not None else None
    if heading is not None and star and star.group(1) in {n.marker for n in cleaned.notes}:
        heading.footnotes.insert(0, star.group(1))  # "A/73/L.4*" on the cover: the note is the heading's
    passages = _assemble(symbol, heading, part_headings, paras, cleaned.notes, warnings)
    if len(warnings) > MAX_WARNINGS:
        warnings[MAX_WARNINGS - 1:] = [f"... and {len(warnings) - MAX_WARNINGS + 1} more warnings"]
    closing_text = " ".join(block.text for block in reader.closing)
    when = iso_date(_adoption_line(front_text)) or iso_date(closing_text) or iso_date(front_text)
    return Document(
        symbol=symbol,
        title=title,
        body=body,
        date=when,
        enacting_formulas=list(reader.formulas),
        passages=passages,
        source=source,
        content_hash=hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest(),
        warnings=warnings,
    )


def _adoption_line(front: str) -> str:
    match = re.search(r"(?:adopted|Adopted)\b[^\n]*?\bon\s*(\d{1,2}\s+\w+\s+\d{4})", front)
    return match.group(1) if match else ""


def _body_from_formula(formulas: Sequence[str]) -> str:
    if not formulas:
        return ""
    return re.sub(r"^The\s+", "", formulas[0]).strip(" ,:")


def _body_from_front(front: str) -> str:
    for name in ("General Assembly", "Security Council", "Economic and Social Council", "Human Rights Council"):
        if name in front:
            return name
    return ""


def _title(front: Sequence[Block]) -> str:
    texts = [b.text for b in front]
    for text in texts:
        match = _RES_NUMBER_TITLE.match(text)
        if match:
            return match.group("title").strip().rstrip("*")
    candidates = [t for t in texts if not _COVER_LINE.match(t) and not is_enacting_formula(t)
                  and not _FRONT_NOISE.match(t) and not is_page_furniture(t)]
    return candidates[-1].rstrip("*").strip() if candidates else ""


def _heading(symbol: str, front: Sequence[Block], closing: Sequence[Block] = ()) -> Para | None:
    """The heading passage: front matter without cover noise ("United Nations", "Distr.: General"),
    the symbol first, then the closing lines (the meeting and date of adoption), each on a line of its own:
    the heading holds the document's own facts, wherever the document prints them.

    >>> front = [Block([Line("A/RES/1", 0, 0, 0)]), Block([Line("The General Assembly,", 0, 0, 0)])]
    >>> closing = [Block([Line("54th plenary meeting", 0, 0, 0)]), Block([Line("15 December 2022", 0, 0, 0)])]
    >>> print(_heading("A/RES/1", front, closing).text)
    A/RES/1
    The General Assembly,
    54th plenary meeting
    15 December 2022
    """
    lines = []
    for block in front:
        kept = [_DISTRIBUTION.sub("", line.text).strip() for line in block.lines if not _FRONT_NOISE.match(line.text)]
        for run in _cover_runs([line for line in kept if line]):
            text = tidy(join_lines(run))
            if text:
                lines.append(text)
    ending = [tidy(line.text) for block in closing for line in block.lines if line.text.strip()]
    if not lines and not ending:
        return None
    if symbol and not any(symbol in line for line in lines):
        lines.insert(0, symbol)
    pages = tuple(sorted({p for b in [*front, *closing] for p in b.pages}))
    return Para("heading", "", "\n".join(lines + ending), pages=pages)


#: A cover line stating one fact of its own: an issue date, a session, an agenda item.
_COVER_FACT = re.compile(
    r"^(?:\d{1,2}\s+(?:" + "|".join(MONTHS) + r")\s+\d{4}"
    r"|(?:[A-Z][a-z]+(?:-[a-z]+)?|\d{4})\s+(?:(?:emergency\s+)?special\s+|resumed\s+)?session"
    r"|(?:Agenda\s+items?|Items?)\s+\d{1,3}\b[^.;:]{0,20})$"
)


def _cover_runs(lines: Sequence[str]) -> list[list[str]]:
    """The lines of one front-matter block in runs that read as one heading line each: a cover fact (date,
    session, agenda item) stands alone, the rest (a title printed over two lines) is joined.

    >>> _cover_runs(["18 October 2018", "Seventy-third session", "Agenda item 129"])
    [['18 October 2018'], ['Seventy-third session'], ['Agenda item 129']]
    >>> _cover_runs(["73/3. Political declaration of the", "General Assembly on tuberculosis"])
    [['73/3. Political declaration of the', 'General Assembly on tuberculosis']]
    >>> _cover_runs(["Resolution adopted by the General Assembly on", "26 October 2018"])
    [['Resolution adopted by the General Assembly on', '26 October 2018']]
    """
    runs: list[list[str]] = []
    for line in lines:
        previous = runs[-1][-1] if runs else ""
        cut = re.search(r"(?:\b(?:on|of|at|in|and|the)|[,-])$", previous) is None  # "adopted ... on" / "10 May 2020"
        if runs and not (cut and (_COVER_FACT.match(line) or _COVER_FACT.match(previous))):
            runs[-1].append(line)
        else:
            runs.append([line])
    return runs


def _fallback(blocks: Sequence[Block]) -> list[Para]:
    paras: list[Para] = []
    for block in blocks:
        text = block.text
        if text:
            paras.append(Para("paragraph", str(len(paras) + 1), text, block.pages, set(block.sheets)))
    return paras


def _assemble(symbol: str, heading: Para | None, part_headings: list[Para], paras: list[Para], notes: list[Note],
              warnings: list[str]) -> list[Passage]:
    passages: list[Passage] = []
    if heading is not None:
        passages.append(Passage(symbol, "heading", "", heading.text, heading.pages, tuple(heading.footnotes)))
    headings_by_part = {h.part: h for h in part_headings}
    emitted_parts: set[str] = set()
    seen_keys: Counter[tuple[str, str, str]] = Counter()
    for para in paras:
        if para.part and para.part not in emitted_parts:
            emitted_parts.add(para.part)
            part_heading = headings_by_part.get(para.part)
            if part_heading is not None:
                passages.append(Passage(symbol, "heading", "", part_heading.text, part_heading.pages,
                                        part=para.part))
        number = para.number
        seen_keys[(para.part, para.kind, number)] += 1
        repeats = seen_keys[(para.part, para.kind, number)]
        if repeats > 1:  # a numbering the parser could not follow: keep labels unique, and say so
            number = f"{number}bis" if repeats == 2 else f"{number}bis{repeats - 1}"
            warnings.append(f"{format_label(para.kind, para.number, para.part)} appears {repeats} times; "
                            f"this one is labelled {format_label(para.kind, number, para.part)}")
        if not para.text:
            continue
        passages.append(Passage(symbol, para.kind, number, para.text, para.pages, tuple(para.footnotes),
                                parent=para.parent, part=para.part, lead=para.lead))
    cited: dict[str, list[str]] = {}
    for passage in passages:
        for marker in passage.footnotes:
            cited.setdefault(marker, []).append(passage.label)
    done: set[str] = set()
    for note in notes:
        if note.marker in done:
            continue
        done.add(note.marker)
        passages.append(Passage(symbol, "footnote", note.marker, tidy(note.text),
                                (note.page,) if note.page > 0 else (), cited_by=tuple(cited.get(note.marker, []))))
    uncited = [n for n in done if n.isdigit() and n not in cited]
    if uncited:
        warnings.append(f"footnote(s) {', '.join(sorted(uncited, key=int))} not cited by any paragraph")
    return passages


def parse_file(path: str | Path, *, settings: Settings | None = None) -> Document:
    """Load and parse one file; ``LoadError``/``ParseError`` name the file on failure."""
    from rag.load import load_file
    from rag.settings import Settings

    settings = settings or Settings()
    loaded = load_file(path, settings.max_file_mb)
    digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
    document = loaded.structured if loaded.structured is not None else parse_text(loaded, source=str(path))
    document.source = str(path)
    document.content_hash = digest
    return document
