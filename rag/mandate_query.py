"""Reading the mandate map: filter the action clauses (by actor, verb, document), recognise a question about an
actor's mandates, and show the clauses as rows, CSV or a table (``rag mandates``).

The clauses themselves are extracted at ingest by :mod:`rag.mandates`; here they are only read.

>>> from rag.types import Passage
>>> clauses = extract_mandates([Passage(doc="X", kind="operative", number="1",
...     text="Requests the Secretary-General to report; urges Member States to ratify the Convention;")])
>>> [c.verb for c in filter_mandates(clauses, actor="SG")]
['requests']
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from rag.aliases import AliasTable, surface_key
from rag.mandates import (
    ADDRESSING_VERBS,
    DETERMINERS,
    VERB_LEMMAS,
    ActionClause,
    builtin_aliases,
    extract_mandates,
    normalise_verb,
    squash_spaces,
)
from rag.question import without_document_references


# ============================================================================ filtering
def _doc_key(symbol: str) -> str:
    return re.sub(r"\s+", "", symbol).casefold()


def actor_matches(wanted: str, actors: Sequence[str], aliases: AliasTable | None = None) -> bool:
    """Whether a user's actor name (any alias) is among ``actors``.

    >>> actor_matches("United Nations Office on Drugs and Crime", ["Member States", "UNODC"])
    True
    >>> actor_matches("the secretary general", ["Secretary-General"]), actor_matches("States", ["Member States"])
    (True, False)
    """
    table = aliases or builtin_aliases()
    target = table.canonical(wanted) or wanted
    key = surface_key(DETERMINERS.sub("", target.strip()))
    return any(surface_key(actor) == key or table.canonical(actor) == target for actor in actors)


def filter_mandates(
    clauses: Iterable[ActionClause],
    actor: str | None = None,
    verb: str | None = None,
    doc: str | None = None,
    aliases: AliasTable | None = None,
    *,
    by_prefix: bool = False,
) -> list[ActionClause]:
    """Clauses addressed to ``actor`` (any alias), led by ``verb`` (any form), in ``doc``.

    ``actor`` also matches an addressee as the text writes it ("the Office"), whatever it
    was resolved to. ``verb`` matches by words: ``calls`` matches ``calls upon`` and ``calls for``;
    ``expresses`` matches ``expresses appreciation``. ``doc`` matches the symbol
    ignoring case and spaces; when no symbol equals it, any symbol containing it. With ``by_prefix`` (a user's
    filter, not a question's actor), an ``actor`` that names no actor matches those whose name begins with it.
    """
    clauses = list(clauses)
    if doc:
        wanted_doc = _doc_key(doc)
        exact = [c for c in clauses if _doc_key(c.doc) == wanted_doc]
        clauses = exact or [c for c in clauses if wanted_doc in _doc_key(c.doc)]
    if verb:
        lemma = normalise_verb(verb) or verb.strip().lower()
        clauses = [c for c in clauses if c.verb == lemma or c.verb.startswith(lemma + " ")]
    if actor:
        written = surface_key(actor)
        named = [
            c for c in clauses
            if actor_matches(actor, c.actors, aliases) or (c.addressee and surface_key(c.addressee) == written)
        ]
        # no actor of that name: those whose name begins with it ("Director General" is the "Director General of
        # the World Health Organization" of the text)
        clauses = named if named or not by_prefix else [
            c for c in clauses if any(surface_key(a).startswith(written + " ") for a in c.actors)]
    return clauses


# ============================================================================ questions
@dataclass(frozen=True)
class MandateQuery:
    """A question that asks what an actor is mandated to do: the actor (canonical), the verb
    when the question names one (``requests``), and the remaining topic words ("on evidence")."""

    actor: str
    verb: str | None = None
    topic: str = ""
    surface: str = ""

    def select(self, clauses: Iterable[ActionClause], aliases: AliasTable | None = None) -> list[ActionClause]:
        """The clauses addressed to the actor; on a topic, also those addressed to actors whose name holds the
        actor's ("States": "Member States", "States concerned"), for the topic to choose among (without one,
        those only when the actor itself is addressed nowhere).

        >>> from rag.types import Passage
        >>> clauses = extract_mandates([
        ...     Passage(doc="X", kind="operative", number="1", text="Urges Member States to ratify the Convention;"),
        ...     Passage(doc="X", kind="operative", number="2", text="Urges States to act;")])
        >>> [c.label for c in MandateQuery("States", topic="ratify Convention").select(clauses)]
        ['OP 2', 'OP 1']
        >>> [c.label for c in MandateQuery("States").select(clauses)]
        ['OP 2']
        """
        clauses = list(clauses)
        named = filter_mandates(clauses, actor=self.actor, verb=self.verb, aliases=aliases)
        if named and not self.topic:
            return named
        wanted = f" {surface_key(self.actor)} "
        holding = [c for c in filter_mandates(clauses, verb=self.verb)
                   if c not in named and any(wanted in f" {surface_key(actor)} " for actor in c.actors)]
        return named + holding


#: Words that open or articulate a question and never begin an actor's name ("*Are* States encouraged ...?").
_QUESTION_AUXILIARIES = (
    r"(?:are|is|was|were|be|been|being|am|what|which|who|whom|whose|how|when|where|why|does|do|did|should|must|"
    r"shall|will|would|can|could|may|might|has|have|had)"
)
_PASSIVE_CUE = re.compile(
    r"\b(?:is|are|was|were|been|be|being)\b.*?\b"
    r"(?P<verb>requested|asked|called\s+(?:up)?on|urged|encouraged|invited|authori[sz]ed|demanded|directed|"
    r"instructed|mandated|tasked|required|expected|recommended|entrusted|reminded|told|supposed)\b",
    re.IGNORECASE,
)
_ACTIVE_CUE = re.compile(
    r"\b(?:does|do|did|will|would)\s+(?:the\s+)?(?:[\w\-/().]+\s+){0,6}?"
    r"(?P<verb>request|ask|call\s+(?:up)?on|urge|encourage|invite|authori[sz]e|demand|direct|instruct|mandate|"
    r"task|require|expect|recommend|entrust|remind|want|give|assign)\b"
    # "What is the Council asking States to do?"
    r"|\b(?:is|are|was|were)\s+(?:the\s+)?(?:[\w\-/().]+\s+){0,6}?"
    r"(?P<progressive>(?:request|ask|call|urg|encourag|invit|authori[sz]|demand|direct|instruct|mandat|task|requir|"
    r"expect|recommend|entrust|remind|want|giv|assign)ing(?:\s+(?:up)?on)?)\b",
    re.IGNORECASE,
)
#: "Which resolutions request X to ...", "paragraphs that urge X", "Does any resolution ask X": the texts are the
#: subject, and the list of them across the documents is what the question asks for.
_TEXTS_CUE = re.compile(
    r"\b(?:resolutions?|documents?|texts?|paragraphs?|decisions?|ones?)\s+(?:that\s+|which\s+)?"
    r"(?:also\s+|still\s+|explicitly\s+|specifically\s+)?"
    r"(?P<verb>(?:request|ask|call|urge|encourage|invite|authori[sz]e|demand|direct|instruct|mandate|task|require|"
    r"recommend|entrust|remind)s?(?:\s+(?:up)?on)?)\b",
    re.IGNORECASE,
)
#: "What must X do", "What is X to do", "Should X share ...", "mandates of X", "X's tasks", "tasks for X".
_NOUN_CUE = re.compile(
    r"\b(?P<verb>mandates?|tasks?|requests|calls|obligations|responsibilities|duties|assignments|"
    r"what\s+(?:must|should|shall|has\s+to|have\s+to|(?:is|are)(?=\s.{1,80}?\bto\s+do\b))\b)",
    re.IGNORECASE,
)
_GENERIC_ACTOR = re.compile(
    r"\b(?:all\s+)?(?:the\s+)?(?:(?:relevant|concerned|other)\s+)?"
    rf"(?:(?:(?!(?i:{_QUESTION_AUXILIARIES})\b)[A-Z][\w\-]*|international|civil|private|United\s+Nations)\s+)*"
    # users write "states" as often as "States"
    r"(?P<head>(?i:States|Governments|parties|donors|stakeholders|entities|organizations|agencies|community|society)|"
    r"sector|Secretariat|Secretary-General|Council|Assembly|Commission|Committee|Office|Group|Mission|Rapporteurs?|"
    r"Representatives?|Envoys?|Director(?:-General)?|Commissioner|Coordinator|Mechanism|Programme|Fund|Agency|"
    r"Organization|Directorate|Board|Bureau|Panel|Force|Operation|Team|Tribunal|Court)\b"
    r"(?:\s+to\s+(?:the\s+|an?\s+)?(?:armed\s+)?conflicts?\b|\s+concerned\b)?"
)
#: Questions that ask *who* is addressed: the actor is the answer, not a given.
_ASKS_FOR_ACTOR = re.compile(
    r"^\s*(?:(?:and|so|then)\s+)?(?:who|whom|which\s+(?:body|bodies|entity|entities|actors?|organi[sz]ations?|"
    r"offices?|organs?|agenc(?:y|ies)))\b|\bby\s+whom\b|\bto\s+whom\b",
    re.IGNORECASE,
)
_QUESTION_WORDS = re.compile(
    r"\b(?:what|which|who|whom|how|is|are|was|were|been|be|does|do|did|the|a|an|of|to|for|by|in|from|resolution|"
    r"resolutions|documents?|texts?|paragraphs?|list|show|give|given|me|all|its|their|his|her|has|have|must|should|"
    r"shall|will|would|under|mandated|asked|requested|called|upon|on|urged|encouraged|invited|do|doing|say|says|"
    r"about|mandates?|tasks?|requests|calls|obligations|responsibilities|duties|assigned|it|this|that|these|those|"
    r"General\s+Assembly|Security\s+Council|draft|please|tell|us|exactly|specifically|also|further|any|anything)\b",
    re.IGNORECASE,
)


def parse_mandate_question(question: str, aliases: AliasTable | None = None) -> MandateQuery | None:
    """Recognise a question about an actor's mandates; ``None`` for any other question.

    The actor is the one the question says is asked (passive "Is X requested to ...", "What is
    requested of X?"), the object of an asking verb ("What does the Council ask X to do?"), the subject
    of a modal ("What must X do?", "Should X ...?") or the owner of mandates ("mandates of X", "X's tasks",
    "tasks for X"). Auxiliaries and question words are never part of it ("*Are* States encouraged ...");
    a question that asks *who* is addressed ("Who is asked to give UNODC ...?") names no actor: ``None``.

    >>> q = parse_mandate_question("What is UNODC requested to do on evidence?")
    >>> q.actor, q.verb, q.topic
    ('UNODC', 'requests', 'evidence')
    >>> parse_mandate_question("mandates of the Secretary-General").actor
    'Secretary-General'
    >>> q = parse_mandate_question("What are Member States called upon to do?")
    >>> q.actor, q.verb
    ('Member States', 'calls upon')
    >>> q = parse_mandate_question("What does the Assembly ask the United Nations Office on Drugs and Crime to do?")
    >>> q.actor, q.verb
    ('UNODC', None)
    >>> parse_mandate_question("What are Member States that are not in the Committee on Trade encouraged to do?").actor
    'Member States'
    >>> q = parse_mandate_question("Are States encouraged to ratify the Convention?")
    >>> q.actor, q.verb, q.topic
    ('States', 'encourages', 'ratify Convention')
    >>> q = parse_mandate_question("Which resolutions request the Secretary-General to report?")
    >>> q.actor, q.verb, q.topic
    ('Secretary-General', 'requests', 'report')
    >>> parse_mandate_question("What does resolution 1445 request of the Secretary-General?").topic
    ''
    >>> parse_mandate_question("When was the resolution adopted?") is None
    True
    >>> parse_mandate_question("Who is requested to report to the General Assembly?") is None
    True
    >>> parse_mandate_question("Who is asked to give UNODC enough resources?") is None
    True
    >>> parse_mandate_question("What does UNODC's handbook on children say?") is None
    True
    """
    table = aliases or builtin_aliases()
    text = squash_spaces(question)
    if _ASKS_FOR_ACTOR.search(text):
        return None  # the actor is what is asked for
    modal = re.match(r"\s*(?P<verb>should|must|shall)\b", text, re.IGNORECASE)  # "Should States ...?": the subject
    cue = modal or _PASSIVE_CUE.search(text) or _ACTIVE_CUE.search(text) or _TEXTS_CUE.search(text) \
        or _NOUN_CUE.search(text)
    if cue is None:
        return None
    candidates: list[tuple[int, int, str, str]] = []
    for mention in table.mentions(text, query=True):
        if table.kind(mention.canonical) == "actor":
            candidates.append((mention.start, mention.end, mention.canonical, mention.surface))
    for match in _GENERIC_ACTOR.finditer(text):
        if any(s < match.end() and match.start() < e for s, e, _, _ in candidates):
            continue
        phrase = DETERMINERS.sub("", match.group(0)).strip()
        candidates.append((match.start(), match.end(), table.canonical(phrase) or phrase, match.group(0)))
    # an acronym the table does not know is a name too: "What does the Council ask MONUC to do?"
    for match in re.finditer(r"\b[A-Z][A-Z\-]{2,}[A-Z]\b", text):
        name = table.canonical(match.group(0)) or match.group(0)
        if table.kind(name) != "term" and not any(s < match.end() and match.start() < e for s, e, _, _ in candidates):
            candidates.append((match.start(), match.end(), name, match.group(0)))
    candidates.sort()
    if not candidates:
        return None
    if cue is modal:
        after = [c for c in candidates if c[0] >= cue.end()]
        if not after or text[cue.end() : after[0][0]].strip(" ,").lower() not in {"", "the", "all", "all the"}:
            return None  # "Should the resolution be adopted?": no actor right after the modal
        chosen = after[0]
    elif cue.re is _PASSIVE_CUE:
        before = [c for c in candidates if c[1] <= cue.start("verb")]
        after = [c for c in candidates if c[0] >= cue.end()]
        # "What is requested of X?", "What is expected from X?": the actor follows the participle
        of_after = after and re.match(r"\s+(?:of|from)\s", text[cue.end() : after[0][0] + 1])
        # "What are Member States that are not in the Committee encouraged to do?": the first name after the
        # auxiliary is the subject; "Member States are encouraged": the last one before it
        subject = [c for c in before if c[0] >= cue.start()]
        chosen = after[0] if of_after or not before else (subject or before[-1:])[0]
    else:
        after = [c for c in candidates if c[0] >= cue.end()]
        if not after and cue.re is _ACTIVE_CUE:
            return None  # "What does the Security Council want?": the one who asks, nobody asked
        chosen = after[0] if after else candidates[-1]
        if cue.re is _NOUN_CUE and not after and not re.search(r"['’]s\s*$", text[: chosen[1] + 2]) \
                and cue.start() < chosen[0]:
            chosen = candidates[-1]
    if cue is not modal and cue.re is _NOUN_CUE and not _noun_cue_applies(text, cue, chosen):
        return None
    verb_word = (cue.group("verb") or cue.groupdict().get("progressive") or "").lower()
    verb = normalise_verb(verb_word)
    if verb not in ADDRESSING_VERBS or re.match(r"ask|mandat|task|requir|expect|want|told|suppos|giv|assign|should|"
                                                 r"must|shall", verb_word):
        verb = None  # a generic cue: any addressing verb
    topic = text
    # the asker of an active cue is no topic: "What does *the Council* ask MONUC to do?"
    cue_start = cue.start() if cue is not modal and cue.re is _ACTIVE_CUE else cue.start("verb")
    for start, end in sorted([(chosen[0], chosen[1]), (cue_start, cue.end())], reverse=True):
        topic = topic[:start] + " " + topic[end:]
    # "in resolution 1445", "in 787" say which text
    topic = _QUESTION_WORDS.sub(" ", re.sub(r"(?<![\w/.])\d{3,5}(?![\w/])", " ", without_document_references(topic)))
    topic = squash_spaces(re.sub(r"[?!.,;:'’]|\bs\b", " ", topic))
    return MandateQuery(actor=chosen[2], verb=verb, topic=topic, surface=chosen[3])


def _noun_cue_applies(text: str, cue: re.Match[str], actor: tuple[int, int, str, str]) -> bool:
    """A noun cue ("mandates", "tasks") counts only when it is the actor's: "mandates of X", "X's tasks"."""
    between = text[min(cue.end(), actor[1]) : max(cue.start(), actor[0])]
    if cue.start() < actor[0]:  # "mandates of X", "tasks does the resolution give the X"
        return len(between.split()) <= 6 or cue.group("verb").lower().startswith("what")
    return bool(re.fullmatch(r"\s*(?:['’]s)?\s*", between))


# ============================================================================ output
def mandate_facets(clauses: Iterable[ActionClause]) -> dict[str, list[tuple[str, int]]]:
    """Actors and verbs of the clauses with their clause counts, most frequent first: the
    choices of a filter menu.

    >>> from rag.types import Passage
    >>> mandate_facets(extract_mandates([Passage(doc="X", kind="operative", number="1",
    ...     text="Urges States to act, and requests the Secretary-General and States to report")]))
    {'actors': [('States', 2), ('Secretary-General', 1)], 'verbs': [('urges', 1), ('requests', 1)]}
    """
    actors: dict[str, int] = {}
    verbs: dict[str, int] = {}
    for clause in clauses:
        verbs[clause.verb] = verbs.get(clause.verb, 0) + 1
        for actor in clause.actors:
            actors[actor] = actors.get(actor, 0) + 1
    return {
        "actors": sorted(actors.items(), key=lambda item: -item[1]),
        "verbs": sorted(verbs.items(), key=lambda item: -item[1]),
    }


def mandate_rows(clauses: Iterable[ActionClause]) -> list[dict[str, Any]]:
    """Flat rows for a table or CSV: doc, label, verb (as written), actors, action, mentioned."""
    return [
        {
            "doc": c.doc,
            "label": c.label,
            "verb": c.verb_phrase,
            "actors": "; ".join(c.actors),
            "action": c.action,
            "mentioned": "; ".join(c.mentioned),
        }
        for c in clauses
    ]


def mandates_csv(clauses: Iterable[ActionClause]) -> str:
    """The clauses as CSV text (header row first), for export."""
    rows = mandate_rows(clauses)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["doc", "label", "verb", "actors", "action", "mentioned"])
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def excerpt(text: str, limit: int = 140) -> str:
    """``text`` cut at a word boundary to about ``limit`` characters.

    >>> excerpt("to continue to provide technical assistance to Member States", 30)
    'to continue to provide …'
    """
    text = squash_spaces(text)
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut + " …"


