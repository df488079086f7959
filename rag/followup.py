"""Follow-up questions in the chat: which document "it" is.

In a conversation, a question often names no document because the previous
turn already did: after "What does resolution 1445 request of the
Secretary-General?", the user asks "And what does it demand?", "What does this
resolution say about Ituri?", "When was it adopted?" or "What about OP 5?".
Asked of the whole index, such a question is answered from any document.

:func:`follow_up` decides whether a question refers back and to which
document; the chat then asks it with that document as its ``doc`` filter and
says so in one line (:attr:`FollowUp.note`), so that the user can see it and
correct it. It is a pure function of the two questions, the documents the
previous answer cited and the indexed symbols; which documents a question
names is the pipeline's business (``Pipeline.documents_named``), passed in as a
callable (:func:`pipeline_namer` builds it).

A worked example, with two indexed resolutions and a namer that knows "1445":

>>> symbols = ["S/RES/787 (1992)", "S/RES/1445 (2002)"]
>>> def named(question):
...     return ["S/RES/1445 (2002)"] if "1445" in question else []
>>> before = "What does resolution 1445 request of the Secretary-General?"
>>> follow_up("And what does it demand?", before, ["S/RES/1445 (2002)"], named=named, symbols=symbols).note[:72]
'Taken as about S/RES/1445 (2002), the document of the previous question '

The previous answer's citations say which document when its question named none:

>>> follow_up("When was it adopted?", "Who is asked to protect civilians?", ["S/RES/787 (1992)"],
...           named=named, symbols=symbols).doc
'S/RES/787 (1992)'

Nothing is carried when the question names its own document, asks about several,
does not refer back, or when the previous answer came from several documents:

>>> follow_up("And what does resolution 787 demand?", before, [], named=named, symbols=symbols) is None
True
>>> follow_up("Which resolutions mention it?", before, [], named=named, symbols=symbols) is None
True
>>> follow_up("What is asked of States?", before, [], named=named, symbols=symbols) is None
True
>>> follow_up("What does it demand?", "Who must report?", symbols, named=named, symbols=symbols) is None
True
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rag.question import BARE_RESOLUTION_NUMBERS, DOCUMENT_NUMBER, SYMBOL_PATTERN, asks_for_documents
from rag.retrieve import documents_by_bare_number, find_edges, find_labels, matcher_for

#: Which documents a question names (indexed or not): symbols, or any non-empty strings.
Namer = Callable[[str], Sequence[str]]

#: "this resolution", "the same document", "the text", "the draft": one document already talked about.
_THIS_DOCUMENT = re.compile(
    r"\b(?:this|that|the|same|the\s+same|the\s+said|the\s+above|the\s+present)\s+"
    r"(?:(?:draft|adopted)\s+)?(?:resolution|document|text|decision|declaration|draft)\b(?!\s*\d)",
    re.IGNORECASE,
)
#: "it", "its": the document (or something in it) of the previous turn.
_PRONOUN = re.compile(r"\b(?:it|its|itself)\b", re.IGNORECASE)
#: "there" as a place ("What does it say there?"), not the existential "is there", "there are".
_THERE = re.compile(
    r"(?<!\bis\s)(?<!\bare\s)(?<!\bwas\s)(?<!\bwere\s)(?<!\bbe\s)\bthere\b"
    r"(?!\s+(?:is|are|was|were|be|been|exists?|seems?|any|some|a|an|no)\b)",
    re.IGNORECASE,
)
#: A question that continues the previous one: "And …", "Also …", "What about …", "How about …".
_CONTINUES = re.compile(
    r"^\W*(?:and|also|plus|what\s+about|how\s+about|what\s+else|anything\s+else|what\s+of|same\s+(?:question\s+)?for)\b",
    re.IGNORECASE,
)
#: Questions about several documents or the whole index: "other resolutions", "all texts", "compare", "the index".
_ACROSS = re.compile(
    r"\b(?:other|another|all|any|every|each|both|several|either|neither)\s+(?:of\s+the\s+)?(?:\w+\s+)?"
    r"(?:resolution|document|text|draft|declaration)s?\b|"
    r"\b(?:compare|comparison|index|corpus|elsewhere)\b",
    re.IGNORECASE,
)
#: Documents in the plural: "Which resolutions mention it?" asks about several (but see ``_SUBJECT``).
_PLURAL = re.compile(r"\b(?:resolutions|documents|texts|drafts|declarations)\b", re.IGNORECASE)
#: The document of the previous turn as the subject: "Which resolutions does *it* recall?", "this resolution".
_SUBJECT = re.compile(
    r"\b(?:does|did|do|has|had|can|could|will|would|should|must|may)\s+it\b|"  # not "is it named" (a topic)
    r"\b(?:this|that|the\s+same)\s+(?:resolution|document|text|draft)\b",
    re.IGNORECASE,
)


def refers_back(question: str) -> str:
    """The words by which ``question`` refers to a document already talked about ("" when none).

    A pronoun ("it", "its"), "this/that/the (same) resolution|document|text", "there" as a place,
    a question that continues the previous one ("And …", "What about …"), or a paragraph named
    without its document ("OP 5", "the last operative paragraph"). A question about several
    documents ("Which resolutions …", "all texts", "compare") never does.

    >>> [refers_back(q) for q in ["And what does it demand?", "What does this resolution say about Ituri?",
    ...                           "When was it adopted?", "What about OP 5?", "OP 5", "Is Ituri named there?"]]
    ['And', 'this resolution', 'it', 'What about', 'OP 5', 'there']
    >>> refers_back("What does the text say about victims?"), refers_back("Does the same resolution cite it?")
    ('the text', 'the same resolution')
    >>> [refers_back(q) for q in ["Is there a deadline?", "What is UNODC asked to do?", "Which resolutions mention it?",
    ...                           "Do the other resolutions say it too?", "Compare it with all texts"]]
    ['', '', '', '', '']
    >>> refers_back("What does the last operative paragraph say?")
    'last operative paragraph'

    "Which resolutions …" asks about several documents, unless the previous one is its subject:

    >>> refers_back("Which resolutions does it recall?"), refers_back("Which decisions does it take?")
    ('it', 'it')
    """
    if _ACROSS.search(question):
        return ""
    if (asks_for_documents(question) or _PLURAL.search(question)) and not _SUBJECT.search(question):
        return ""
    for pattern in (_CONTINUES, _THIS_DOCUMENT, _PRONOUN, _THERE):
        match = pattern.search(question)
        if match:
            return " ".join(match.group(0).split()).strip(" ,.?!;:")
    labels = find_labels(question)
    if labels:
        start, end = labels[0][1]
        return question[start:end]
    edges = find_edges(question)
    if edges:
        start, end = edges[0][1]
        return question[start:end].removeprefix("the ").strip()
    return ""


def cites_a_document(question: str, symbols: Sequence[str] = ()) -> bool:
    """Whether ``question`` names a document by symbol or number (indexed or not): "A/RES/78/1",
    "resolution 757", "2730 (2024)", or a bare number of one of ``symbols`` ("What about 787?").

    >>> cites_a_document("And resolution 757?"), cites_a_document("What does S/RES/2730 (2024) demand?")
    (True, True)
    >>> known = ["S/RES/787 (1992)"]
    >>> cites_a_document("What about 787?", known), cites_a_document("What about OP 5?", known)
    (True, False)
    """
    if SYMBOL_PATTERN.search(question) or DOCUMENT_NUMBER.search(question) or BARE_RESOLUTION_NUMBERS.search(question):
        return True
    return bool(documents_by_bare_number(question, symbols))


@dataclass(frozen=True)
class FollowUp:
    """A follow-up question taken as about ``doc``: ``cue`` the words that refer back ("it", "And"),
    ``source`` what says which document (the previous ``question`` named it, or the previous
    ``answer`` cited only it)."""

    doc: str
    cue: str
    source: Literal["question", "answer"]

    @property
    def note(self) -> str:
        """One line for the user: which document, why, and how to ask otherwise."""
        why = "the document of the previous question" if self.source == "question" else (
            "the document the previous answer quotes")
        return f"Taken as about {self.doc}, {why} (to ask otherwise, name a document or say “all resolutions”)."


def follow_up(
    question: str,
    previous_question: str,
    previous_docs: Sequence[str],
    *,
    named: Namer,
    symbols: Sequence[str],
    doc_filter: str = "",
    previous_about: str = "",
) -> FollowUp | None:
    """The document a follow-up ``question`` is about, or ``None`` to ask it as it is.

    ``previous_docs`` are the documents the previous answer cited, ``previous_about`` the
    document the previous question was asked about when it names none itself (it was a
    follow-up too, or had a document filter), ``named`` says which documents a question names,
    ``symbols`` are the indexed documents, ``doc_filter`` the user's document filter.

    The question must refer back (:func:`refers_back`) and name no document of its own; the
    index must hold several documents; the user must have set no document filter. The
    document is the one the previous question named or was about, when exactly one; else the
    one the previous answer's citations all come from. Several or none: ``None``.

    >>> symbols = ["A/RES/77/236", "E/CN.15/2019/L.8/Rev.1"]
    >>> none = lambda question: []
    >>> follow_up("What about OP 3?", "And what does it ask?", [], named=none, symbols=symbols,
    ...           previous_about="A/RES/77/236").doc
    'A/RES/77/236'
    >>> follow_up("What about OP 3?", "Who reports?", ["A/RES/77/236"], named=none, symbols=symbols,
    ...           doc_filter="E/CN.15/2019/L.8/Rev.1") is None   # the user's filter rules
    True
    >>> follow_up("What about OP 3?", "Who reports?", ["A/RES/77/236"], named=none, symbols=symbols[:1]) is None
    True
    """
    if doc_filter or len(symbols) < 2 or not previous_question.strip():
        return None
    cue = refers_back(question)
    if not cue or cites_a_document(question, symbols) or list(named(question)):
        return None
    indexed = set(symbols)
    before = list(dict.fromkeys(named(previous_question)))
    if before:  # the previous question named its documents: one, or the reference is ambiguous
        return FollowUp(before[0], cue, "question") if len(before) == 1 and before[0] in indexed else None
    if previous_about:
        return FollowUp(previous_about, cue, "question") if previous_about in indexed else None
    cited = set(previous_docs)
    if len(cited) == 1 and (only := next(iter(cited))) in indexed:
        return FollowUp(only, cue, "answer")
    return None


def pipeline_namer(pipeline: Any) -> Namer:
    """The documents a question names, the pipeline's way (``Pipeline.documents_named``): by symbol
    or number, else by title."""

    def named(question: str) -> list[str]:
        by_number, by_title = pipeline.documents_named(question)
        return list(by_number or by_title)

    return named


#: An elliptical follow-up: "And resolution 787?", "What about the Secretary-General?", "Same for 2730": a new
#: document or actor for the previous question, with no question of its own.
_ELLIPSIS = re.compile(
    r"^\W*(?:and|also|what\s+about|how\s+about|same\s+(?:question\s+)?for|and\s+what\s+about)\s+"
    r"(?:(?:of|for|to|from|in|on)\s+)?(?P<rest>[^?]{1,80}?)\s*\??\s*$",
    re.IGNORECASE,
)
#: Words that make the rest of a follow-up a question of its own ("And what does it demand?"), not a fragment.
_OWN_QUESTION = re.compile(
    r"\b(?:what|which|who|whom|when|where|why|how|does|do|did|is|are|was|were|has|have|say|says|said|ask|asks|"
    r"request|requests|demand|demands|decide|decides|mention|mentions|it|its|they|their)\b",
    re.IGNORECASE,
)
#: "resolution 1445", "S/RES/787 (1992)", "res. 2730": where the previous question named its document.
_REFERENCE_NOUN = r"(?:resolutions?|res\.?|decision)"
_REFERENCE_WORD = re.compile(rf"\b{_REFERENCE_NOUN}\s+$", re.IGNORECASE)


@dataclass(frozen=True)
class SpelledOut:
    """An elliptical follow-up spelled out: ``question`` is the previous question with the follow-up's document
    or actor in place of the previous one (``what``: ``"document"`` or ``"actor"``); ``doc`` the document to ask it
    of when the previous question named none ("What is asked of States?", then "And resolution 787?")."""

    question: str
    what: Literal["document", "actor"]
    doc: str = ""

    @property
    def note(self) -> str:
        of = f", asked of {self.doc}" if self.doc else ""
        return f"Read as “{self.question}” (the previous question, with the new {self.what}{of})."


def spell_out(question: str, previous_question: str, *, symbols: Sequence[str], aliases: Any = None
              ) -> SpelledOut | None:
    """The previous question asked again of the document or actor an elliptical follow-up names: after "What does
    resolution 1445 request of the Secretary-General?", "And resolution 787?" is "What does resolution 787 request
    of the Secretary-General?", and "And of MONUC?" is "What does resolution 1445 request of MONUC?". ``None``
    when the follow-up is a question of its own, or names neither.

    >>> symbols = ["S/RES/787 (1992)", "S/RES/1445 (2002)"]
    >>> before = "What does resolution 1445 request of the Secretary-General?"
    >>> spell_out("And resolution 787?", before, symbols=symbols).question
    'What does resolution 787 request of the Secretary-General?'
    >>> spell_out("What about UNODC?", before, symbols=symbols).question
    'What does resolution 1445 request of UNODC?'
    >>> spell_out("And what does it demand?", before, symbols=symbols) is None
    True
    >>> spell_out("And 787?", "What are States asked to do?", symbols=symbols).note
    'Read as “What are States asked to do?” (the previous question, with the new document, asked of S/RES/787 (1992)).'

    """
    match = _ELLIPSIS.match(question)
    if match is None or _OWN_QUESTION.search(match.group("rest")):
        return None
    rest = match.group("rest").strip(" ,.;:")
    matcher = matcher_for(symbols)
    new_documents = matcher.references(rest) or [
        (0, len(rest), symbol, False) for symbol in documents_by_bare_number(rest, symbols)]
    if new_documents:
        spans = [(start, end) for start, end, _, _ in matcher.references(previous_question)]
        if not spans:  # the previous question named no document: ask it of the new one
            return SpelledOut(previous_question, "document", new_documents[0][2])
        start, end = spans[0]
        start -= len(m.group(0)) if (m := _REFERENCE_WORD.search(previous_question[:start])) else 0
        written = rest if re.match(rf"{_REFERENCE_NOUN}\s|\S*/", rest, re.IGNORECASE) \
            else f"resolution {rest}"
        return SpelledOut(f"{previous_question[:start]}{written}{previous_question[end:]}", "document")
    from rag.mandate_query import parse_mandate_question

    before = parse_mandate_question(previous_question, aliases)
    if before is None or not before.surface or parse_mandate_question(f"What is {rest} asked to do?", aliases) is None:
        return None
    start = previous_question.index(before.surface)
    head = previous_question[:start]
    if re.search(r"\bthe\s+$", head, re.IGNORECASE) and (rest.lower().startswith("the ") or rest.isupper()):
        head = re.sub(r"\bthe\s+$", "", head, flags=re.IGNORECASE)  # "the Secretary-General" -> "UNODC"
    return SpelledOut(head + rest + previous_question[start + len(before.surface):], "actor")
