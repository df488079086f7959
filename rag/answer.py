"""Extractive answers: verbatim excerpts of the retrieved paragraphs, each cited.

:class:`Answerer` turns a question and the retrieval hits into an
:class:`rag.types.Answer`:

* **excerpts**: for each chosen paragraph, the clause or sentence most relevant
  to the question (UN paragraphs are often one long sentence: they are split on
  semicolons and at the clause boundaries of resolution drafting, "..., and
  requests ...", "..., recognizing that ..."), followed by its label, e.g.
  ``[OP 9]``. The whole paragraph stays in :attr:`Citation.text`; the excerpt in
  :attr:`Citation.excerpt` is always a verbatim substring of it;
* **several paragraphs** when the question asks for a list, or when several
  hits are about as relevant as the best one;
* **footnotes** shown under the paragraph that cites them, when relevant;
* **questions about the document itself** (symbol, title, issuing body, date,
  formal editing, reissue, meeting, agenda item, session, report of a Main Committee)
  answered from the line of its heading that states it and its ``*`` footnotes; when
  the heading has no such line the answer says so (a draft has no date of adoption:
  the dates it does give are quoted, each said for what it is);
* **label questions** ("OP 9", "operative paragraph 9 of E/CN.15/2019/L.8/Rev.1",
  "first preambular paragraph") show that paragraph;
* **mandate questions** ("What is UNODC requested to do?") list every matching
  paragraph of the mandate map (``rag.mandates``), not a top-k sample;
* **abstention**: when nothing retrieved is relevant enough (see
  :class:`AbstentionPolicy`), the answer says so, with no citations.

What kind of question it is (a label, the document itself, a list, the present state, another
language) is read by :mod:`rag.question`; what type of answer it expects (a number, a date, a place
...) by :mod:`rag.answer_types`.

Nothing here knows a particular document: rules follow UN drafting
conventions, thresholds were calibrated on the ``dev`` split of the eval suites.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from rag.answer_types import describe, expected_types, missing_types
from rag.lexical import stem, tokenize
from rag.question import (
    INTENT_WORDS,
    LabelRequest,
    acronym_like,
    asks_about_present,
    asks_for_documents,
    asks_for_mentions,
    countries_of,
    foreign_language,
    metadata_intent,
    number_spellings,
    parse_label_requests,
    question_names,
    question_terms,
    slips,
    spells_out,
    wants_list,
    without_document_references,
)
from rag.types import Answer, Citation, Hit, Passage, normalise_label

# --------------------------------------------------------------------------- clauses and excerpts

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


# --------------------------------------------------------------------------- the answerer




@dataclass(frozen=True)
class _Profile:
    """A question's content terms, their weights, and for each term the token sets of its aliases."""

    terms: list[str]
    weights: dict[str, float]
    alternatives: dict[str, list[frozenset[str]]]

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0

    def covered(self, term: str, tokens: set[str]) -> bool:
        return term in tokens or any(form <= tokens for form in self.alternatives.get(term, ()))

    def coverage(self, tokens: set[str]) -> float:
        """Weighted share of the terms found in ``tokens`` (directly or through an alias)."""
        if not self.terms:
            return 0.0
        return sum(w for t, w in self.weights.items() if self.covered(t, tokens)) / self.total


class Library(Protocol):
    """What the answerer needs from the index besides the hits (the pipeline provides it)."""

    def passages(self, doc: str | None = None) -> list[Passage]: ...

    def documents(self) -> Sequence[Any]: ...

    def heading_bodies(self, doc: str) -> set[str]: ...

    def documents_named(self, question: str) -> tuple[list[str], list[str]]: ...


@dataclass(frozen=True)
class AbstentionPolicy:
    """When retrieved passages are not relevant enough to answer.

    ``relevance`` of the best hit is ``dense_weight * dense + (1 - dense_weight) * coverage``, where
    ``dense`` is the cosine similarity of question and passage, and ``coverage`` the share of the
    question's content terms (weighted by rarity) found in the best passages. The answerer abstains
    below ``min_relevance``, and also when the question's rarest terms appear nowhere in the corpus
    (``max_unknown_share``) unless the dense match is strong (``confident_dense``).
    """

    dense_weight: float = 0.5
    min_relevance: float = 0.33
    max_unknown_share: float = 0.8
    confident_dense: float = 0.6


DEFAULT_POLICY = AbstentionPolicy()



@dataclass(frozen=True)
class SelectionPolicy:
    """Which retrieved paragraphs join the best one in an answer.

    Each candidate's *relevance* to the question is ``dense_weight * cosine + (1 - dense_weight) * coverage``,
    ``coverage`` being the rarity-weighted share of the question's content terms found in the paragraph (its
    chapeau included, an alias counting for its other forms). A paragraph joins the best one when

    * its fused retrieval score is at least ``score_share`` of the best's (``list_score_share`` when the question
      asks for several items, :func:`wants_list`),
    * its relevance is at least ``min_relevance_share`` of the best's: it is about what the question is about,
      so that a paragraph sharing only a frequent word ("Recalling ... resolutions on ... terrorism") does not
      join those on the question's rarer terms ("financing"), however close its score,
    * and either its score is within ``close_share`` of the best's, or its relevance is at least
      ``relevance_share`` of the best's (farther down the ranking, only a paragraph as much on topic joins).

    At most ``max_items`` paragraphs (``MAX_LIST_ITEMS`` for a list; ``k`` when smaller). Calibrated on the
    ``dev`` split of the eval suites (key phrases quoted, expected paragraphs of list questions cited, share of
    cited paragraphs that are expected).
    """

    score_share: float = 0.7
    list_score_share: float = 0.5
    close_share: float = 0.85
    min_relevance_share: float = 0.6
    relevance_share: float = 0.85
    dense_weight: float = 0.3
    max_items: int = 3


