"""Answers read from a document's structure rather than found by the search: paragraphs named by label
("OP 9", "Annex OP 49", "paragraphs 5 to 7"), facts stated by its heading (date and meeting of adoption, body,
agenda item, session, formal editing, draft status) and the catalogue of indexed documents ("Which resolutions
were adopted in 2024?").

:class:`DocumentAnswers` holds these answers; :class:`rag.answer.Answerer` inherits them and provides how an
answer is composed (``_compose``, ``_abstain``) and how excerpts are chosen (``_set_excerpts``).
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Collection, Sequence
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from rag.excerpts import DATE_LINE, MEETING_LINE, AnswerItem, excerpt_of, excerpt_spans, sub_paragraphs
from rag.lexical import tokenize
from rag.question import (
    INTENT_WORDS,
    YEAR_LIST,
    LabelRequest,
    adoption_scope,
    question_terms,
    without_document_references,
)
from rag.types import Answer, Hit, Passage, normalise_label


class Library(Protocol):
    """What the answerer needs from the index besides the hits (the pipeline provides it)."""

    def passages(self, doc: str | None = None) -> list[Passage]: ...

    def documents(self) -> Sequence[Any]: ...

    def heading_bodies(self, doc: str) -> set[str]: ...

    def headings(self) -> dict[str, Passage]:
        """The heading of every indexed document (symbol to passage), without reading the rest of them."""
        ...

    def documents_named(self, question: str) -> tuple[list[str], list[str]]: ...


#: The heading lines that can answer a question about the document, by intent (``rag.question.metadata_intent``):
#: a line with a date for "when", a meeting line for "at which meeting", an agenda item, a session; for "which
#: body", see :func:`_body_lines`; :func:`_intent_lines` chooses.
_INTENT_LINES = {
    "date": DATE_LINE,
    "meeting": MEETING_LINE,
    "agenda": re.compile(r"\bagenda\s+items?\s+\d|\bitems?\s+\d{1,3}\b.*\bagenda\b", re.IGNORECASE),
    "session": re.compile(r"\b(?:[A-Za-z]+-)?[A-Za-z]+(?:st|nd|rd|th)\s+(?:(?:emergency\s+)?special\s+|resumed\s+)?"
                          r"session\b|\b\d{4}\s+session\b", re.IGNORECASE),
}
#: A line stating when the text was adopted: "Resolution adopted by the General Assembly on 17 December 2024",
#: "Adopted by the Security Council at its 9634th meeting, on 24 May 2024", the closing lines "6th plenary
#: meeting" / "10 November 2017" (a date under a meeting line is the date of adoption; see :func:`excerpt_spans`).
ADOPTION_LINE = re.compile(r"(?:\badopt\w*|\bmeeting\b)[\s\S]*" + DATE_LINE.pattern, re.IGNORECASE)
#: A date alone on a line of the cover: the date the document was issued.
_ISSUE_LINE = re.compile(r"^\s*\d{1,2}\s+[A-Z][a-z]+\s+\d{4}\s*$")
#: Intents whose answer is a line the heading has or lacks: without one, the text does not say.
_STATED_IN_HEADING = {"meeting": "the meeting that adopted it", "agenda": "an agenda item", "session": "a session"}
#: What a body does with a text, as a heading line says it: "adopted by", "recommends", "on the report of".
_BODY_ACTS = ("adopt", "recommend", "submit", "report")


def _body_lines(question: str) -> re.Pattern[str]:
    """The heading lines that say which body did what the question asks about first: "Which body *recommended*
    it?" wants the line "[on the *recommendation* of the Commission ...]", not the one saying who adopted it. A
    question on a Main Committee wants the line that names one, or says there was none.

    >>> lines = _body_lines("On the report of which Main Committee was it adopted?")
    >>> bool(lines.search("[on the report of the Third Committee]")), bool(lines.search("Adopted on 2 May 2030"))
    (True, False)
    >>> bool(_body_lines("Was it adopted with reference to a Main Committee?").search(
    ...     "[without reference to a Main Committee (A/99/L.4)]"))
    True
    """
    if re.search(r"\bmain\s+committee\b", question, re.I):
        return re.compile(r"\b(?:report|reference)\w*\b[^\n]*\bcommittee\b", re.IGNORECASE)
    found = [(match.start(), act) for act in _BODY_ACTS for match in [re.search(rf"\b{act}", question, re.I)] if match]
    acts = [min(found)[1]] if found else list(_BODY_ACTS)
    return re.compile(rf"\b(?:{'|'.join(acts)})\w*", re.IGNORECASE)


def _intent_lines(intent: str, question: str) -> list[re.Pattern[str]]:
    """The heading lines that answer a question of ``intent``, best kind first: "When was it adopted?" wants the
    adoption line, not the issue date; "When was it issued?" the date alone on the cover, then any dated line.

    >>> [p is ADOPTION_LINE for p in _intent_lines("date", "When was it adopted?")]
    [True]
    >>> len(_intent_lines("date", "When was it issued?")), _intent_lines("title", "What is it called?")
    (2, [])
    """
    if intent == "body":
        return [_body_lines(question)]
    if intent == "date" and re.search(r"\badopt", question, re.IGNORECASE):
        return [ADOPTION_LINE]
    if intent == "date" and re.search(r"\b(?:issu|publish|distribut)", question, re.IGNORECASE):
        return [_ISSUE_LINE, DATE_LINE]
    pattern = _INTENT_LINES.get(intent)
    return [pattern] if pattern is not None else []


def _matching_lines(heading: Passage | None, patterns: Sequence[re.Pattern[str]]) -> re.Pattern[str] | None:
    """The first of ``patterns`` that some line (span) of ``heading`` matches, else ``None``."""
    if heading is None:
        return None
    spans = [heading.text[a:b] for a, b in excerpt_spans(heading)]
    return next((p for p in patterns if any(p.search(span) for span in spans)), None)


#: A question on the indexed documents themselves: "Which resolutions were adopted in 2024?", "Which documents did
#: the Security Council adopt?" (not "Which resolutions adopted in 2024 mention X?": that asks about their text).
_ADOPTED_WHEN_OR_BY = (r"adopt(?:ed)?\b(?:\s+(?:in|by|during)\s+(?:the\s+)?(?:(?-i:[A-Z])[\w-]*|\d{4})"
                       r"(?:\s+(?:(?-i:[A-Z])[\w-]*|of|and|on|in|or|\d{4}))*)?")
#: "... are indexed", "... do you have", "... in the collection", or nothing.
_HELD = (r"(?:\s+(?:are|is|do\s+you\s+have|have\s+you\s+got|exist))?(?:\s+(?:there|indexed|loaded|available|held|"
         r"in\s+(?:the|this|your)\s+(?:collection|index|corpus|library|database)))*\s*\??\s*$")
CATALOGUE_QUESTION = re.compile(
    rf"^\s*(?:which|what)\s+(?:of\s+the\s+)?(?:(?:{YEAR_LIST})(?:['’]s)?\s+)?(?:resolutions|documents|texts)\s+"
    rf"(?:(?:were|was|did|have|has)\s+)?(?:[\w-]+\s+){{0,6}}?{_ADOPTED_WHEN_OR_BY}{_HELD}"
    # "Which ECOSOC resolutions are in the collection?", "List the Security Council resolutions", "Which documents?",
    # "Which 2018 resolutions are indexed?", "What are the resolutions from 2024?", "Which resolutions adopted by
    # the Security Council in 1992 are indexed?"
    # (the question word may be left out: "resolutions from 1992", "ECOSOC resolutions from 2023")
    r"|^\s*(?:(?:which|what|list(?:\s+all)?)\s+(?:(?:are|were)\s+)?(?:of\s+)?)?(?:the\s+)?"
    rf"(?:(?:{YEAR_LIST})(?:['’]s)?\s+)?(?:(?:(?-i:[A-Z])[\w-]*|and|of|on|for)\s+)*"
    rf"(?:resolutions|documents|texts)(?:\s+(?:of|from|in)\s+(?:the\s+year\s+)?(?:{YEAR_LIST}))?"
    rf"(?:\s+(?:(?:were|was|have\s+been|has\s+been)\s+)?{_ADOPTED_WHEN_OR_BY})?{_HELD}",
    re.IGNORECASE,
)
#: A draft: its heading presents a "draft resolution" (or decision), or its symbol has an ``/L.`` segment.
_DRAFT_WORDING = re.compile(r"\bdraft\s+(?:resolution|decision)s?\b", re.IGNORECASE)


def year_of(date: str) -> str:
    """The year of a document's date, however written: ``year_of("2024-12-17") == year_of("17 December 2024")``."""
    found = re.search(r"\b(?:19|20)\d{2}\b", date)
    return found.group(0) if found else ""


