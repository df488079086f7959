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
callable (:func:`pipeline_namer` builds it). When the previous turn says no document
(it abstained), the one before is read, and so on (:func:`carried_document`): an
abstention does not break the chain, and the note names the turn the document came from.

Two kinds of follow-up are also rewritten into a full question, shown as “Read as …”:
an elliptical one naming a new document or actor ("And resolution 787?", "And UNODC?",
:func:`spell_out`), and a fragment with no verb of its own ("And when?", "By which
body?", "Which paragraph?", "And the deadline?", :func:`complete`), completed from the
previous question and asked of its document.

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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from rag.answer_types import expected_types
from rag.question import DOCUMENT_NUMBER, DOCUMENT_REFERENCE, SYMBOL_PATTERN, asks_for_documents
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
    if SYMBOL_PATTERN.search(question) or DOCUMENT_NUMBER.search(question) or DOCUMENT_REFERENCE.search(question):
        return True
    return bool(documents_by_bare_number(question, symbols))


@dataclass(frozen=True)
class Turn:
    """One earlier turn of a conversation, as :func:`follow_up` needs it: the ``question`` as asked (spelled out
    or completed), the documents its answer ``cited`` (none when it abstained), the document it was ``about``
    (the user's document filter, or the one a follow-up was taken as about)."""

    question: str
    cited: tuple[str, ...] = ()
    about: str = ""

    @classmethod
    def from_record(cls, record: Mapping[str, Any]) -> Turn:
        """A turn from the chat's session record: ``{"question", "citations": [{"doc", ...}], "about"}``."""
        return cls(str(record.get("question", "")),
                   tuple(str(c.get("doc", "")) for c in record.get("citations") or []),
                   str(record.get("about", "")))


@dataclass(frozen=True)
class Carried:
    """The document a conversation is about: ``doc``, said by the ``source`` of the turn ``back`` turns before
    this one (1: the previous turn), whose question was ``asked``."""

    doc: str
    source: Literal["question", "answer"]
    back: int = 1
    asked: str = ""

    @property
    def why(self) -> str:
        """Where the document comes from, as the notes say it."""
        if self.back <= 1:
            return "the document of the previous question" if self.source == "question" else (
                "the document the previous answer quotes")
        asked = shorten(self.asked)
        return f"the document of your earlier question “{asked}”" if self.source == "question" else (
            f"the document the answer to “{asked}” quotes")


def shorten(text: str, limit: int = 60) -> str:
    """``text`` on one line, cut at a word to at most ``limit`` characters (“…” marks the cut).

    >>> shorten("What does resolution 1445 request of the Secretary-General on the elections?", 40)
    'What does resolution 1445 request of…'
    """
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:") + "…"


def carried_document(turns: Sequence[Turn], *, named: Namer, symbols: Sequence[str]) -> Carried | None:
    """The document the conversation ``turns`` (oldest first) is about, from the most recent turn that says one.

    A turn says which document by naming exactly one in its question, by having been about one (a document
    filter, or a follow-up taken as about it), else by an answer citing only one. A turn that says nothing
    (its question named none and its answer abstained) is passed over, so an abstention does not break the
    chain; a turn naming or citing several documents (or one no longer indexed) ends it: ``None``.

    >>> symbols = ["S/RES/787 (1992)", "S/RES/2730 (2024)"]
    >>> def named(question):
    ...     return [s for s in symbols if s.split("/")[-1][:4].strip() in question]
    >>> turns = [Turn("When was resolution 2730 adopted?", ("S/RES/2730 (2024)",)),
    ...          Turn("Is there anything on volcanoes?")]              # abstained: nothing cited
    >>> carried = carried_document(turns, named=named, symbols=symbols)
    >>> carried.doc, carried.back, carried.why
    ('S/RES/2730 (2024)', 2, 'the document of your earlier question “When was resolution 2730 adopted?”')
    >>> carried_document([*turns, Turn("Who must report?", ("S/RES/787 (1992)", "S/RES/2730 (2024)"))],
    ...                  named=named, symbols=symbols) is None    # the last answer quoted both
    True
    """
    indexed = set(symbols)
    for back, turn in enumerate(reversed(turns), start=1):
        carried: tuple[str, Literal["question", "answer"]] | None = None
        before = list(dict.fromkeys(named(turn.question))) if turn.question.strip() else []
        if before:  # the question named its documents: one, or the reference is ambiguous
            carried = (before[0], "question") if len(before) == 1 else None
        elif turn.about:
            carried = (turn.about, "question")
        elif turn.cited:
            cited = set(turn.cited)
            carried = (next(iter(cited)), "answer") if len(cited) == 1 else None
        else:
            continue  # nothing said: an abstention, or an error; look further back
        if carried is None or carried[0] not in indexed:
            return None
        return Carried(carried[0], carried[1], back, turn.question)
    return None


@dataclass(frozen=True)
class FollowUp(Carried):
    """A follow-up question taken as about ``doc`` (see :class:`Carried`: what says which document, how many
    turns back); ``cue`` the words that refer back ("it", "And")."""

    cue: str = ""

    @property
    def note(self) -> str:
        """One line for the user: which document, why, and how to ask otherwise."""
        return f"Taken as about {self.doc}, {self.why} (to ask otherwise, name a document or say “all resolutions”)."


def follow_up(
    question: str,
    previous_question: str,
    previous_docs: Sequence[str],
    *,
    named: Namer,
    symbols: Sequence[str],
    doc_filter: str = "",
    previous_about: str = "",
    earlier: Sequence[Turn] = (),
) -> FollowUp | None:
    """The document a follow-up ``question`` is about, or ``None`` to ask it as it is.

    ``previous_docs`` are the documents the previous answer cited, ``previous_about`` the
    document the previous question was asked about when it names none itself (it was a
    follow-up too, or had a document filter), ``named`` says which documents a question names,
    ``symbols`` are the indexed documents, ``doc_filter`` the user's document filter,
    ``earlier`` the turns before the previous one (oldest first).

    The question must refer back (:func:`refers_back`) and name no document of its own; the
    index must hold several documents; the user must have set no document filter. The
    document is the one the previous question named or was about, when exactly one; else the
    one the previous answer's citations all come from. Several: ``None``. None at all (the
    previous question named none and its answer abstained): the same, of the turn before,
    and so on (:func:`carried_document`).

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

    After an abstention, the document of the turn before:

    >>> follow = follow_up("When was it adopted?", "Is anything said on volcanoes?", [], named=none, symbols=symbols,
    ...                    earlier=[Turn("Who reports?", ("A/RES/77/236",))])
    >>> follow.doc, follow.back
    ('A/RES/77/236', 2)
    """
    if doc_filter or len(symbols) < 2 or not previous_question.strip():
        return None
    cue = refers_back(question)
    if not cue or cites_a_document(question, symbols) or list(named(question)):
        return None
    turns = [*earlier, Turn(previous_question, tuple(previous_docs), previous_about)]
    carried = carried_document(turns, named=named, symbols=symbols)
    if carried is None:
        return None
    return FollowUp(carried.doc, carried.source, carried.back, carried.asked if carried.back > 1 else "", cue=cue)


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


def spell_out(question: str, previous_question: str, *, symbols: Sequence[str], aliases: Any = None,
              about: str = "") -> SpelledOut | None:
    """The previous question asked again of the document or actor an elliptical follow-up names: after "What does
    resolution 1445 request of the Secretary-General?", "And resolution 787?" is "What does resolution 787 request
    of the Secretary-General?", and "And of MONUC?" is "What does resolution 1445 request of MONUC?". ``None``
    when the follow-up is a question of its own, or names neither. ``about`` is the document the previous
    question was asked of when it names none ("What does it request of MONUC?", a follow-up): the new actor's
    question is asked of it too.

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
    >>> spelled = spell_out("And UNODC?", "What does it request of the Secretary-General?", symbols=symbols,
    ...                     about="S/RES/1445 (2002)")
    >>> spelled.question, spelled.doc
    ('What does it request of UNODC?', 'S/RES/1445 (2002)')

    """
    match = _ELLIPSIS.match(question)
    if match is None or _OWN_QUESTION.search(match.group("rest")):
        return None
    rest = match.group("rest").strip(" ,.;:")
    if (first := _first_part(previous_question.rstrip(" ?!."))) != previous_question.rstrip(" ?!."):
        previous_question = f"{first}?"  # completed with "…, and when?": the new actor is asked the first part
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
    asked = head + rest + previous_question[start + len(before.surface):]
    return SpelledOut(asked, "actor", about if about and not matcher.references(previous_question) else "")


# ---- fragments: "And when?", "By which body?", "Which paragraph?", "And the deadline?"

#: Words that open a fragment without being part of it: "And when?", "So, why?", "And also where?".
_FRAGMENT_LEAD = re.compile(r"^(?:(?:and|but|so|also|then|ok|okay|well|what\s+about|how\s+about)\b[\s,]*)+",
                            re.IGNORECASE)
_PREPOSITIONS = (r"(?:by|in|at|from|to|for|of|under|until|till|since|with|on|through|within|after|before|during|"
                 r"into|about|according\s+to)")
#: A question word, with its preposition and (for "which", "what", "whose", "how many") its noun: "by which body".
_WH_PHRASE = re.compile(
    rf"^(?P<preposition>{_PREPOSITIONS}\s+)?(?P<word>when|where|why|how|who|whom|whose|which|what)\b(?P<rest>.*)$",
    re.IGNORECASE,
)
#: Verbs and pronouns: a fragment has none ("Which paragraph says so?", "When was it adopted?" are questions).
_VERBS_AND_PRONOUNS = (
    "is are was were be been being am do does did done has have had will would shall should can could may might "
    "must say says said ask asks asked request requests requested demand demands demanded decide decides decided "
    "mention mentions mentioned adopt adopts adopted call calls called urge urges urged report reports reported "
    "mean means meant define defines defined contain contains contained include includes included refer refers "
    "referred require requires required establish establishes established happen happens happened take takes took "
    "go goes went come comes came get gets got make makes made give gives gave need needs needed apply applies "
    "applied end ends ended start starts started it they them he she we you i me us there")
_VERB_OR_PRONOUN = frozenset(_VERBS_AND_PRONOUNS.split())
#: Nouns of a place in the text: "Which paragraph?" asks *in* which paragraph.
_TEXT_PLACE = re.compile(r"^(?:paragraph|provision|clause|section|part|article|annex|passage|sentence|line|page)s?$",
                         re.IGNORECASE)
#: "how long", "how often": a question word for a circumstance; "how many", "how much" ask for a thing.
_HOW_CIRCUMSTANCE = frozenset({"long", "often", "soon", "far", "exactly", "frequently", "quickly"})
#: The auxiliary after a question's question word, or opening a yes/no question: "When *was* it adopted?".
_AUXILIARY = (r"(?:is|are|was|were|do|does|did|has|have|had|will|would|shall|should|can|could|may|might|must)")
_PREVIOUS_WH = re.compile(
    rf"^(?P<wh>(?:{_PREPOSITIONS}\s+)?(?:when|where|why|how(?:\s+\w+)?|who|whom|(?:which|what|whose)"
    rf"(?:\s+(?!{_AUXILIARY}\b)[\w\-’']+){{0,3}}?))\s+(?P<aux>{_AUXILIARY})\s+(?P<rest>\S.*)$",
    re.IGNORECASE,
)
_YES_NO = re.compile(rf"^(?P<aux>{_AUXILIARY})\s+(?P<rest>\S.*)$", re.IGNORECASE)
_ANY_WH = re.compile(rf"^(?:{_PREPOSITIONS}\s+)?(?:when|where|why|how|who|whom|whose|which|what)\b", re.IGNORECASE)
#: A past participle closing a passive clause ("was resolution 2730 adopted"): "Who?" then asks "By whom".
_PARTICIPLE = re.compile(r"(?:ed|en|wn|ne|made|held|set|sent|led|met|paid|built|kept|found|brought|sought|put)$",
                         re.IGNORECASE)


@dataclass(frozen=True)
class Fragment:
    """A follow-up without a verb of its own: ``phrase`` as typed without its lead ("by which body", "the
    deadline"), ``kind`` what it asks: ``"circumstance"`` (when, where, why, how long, or a question word
    with a preposition), ``"thing"`` (who, which paragraph, how many) or ``"attribute"`` (a noun phrase
    asking for a type of answer: "the deadline", "the budget")."""

    phrase: str
    kind: Literal["circumstance", "thing", "attribute"]


def parse_fragment(question: str) -> Fragment | None:
    """``question`` as a fragment of a question, or ``None`` when it is a question of its own (it has a verb
    or a pronoun), names a document or a paragraph, or is a noun phrase asking for no type of answer (a topic,
    "And the victims?", which the search answers as it is).

    >>> [parse_fragment(q) for q in ["And when?", "By which body?", "Which paragraph?", "And the deadline?"]]
    ... # doctest: +NORMALIZE_WHITESPACE
    [Fragment(phrase='when', kind='circumstance'), Fragment(phrase='by which body', kind='circumstance'),
     Fragment(phrase='which paragraph', kind='thing'), Fragment(phrase='the deadline', kind='attribute')]
    >>> [parse_fragment(q) for q in ["When was it adopted?", "Which paragraph says so?", "And the victims?",
    ...                              "What about OP 5?", "And resolution 787?", "And UNODC?", "What?", "And?",
    ...                              "Which resolutions?"]]
    [None, None, None, None, None, None, None, None, None]
    """
    typed = " ".join(question.split()).strip(" ?!.")
    text = _FRAGMENT_LEAD.sub("", typed).strip(" ,")
    led, text = len(text) < len(typed), text[:1].lower() + text[1:]  # "By which body" -> "by which body"
    words = text.split()
    if not words or len(words) > 6 or any(w.lower().strip(",;:") in _VERB_OR_PRONOUN for w in words):
        return None
    if cites_a_document(text) or find_labels(text) or find_edges(text) or any(ch.isdigit() for ch in text):
        return None
    if _PLURAL.search(text) or re.search(r"\b(?:resolution|document|text|draft|declaration|decision)\b", text,
                                         re.IGNORECASE):
        return None  # "Which resolutions?", "Which document?": not a question about the document talked about
    wh = _WH_PHRASE.match(text)
    if wh is not None:
        word, rest = wh.group("word").lower(), wh.group("rest").split()
        if len(rest) > 3:
            return None
        if wh.group("preposition") or word in ("when", "where", "why"):
            return Fragment(text, "circumstance") if word not in ("what", "which", "whose") or rest else None
        if word == "how":
            if not rest or rest[0].lower() in _HOW_CIRCUMSTANCE:
                return Fragment(text, "circumstance")
            return Fragment(text, "thing") if rest[0].lower() in ("many", "much") else None
        if word in ("who", "whom") or rest:  # "Who?", "Who else?", "Which paragraph?", "What else?"
            return Fragment(text, "thing")
        return None  # "What?": a question asking to repeat, not a fragment
    # a noun phrase: "And the deadline?", "What about its budget?", asking for a type of answer
    determiner = re.match(r"(?:the|its|a|an)\s", text, re.IGNORECASE)
    if (led or determiner) and not any(w[:1].isupper() for w in words[1 if determiner else 0:]) and len(words) <= 5:
        phrase = re.sub(r"^its\s", "the ", text, flags=re.IGNORECASE)
        if expected_types(f"What is {phrase}?"):
            return Fragment(phrase, "attribute")
    return None


def complete_question(fragment: str, previous_question: str) -> str | None:
    """A fragment (:func:`parse_fragment`) completed into a question from the one before it, or ``None`` when
    it is no fragment or the previous question is no question (a list of keywords).

    A question word for a circumstance takes the place of the previous question's own when that one asked for
    a circumstance too, or asked yes or no; else it is added as a second part of the previous question:

    >>> complete_question("By which body?", "When was resolution 2730 adopted?")
    'By which body was resolution 2730 adopted?'
    >>> complete_question("Why?", "Does resolution 1445 mention Ituri?")
    'Why does resolution 1445 mention Ituri?'
    >>> complete_question("And when?", "What does resolution 1445 ask of the Secretary-General?")
    'What does resolution 1445 ask of the Secretary-General, and when?'

    "Which paragraph?" asks *in* which one; "Who?" of a passive question asks *by* whom; a noun phrase asks
    *what* it is:

    >>> complete_question("Which paragraph?", "What does resolution 1445 ask of the Secretary-General?")
    'What does resolution 1445 ask of the Secretary-General, and in which paragraph?'
    >>> complete_question("Who?", "When was resolution 2730 adopted?")
    'By whom was resolution 2730 adopted?'
    >>> complete_question("And the deadline?", "What does resolution 1445 ask of the Secretary-General?")
    'What does resolution 1445 ask of the Secretary-General, and what is the deadline?'

    A previous question that was itself completed is completed anew from its first part:

    >>> complete_question("Why?", "What does resolution 1445 ask of the Secretary-General, and when?")
    'What does resolution 1445 ask of the Secretary-General, and why?'
    >>> complete_question("And when?", "biometric data foreign fighters") is None
    True
    """
    parsed = parse_fragment(fragment)
    if parsed is None:
        return None
    head = _first_part(_FRAGMENT_LEAD.sub("", " ".join(previous_question.split())).strip(" ?!.,"))
    if not head or not (_ANY_WH.match(head) or _YES_NO.match(head)):
        return None
    clause = _PREVIOUS_WH.match(head)
    asked_circumstance = clause is not None and _circumstance(clause.group("wh"))
    clause = clause if asked_circumstance else _YES_NO.match(head) if clause is None else None
    phrase, words = parsed.phrase, parsed.phrase.split()
    in_text = _TEXT_PLACE.match(words[-1]) is not None and re.match(rf"(?:{_PREPOSITIONS}\s+)?(?:which|what)\b",
                                                                    phrase, re.IGNORECASE) is not None
    if clause is not None and not in_text:  # "When was it adopted?" / "Was it adopted?": a full clause to ask of
        aux, rest = clause.group("aux").lower(), clause.group("rest")
        if parsed.kind == "circumstance":
            return f"{_capital(phrase)} {aux} {rest}?"
        passive = aux in ("is", "are", "was", "were") and _PARTICIPLE.search(rest.split()[-1]) is not None
        if passive and words[0] in ("who", "whom"):  # "Who?" -> "By whom was it adopted?"
            return f"By {' '.join(['whom', *words[1:]])} {aux} {rest}?"
        if passive and words[0] in ("which", "what") and words[1:] != ["else"]:  # "Which body?" -> "By which body"
            return f"By {phrase} {aux} {rest}?"
    if parsed.kind == "attribute":
        plural = re.search(r"[^su]s$", words[-1], re.IGNORECASE) is not None
        phrase = f"what {'are' if plural else 'is'} {phrase}"
    elif in_text and words[0] in ("which", "what"):
        phrase = f"in {phrase}"
    return f"{_capital(head)}, and {phrase}?"


def _first_part(question: str) -> str:
    """``question`` without a second part added to it by :func:`complete_question` (", and when")."""
    head, comma, tail = question.rpartition(", and ")
    if comma and head and (parse_fragment(tail) or re.match(r"(?:what\s+(?:is|are)\s+the|in\s+which)\s", tail,
                                                             re.IGNORECASE)):
        return head
    return question


def _circumstance(wh: str) -> bool:
    """Whether the question word ``wh`` asks for a circumstance ("when", "by which body", "how long")."""
    parsed = parse_fragment(wh)
    return parsed is not None and parsed.kind == "circumstance"


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class Completed:
    """A fragment completed into ``question`` (:func:`complete_question`), to ask of the document the
    conversation is about (``carried``; ``None`` when none or the user chose one); ``names_document`` whether
    the question names its document itself."""

    question: str
    carried: Carried | None = None
    names_document: bool = False

    @property
    def doc(self) -> str:
        return self.carried.doc if self.carried is not None else ""

    @property
    def note(self) -> str:
        """One line for the user: the question asked, and of which document when it does not say."""
        of = f"; asked of {self.doc}, {self.carried.why}" if self.carried and not self.names_document else ""
        return f"Read as “{self.question}” (your question, completed from the previous one{of})."


def complete(question: str, turns: Sequence[Turn], *, named: Namer, symbols: Sequence[str], doc_filter: str = ""
             ) -> Completed | None:
    """A fragment ("And when?", "By which body?", "And the deadline?") completed from the last of ``turns``
    (oldest first) and asked of the document that turn was about (:func:`carried_document`), unless the user
    chose one (``doc_filter``) or the index holds one; ``None`` when ``question`` is no fragment. A previous
    turn that says no document (it asked the whole index and abstained) has its fragment asked of the whole
    index too: the completed question is that turn's.

    >>> symbols = ["S/RES/787 (1992)", "S/RES/2730 (2024)"]
    >>> def named(question):
    ...     return [s for s in symbols if s.split("/")[-1][:4].strip() in question]
    >>> turns = [Turn("When was resolution 2730 adopted?", ("S/RES/2730 (2024)",))]
    >>> done = complete("By which body?", turns, named=named, symbols=symbols)
    >>> done.question, done.doc
    ('By which body was resolution 2730 adopted?', 'S/RES/2730 (2024)')
    >>> done.note
    'Read as “By which body was resolution 2730 adopted?” (your question, completed from the previous one).'
    >>> complete("Why?", [Turn("When was it adopted?", (), "S/RES/2730 (2024)")], named=named, symbols=symbols).note
    'Read as “Why was it adopted?” (your question, completed from the previous one; asked of S/RES/2730 (2024), \
the document of the previous question).'
    >>> complete("When was it adopted?", turns, named=named, symbols=symbols) is None
    True
    """
    if not turns or cites_a_document(question, symbols) or list(named(question)):
        return None
    completed = complete_question(question, turns[-1].question)
    if completed is None:
        return None
    carried = None if doc_filter or len(symbols) < 2 else carried_document(turns[-1:], named=named, symbols=symbols)
    return Completed(completed, carried, bool(list(named(completed))))