def mandates_table(clauses: Sequence[ActionClause], *, title: str = "", excerpt_chars: int = 140) -> Any:
    """A ``rich`` table of the clauses: actor(s), verb, label and an excerpt of the action."""
    from rich.table import Table

    from rag.render import plain

    several_docs = len({c.doc for c in clauses}) > 1
    table = Table(title=title or None, show_lines=False, expand=False)
    table.add_column("Actor(s)", style="bold")
    table.add_column("Verb")
    if several_docs:
        table.add_column("Document")
    table.add_column("Paragraph", no_wrap=True)
    table.add_column("Action")
    for clause in clauses:
        row = [", ".join(clause.actors) or "—", clause.verb_phrase]
        if several_docs:
            row.append(clause.doc)
        row += [clause.label, excerpt(clause.action, excerpt_chars) or "—"]
        table.add_row(*(plain(cell) for cell in row))  # document text, never rich markup
    return table


# ============================================================================ command
def load_clauses(
    files: Sequence[str | Any] = (), *, index_dir: Any = None, pipeline: Any = None
) -> tuple[list[ActionClause], AliasTable]:
    """Clauses of the given files (parsed directly), or of every indexed document
    (through ``pipeline``, by default a ``Pipeline`` over ``index_dir``).

    Raises ``IndexMissingError`` (with the command to build an index, and the
    ``--file`` way round it) when there are no files and no index.
    """
    from rag.errors import IndexMissingError

    if files:
        from rag.parse import parse_file

        passages = [p for path in files for p in parse_file(path).passages]
        aliases = AliasTable.builtin().learn(passages)
        return extract_mandates(passages, aliases), aliases
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    if pipeline is None:
        pipeline = Pipeline(Settings(index_dir=index_dir) if index_dir else Settings())
    try:
        clauses = pipeline.mandates()  # extracted at ingest, stored with the index
        aliases = pipeline.snapshot().aliases
    except IndexMissingError as error:
        raise IndexMissingError(f"{error} (or read files directly: `rag mandates --file PATH`)") from None
    return clauses, aliases