def symbol_year(symbol: str) -> str:
    """The year whose series a symbol numbers the document in, or ``""``: ECOSOC resolution 2018/2 is of 2018 even
    when adopted in 2017; a General Assembly symbol has a session, not a year.

    >>> symbol_year("E/RES/2018/2"), symbol_year("S/RES/2730 (2024)"), symbol_year("A/RES/73/3")
    ('2018', '2024', '')
    """
    found = re.search(r"/((?:19|20)\d{2})/|\(((?:19|20)\d{2})\)\s*$", symbol)
    return (found.group(1) or found.group(2)) if found else ""


def adoption_year_note(info: Any, years: Collection[str]) -> str:
    """When a document of ``years`` by its symbol was adopted, if in another year ("E/RES/2018/2 was adopted
    *in 2017 as resolution 2018/2*"), or ``""``.

    >>> from types import SimpleNamespace
    >>> adoption_year_note(SimpleNamespace(symbol="E/RES/2018/2", date="2017-11-10"), {"2018"})
    'in 2017 as resolution 2018/2'
    >>> adoption_year_note(SimpleNamespace(symbol="E/RES/2018/2", date="2017-11-10"), {"2017"})
    ''
    """
    symbol, adopted = str(getattr(info, "symbol", "")), year_of(str(getattr(info, "date", "")))
    if not years or not adopted or adopted in years:
        return ""
    number = f"resolution {symbol.split('/RES/', 1)[1]}" if "/RES/" in symbol else symbol
    return f"in {adopted} as {number}"


