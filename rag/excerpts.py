"""Excerpts: how a paragraph is cut into the clause or sentence an answer quotes.

UN paragraphs are often one long sentence: :func:`clause_spans` splits them on semicolons and at the clause
boundaries of resolution drafting ("..., and requests ...", "..., recognizing that ..."); a heading is split into
its lines, each stating one fact (:func:`excerpt_spans`). :func:`widen` grows the best clause by the neighbours
it needs to read alone, and :func:`excerpt_of` returns the verbatim text, without its paragraph number. An
:class:`AnswerItem` is one paragraph of an answer with the footnotes shown under it.

>>> text = "9. Requests the Office to act, and encourages States to share data; decides to remain seized."
>>> [text[start:end] for start, end in clause_spans(text)]
['9.', 'Requests the Office to act, and encourages States to share data;', 'decides to remain seized.']
>>> excerpt_of(text, (0, 67))
'Requests the Office to act, and encourages States to share data;'

(a sentence is split at ", and encourages" only beyond ``LONG_SENTENCE_WORDS``.)
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

import numpy as np

from rag.types import Passage

#: Lead verbs of resolution drafting (present and participle forms), where a long
#: sentence starts a new clause after ", and" or ",".
_DRAFTING_VERBS = (
    "request", "encourage", "invite", "urge", "call", "welcome", "note", "take", "decide", "recommend", "reiterate",
    "reaffirm", "recognize", "recognise", "emphasize", "emphasise", "stress", "underline", "acknowledge", "commend",
    "express", "appeal", "authorize", "endorse", "support", "affirm", "condemn", "deplore", "recall", "consider",
    "highlight", "underscore", "remind", "demand", "direct", "approve", "bear", "convince", "mindful", "concern",
)
_VERB_FORMS = frozenset(f for v in _DRAFTING_VERBS for f in (v + "s", v + "es", v + "ing", v[:-1] + "ing"))
#: A comma followed by a word that may open a new clause; the word must be one of ``_VERB_FORMS``.
_CLAUSE_BREAK = re.compile(
    r",\s+(?=(?:and\s+)?(?:in\s+(?:this|that)\s+regard,?\s+|in\s+particular,?\s+)?(?:also\s+|further\s+|"
    r"strongly\s+|once again\s+)?(?P<verb>[A-Za-z]+)\b)"
)
_SENTENCE_BREAK = re.compile(r"(?<=[;])\s+|(?<=[.:])\s+(?=[A-Z(“\"])")
_ABBREVIATION_END = re.compile(
    r"\b(?:No|Nos|vol|Vol|para|paras|p|pp|art|Art|Rev|Add|Corr|e\.g|i\.e|etc|Mr|Ms|Dr|St)\.$"
)
_LEADING_MARKER = re.compile(r"^\s*(?:\d{1,3}\.|\((?:[a-z]{1,2}|[ivxl]{1,6})\))\s+")
#: Sentences longer than this many words are split at clause boundaries too.
LONG_SENTENCE_WORDS = 40
#: An excerpt shorter than this many words is widened by a neighbouring clause.
MIN_EXCERPT_WORDS = 12


def clause_spans(text: str) -> list[tuple[int, int]]:
    """Spans of the sentences of ``text``, long sentences split at clause boundaries.

    The spans cover the text in order; whitespace between them is left out.

    >>> t = "Recalling that terrorism is criminal, and emphasizing the need to act; Noting the report."
    >>> [t[a:b] for a, b in clause_spans(t)]
    ['Recalling that terrorism is criminal, and emphasizing the need to act;', 'Noting the report.']
    >>> long = "Requests the Office to " + "assist States " * 20 + "in this area, and welcomes the new guide."
    >>> [" ".join(long[a:b].split()[-3:]) for a, b in clause_spans(long)]
    ['in this area,', 'the new guide.']
    """
    spans: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_BREAK.finditer(text):
        if _ABBREVIATION_END.search(text[start : match.start()]):
            continue
        spans.append((start, match.start()))
        start = match.end()
    spans.append((start, len(text)))
    result: list[tuple[int, int]] = []
    for begin, end in spans:
        sentence = text[begin:end]
        if len(sentence.split()) <= LONG_SENTENCE_WORDS:
            result.append((begin, end))
            continue
        inner = begin
        for match in _CLAUSE_BREAK.finditer(sentence):
            if match.group("verb").lower() not in _VERB_FORMS:
                continue
            cut = begin + match.start() + 1  # keep the comma with the clause before it
            if len(text[inner:cut].split()) >= 6:
                result.append((inner, cut))
                inner = begin + match.end()
        result.append((inner, end))
    return [(a, b) for a, b in ((_strip_span(text, a, b)) for a, b in result) if b > a]


def excerpt_spans(passage: Passage) -> list[tuple[int, int]]:
    """The spans an excerpt of ``passage`` is chosen from: a heading's lines (its symbol, body, dates, title,
    adoption line each stand alone), else its clauses (:func:`clause_spans`). Two heading lines that state one
    fact read as one: a meeting and the date under it (the closing lines, when the text was adopted), an agenda
    item and its name.

    >>> heading = Passage("A/RES/1", "heading", "", "A/RES/1\\nGeneral Assembly\\n19 December 2024\\n"
    ...                   "Agenda item 7\\nHuman rights\\n"
    ...                   "Resolution adopted by the General Assembly on 17 December 2024\\n"
    ...                   "The General Assembly,\\n53rd plenary meeting\\n17 December 2024")
    >>> [heading.text[a:b] for a, b in excerpt_spans(heading)][2:]  # doctest: +NORMALIZE_WHITESPACE
    ['19 December 2024', 'Agenda item 7\\nHuman rights',
     'Resolution adopted by the General Assembly on 17 December 2024', 'The General Assembly,',
     '53rd plenary meeting\\n17 December 2024']
    """
    text = passage.text
    if passage.kind != "heading" or "\n" not in text:
        return clause_spans(text)
    spans: list[tuple[int, int]] = []
    start = 0
    previous = ""
    for line in text.split("\n"):
        if line.strip():
            span = _strip_span(text, start, start + len(line))
            current = text[span[0] : span[1]]
            if spans and _reads_with(previous, current):
                spans[-1] = (spans[-1][0], span[1])
            else:
                spans.append(span)
            previous = current
        start += len(line) + 1
    return spans


#: A meeting named by its number ("54th plenary meeting", "at its 9634th meeting").
MEETING_LINE = re.compile(r"\b\d{1,5}(?:st|nd|rd|th)\s+(?:plenary\s+)?meeting\b", re.IGNORECASE)
#: A date in full ("17 December 2024").
DATE_LINE = re.compile(r"\b\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\b")
_AGENDA_ITEM = re.compile(r"^(?:Agenda\s+items?|Items?)\s+\d{1,3}\b[^.;:]{0,25}$")
#: A heading line that states a fact of its own (not the name of the agenda item above it): a date, a session, an
#: adoption or referral, a numbered title ("77/236. ..."), an enacting formula, a symbol, a meeting.
_OWN_FACT = re.compile(r"^\[|\badopt|\bsession\b|\bmeeting\b|^\d{1,4}/\d{1,4}\.|^The\s|^[A-Z]{1,5}/|"
                       + DATE_LINE.pattern)


def _reads_with(previous: str, line: str) -> bool:
    """Whether heading ``line`` completes the fact of the line before it (see :func:`excerpt_spans`)."""
    if DATE_LINE.fullmatch(line):
        return MEETING_LINE.search(previous) is not None and DATE_LINE.search(previous) is None
    return _AGENDA_ITEM.match(previous) is not None and _OWN_FACT.search(line) is None


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


@dataclass
class AnswerItem:
    """One paragraph of the answer, with the footnotes shown under it."""

    passage: Passage
    score: float
    excerpt: str
    footnotes: list[tuple[Passage, float]] = field(default_factory=list)


def excerpt_of(text: str, span: tuple[int, int]) -> str:
    """The verbatim text of ``span``, without a leading paragraph number ("9. ") or sub-item marker.

    >>> excerpt_of("9. Requests the Office to act;", (0, 30))
    'Requests the Office to act;'
    """
    start, end = span
    marker = _LEADING_MARKER.match(text[start:end])
    if marker and marker.end() < end - start:
        start += marker.end()
    return text[start:end].strip()


def widen(spans: Sequence[tuple[int, int]], scores: np.ndarray, text: str, *,
          min_words: int = MIN_EXCERPT_WORDS) -> tuple[int, int]:
    """The best clause, joined with adjacent clauses that score close to it, and with the one
    before it when it is shorter than ``min_words`` (too short to read alone). Clauses with text between
    them (heading lines picked out of others) are not joined on their scores.

    >>> widen([(0, 5), (6, 11), (12, 17)], np.array([0.1, 0.9, 0.85]), "aaaaa bbbbb ccccc")
    (0, 17)
    >>> widen([(0, 5), (12, 17)], np.array([0.9, 0.85]), "aaaaa bbbbb ccccc", min_words=0)
    (0, 5)
    """
    best = int(np.argmax(scores))
    top = float(scores[best])
    first = last = best
    threshold = 0.85 * top

    def touching(index: int) -> bool:  # span ``index`` and the next one have nothing between them
        return not text[spans[index][1] : spans[index + 1][0]].strip()

    while first > 0 and scores[first - 1] >= threshold and touching(first - 1):
        first -= 1
    while last + 1 < len(spans) and scores[last + 1] >= threshold and touching(last):
        last += 1
    while len(text[spans[first][0] : spans[last][1]].split()) < min_words and (
        first > 0 or last + 1 < len(spans)
    ):
        if first > 0:
            first -= 1
        else:
            last += 1
    # a quote must read on its own: a clause continuing the one before it ("taking into consideration ...",
    # "including ...") or pointing back to it ("... in that regard") brings that clause along
    while first > 0:
        previous = text[spans[first - 1][0] : spans[first - 1][1]]
        points_back = (first == best and _BACK_REFERENCE.search(text[spans[first][0] : spans[last][1]]) is not None
                       and _BACK_REFERENCE.search(previous) is None)
        if not (points_back or _continues(text[spans[first][0] : spans[first][1]])):
            break
        first -= 1
    return spans[first][0], spans[last][1]


_BACK_REFERENCE = re.compile(
    r"\b(?:in|to)\s+(?:that|this)\s+(?:regard|respect|end|context|connection)\b|\bthereof\b|\btherein\b|"
    r"\bthereon\b|\bthereto\b",
    re.IGNORECASE,
)


def _continues(clause: str) -> bool:
    """Whether a clause (not the first of its paragraph) continues the one before it instead of opening
    a new one with a lead verb ("and requests ...", "encourages ...").

    >>> _continues("taking into consideration the Nelson Mandela Rules, make use of"), _continues("and requests X")
    (True, False)
    >>> _continues("Requests the Secretary-General to report")
    False
    """
    words = re.findall(r"[A-Za-z]+", clause[:80])
    if not words or words[0][0].isupper():
        return False
    while words and words[0].lower() in {"and", "but", "also", "further", "strongly", "once", "again"}:
        words = words[1:]
    if not words:
        return True
    head = words[0].lower()
    return not (head in _VERB_FORMS and head.endswith("s"))


def quoted(text: str, excerpt: str) -> str:
    """The excerpt with an ellipsis where the paragraph goes on before or after it."""
    stripped = _LEADING_MARKER.sub("", text, count=1).strip()
    before = "" if stripped.startswith(excerpt) else "… "
    after = "" if stripped.endswith(excerpt) else " …"
    return f"{before}{excerpt}{after}"


def sub_paragraphs(passage: Passage, passages: Iterable[Passage], *, every_level: bool = False) -> list[Passage]:
    """The sub-paragraphs of a chapeau (a paragraph ending with a colon), in reading order; none otherwise.
    With ``every_level``, those at every depth ("5 (a)", "5 (a) (i)") of any paragraph that has some, whatever its
    text ends with: the whole paragraph, as a question naming its label asks for it.

    >>> chapeau = Passage("X", "operative", "5", "5. Urges States:")
    >>> subs = [Passage("X", "operative", "5(a)", "(a) To act;", parent="5"), Passage("X", "operative", "6", "6. End.")]
    >>> [p.label for p in sub_paragraphs(chapeau, [chapeau, *subs])]
    ['OP 5 (a)']
    >>> deeper = Passage("X", "operative", "5(a)(i)", "(i) At once;", parent="5(a)")
    >>> [p.label for p in sub_paragraphs(chapeau, [chapeau, subs[0], deeper], every_level=True)]
    ['OP 5 (a)', 'OP 5 (a) (i)']
    """
    number = passage.number.replace(" ", "")
    if every_level:
        return [p for p in passages if p.doc == passage.doc and p.part == passage.part and p.kind == passage.kind
                and p.number.replace(" ", "").startswith(number + "(")]
    if passage.parent or not passage.text.rstrip().endswith((":", "—", "–")):
        return []
    return [p for p in passages if p.doc == passage.doc and p.part == passage.part and p.kind == passage.kind
            and p.parent.replace(" ", "") == number and p is not passage]


def passage_context(passage: Passage) -> str:
    return f"{passage.lead} {passage.text}" if passage.lead else passage.text