DEFAULT_SELECTION = SelectionPolicy()
#: Cap on the paragraphs quoted for a list question (``k`` caps it further when smaller).
MAX_LIST_ITEMS = 8
#: Words without which a question cannot be about mandates (a cheap test before ``rag.mandates`` loads).
_MANDATE_CUE = re.compile(
    r"\b(request|ask|call|urg|encourag|invit|authori|demand|direct|instruct|mandat|task|requir|expect|recommend|"
    r"entrust|remind|want|told|suppos|obligation|responsibilit|dut|assignment|must|should|shall|ha(?:s|ve) to|"
    r"do\b)",
    re.IGNORECASE,
)
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
_CATALOGUE_QUESTION = re.compile(
    r"^\s*(?:which|what)\s+(?:of\s+the\s+)?(?:resolutions|documents|texts)\s+(?:(?:were|was|did|have|has)\s+)?"
    r"(?:[\w-]+\s+){0,6}?adopt(?:ed)?\b"
    r"(?:\s+(?:in|by|during)\s+(?:the\s+)?(?:(?-i:[A-Z])[\w-]*|\d{4})(?:\s+(?:(?-i:[A-Z])[\w-]*|of|and|on|in|or|\d{4}))*)?"
    r"\s*\??\s*$"
    # "Which ECOSOC resolutions are in the collection?", "List the Security Council resolutions", "Which documents?"
    r"|^\s*(?:which|what|list(?:\s+all)?)\s+(?:of\s+)?(?:the\s+)?(?:(?:(?-i:[A-Z])[\w-]*|and|of|on|for)\s+)*"
    r"(?:resolutions|documents|texts)"
    r"(?:\s+(?:are|do\s+you\s+have|have\s+you\s+got|exist))?(?:\s+(?:there|indexed|loaded|available|held|"
    r"in\s+(?:the|this|your)\s+(?:collection|index|corpus|library|database)))*\s*\??\s*$",
    re.IGNORECASE,
)
#: A draft: its heading presents a "draft resolution" (or decision), or its symbol has an ``/L.`` segment.
_DRAFT_WORDING = re.compile(r"\bdraft\s+(?:resolution|decision)s?\b", re.IGNORECASE)


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


def _date_kind(line: str, passage: Passage) -> str:
    """What a dated line says happened on its date: "reissued", "adopted", "issued" (a date alone on the cover)."""
    if re.search(r"\bre-?issu", line, re.IGNORECASE):
        return "reissued"
    if ADOPTION_LINE.search(line):
        return "adopted"
    if passage.kind == "heading" and _ISSUE_LINE.match(line):
        return "issued"
    return "dated"


#: Footnotes of the best paragraph up to this length are always shown under it.
SHORT_FOOTNOTE_CHARS = 200
#: Segment scores: weight of the dense similarity against lexical overlap.
SEGMENT_DENSE_WEIGHT = 0.5
#: Clauses scored by the model per answer (those of the first paragraphs; later ones by lexical coverage
#: alone): each clause is one more model input, the main cost of an answer quoting many paragraphs.
#: 4 leaves the key phrases quoted on the eval suites unchanged (dev and test) and bounds a cold answer's cost.
SEGMENT_DENSE_BUDGET = 4
#: An excerpt shorter than this many words is widened by a neighbouring clause.
MIN_EXCERPT_WORDS = 12


@dataclass
class _Group:
    """One paragraph of the answer, with the footnotes shown under it."""

    passage: Passage
    score: float
    excerpt: str
    footnotes: list[tuple[Passage, float]] = field(default_factory=list)