#: "When was X adopted / published / issued?": X, the subject.
_DATED_SUBJECT = re.compile(
    r"^\W*(?:when|on\s+what\s+date|what\s+date|which\s+date)\s+(?:was|were|is|are|did|has|had|will)\s+"
    r"(?P<subject>.+?)\s+(?:first\s+|originally\s+|formally\s+)?(?:issued?|dated|published?|adopt(?:ed)?|released?)\b",
    re.IGNORECASE)
#: Words that name the document itself (or nothing): "it", "this resolution", "the draft".
_THE_DOCUMENT = frozenset({"it", "this", "that", "the", "these", "its", "present", "said", "above", "resolution",
                           "resolutions", "document", "documents", "draft", "text", "decision"})


def _dates_something_else(question: str) -> bool:
    """Whether a question on a date asks it of something other than a document it names by pronoun or noun: "When
    was the initial Aide Memoire adopted?" (a text the document recalls), not "When was it adopted?" or "When
    was the draft issued?". A question naming an indexed document by symbol, number or title is not asked this.

    >>> _dates_something_else("When was the initial Aide Memoire adopted?"), _dates_something_else(
    ...     "When was this resolution adopted?"), _dates_something_else("When was the Practical Guide published?")
    (True, False, True)
    """
    match = _DATED_SUBJECT.match(question)
    return match is not None and any(word.lower() not in _THE_DOCUMENT
                                     for word in re.findall(r"[\w’'\-]+", match["subject"]))


