"""Cleaning of text extracted from PDFs and text dumps of UN documents.

``clean_pages`` turns raw pages into body ``Line`` records and footnote
``Note`` records:

* page furniture goes: running headers and footers (the symbol, "5/7 V.19-03717",
  "18-16895 2/10", job numbers "18-16895 (E)    241018", barcodes "*1816895*",
  running title lines repeated at the top of pages), lines that are only URLs;
* footnote blocks (after a ``__________`` rule, or old-style "1/ ..." notes at the
  end, or inline "[1: ...]" notes) become ``Note`` records, so that a paragraph
  interrupted by a page foot reads on as one;
* each line keeps its indentation, page and "sheet" (the stretch of text between
  two page feet, used to check that a footnote marker and its note share a page).

The word-level repairs (``join_lines``, ``repair_split_words``, ...) are small
functions used by the parser when it glues lines into paragraphs.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache

from rag.types import Page

# ----------------------------------------------------------------- characters

_CHAR_MAP = {
    "\u00a0": " ",  # no-break space
    "\u202f": " ",  # narrow no-break space
    "\u2007": " ",
    "\u2009": " ",
    "\u2011": "-",  # non-breaking hyphen
    "\u2010": "-",
    "\u00ad": "",  # soft hyphen
    "\u200b": "",  # zero-width space
    "\ufeff": "",
    "\t": "    ",
}


#: Characters that must not reach a passage: C0 and C1 controls (tab, newline, carriage return and
#: form feed aside) and the bidirectional embeddings, overrides and isolates, which reorder what a
#: reader sees without changing the text (a "Trojan Source" trick) and break the layout they land in.
_HIDDEN = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def neutralise_controls(text: str) -> str:
    """``text`` without control characters and bidirectional overrides (``_HIDDEN``).

    >>> neutralise_controls("Requests the \\u202eOffice\\u202c\\x07 to act;\\x1b[0m\\n")
    'Requests the Office to act;[0m\\n'
    """
    return _HIDDEN.sub("", text)


def normalise_chars(text: str) -> str:
    """Map typographic variants (no-break spaces and hyphens, soft hyphens) to plain ones, and drop
    control characters and bidirectional overrides (``neutralise_controls``).

    >>> normalise_chars("pre\\u2011Congress\\u00a0talks\\r\\n")
    'pre-Congress talks\\n'
    """
    text = neutralise_controls(text.replace("\r\n", "\n").replace("\r", "\n"))
    for old, new in _CHAR_MAP.items():  # a few str.replace calls beat str.translate on long text
        if old in text:
            text = text.replace(old, new)
    return text


# ------------------------------------------------------------ line predicates

#: A UN document symbol: "A/RES/77/236", "E/CN.15/2019/L.8/Rev.1", "S/RES/2730 (2024)".
SYMBOL = r"(?:[A-Z][A-Za-z]{0,7}(?:\.\d+)?(?:/[A-Za-z0-9.\-]+)+(?:\s\(\d{4}\))?\**)"
_FURNITURE_TOKEN = re.compile(
    r"""
      \*\d{5,}\*                                   # barcode *1816895*
    | (?:[A-Z]{1,2}\.)?\d{2}-\d{5,6}(?:\s*\([A-Z]\))?  # job number 18-16895 (E), V.19-03717
    | \b\d{1,3}/\d{1,3}\b                          # page counter 5/7
    | \b\d{6}\b                                    # date code 241018
    | """
    + SYMBOL
    + r"""
    | \bUnited\sNations\b
    """,
    re.VERBOSE,
)


def is_separator_rule(line: str) -> bool:
    """A footnote separator rule.

    >>> is_separator_rule(" __________________ "), is_separator_rule("Recalling _____")
    (True, False)
    """
    return bool(re.fullmatch(r"\s*[_\u2014\u2015\u2500-]{8,}\s*", line))


def is_url_line(line: str) -> bool:
    """A line that is only a web address (hyperlink targets a PDF dump leaves behind).

    >>> is_url_line("https://undocs.org/S/RES/2133(2014)"), is_url_line("see https://undocs.org")
    (True, False)
    """
    return bool(re.fullmatch(r"\s*(?:https?://|www\.)\S+\s*", line))


def strip_furniture(line: str) -> str:
    """What is left of a line once page-furniture tokens are removed.

    >>> strip_furniture("18-16895 (E)    241018"), strip_furniture("5/7 V.19-03717")
    ('', '')
    >>> strip_furniture("on the fight against tuberculosis A/RES/73/3")
    'on the fight against tuberculosis'
    """
    return re.sub(r"\s+", " ", _FURNITURE_TOKEN.sub(" ", line)).strip()


def is_page_furniture(line: str) -> bool:
    """A running header or footer line: symbol, page counter, job number, barcode.

    >>> [is_page_furniture(x) for x in ["E/CN.15/2019/L.8/Rev.1 ", "18-16895 2/10", "*1816895*",
    ...  "S/RES/1445 (2002)", "02-72318 (E)", "United Nations  A/RES/73/6"]]
    [True, True, True, True, True, True]
    >>> [is_page_furniture(x) for x in ["A/RES/70/1,", "5 E/CN.15/2019/5.", "2 Resolution 70/1.", "United Nations"]]
    [False, False, False, False]
    """
    text = line.strip()
    if not text or text[-1] in ",;:." or len(text) > 100 or not any(ch.isdigit() for ch in text):
        return False
    if text == "United Nations":
        return False
    return not strip_furniture(text) and bool(_FURNITURE_TOKEN.search(text))


# --------------------------------------------------------------- footnotes

_NOTE_START = re.compile(r"^(?P<marker>\d{1,3}(?=/?\s)|\*{1,3}|[\u2020\u2021\u00a7])(?P<old>/)?\s+(?P<text>\S.*)$")
_INLINE_NOTE = re.compile(r"\[(?P<marker>\d{1,3}|\*{1,3}):\s*(?P<text>[^\[\]]*?)\s*\]")
_INLINE_REF = re.compile(r"\s?\[footnoteRef:(?P<marker>\d{1,3}|\*{1,3})\]")


def note_start(line: str) -> tuple[str, str, bool] | None:
    """``(marker, text, old_style)`` when a line opens a footnote.

    >>> note_start(" 1  See A/AC.105/1137.")
    ('1', 'See A/AC.105/1137.', False)
    >>> note_start("** Issued without formal editing.")
    ('**', 'Issued without formal editing.', False)
    >>> note_start("3/ S/24702, annex.")
    ('3', 'S/24702, annex.', True)
    >>> note_start("13. Requests the Office") is None
    True
    """
    match = _NOTE_START.match(line.strip())
    if not match:
        return None
    return match.group("marker"), match.group("text").strip(), bool(match.group("old"))


def extract_inline_notes(text: str) -> tuple[str, list[tuple[str, str]]]:
    """Pull "[1: note]" footnotes out of text and turn "[footnoteRef:1]" into a glued marker.

    >>> extract_inline_notes("Names,[footnoteRef:1] in which it, [1: See E/2016/66.]")
    ('Names,1 in which it,', [('1', 'See E/2016/66.')])
    """
    notes = [(m.group("marker"), m.group("text").strip()) for m in _INLINE_NOTE.finditer(text)]
    text = _INLINE_NOTE.sub("", text)
    text = _INLINE_REF.sub(lambda m: m.group("marker"), text)
    return re.sub(r"[ \t]+$", "", text, flags=re.MULTILINE), notes


#: Abbreviations that end a line of a footnote without ending the note ("Supplement No." / "10 (A/77/10)").
_ABBREVIATIONS = {"no", "nos", "vol", "vols", "para", "paras", "p", "pp", "chap", "sect", "art", "add", "rev", "corr",
                  "e.g", "i.e", "mr", "ms", "st"}


def _note_complete(text: str) -> bool:
    """Does a footnote's text end a sentence (so a following unmarked line is not part of it)?

    >>> [_note_complete(t) for t in ["Resolution 70/1.", "S/24476, annex.", "Supplement No.", "(2019),"]]
    [True, True, False, False]
    """
    match = re.search(r"([A-Za-z.]*)\.['’”\"]?\s*$", text)
    if match is None:
        return False
    return match.group(1).lower().lstrip(".") not in _ABBREVIATIONS


# -------------------------------------------------------------- line records


@dataclass(frozen=True)
class Line:
    """One body line: text without surrounding blanks, its indentation and position."""

    text: str
    indent: int
    page: int
    sheet: int
    blanks: int = 0


@dataclass
class Note:
    """A footnote's text and where it sits: ``page`` (0 when the source has no pages),
    ``sheet``, and ``position``, the number of body lines read before it (a note whose
    position is the total number of lines is an end note)."""

    marker: str
    text: str
    page: int
    sheet: int
    old_style: bool = False
    position: int = 0


@dataclass
class CleanText:
    lines: list[Line] = field(default_factory=list)
    notes: list[Note] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)


def _plausible_marker(marker: str, notes: Sequence[Note]) -> bool:
    """Numbered footnotes run in sequence: a new one follows the last within a few numbers.

    >>> notes = [Note("4", "Resolution 70/1.", 2, 2)]
    >>> _plausible_marker("5", notes), _plausible_marker("2016", notes), _plausible_marker("3", notes)
    (True, False, False)
    """
    if not marker.isdigit():
        return True
    numbers = [int(n.marker) for n in notes if n.marker.isdigit()]
    return not numbers or numbers[-1] < int(marker) <= numbers[-1] + 3


def running_headers(pages: Sequence[list[str]], zone: int = 6) -> set[str]:
    """Lines repeated at the top of most pages (running titles), furniture tokens removed.

    A line counts when it opens (within ``zone`` lines) at least half of the pages after
    the first, so that a sentence a repetitive text happens to repeat is not mistaken
    for a header; a line ending with a comma or semicolon never counts.

    >>> pages = [["cover"], ["A/RES/1", "Title of it", "body two"], ["Title of it A/RES/1", "body three"],
    ...          ["Title of it", "personnel, and their"], ["personnel, and their", "x"], ["Title of it", "y"]]
    >>> sorted(running_headers(pages))
    ['Title of it']
    """
    if len(pages) < 2:
        return set()
    later = pages[1:] if len(pages) > 2 else pages
    counts: Counter[str] = Counter()
    for lines in later:
        top = [strip_furniture(x) for x in lines if x.strip()][:zone]
        counts.update({x for x in top if len(x) >= 8 and not x.endswith((",", ";"))})
    threshold = max(2, (len(later) + 1) // 2)
    return {line for line, count in counts.items() if count >= threshold}


def clean_pages(pages: Sequence[Page]) -> CleanText:
    """Split pages into body lines and footnotes, dropping page furniture.

    >>> text = ("  Recalling its resolution, 1\\n__________________\\n 1 Resolution 70/1.\\n"
    ...         "https://undocs.org/A/RES/70/1\\n the rest of it,\\nE/CN.15/2019/L.8 \\n5/7 V.19-03717\\n"
    ...         "  1. Decides;\\n")
    >>> cleaned = clean_pages([Page(0, text)])
    >>> [(line.text, line.indent, line.sheet) for line in cleaned.lines]
    [('Recalling its resolution, 1', 2, 0), ('the rest of it,', 1, 1), ('1. Decides;', 2, 2)]
    >>> [(n.marker, n.text, n.sheet) for n in cleaned.notes]
    [('1', 'Resolution 70/1.', 0)]
    """
    out = CleanText()
    raw_pages = []
    for page in pages:
        text, inline = extract_inline_notes(normalise_chars(page.text))
        raw_pages.append((page.number, text.split("\n"), inline))
    paged = len(raw_pages) > 1 and any(number > 0 for number, _, _ in raw_pages)
    repeated = running_headers([lines for _, lines, _ in raw_pages]) if paged else set()
    sheet = 0
    for index, (number, lines, inline) in enumerate(raw_pages):
        if index:
            sheet += 1
        sheet = _clean_page(out, number, lines, repeated, paged, sheet)
        out.notes.extend(Note(marker, note, number, sheet, position=len(out.lines)) for marker, note in inline)
    _old_style_notes(out)
    return out


def _clean_page(out: CleanText, page: int, lines: list[str], repeated: set[str], paged: bool, sheet: int) -> int:
    """Clean one page into ``out``; returns the sheet number reached (text dumps without
    page breaks start a new sheet after each footnote block or run of page furniture)."""
    blanks = 0
    in_notes = False
    seen_url = False
    top = 0
    for raw in lines:
        stripped = raw.strip()
        if not stripped:
            blanks += 1
            continue
        top += 1
        if is_page_furniture(stripped) or (top <= 8 and strip_furniture(stripped) in repeated):
            out.dropped.append(stripped)
            if not paged and (in_notes or (out.lines and out.lines[-1].sheet == sheet)):
                sheet += 1
            in_notes = seen_url = False
            blanks = 0
            continue
        if is_url_line(stripped):
            out.dropped.append(stripped)
            seen_url = True
            continue
        if is_separator_rule(stripped):
            out.dropped.append(stripped)
            in_notes, seen_url, blanks = True, False, 0
            continue
        if in_notes:
            start = note_start(stripped)
            if start and not seen_url and _plausible_marker(start[0], out.notes):
                out.notes.append(Note(start[0], start[1], page, sheet, start[2], len(out.lines)))
                blanks = 0
                continue
            last = out.notes[-1] if out.notes else None
            if last is not None and (paged or not (seen_url or _note_complete(last.text))):
                last.text = join_lines([last.text, stripped])  # a note running on
                blanks = 0
                continue
            in_notes = seen_url = False  # the page's text resumes after the notes
            sheet += 1
            blanks = 0
        indent = len(raw) - len(raw.lstrip(" "))
        out.lines.append(Line(stripped, indent, page, sheet, blanks))
        blanks = 0
    return sheet


def _old_style_notes(out: CleanText) -> None:
    """Trailing "1/ text" lines (old UN style, no separator rule) become notes
    when their markers run in sequence."""
    tail: list[tuple[Line, tuple[str, str, bool]]] = []
    for line in reversed(out.lines):
        start = note_start(line.text)
        if not (start and start[2]):
            break
        tail.append((line, start))
    if not tail:
        return
    tail.reverse()
    numbers = [int(start[0]) for _, start in tail]
    if numbers != list(range(numbers[0], numbers[0] + len(numbers))):
        return
    del out.lines[len(out.lines) - len(tail):]
    out.notes.extend(Note(start[0], start[1], line.page, line.sheet, True, len(out.lines)) for line, start in tail)


# ------------------------------------------------------------- word repair


@lru_cache(maxsize=1)
def _zipf() -> Callable[[str], float]:
    from wordfreq import zipf_frequency

    @lru_cache(maxsize=65536)
    def lookup(word: str) -> float:
        return float(zipf_frequency(word, "en"))

    return lookup


#: Word frequency (Zipf scale) from which a string counts as an English word.
WORD_ZIPF = 3.0


@lru_cache(maxsize=65536)
def is_word(token: str) -> bool:
    """True when ``token`` is a common English word (``wordfreq``), single letters aside.

    >>> is_word("terrorism"), is_word("rrorism"), is_word("s"), is_word("a"), is_word("ation")
    (True, False, False, True, False)
    """
    lower = token.lower()
    if len(lower) == 1:
        return lower in ("a", "i")
    return _zipf()(lower) >= WORD_ZIPF


def repair_split_words(text: str) -> str:
    """Glue words that text extraction split with a space, leaving real word pairs alone.

    A pair is glued when the joined form is a common word and at least one side
    is not a word on its own (a fragment). The right side must be lower case, so
    names ("Boko Haram") and abbreviations are never glued.

    >>> repair_split_words("within it s mandate, incorpor ation of te rrorism")
    'within its mandate, incorporation of terrorism'
    >>> repair_split_words("as and when conducive to terrorism, it is in the interest of All St ates")
    'as and when conducive to terrorism, it is in the interest of All States'
    >>> repair_split_words("the UN it, a part of, per cent, the e-learning module")
    'the UN it, a part of, per cent, the e-learning module'
    """
    fragments = {word for word in set(_WORD.findall(text)) if not is_word(word)}
    if not fragments:
        return text
    tokens = re.split(r"(\s+)", text)
    out: list[str] = [tokens[0]]
    for index in range(1, len(tokens) - 1, 2):
        space, right, left = tokens[index], tokens[index + 1], out[-1]
        if (
            space == " "
            and (_edge_word(left, last=True) in fragments or _edge_word(right, last=False) in fragments)
            and _should_glue(left, right)
        ):
            out[-1] = left + right
        else:
            out.extend([space, right])
    return "".join(out)


_WORD = re.compile(r"[A-Za-z]+")


def _edge_word(token: str, *, last: bool) -> str:
    """The run of letters at the end (``last``) or start of a token."""
    if token.isalpha():
        return token
    match = re.search(r"[A-Za-z]+$", token) if last else re.match(r"[A-Za-z]+", token)
    return match.group() if match else ""


def _should_glue(left_token: str, right_token: str) -> bool:
    if not (right_token[:1].islower() and left_token[-1:].isalpha()):
        return False  # cheap test first: most pairs fail it
    left_match = re.search(r"[A-Za-z]+$", left_token)
    right_match = re.match(r"[a-z]+", right_token)
    if not left_match or not right_match:
        return False
    left, right = left_match.group(), right_match.group()
    if left_match.start() > 0 and not re.fullmatch(r"[(“\"‘']", left_token[: left_match.start()]):
        return False  # "72/194 a" or "non-state actors": only plain words
    if right_match.end() < len(right_token) and right_token[right_match.end()].isalnum():
        return False
    if len(right) == 1 and right_token[1:2] == "-":
        return False  # "the e-learning module": a letter and a hyphen begin a compound
    if left.isupper() and len(left) > 1:
        return False  # abbreviations: UN, UNODC
    if len(left) == 1 and left.lower() in ("a", "i") and len(right) > 1:
        return False
    if is_word(left) and is_word(right):
        return False
    return _zipf()((left + right).lower()) >= WORD_ZIPF


def fix_spaced_hyphens(text: str) -> str:
    """Repair hyphens that extraction detached from the word before them.

    >>> fix_spaced_hyphens("providing in -kind support and capacity -building")
    'providing in-kind support and capacity-building'
    >>> fix_spaced_hyphens("the 2020 - 2030 period")
    'the 2020 - 2030 period'
    """
    return re.sub(r"(?<=[A-Za-z]) -(?=[A-Za-z])", "-", text)


def split_glued_numbers(text: str) -> str:
    """Put back the space lost between a word and a document number.

    >>> split_glued_numbers("General Assembly resolutions72/194, 72/284")
    'General Assembly resolutions 72/194, 72/284'
    """
    return re.sub(r"\b([a-z]{3,})(\d{1,4}/\d)", r"\1 \2", text)


def join_lines(lines: Iterable[str]) -> str:
    """Join the lines of one paragraph, mending hyphens at line ends.

    A hyphen at a line end stays a hyphen ("Secretary-" / "General",
    "Counter -" / "Terrorism"): UN texts do not hyphenate words across lines,
    so a trailing hyphen is part of a compound. A split that leaves two
    fragments ("incorpor-" / "ation") is glued without the hyphen.

    >>> join_lines(["the Secretary-", "General and the Global Counter -", "Terrorism Compact"])
    'the Secretary-General and the Global Counter-Terrorism Compact'
    >>> join_lines(["its capacity -", "building activities, and the", "incorpor-", "ation of"])
    'its capacity-building activities, and the incorporation of'
    """
    out = ""
    for raw in lines:
        line = raw.strip()
        if not line:
            continue
        if not out:
            out = line
            continue
        if re.search(r"[A-Za-z] ?-$", out) and re.match(r"[A-Za-z]", line):
            head = re.sub(r" ?-$", "", out)
            left = re.search(r"[A-Za-z]+$", head)
            right = re.match(r"[A-Za-z]+", line)
            assert left is not None and right is not None
            merged = left.group() + right.group()
            if line[0].islower() and not is_word(left.group()) and is_word(merged):
                out = head + line
            else:
                out = head + "-" + line
        else:
            out = f"{out} {line}"
    return out


def tidy(text: str) -> str:
    """All in-paragraph repairs, in order: hyphens, split words, glued numbers, spaces.

    >>> tidy("within it s  mandate , the Counter -Terrorism  Office")
    'within its mandate, the Counter-Terrorism Office'
    """
    text = fix_spaced_hyphens(text)
    text = repair_split_words(text)
    text = split_glued_numbers(text)
    text = re.sub(r"[ \t]{2,}", " ", text)
    text = re.sub(r" +([,;:.])(?=\s|$)", r"\1", text)
    return text.strip()