class Answerer:
    """Builds extractive answers. ``embedder`` (optional) scores clauses by meaning too;
    ``term_weight`` gives a stem's rarity in the corpus (IDF), ``vocabulary`` the stems
    the corpus contains; both are optional (uniform weights, no unknown-term check)."""

    def __init__(
        self,
        *,
        embedder: Any = None,
        term_weight: Callable[[str], float] | None = None,
        vocabulary: Callable[[str], bool] | None = None,
        policy: AbstentionPolicy = DEFAULT_POLICY,
        aliases: Any = None,
        selection: SelectionPolicy = DEFAULT_SELECTION,
        symbols: Sequence[str] = (),
        titles: Any = None,
    ) -> None:
        self.embedder = embedder
        self.symbols = list(symbols)  # the indexed documents: a question naming one by number is about it
        self.titles = titles  # their titles (``rag.retrieve.TitleMatcher``): "the TB declaration" names one too
        self.selection = selection
        self.term_weight = term_weight or (lambda term: 1.0)
        self.vocabulary = vocabulary
        self.policy = policy
        self.aliases = aliases
        self._clauses: dict[str, list[Any]] = {}

    def with_aliases(self, aliases: Any) -> Answerer:
        """This answerer with another alias table (one extended for a question); caches are shared."""
        twin = copy.copy(self)
        twin.aliases = aliases
        return twin

    # ---- public entry point
    def answer(
        self,
        question: str,
        hits: Sequence[Hit],
        library: Library | None = None,
        *,
        k: int = 5,
        doc: str | None = None,
        query_vector: np.ndarray | None = None,
        kinds: Sequence[str] | None = None,
    ) -> Answer:
        """Answer ``question`` from ``hits`` (best first); ``library`` serves labels, metadata and footnotes.
        ``kinds`` (``rag ask --kind``): the only passage kinds the answer may cite (the hits are limited to them
        already; a footnote may still be shown under the paragraph that cites it)."""
        language = foreign_language(question)
        if language is not None:
            return self._abstain(
                question,
                f"The question seems to be in {language}. The indexed documents and the search model are in "
                "English: please ask in English.",
            )
        # a question naming its documents ("resolution 2730", "A/RES/79/172", "the TB declaration") is answered from
        # them: the search only favoured them
        precise, titled = library.documents_named(question) if library is not None and not doc else ([], [])
        named = precise or titled
        hits = [h for h in hits if h.passage.doc in named] or hits
        requests = parse_label_requests(question)
        if library is not None and not doc and not precise and not requests:
            # "When was resolution 757 adopted?" with 757 not indexed: only what the indexed documents say of it
            # ("Recalling its resolution 757 (1992) of 30 May 1992") answers, never another document's own facts
            answer = self._answer_unindexed(question, hits, library, k=k, query_vector=query_vector, kinds=kinds)
            if answer is not None:
                return answer
        if requests and library is not None:
            answer = self._answer_labels(question, requests, hits, library, doc=doc, named=named, k=k,
                                         query_vector=query_vector, kinds=kinds)
            if answer is not None:
                return answer
        if library is not None and not doc and _CATALOGUE_QUESTION.match(question):
            return self._answer_catalogue(question, library, kinds=kinds)
        intent = metadata_intent(question)
        if intent is not None and kinds and not {"heading", "footnote"} & set(kinds):
            limited = " and ".join(kinds)
            return self._abstain(question, "This question is about the document itself, which its heading and "
                                 f"footnotes state; the question is limited to {limited} passages (--kind).")
        if intent is not None and library is not None:
            answer = self._answer_metadata(question, intent, hits, library, doc=doc, named=named,
                                           query_vector=query_vector, kinds=kinds)
            if answer is not None:
                return answer
        if library is not None:
            answer = self._answer_mandates(question, hits, library, doc=doc, named=named, kinds=kinds)
            if answer is not None:
                return answer
        answer = self._answer_search(question, hits, library, k=k, named=named, query_vector=query_vector, kinds=kinds)
        silent = [symbol for symbol in precise if symbol not in {c.doc for c in answer.citations}]
        if len(precise) > 1 and silent and not answer.abstained:
            # "Compare what resolutions 787 and 1445 ask of all States": say that one of them has nothing as close
            answer.answer += f"\n(No paragraph of {' or '.join(silent)} answers this question as closely.)"
        return answer

    def profile(self, question: str) -> _Profile:
        """The question's content terms with their weights and alias alternatives (a body named as the author
        of the texts, "What does the General Assembly ask ...", is not a term: see ``rag.retrieve.find_issuers``)."""
        from rag.retrieve import document_reference_spans, find_issuers, find_title_mentions, without_spans

        content = question
        for start, end, _ in reversed(find_issuers(question, self.aliases) if self.aliases is not None else []):
            content = content[:start] + " " + content[end:]
        # an indexed document's number, symbol or title says which document, not what its paragraphs must say
        # (the search leaves it out too); the number of a resolution that is not indexed is what the paragraphs cite
        spans = document_reference_spans(content, self.symbols)
        if self.titles is not None:
            spans += [(m.start, m.end) for m in find_title_mentions(content, self.titles, self.aliases)]
        topical = without_spans(content, spans)
        terms = question_terms(topical) or question_terms(content)
        alternatives: dict[str, list[frozenset[str]]] = {t: [] for t in terms}
        for written, other in number_spellings(topical):  # "6 months" is found as "six months" too
            for term in tokenize(written):
                if term in alternatives:
                    alternatives[term].append(frozenset(tokenize(other)))
        if self.aliases is not None:
            for mention in self.aliases.mentions(question, query=True):
                forms = [frozenset(tokenize(s)) for s in self.aliases.surfaces(mention.canonical)]
                for term in tokenize(mention.surface):
                    if term in alternatives:
                        alternatives[term].extend(f for f in forms if f)
        return _Profile(terms, {t: self.term_weight(t) for t in terms}, alternatives)

    def relevance(self, question: str, hits: Sequence[Hit]) -> dict[str, float]:
        """The abstention features of the best hits (see :class:`AbstentionPolicy`)."""
        profile = self.profile(question)
        found: set[str] = set()
        for hit in hits[:3]:
            found.update(tokenize(_passage_context(hit.passage)))
        unknown = 0.0
        if self.vocabulary is not None and profile.terms:
            vocabulary = self.vocabulary
            unknown = sum(
                w for t, w in profile.weights.items()
                if not vocabulary(t) and not any(all(vocabulary(x) for x in f) for f in profile.alternatives[t])
            ) / profile.total
        dense = max((h.dense for h in hits[:3]), default=0.0)
        coverage = profile.coverage(found)
        policy = self.policy
        return {
            "dense": float(dense),
            "coverage": float(coverage),
            "unknown": float(unknown),
            "names": float(len(self.unknown_names(question, hits))),
            "relevance": float(policy.dense_weight * dense + (1 - policy.dense_weight) * coverage),
        }

    def unknown_names(self, question: str, hits: Sequence[Hit]) -> list[str]:
        """Names in the question (acronyms, capitalised names) that the corpus does not contain.

        A single word must be in the corpus vocabulary (or have an alias that is); a name of several
        words must have all its words in one of the retrieved passages (or an alias that does). A body named
        as the author of the texts ("What does the General Assembly ask ...?") names documents, not a topic of
        the paragraphs: its words need only be in the corpus.
        """
        if self.vocabulary is None:
            return []
        from rag.retrieve import find_issuers

        vocabulary = self.vocabulary
        passages = [set(tokenize(_passage_context(h.passage))) for h in hits]
        issuers = {question[start:end] for start, end, _ in find_issuers(question, self.aliases)} \
            if self.aliases is not None else set()
        missing = []
        for name in question_names(question):
            forms = [set(tokenize(name))]
            if self.aliases is not None:
                canonical = self.aliases.canonical(name)
                if canonical is not None:
                    forms += [set(tokenize(s)) for s in self.aliases.surfaces(canonical)]
            forms = [f for f in forms if f]
            if not forms:
                continue
            if name in issuers:  # "ECOSOC resolution": any of its forms in the corpus will do
                if not any(all(vocabulary(t) for t in f) for f in forms):
                    missing.append(name)
                continue
            if len(forms[0]) == 1 and len(name.split()) == 1:
                known = any(all(vocabulary(t) for t in f) for f in forms) or (
                    acronym_like(name) and any(spells_out(name, _passage_context(h.passage)) for h in hits)
                ) or any(vocabulary(t) for t in variants(name))
            else:  # each word as it is, or a variant: "Japanese Government" is the "Government of Japan"
                word_forms = _word_forms(name)
                known = any(f <= tokens for f in forms for tokens in passages) or (bool(word_forms) and any(
                    all(alternatives & tokens for alternatives in word_forms) for tokens in passages))
            if not known:
                missing.append(name)
        return missing

    def absent_issuers(self, question: str, hits: Sequence[Hit], library: Library | None) -> list[str]:
        """Bodies the question names as the author of the texts ("What does the Human Rights Council ask ...?")
        that adopted none of the documents of ``hits`` (their headings do not name them). Retrieval favours
        the documents of a body so named, so when none of them comes up, the corpus holds no text of it."""
        if self.aliases is None or library is None or not hits:
            return []
        from rag.retrieve import TEXTS_OF_BODY, find_issuers

        # "Security Council resolutions" may be texts the paragraphs recall: only a body that acts is an author
        wanted = list(dict.fromkeys(canonical for _, end, canonical in find_issuers(question, self.aliases)
                                    if not TEXTS_OF_BODY.match(question[end:])))
        if not wanted:
            return []
        named: set[str] = set()
        for symbol in dict.fromkeys(h.passage.doc for h in hits):
            named |= library.heading_bodies(symbol)
        return [body for body in wanted if body not in named]

    @staticmethod
    def unanswered(question: str, passages: Sequence[Passage]) -> str | None:
        """Why ``passages`` cannot answer ``question`` although they are close to it, or ``None``: they state
        no expression of the type the question asks for (``rag.answer_types``: a number, an amount, a time
        limit ...)."""
        missing = missing_types(question, (_passage_context(p) for p in passages))
        return f"state no {describe(missing)}" if missing else None

    def should_abstain(self, features: dict[str, float]) -> bool:
        policy = self.policy
        if features.get("names", 0.0) > 0:
            return True
        if features["relevance"] < policy.min_relevance:
            return True
        return features["unknown"] > policy.max_unknown_share and features["dense"] < policy.confident_dense

    # ---- the general case
    def _answer_unindexed(self, question: str, hits: Sequence[Hit], library: Library, *, k: int,
                          query_vector: np.ndarray | None, kinds: Sequence[str] | None) -> Answer | None:
        """The answer to a question naming resolutions by number that are not indexed, from the paragraphs that
        mention them; ``None`` when it names none."""
        from rag.retrieve import mentions_number

        references = _unindexed(question, library)
        if not references:
            return None
        numbers = [number for _, number in references]
        one = len(references) == 1
        named = " and ".join(f"{noun} {number}" for noun, number in references)
        named = f"{named[0].upper()}{named[1:]} {'is' if one else 'are'}"
        mentioning = [h for h in hits if any(mentions_number(h.passage.text, n) for n in numbers)]
        if not mentioning:
            return self._abstain(question, f"{named} not among the indexed documents, and no indexed paragraph close "
                                 f"to this question mentions {'it' if one else 'them'}.")
        # "When did the Human Rights Council adopt resolution 37/22?": the Council wrote 37/22, not the indexed texts
        answer = self._answer_search(question, mentioning, library, k=k, query_vector=query_vector, kinds=kinds,
                                     check_issuers=False)
        if not answer.abstained:
            answer.answer = f"({named} not indexed; what the indexed documents say of {'it' if one else 'them'}:)\n" \
                + answer.answer
        return answer

    def _answer_search(
        self, question: str, hits: Sequence[Hit], library: Library | None, *, k: int,
        named: Sequence[str] = (), query_vector: np.ndarray | None, kinds: Sequence[str] | None = None,
        check_issuers: bool = True,
    ) -> Answer:
        if not hits:
            return self._abstain(question, "Nothing in the indexed documents matches this question.")
        if asks_about_present(question):
            return self._abstain(
                question,
                "The indexed documents are texts adopted on a given date: they cannot tell the present state of "
                "affairs (who holds a post now, what has happened since). Ask what the documents say instead.",
            )
        features = self.relevance(question, hits)
        names = self.unknown_names(question, hits) if features.get("names") else []
        if names:  # a question naming its documents was searched in them alone
            listed = ", ".join(f"“{n}”" for n in names)
            one = len(named) == 1
            where = f"{' and '.join(named)} {'does' if one else 'do'}" if named else "The indexed documents do"
            return self._abstain(question, f"{where} not mention {listed}: {'it does' if one else 'they do'} not "
                                 "answer this question.")
        absent = self.absent_issuers(question, hits, library) if check_issuers else []
        if absent:
            return self._abstain(
                question,
                f"None of the indexed documents close to this question was adopted by the {' or the '.join(absent)}: "
                "they do not answer it.",
            )
        if self.should_abstain(features):
            return self._abstain(
                question,
                "The indexed documents do not seem to answer this question: no paragraph is close enough to it.",
            )
        chosen, left_out = self._choose(question, hits, k, named)
        answering = [h for h in chosen if not self.unanswered(question, [h.passage])]
        if not answering:
            reason = self.unanswered(question, [h.passage for h in chosen])
            return self._abstain(
                question,
                f"The indexed documents do not seem to answer this question: the paragraphs closest to it {reason}.",
            )
        lead = answering[0]
        if lead is not chosen[0]:  # lead with the paragraph that gives what the question asks for
            chosen = [dataclasses.replace(lead, score=chosen[0].score), *(h for h in chosen if h is not lead)]
        groups = self._group(question, chosen, hits, library, query_vector=query_vector, kinds=kinds)
        answer = self._compose(question, groups)
        if left_out:  # "Which resolutions mention X?" with more of them than ``k`` cites: name the others
            wanted = len({c.doc for c in answer.citations}) + len(left_out)
            answer.answer += f"\n(These documents say so too: {', '.join(left_out)}; with k = {wanted} all are cited.)"
        return answer

    def _choose(self, question: str, hits: Sequence[Hit], k: int,
                named: Sequence[str] = ()) -> tuple[list[Hit], list[str]]:
        """The best hit, plus the others that answer about as well (see :class:`SelectionPolicy`); for a question
        on several documents (it asks which ones, or names several), the best of each on the topic. Also the
        documents that answer too but are left out by the cap (``k``)."""
        policy = self.selection
        listing = wants_list(question) or len(named) > 1
        share = policy.list_score_share if listing else policy.score_share
        documents = asks_for_documents(question) or len(named) > 1
        # one paragraph per document: as many documents as ``k``
        cap = k if documents else min(k, MAX_LIST_ITEMS) if listing else min(k, policy.max_items)
        # a heading answers questions about the document itself (handled apart), not about its content
        content = [h for h in hits if h.passage.kind != "heading"] or list(hits)
        profile = self.profile(question)

        def relevance(hit: Hit) -> float:
            coverage = profile.coverage(set(tokenize(_passage_context(hit.passage)))) if profile.terms else 1.0
            return policy.dense_weight * hit.dense + (1 - policy.dense_weight) * coverage

        best = content[0]
        chosen = [best]
        best_relevance = relevance(best)
        # "Which paragraphs mention X?": every paragraph that does, however low the search ranked it (unless the
        # question wants a place, a date, a number ...: then the paragraph that gives it must stay in); "Which
        # resolutions ...?": the best paragraph of each document on the topic (the search ranks those first)
        mentions = asks_for_mentions(question) and bool(profile.terms) and not expected_types(question)
        left_out: list[str] = []  # documents that answer too, beyond the cap
        for hit in content[1:]:
            if len(chosen) >= cap and not documents:
                break
            if documents and hit.passage.doc in {c.passage.doc for c in chosen} | set(left_out):
                continue
            if mentions or documents:
                if mentions:
                    answers = profile.coverage(set(tokenize(_passage_context(hit.passage)))) >= 1.0
                else:
                    answers = relevance(hit) >= policy.min_relevance_share * best_relevance
                if answers and len(chosen) < cap:
                    chosen.append(hit)
                elif answers:
                    left_out.append(hit.passage.doc)
                continue
            if best.score <= 0 or hit.score < share * best.score:
                continue
            own = relevance(hit)
            if own < policy.min_relevance_share * best_relevance:
                continue
            if hit.score >= policy.close_share * best.score or own >= policy.relevance_share * best_relevance:
                chosen.append(hit)
        return chosen, left_out

    def _group(
        self, question: str, chosen: Sequence[Hit], hits: Sequence[Hit], library: Library | None, *,
        query_vector: np.ndarray | None, kinds: Sequence[str] | None = None,
    ) -> list[_Group]:
        """Paragraph groups with their excerpts; a footnote hit joins the paragraph that cites it (unless ``kinds``
        leaves out that paragraph's kind: then it stands alone)."""
        by_key: dict[tuple[str, str], Passage] = {}
        if library is not None:
            docs = {h.passage.doc for h in chosen}
            for symbol in docs:
                for passage in library.passages(symbol):
                    by_key[(passage.doc, passage.label)] = passage
        groups: dict[tuple[str, str], _Group] = {}
        order: list[tuple[str, str]] = []
        hit_scores = {(h.passage.doc, h.passage.label): h.score for h in hits}

        def add_group(passage: Passage, score: float) -> _Group:
            key = (passage.doc, passage.label)
            if key not in groups:
                groups[key] = _Group(passage, score, "")
                order.append(key)
            return groups[key]

        for hit in chosen:
            passage = hit.passage
            if passage.kind == "footnote" and passage.cited_by:
                parent = by_key.get((passage.doc, passage.cited_by[0]))
                if parent is not None and (not kinds or parent.kind in kinds):
                    group = add_group(parent, max(hit.score, hit_scores.get((parent.doc, parent.label), 0.0)))
                    if all(f.label != passage.label for f, _ in group.footnotes):
                        group.footnotes.append((passage, hit.score))
                    continue
            add_group(passage, hit.score)
            # a chapeau ("Urges Member States: ...") says what its sub-paragraphs are about, they say the rest
            for offset, child in enumerate(_sub_paragraphs(passage, by_key.values()), 1):
                if (child.doc, child.label) not in groups:
                    add_group(child, min(hit.score, hit_scores.get((child.doc, child.label), hit.score))
                              - 1e-6 * offset)
        # footnotes of chosen paragraphs that the question is about
        terms = set(question_terms(question))
        for position, key in enumerate(order):
            group = groups[key]
            for number in group.passage.footnotes:
                note = by_key.get((group.passage.doc, f"Footnote {number}"))
                if note is None or any(f.label == note.label for f, _ in group.footnotes):
                    continue
                note_terms = set(tokenize(note.text)) - set(tokenize(group.passage.text))
                in_hits = (note.doc, note.label) in hit_scores
                # a short reference note of the best paragraph is shown as the reader of the document sees it
                short_reference = (position == 0 and len(note.text) <= SHORT_FOOTNOTE_CHARS
                                   and len(group.passage.footnotes) <= 2)
                if short_reference or (terms & note_terms) or (in_hits and terms & set(tokenize(note.text))):
                    group.footnotes.append((note, hit_scores.get((note.doc, note.label), group.score * 0.99)))
        result = [groups[key] for key in order]
        self._set_excerpts(question, result, query_vector=query_vector)
        return result

    # ---- excerpts
    def _segment_scores(self, question: str, texts: Sequence[str], query_vector: np.ndarray | None,
                        dense_upto: int | None = None) -> np.ndarray:
        """Relevance of each segment: lexical coverage of the question's terms, blended with the cosine
        similarity for the first ``dense_upto`` segments (all by default; the rest by coverage alone)."""
        profile = self.profile(question)
        scores = np.array([profile.coverage(set(tokenize(text))) for text in texts], dtype=np.float32)
        embedded = list(texts[: len(texts) if dense_upto is None else dense_upto])
        if self.embedder is None or not embedded:
            return scores
        if query_vector is None:  # one batch for the question and its segments: a single model run
            vectors = np.asarray(self.embedder.embed_passages([question, *embedded]), dtype=np.float32)
            query, segments = vectors[0], vectors[1:]
        else:
            query, segments = query_vector, np.asarray(self.embedder.embed_passages(embedded), dtype=np.float32)
        dense = segments @ np.asarray(query)
        scores[: len(embedded)] = SEGMENT_DENSE_WEIGHT * dense + (1 - SEGMENT_DENSE_WEIGHT) * scores[: len(embedded)]
        return scores

    def _set_excerpts(self, question: str, groups: Sequence[_Group], *, query_vector: np.ndarray | None,
                      whole: bool = False, lines: re.Pattern[str] | None = None) -> None:
        """Pick each group's excerpt: the best clause, widened by close neighbours (one scoring batch); with
        ``lines``, only among the clauses or heading lines it matches (all when it matches none)."""
        plans: list[tuple[_Group, str, list[tuple[int, int]]]] = []
        texts: list[str] = []
        dense_upto: int | None = None  # the model scores the clauses of the first paragraphs, within a budget
        for group in groups:
            text = group.passage.text
            spans = [(0, len(text))] if whole else excerpt_spans(group.passage)
            if lines is not None:
                spans = [(a, b) for a, b in spans if lines.search(text[a:b])] or spans
            plans.append((group, text, spans))
            if len(spans) > 1:
                if dense_upto is None and texts and len(texts) + len(spans) > SEGMENT_DENSE_BUDGET:
                    dense_upto = len(texts)
                texts.extend(text[a:b] for a, b in spans)
        scores = self._segment_scores(question, texts, query_vector, dense_upto) if texts else np.zeros(0)
        position = 0
        for group, text, spans in plans:
            if len(spans) <= 1:
                group.excerpt = excerpt_of(text, spans[0] if spans else (0, len(text)))
                continue
            own = scores[position : position + len(spans)]
            position += len(spans)
            # a heading's line reads alone ("Resolution adopted by the General Assembly on 17 December 2024")
            min_words = 0 if group.passage.kind == "heading" else MIN_EXCERPT_WORDS
            group.excerpt = excerpt_of(text, widen(spans, own, text, min_words=min_words))

    # ---- mandate questions
    def _mandate_clauses(self, library: Library, symbol: str) -> list[Any]:
        """The action clauses of one document: stored with the index (``library.mandates``, the pipeline),
        else extracted here once (a library without a stored mandate map, as in tests)."""
        stored = getattr(library, "mandates", None)
        if stored is not None:
            return list(stored(symbol))
        if symbol not in self._clauses:
            from rag.mandates import extract_mandates

            self._clauses[symbol] = extract_mandates(library.passages(symbol), self.aliases)
        return self._clauses[symbol]

    def _answer_mandates(self, question: str, hits: Sequence[Hit], library: Library, *,
                         doc: str | None, named: Sequence[str] = (), kinds: Sequence[str] | None = None,
                         ) -> Answer | None:
        """Every paragraph addressing the actor the question names (those on its topic, when it has one).

        ``None`` (the search answers instead) when the question is not about an actor's mandates,
        or when none of the actor's clauses is on the question's topic.
        """
        if re.match(r"\s*who\b", question, re.IGNORECASE) or not _MANDATE_CUE.search(question):
            return None  # "Who is asked to ...?": the actor is what is asked for
        from rag.mandate_query import parse_mandate_question

        query = parse_mandate_question(question, self.aliases)
        if query is None:
            return None
        symbols = _candidate_documents(library, doc, hits, named)
        clauses = [c for symbol in symbols for c in query.select(self._mandate_clauses(library, symbol), self.aliases)]
        if not clauses:
            return None
        passages = {(p.doc, p.label): p for symbol in {c.doc for c in clauses} for p in library.passages(symbol)}
        hit_scores = {(h.passage.doc, h.passage.label): h.score for h in hits}
        order = {key: index for index, key in enumerate(passages)}
        spans: dict[tuple[str, str], tuple[int, int]] = {}
        for clause in clauses:
            key = (clause.doc, clause.label)
            start, end = clause.text_span
            old = spans.get(key)
            spans[key] = (min(start, old[0]), max(end, old[1])) if old else (start, end)
        keys = [key for key in spans if key in passages and (not kinds or passages[key].kind in kinds)]
        if not keys:
            return None
        topic_terms = question_terms(query.topic) if query.topic else []
        if topic_terms:
            weights = {t: self.term_weight(t) for t in topic_terms}
            total = sum(weights.values()) or 1.0
            coverage = {
                key: sum(w for t, w in weights.items() if t in set(tokenize(passages[key].text))) / total
                for key in keys
            }
            best = max(coverage.values(), default=0.0)
            if best < 0.34:
                return None
            keys = [key for key in keys if coverage[key] >= 0.75 * best]
        keys.sort(key=lambda key: (-hit_scores.get(key, 0.0), order[key]))
        if self.unanswered(question, [passages[key] for key in keys]):
            return None  # "When must X report?": no clause found gives a time; the search decides
        groups: list[_Group] = []
        for key in keys:
            groups.append(_Group(passages[key], hit_scores.get(key, 0.0), ""))
            # "Urges Member States to consider the following measures:": the measures are the answer
            groups += [_Group(child, hit_scores.get(key, 0.0), "")
                       for child in _sub_paragraphs(passages[key], passages.values())
                       if (child.doc, child.label) not in keys]
        if topic_terms:  # quote what the paragraph says on the topic; every clause addresses the actor, whose name
            # in a clause ("information provided by the Secretary-General") says nothing of the topic
            focus = question.replace(query.surface, " ", 1) if query.surface else question
            self._set_excerpts(focus, groups, query_vector=None)
        else:  # the complete list: quote each mandate clause (a sub-paragraph whole)
            for group in groups:
                span = spans.get((group.passage.doc, group.passage.label), (0, len(group.passage.text)))
                group.excerpt = excerpt_of(group.passage.text, span)
        return self._compose(question, groups)

    # ---- label questions
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
        symbols = _candidate_documents(library, request.symbol or doc, hits, named)
        if not symbols:
            if request.symbol:
                from rag.retrieve import matcher_for

                close = matcher_for(_indexed_symbols(library)).close_to(request.symbol)
                hint = f": did you mean {' or '.join(close)}?" if close else " (see `rag list`)."
                return self._abstain(question, f"No document {request.symbol} is indexed{hint}")
            return None
        unindexed = [] if request.symbol or doc or named else _unindexed(question, library)
        if unindexed:  # "paragraph 3 of resolution 72/194": not another document's paragraph 3
            noun, number = unindexed[0]
            return self._abstain(question, f"{noun.capitalize()} {number} is not among the indexed documents (see "
                                 f"`rag list`): its {request.label} cannot be shown.")
        if kinds and request.kind and request.kind not in kinds:
            if not request.only:
                return None
            return self._abstain(question, f"{request.label} is a {request.kind} passage, and the question is limited "
                                 f"to {' and '.join(kinds)} passages (--kind).")
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
        groups: list[_Group] = []
        notes: list[str] = []
        for passage, passages, others in found:
            groups.append(_Group(passage, 1.0, ""))
            # the whole paragraph: a chapeau without its items says nothing
            groups.extend(_Group(child, 1.0, "") for child in _sub_paragraphs(passage, passages, every_level=True))
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
        symbols = _candidate_documents(library, doc, hits, named)
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
        about = without_document_references(question)
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
                group = _Group(heading, 1.0, title)
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
        group = _Group(chosen, 1.0, "")
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

        years = set(re.findall(r"\b\d{4}\b", question))
        bodies = {canonical for _, _, canonical in find_issuers(question, self.aliases)} if self.aliases else set()
        infos = list(library.documents())
        groups: list[_Group] = []
        for info in infos:
            symbol = str(getattr(info, "symbol", ""))
            heading = next((p for p in library.passages(symbol) if p.kind == "heading"), None)
            if heading is None or draft_evidence(symbol, heading.text) or (kinds and "heading" not in kinds):
                continue
            if years and str(getattr(info, "date", ""))[:4] not in years:
                continue
            if bodies and not bodies & library.heading_bodies(symbol):
                continue
            spans = [heading.text[a:b] for a, b in excerpt_spans(heading)]
            line = next((span for span in spans if ADOPTION_LINE.search(span)), "") or getattr(info, "title", "")
            groups.append(_Group(heading, 1.0, line if line in heading.text else ""))
        what = "".join([f" by the {' or the '.join(sorted(bodies))}" if bodies else "",
                        f" in {' or '.join(sorted(years))}" if years else ""])
        if not groups:
            return self._abstain(question, f"None of the {len(infos)} indexed documents was adopted{what}.")
        lead = f"{len(groups)} of the {len(infos)} indexed documents {'was' if len(groups) == 1 else 'were'} " \
               f"adopted{what}:"
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
        groups: list[_Group] = []
        facts: list[str] = []
        spans = [heading.text[a:b] for a, b in excerpt_spans(heading)]
        dated = [span for span in spans if DATE_LINE.search(span)]
        wording = next((span for span in spans if _DRAFT_WORDING.search(span)), "")
        if dated or wording:
            groups.append(_Group(heading, 1.0, (dated or [wording])[0]))
        facts += [f"{_date_kind(span, heading)} {DATE_LINE.findall(span)[-1]} [{heading.label}]" for span in dated]
        for note in notes:
            found = DATE_LINE.findall(note.text)
            if found:
                groups.append(_Group(note, 0.9, excerpt_of(note.text, (0, len(note.text)))))
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

    # ---- output
    def _compose(self, question: str, groups: Sequence[_Group], *, lead: str = "") -> Answer:
        lines: list[str] = [lead] if lead else []
        citations: list[tuple[float, int, Citation]] = []
        # a label says which document too when the answer or the index has several ("[S/RES/2730 (2024), OP 3]")
        several_docs = len({g.passage.doc for g in groups} | set(self.symbols)) > 1
        for index, group in enumerate(groups):
            label = f"{group.passage.doc}, {group.passage.label}" if several_docs else group.passage.label
            lines.append(f"{_quote(group.passage.text, group.excerpt)} [{label}]")
            citations.append((group.score, 2 * index, Citation.from_passage(group.passage, group.score,
                                                                            group.excerpt)))
            for note, score in group.footnotes:
                lines.append(f"    Footnote {note.number}: {note.text} [{note.label}]")
                # shown under its paragraph, but cited first when it matched the question best
                rank = 2 * index - 1 if score >= group.score else 2 * index + 1
                citations.append((score, rank, Citation.from_passage(note, score, note.text)))
        ordered = [c for _, _, c in sorted(citations, key=lambda item: (-item[0], item[1]))]
        return Answer(question=question, answer="\n".join(lines), abstained=False, citations=ordered)

    @staticmethod
    def _abstain(question: str, message: str) -> Answer:
        return Answer(question=question, answer=message, abstained=True, citations=[])