def draft_evidence(symbol: str, heading: str) -> str:
    """Why a document is a draft, or ``""`` when nothing says it is.

    >>> draft_evidence("E/CN.7/2099/L.3", "The Commission recommends the following draft resolution:")
    'its heading presents a draft resolution, and its symbol (/L.) is that of a draft'
    >>> draft_evidence("A/RES/99/1", "Resolution adopted by the General Assembly on 1 May 2099")
    ''
    """
    reasons = []
    wording = _DRAFT_WORDING.search(heading)
    if wording:
        reasons.append(f"its heading presents a {wording.group(0).lower()}")
    if re.search(r"/L\.\d", symbol):
        reasons.append("its symbol (/L.) is that of a draft")
    return ", and ".join(reasons)


def adopted_documents(library: Library, years: Collection[str] = (), bodies: Collection[str] = ()
                      ) -> list[tuple[Any, Passage]]:
    """The indexed documents (their ``library.documents()`` record, their heading) of one of ``years`` by one of
    ``bodies`` (canonical names; any year, any body when empty). A document is of a year when it was adopted in
    it or its symbol numbers it in that year's series (E/RES/2018/2, adopted in 2017; see
    :func:`adoption_year_note`). A draft was not adopted: it is left out."""
    found = []
    headings = library.headings()
    for info in library.documents():
        symbol = str(getattr(info, "symbol", ""))
        heading = headings.get(symbol)
        if heading is None or draft_evidence(symbol, heading.text):
            continue
        if years and not {year_of(str(getattr(info, "date", ""))), symbol_year(symbol)} & set(years):
            continue
        if bodies and not set(bodies) & library.heading_bodies(symbol):
            continue
        found.append((info, heading))
    return found


def adoption_phrase(years: Collection[str], bodies: Collection[str]) -> str:
    """How an answer says which documents (an acronym takes no article).

    >>> adoption_phrase({"2024"}, {"Security Council"}), adoption_phrase({"2018", "2017"}, {"ECOSOC"})
    (' by the Security Council in 2024', ' by ECOSOC in 2017 or 2018')
    """
    named = " or ".join(body if body.isupper() else f"the {body}" for body in sorted(bodies))
    return "".join([f" by {named}" if bodies else "", f" in {' or '.join(sorted(years))}" if years else ""])


def _date_kind(line: str, passage: Passage) -> str:
    """What a dated line says happened on its date: "reissued", "adopted", "issued" (a date alone on the cover)."""
    if re.search(r"\bre-?issu", line, re.IGNORECASE):
        return "reissued"
    if ADOPTION_LINE.search(line):
        return "adopted"
    if passage.kind == "heading" and _ISSUE_LINE.match(line):
        return "issued"
    return "dated"


