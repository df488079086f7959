"""Footnote markers in paragraph text: told from real numbers, removed, and linked to their notes.

A marker is a number glued to a word or set after one ("the Strategy4", "Peace 2 and"); so are many real
numbers ("G20", "resolution 72/194", "under 5 years"). ``marker_candidates`` keeps the places that may hold
a marker, rejecting what reads as a symbol, an amount or a date; ``link_footnotes`` then accepts a candidate
only when it comes next in the document's sequence of markers (1, 2, 3 ...; a glued one may skip up to two)
and its note is on the same page (a page-foot note) or after all the text (an end note). Accepted markers
are cut out of the text (``remove_markers``) and recorded on the paragraph.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from rag.clean import Note
from rag.types import MONTHS

if TYPE_CHECKING:
    from rag.parse import Para

_HARD_BEFORE = {
    "paragraph", "paragraphs", "para", "paras", "resolution", "resolutions", "decision", "decisions", "article",
    "articles", "art", "item", "items", "chapter", "chap", "annex", "annexes", "section", "sect", "vol", "vols", "no",
    "nos", "page", "pages", "p", "pp", "rule", "rules", "session", "meeting", "under", "of", "than", "to", "by",
    "from", "with", "over", "at", "about", "least", "nearly", "around", "approximately", "between", "within", "in",
    "on", "for", "per", "some", "all", "its", "the", "a", "and", "or", "protocol", "step", "option", "appendix",
    "table", "figure", "box", "category", "tier", "level", "phase", "stage", "part", "principle", "recommendation",
    "recommendations", "conclusion", "conclusions", "sub", "goal", "target", "indicator", "indicators",
}
_HARD_AFTER = {
    "years", "year", "months", "month", "days", "day", "weeks", "week", "hours", "per", "percent", "million",
    "billion", "thousand", "times", "or", "to", "-", "–", "/", "%", "member", "states", "countries", "persons",
    "people", "children", "women", "members", "of",
} | {m.lower() for m in MONTHS}


@dataclass(frozen=True)
class _Candidate:
    start: int
    end: int
    marker: str
    glued: bool


def marker_candidates(text: str, *, old_style: bool = False) -> list[_Candidate]:
    """Places in ``text`` that may hold a footnote marker, in order.

    >>> [c.marker for c in marker_candidates("the Strategy4 and resolution 72/194 of 2017, under 5 years")]
    ['4']
    >>> [(c.marker, c.glued) for c in marker_candidates("Peace 2 and the Convention ,7 as well as Office;6")]
    [('2', False), ('7', True), ('6', True)]
    >>> [c.marker for c in marker_candidates("resolutions 23/2 of 16 May 20143 and 2019,11 and 23,400 troops")]
    ['3', '11']
    """
    found: list[_Candidate] = []
    if old_style:
        for match in re.finditer(r"(?<=\s)(\d{1,3})/(?=\s|$|[,;.])", text):
            found.append(_Candidate(match.start(1), match.end(), match.group(1), False))
        return found
    for match in re.finditer(r"(?<=[A-Za-z,;.:)\]”’\"])(\d{1,3})(?=[\s,;.:)\]”’\"]|$)", text):
        if _rejected_glued(text, match.start(1), match.group(1)):
            continue
        found.append(_Candidate(match.start(1), match.end(1), match.group(1), True))
    for match in re.finditer(r"(?<= )(\d{1,3})(?=\s|$|[,;.:](?!\d))", text):
        if not _rejected_spaced(text, match.start(1), match.end(1)):
            found.append(_Candidate(match.start(1), match.end(1), match.group(1), False))
    for match in re.finditer(r"(?<![\d/.,])((?:19|20)\d{2})(\d{1,2})(?![\d/])", text):
        found.append(_Candidate(match.start(2), match.end(2), match.group(2), True))
    return sorted(found, key=lambda c: c.start)


def _token_at(text: str, start: int, end: int) -> str:
    left = text.rfind(" ", 0, start) + 1
    right = text.find(" ", end)
    return text[left: right if right >= 0 else len(text)]


def _rejected_glued(text: str, start: int, marker: str) -> bool:
    before = text[start - 1]
    if (before.isalpha() or before == ".") and "/" in _token_at(text, start, start + len(marker)):
        return True  # part of a symbol: A/RES/70/1, E/CN.15/2019/L.8/Rev.1
    if before in ",." and start >= 2 and text[start - 2].isdigit():
        return len(marker) == 3 or before == "."
    word = re.search(r"([A-Za-z]+)\W*$", text[:start])
    if word:
        token = word.group(1)
        if before.isalpha() and (token.isupper() or len(token) == 1):
            return True  # G20, S29, COVID19
        if before == "." and token.lower() in _HARD_BEFORE | {"rev", "add", "corr", "l"}:
            return True
    return False


def _rejected_spaced(text: str, start: int, end: int) -> bool:
    if "/" in _token_at(text, start, end):
        return True
    before_words = re.findall(r"[A-Za-z]+", text[max(0, start - 30): start])
    before_text = text[:start].rstrip()
    if before_text and before_text[-1].isdigit():
        return True
    if before_words and not re.search(r"[,;:)”’\"]$", before_text) and before_words[-1].lower() in _HARD_BEFORE:
        return True
    after = text[end:].lstrip(" ")
    after_word = re.match(r"[A-Za-z%–/-]+|\(", after)
    if after_word:
        word = after_word.group().lower()
        if word in _HARD_AFTER or word == "(":
            return True
    return bool(re.match(r"[-–/]", after))


def remove_markers(text: str, spans: Iterable[tuple[int, int]]) -> str:
    """Cut footnote markers out of ``text`` and mend the spacing they leave.

    >>> remove_markers("the most recent ones, 1", [(22, 23)])
    'the most recent ones,'
    >>> remove_markers("Peace 2 and that Convention ,7 as", [(6, 7), (29, 30)])
    'Peace and that Convention, as'
    """
    for start, end in sorted(spans, reverse=True):
        before, after = text[:start], text[end:]
        if before.endswith(" ") and (not after or after[0] in " ,;.:"):
            before = before.rstrip(" ")
        if before.endswith((" ,", " ;")):
            before = before[:-2] + before[-1]
        text = before + after
    return re.sub(r" {2,}", " ", text).strip()


def link_footnotes(paras: list[Para], notes: list[Note], heading: Para | None, *, total_lines: int,
                   paged: bool) -> None:
    """Find markers in paragraph texts (see the module doc), remove them and record them."""
    by_marker: dict[str, Note] = {}
    for note in notes:
        by_marker.setdefault(note.marker, note)
    numeric = sorted((m for m in by_marker if m.isdigit()), key=int)
    old_style = any(n.old_style for n in notes)
    position = 0
    seen: set[str] = set()
    for para in paras:
        spans: list[tuple[int, int]] = []
        for candidate in marker_candidates(para.text, old_style=old_style):
            marker = candidate.marker
            if any(s <= candidate.start < e for s, e in spans):
                continue
            accepted = False
            for skip in range(0, 3):
                if position + skip >= len(numeric) or numeric[position + skip] != marker:
                    continue
                if skip and not candidate.glued:
                    continue
                note = by_marker[marker]
                if _same_page(para, note, total_lines, paged):
                    position += skip + 1
                    accepted = True
                    break
            if not accepted and marker in seen and (candidate.glued or old_style):
                accepted = True
            if accepted:
                seen.add(marker)
                spans.append((candidate.start, candidate.end))
                if marker not in para.footnotes:
                    para.footnotes.append(marker)
        spans += _star_markers(para, by_marker)
        if spans:
            para.text = remove_markers(para.text, spans)
    if heading is not None:
        spans = _star_markers(heading, by_marker)
        if spans:
            heading.text = remove_markers(heading.text, spans)


def _star_markers(para: Para, notes: dict[str, Note]) -> list[tuple[int, int]]:
    """Spans of "*" / "**" markers glued to a word whose note exists; records them on ``para``."""
    spans = []
    for stars in re.finditer(r"(?<=[A-Za-z0-9.)”’])(\*{1,3})(?=\s|$|[,;.:])", para.text):
        if stars.group(1) in notes:
            spans.append((stars.start(1), stars.end(1)))
            if stars.group(1) not in para.footnotes:
                para.footnotes.append(stars.group(1))
    return spans


def _same_page(para: Para, note: Note, total_lines: int, paged: bool) -> bool:
    """Can ``para`` cite ``note`` for the first time? End notes (after all the text) can be
    cited from anywhere before them; a note at a page foot only from that page."""
    if note.position >= total_lines:
        return True
    if paged:
        return note.page in para.pages or not para.pages
    return note.sheet in para.sheets