# --------------------------------------------------------------------------- helpers


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


def _quote(text: str, excerpt: str) -> str:
    """The excerpt with an ellipsis where the paragraph goes on before or after it."""
    stripped = _LEADING_MARKER.sub("", text, count=1).strip()
    before = "" if stripped.startswith(excerpt) else "… "
    after = "" if stripped.endswith(excerpt) else " …"
    return f"{before}{excerpt}{after}"


def _sub_paragraphs(passage: Passage, passages: Iterable[Passage], *, every_level: bool = False) -> list[Passage]:
    """The sub-paragraphs of a chapeau (a paragraph ending with a colon), in reading order; none otherwise.
    With ``every_level``, those at every depth ("5 (a)", "5 (a) (i)") of any paragraph that has some, whatever its
    text ends with: the whole paragraph, as a question naming its label asks for it.

    >>> chapeau = Passage("X", "operative", "5", "5. Urges States:")
    >>> subs = [Passage("X", "operative", "5(a)", "(a) To act;", parent="5"), Passage("X", "operative", "6", "6. End.")]
    >>> [p.label for p in _sub_paragraphs(chapeau, [chapeau, *subs])]
    ['OP 5 (a)']
    >>> deeper = Passage("X", "operative", "5(a)(i)", "(i) At once;", parent="5(a)")
    >>> [p.label for p in _sub_paragraphs(chapeau, [chapeau, subs[0], deeper], every_level=True)]
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


def _passage_context(passage: Passage) -> str:
    return f"{passage.lead} {passage.text}" if passage.lead else passage.text


def _candidate_documents(library: Library, wanted: str | None, hits: Sequence[Hit],
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


def _unindexed(question: str, library: Library) -> list[tuple[str, str]]:
    """The resolutions the question names by number that are not indexed (``rag.retrieve.unindexed_references``)."""
    from rag.retrieve import unindexed_references

    return unindexed_references(question, [getattr(d, "symbol", "") for d in library.documents()])


def variants(name: str) -> list[str]:
    """The stems a one-word name may stand for in the corpus: the country of an adjective ("Ugandan forces" are
    Uganda's) and, unless it is an English word, the words one typing slip away ("UNDOC" for "UNODC"; see
    ``rag.question.slips``).

    >>> "uganda" in variants("Ugandan"), "unodc" in variants("UNDOC"), "child" in variants("Chile")
    (True, True, False)
    """
    from rag.clean import is_word

    typed = slips(name)
    if typed and is_word(name):
        typed = []
    return list(dict.fromkeys(stem(v.lower()) for v in countries_of(name) + typed))


def _word_forms(name: str) -> list[set[str]]:
    """For each word of a name, its stems and their :func:`variants` ("Japanese Government": {"japanes", "japan",
    ...}, {"govern"}); stop words are left out."""
    words = [w for w in re.findall(r"[^\W\d_]+", name) if tokenize(w)]
    return [set(tokenize(w)) | set(variants(w)) for w in words]


def corpus_statistics(lexical: Any) -> tuple[Callable[[str], float], Callable[[str], bool]] | None:
    """``(term_weight, vocabulary)`` from a :class:`rag.lexical.LexicalIndex`: the IDF of a stem and
    whether the corpus contains it; ``None`` when the index does not expose its statistics."""
    model = getattr(lexical, "_model", None)
    try:
        vocab: dict[str, int] = dict(model.vocab_dict)  # type: ignore[union-attr]
        indptr = np.asarray(model.scores["indptr"])  # type: ignore[union-attr]
        documents = int(model.scores["num_docs"])  # type: ignore[union-attr]
    except (AttributeError, KeyError, TypeError):
        return None
    frequency = np.diff(indptr)

    def term_weight(term: str) -> float:
        index = vocab.get(term)
        df = int(frequency[index]) if index is not None and index < len(frequency) else 0
        return float(np.log(1.0 + (documents - df + 0.5) / (df + 0.5)))

    def vocabulary(term: str) -> bool:
        index = vocab.get(term)
        return index is not None and index < len(frequency) and frequency[index] > 0

    return term_weight, vocabulary