class DocumentAnswers:
    """Answers from a document's structure (see the module docstring); a base of :class:`rag.answer.Answerer`."""

    aliases: Any
    symbols: list[str]

    if TYPE_CHECKING:  # provided by rag.answer.Answerer
        def _compose(self, question: str, groups: Sequence[AnswerItem], *, lead: str = "") -> Answer: ...

        @staticmethod
        def _abstain(question: str, message: str) -> Answer: ...

        def _set_excerpts(self, question: str, groups: Sequence[AnswerItem], *, query_vector: np.ndarray | None,
                          whole: bool = False, lines: re.Pattern[str] | None = None) -> None: ...

    # ---- paragraphs named by label
    def _answer_labels(
        self, question: str, requests: Sequence[LabelRequest], hits: Sequence[Hit], library: Library, *,
        doc: str | None, named: Sequence[str] = (), k: int, query_vector: np.ndarray | None,
        kinds: Sequence[str] | None = None,
    ) -> Answer | None:
        """Each paragraph the question names ("OP 3 and OP 4", "paragraphs 5 to 7"), in the order named; what
        one of them cannot show ("There is no OP 30 in ...") is said in its place."""
        answers = [answer for request in requests
                   if (answer := self._answer_label(question, request, hits, library, doc=doc, named=named, k=k,
                                                    query_vector=query_vector, kinds=kinds)) is not None]
        if len(answers) <= 1:
            return answers[0] if answers else None
        shown = [answer for answer in answers if not answer.abstained]
        if not shown:
            return self._abstain(question, "\n".join(dict.fromkeys(answer.answer for answer in answers)))
        citations = list({(c.doc, c.label): c for answer in shown for c in answer.citations}.values())
        text = "\n".join(dict.fromkeys(line for answer in answers for line in answer.answer.splitlines()))
        return Answer(question=question, answer=text, abstained=False, citations=citations)

    def _answer_label(
        self, question: str, request: LabelRequest, hits: Sequence[Hit], library: Library, *, doc: str | None,
        named: Sequence[str] = (), k: int, query_vector: np.ndarray | None, kinds: Sequence[str] | None = None,
    ) -> Answer | None:
        """The paragraph a question names by label, whole with its sub-paragraphs ("OP 16" of a chapeau is
        "Requests the Secretary-General to:" and its items (a) to (d)); found in a part of the document (the draft
        it contains, its annex) when its own text has no paragraph so numbered, as the answer's first line says."""
        symbols = candidate_documents(library, request.symbol or doc, hits, named)
        if not symbols:
            if request.symbol:
                from rag.retrieve import matcher_for

                close = matcher_for(_indexed_symbols(library)).close_to(request.symbol)
                hint = f": did you mean {' or '.join(close)}?" if close else " (see `rag list`)."
                return self._abstain(question, f"No document {request.symbol} is indexed{hint}")
            return None
        unindexed = [] if request.symbol or doc or named else unindexed_in(question, library)
        if unindexed:  # "paragraph 3 of resolution 72/194": not another document's paragraph 3
            noun, number = unindexed[0]
            return self._abstain(question, f"{noun.capitalize()} {number} is not among the indexed documents (see "
                                 f"`rag list`): its {request.label} cannot be shown.")
        if kinds and request.kind and request.kind not in kinds:
            if not request.only:
                return None
            article = "an" if request.kind[:1] in "aeiou" else "a"  # "an operative passage"
            return self._abstain(question, f"{request.label} is {article} {request.kind} passage, and the question is "
                                 f"limited to {' and '.join(kinds)} passages (--kind).")
        found: list[tuple[Passage, list[Passage], list[Passage]]] = []  # (passage, its document's, others so named)
        for symbol in symbols:
            passages = library.passages(symbol)
            matches = _label_matches(passages, request, kinds)
            if matches:
                found.append((matches[0], passages, matches[1:]))
        if request.part and any(passage.part == request.part for passage, _, _ in found):
            found = [item for item in found if item[0].part == request.part]  # "Draft OP 3": the drafts' only
        if not found:
            if not request.only:
                return None
            where = symbols[0] if len(symbols) == 1 else f"any of the {len(symbols)} indexed documents"
            return self._abstain(question, f"There is no {request.label} in {where}.")
        found = found[: max(k, 1)]
        groups: list[AnswerItem] = []
        notes: list[str] = []
        for passage, passages, others in found:
            groups.append(AnswerItem(passage, 1.0, ""))
            # the whole paragraph: a chapeau without its items says nothing
            groups.extend(AnswerItem(child, 1.0, "") for child in sub_paragraphs(passage, passages, every_level=True))
            if passage.part != request.part:
                notes.append(_found_elsewhere(passage, request, others, alone=len(found) == 1))
        if request.only:
            for group in groups:
                group.excerpt = excerpt_of(group.passage.text, (0, len(group.passage.text)))
        else:
            self._set_excerpts(question, groups, query_vector=query_vector)
        return self._compose(question, groups, lead=" ".join(note for note in notes if note))

    # ---- metadata questions
    def _answer_metadata(
        self, question: str, intent: str, hits: Sequence[Hit], library: Library, *, doc: str | None,
        named: Sequence[str] = (), query_vector: np.ndarray | None, kinds: Sequence[str] | None = None,
    ) -> Answer | None:
        if not named and not doc and intent == "date" and _dates_something_else(question):
            return None  # "When was the Practical Guide published?": what the text names, not the text
        symbols = candidate_documents(library, doc, hits, named)
        if not symbols:
            return None
        symbol = symbols[0]
        passages = [p for p in library.passages(symbol) if not kinds or p.kind in kinds]
        heading = next((p for p in passages if p.kind == "heading"), None)
        notes = [p for p in passages if p.kind == "footnote" and not p.number.isdigit()]
        info = next((d for d in library.documents() if getattr(d, "symbol", None) == symbol), None)
        candidates = ([heading] if heading else []) + notes
        if not candidates:
            return None
        # the document's own symbol in the question says which document, not which of its passages
        from rag.retrieve import document_reference_spans, without_spans

        # the document's symbol, however written ("L.8/Rev.1"), says which document, not which of its lines
        about = without_document_references(without_spans(question, document_reference_spans(question, self.symbols)))
        cue = set(tokenize(INTENT_WORDS.get(intent, ""))) | set(question_terms(about))
        about_note = ""
        if len(symbols) > 1 and not doc and symbol not in named:
            about_note = f"(About {symbol}; {len(symbols)} documents are indexed, choose one with --doc.)"
        patterns = _intent_lines(intent, about)
        lines = _matching_lines(heading, patterns)
        # the meeting, agenda item, session or adoption date is a line of the heading, or the text does not say
        required = heading is not None and (intent in _STATED_IN_HEADING or ADOPTION_LINE in patterns)
        if required and lines is None:
            assert heading is not None
            return self._not_stated(question, intent, symbol, heading, notes, about_note)
        lead = ""
        if intent == "symbol":
            lead = f"The document symbol is {symbol}."
            chosen = heading or candidates[0]
        elif intent == "title" and heading is not None:
            title = getattr(info, "title", "") or ""
            chosen = heading
            if title and title in heading.text:
                group = AnswerItem(heading, 1.0, title)
                return self._compose(question, [group], lead=f"The title of {symbol} is:")
        elif required and heading is not None:
            chosen = heading
        else:
            scored = sorted(
                candidates,
                key=lambda p: -len(cue & set(tokenize(p.text))) - (0.5 if p.kind == "footnote" else 0.0)
                * (intent in ("editing", "reissue", "date")),
            )
            chosen = scored[0]
            if intent in ("editing", "reissue") and not (cue & set(tokenize(chosen.text))):
                return None
        group = AnswerItem(chosen, 1.0, "")
        if chosen.kind == "footnote":
            group.excerpt = excerpt_of(chosen.text, (0, len(chosen.text)))
        else:
            self._set_excerpts(about, [group], query_vector=None, lines=lines)
            if ADOPTION_LINE.search(group.excerpt) and not re.search(r"\badopt", group.excerpt, re.IGNORECASE):
                lead = "The text closes with the meeting and the date of its adoption:"  # "54th plenary meeting"
        lead = " ".join(part for part in (lead, about_note) if part)
        return self._compose(question, [group], lead=lead)

    def _answer_catalogue(self, question: str, library: Library, *, kinds: Sequence[str] | None) -> Answer:
        """"Which resolutions were adopted in 2024?", "Which resolutions did the Security Council adopt?": the
        indexed documents adopted in the years and by the bodies the question names (all of them when it names
        none), each cited by its heading's adoption line. A draft was not adopted: it is left out."""
        from rag.retrieve import find_issuers

        years = set(adoption_scope(question)[0])
        bodies = {canonical for _, _, canonical in find_issuers(question, self.aliases)} if self.aliases else set()
        infos = list(library.documents())
        groups: list[AnswerItem] = []
        notes: list[tuple[str, str]] = []  # documents of the years adopted in another: ("E/RES/2018/2", "in 2017 ...")
        for info, heading in adopted_documents(library, years, bodies) if not kinds or "heading" in kinds else []:
            spans = [heading.text[a:b] for a, b in excerpt_spans(heading)]
            line = next((span for span in spans if ADOPTION_LINE.search(span)), "") or getattr(info, "title", "")
            groups.append(AnswerItem(heading, 1.0, line if line in heading.text else ""))
            note = adoption_year_note(info, years)
            if note:
                notes.append((str(info.symbol), note))
        what = adoption_phrase(years, bodies)
        if not groups:
            return self._abstain(question, f"None of the {len(infos)} indexed documents was adopted{what}.")
        adopted = len(groups) - len(notes)
        lead = f"{adopted} of the {len(infos)} indexed documents {'was' if adopted == 1 else 'were'} adopted{what}"
        if notes and adopted:  # "2 of the 10 ... were adopted in 2018, and E/RES/2018/2 in 2017 as resolution 2018/2"
            lead += ", and " + "; ".join(f"{symbol} {note}" for symbol, note in notes)
        elif notes:  # "None of the 10 ... was adopted in 2018, but E/RES/2018/2 was adopted in 2017 as ..."
            lead = f"None of the {len(infos)} indexed documents was adopted{what}, but " + "; ".join(
                f"{symbol} was adopted {note}" for symbol, note in notes)
        lead += ":"
        return self._compose(question, groups, lead=lead)

    def _not_stated(self, question: str, intent: str, symbol: str, heading: Passage, notes: Sequence[Passage],
                    about_note: str) -> Answer:
        """The answer when the heading has no line of the kind asked for: the text does not say (a draft, not
        adopted, has no adoption date or meeting). Asked when it was adopted, the dates the text does give are
        quoted, each said for what it is (issued, reissued)."""
        draft = draft_evidence(symbol, heading.text)
        if intent != "date":
            what = _STATED_IN_HEADING.get(intent, "it")
            why = f"; it is a draft ({draft}), not an adopted text" if draft else ": its heading has no such line"
            message = f"{symbol} does not state {what}{why}."
            return self._abstain(question, " ".join(filter(None, [about_note, message])))
        groups: list[AnswerItem] = []
        facts: list[str] = []
        spans = [heading.text[a:b] for a, b in excerpt_spans(heading)]
        dated = [span for span in spans if DATE_LINE.search(span)]
        wording = next((span for span in spans if _DRAFT_WORDING.search(span)), "")
        if dated or wording:
            groups.append(AnswerItem(heading, 1.0, (dated or [wording])[0]))
        facts += [f"{_date_kind(span, heading)} {DATE_LINE.findall(span)[-1]} [{heading.label}]" for span in dated]
        for note in notes:
            found = DATE_LINE.findall(note.text)
            if found:
                groups.append(AnswerItem(note, 0.9, excerpt_of(note.text, (0, len(note.text)))))
                facts.append(f"{_date_kind(note.text, note)} {found[-1]} [{note.label}]")
        opening = (f"{symbol} is a draft ({draft}), not an adopted text: it gives no date of adoption." if draft
                   else f"{symbol} gives no date of adoption in its text.")
        if facts:
            opening += f" The date{'s' if len(facts) > 1 else ''} it does give: {'; '.join(facts)}."
        else:
            opening += " It gives no other date either."
        if not groups:
            return self._abstain(question, " ".join(filter(None, [about_note, opening])))
        return self._compose(question, groups, lead=" ".join(filter(None, [opening, about_note])))