def mandates_command(
    *,
    actor: str | None = None,
    verb: str | None = None,
    doc: str | None = None,
    as_json: bool = False,
    files: Sequence[Any] = (),
    index_dir: Any = None,
    pipeline: Any = None,
) -> int:
    """Body of ``rag mandates``: print the matching clauses as a table or JSON; returns the exit code."""
    import json
    import sys

    from rag.errors import InputError

    clauses, aliases = load_clauses(files, index_dir=index_dir, pipeline=pipeline)
    if verb and normalise_verb(verb) is None and verb.strip().lower() not in VERB_LEMMAS:
        known = ", ".join(v for v, _ in mandate_facets(clauses)["verbs"][:12])
        raise InputError(f"unknown verb {verb!r}; verbs in these documents: {known}")
    if doc and not filter_mandates(clauses, doc=doc):
        symbols = ", ".join(sorted({c.doc for c in clauses})) or "none"
        raise InputError(f"no document matches {doc!r}; documents: {symbols} (see `rag list`)")
    selected = filter_mandates(clauses, actor=actor, verb=verb, doc=doc, aliases=aliases, by_prefix=True)
    if as_json:
        sys.stdout.write(json.dumps([c.to_json() for c in selected], ensure_ascii=False, indent=2) + "\n")
        return 0
    from rich.console import Console

    if not selected:
        ranked = mandate_facets(filter_mandates(clauses, doc=doc))["actors"][:10]
        hint = f"; actors addressed: {', '.join(f'{a} ({n})' for a, n in ranked) or 'none'}" if actor else ""
        Console(stderr=True).print(f"No action clause matches{hint}.", highlight=False)
        return 0
    wanted = [f"actor {actor}" if actor else "", f"verb {verb}" if verb else "", f"in {doc}" if doc else ""]
    title = f"Mandates ({len(selected)} clauses{': ' if any(wanted) else ''}{', '.join(w for w in wanted if w)})"
    Console(soft_wrap=False).print(mandates_table(selected, title=title))
    return 0