def candidate_documents(library: Library, wanted: str | None, hits: Sequence[Hit],
                         named: Sequence[str] = ()) -> list[str]:
    """Symbols to look in: the one asked for (any spelling), else those the question names, else those of the
    hits, then all indexed (the hits' documents first)."""
    symbols = _indexed_symbols(library)
    if wanted:  # any spelling: "S/RES/787" is "S/RES/787 (1992)"
        from rag.retrieve import matcher_for

        found = matcher_for(symbols).resolve(wanted)
        return [found] if found else []
    ordered: list[str] = []
    for hit in hits:
        if hit.passage.doc not in ordered:
            ordered.append(hit.passage.doc)
    ordered += [s for s in symbols if s not in ordered]
    return [s for s in ordered if s in named] or ordered


def _indexed_symbols(library: Library) -> list[str]:
    return [str(getattr(d, "symbol", d)) for d in library.documents()]


#: How an answer names the part of a document (``Passage.part``) a paragraph is in.
_PART_NAMES = {"": "its own text", "draft": "the draft resolution it contains", "annex": "its annex"}


def _label_matches(passages: Sequence[Passage], request: LabelRequest,
                   kinds: Sequence[str] | None = None) -> list[Passage]:
    """The passages of one document that ``request`` names, best first, at most one per part of the document: in
    the part it names ("Annex OP 49") when the document has that part; else in the document's own text, then in its
    parts in reading order (an ECOSOC resolution has few paragraphs of its own, the draft it recommends many).
    ``kinds`` limits the kinds looked at (``rag ask --kind``).

    >>> own = Passage("X", "operative", "1", "1. Recommends the following draft:")
    >>> draft = [Passage("X", "operative", n, f"{n}. Decides.", part="draft") for n in ("1", "2")]
    >>> [[p.label for p in _label_matches([own, *draft], LabelRequest("operative", n))] for n in ("1", "2")]
    [['OP 1', 'Draft OP 1'], ['Draft OP 2']]
    >>> [p.label for p in _label_matches([own, *draft], LabelRequest("", "1", part="draft"))]
    ['Draft OP 1']
    >>> [p.label for p in _label_matches([own, *draft], LabelRequest("operative", "last"))]
    ['OP 1', 'Draft OP 2']
    """
    parts = list(dict.fromkeys(p.part for p in passages))
    order = [request.part] if request.part in parts and request.part else ["", *(part for part in parts if part)]
    wanted = [kind for kind in ([request.kind] if request.kind else ["operative", "paragraph", "preambular"])
              if not kinds or kind in kinds]
    number = normalise_label(request.number)
    found: list[Passage] = []
    for part in order:
        for kind in wanted:
            of_kind = [p for p in passages if p.kind == kind and p.part == part]
            if request.number == "last":
                match = next((p for p in reversed(of_kind) if not p.parent), None)
            else:
                match = next((p for p in of_kind if normalise_label(p.number) == number), None)
            if match is not None:
                found.append(match)
                break
    return found


def _found_elsewhere(passage: Passage, request: LabelRequest, others: Sequence[Passage], *, alone: bool) -> str:
    """What a label answer says first when it quotes another part of the document than the question names:
    ``alone`` when it is the answer's only document, else a shorter note in brackets. Nothing when the question
    names a draft and the document contains none: a draft resolution is most often the document itself ("OP 3 of
    the draft resolution E/CN.15/2019/L.8/Rev.1").

    >>> draft = Passage("E/RES/1", "operative", "22", "22. Welcomes.", part="draft")
    >>> _found_elsewhere(draft, LabelRequest("operative", "22"), [], alone=True)
    'E/RES/1 has no OP 22 of its own; OP 22 of the draft resolution it contains is:'
    >>> _found_elsewhere(draft, LabelRequest("", "22"), [], alone=False)
    '(E/RES/1 has no paragraph 22 of its own: Draft OP 22 is that of the draft resolution it contains.)'
    >>> _found_elsewhere(dataclasses.replace(draft, part=""), LabelRequest("operative", "22", part="annex"), [],
    ...                  alone=True)
    'E/RES/1 contains no annex; OP 22 of its own text is:'
    >>> _found_elsewhere(dataclasses.replace(draft, part=""), LabelRequest("operative", "22", part="draft"), [],
    ...                  alone=True)
    ''
    """
    where = _PART_NAMES.get(passage.part, f"its {passage.part}")
    plain = dataclasses.replace(passage, part="").label
    if request.part == "draft" and not passage.part:
        return ""
    missing = f"contains no {request.part}" if request.part else f"has no {request.label} of its own"
    also = "".join(f" ({_PART_NAMES.get(o.part, f'its {o.part}')} has one too: “{o.label}”)" for o in others)
    if alone:
        return f"{passage.doc} {missing}{also}; {plain} of {where} is:"
    return f"({passage.doc} {missing}{also}: {passage.label} is that of {where}.)"


def unindexed_in(question: str, library: Library) -> list[tuple[str, str]]:
    """The resolutions the question names by number that are not indexed (``rag.retrieve.unindexed_references``)."""
    from rag.retrieve import unindexed_references

    return unindexed_references(question, _indexed_symbols(library))
