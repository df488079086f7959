"""Typed records passed between the pipeline stages.

The flow is ``load -> clean -> parse -> store/index -> retrieve -> answer``:

* ``LoadedText``  what a loader read from a file: text page by page.
* ``Document``    a parsed resolution: metadata plus its ``Passage`` list.
* ``Passage``     one paragraph, sub-paragraph or footnote of one document.
* ``Hit``         a passage found by retrieval, with its scores.
* ``Citation``    a passage quoted in an answer (the ``rag ask --json`` record).
* ``Answer``      what every surface (CLI, API, app, eval) gets back.

Passage identity follows ``DESIGN.md``: a passage is named by its document
symbol, its ``kind`` and its ``number``; the human label is derived:

>>> Passage(doc="X", kind="operative", number="5(a)", text="...").label
'OP 5 (a)'
>>> Passage(doc="X", kind="preambular", number="3", text="...").label
'PP 3'
>>> Passage(doc="X", kind="footnote", number="*", text="...").label
'Footnote *'
>>> Passage(doc="X", kind="operative", number="3", text="...", part="draft").label
'Draft OP 3'
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

#: ``paragraph`` is the fallback for text with no recognisable resolution
#: structure: plain paragraphs numbered in order (label ``Para 3``).
PassageKind = Literal["heading", "preambular", "operative", "footnote", "paragraph"]
PASSAGE_KINDS: tuple[PassageKind, ...] = ("heading", "preambular", "operative", "footnote", "paragraph")

#: Parts of a document. ``""`` is the document's own text. ``"draft"`` is a
#: draft resolution embedded in it (an ECOSOC resolution recommending a General
#: Assembly draft); ``"annex"`` is an annexed or adopted text with its own
#: numbering (a political declaration). Labels of those parts carry a prefix so
#: that ``OP 1`` of the draft never collides with ``OP 1`` of the document.
PART_PREFIX: dict[str, str] = {"": "", "draft": "Draft ", "annex": "Annex "}

#: Month names, as UN documents write dates ("17 December 2024").
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")
#: A topic in brackets at the end of a title, added by a library catalogue: " [on protection of ... personnel]".
CATALOGUE_TOPIC = re.compile(r"\s*\[(?P<topic>on\s[^\]]+)\]$")
_SUB_NUMBER = re.compile(r"^(?P<main>[^()]*)(?P<subs>(\([^()]+\))+)$")


def format_label(kind: str, number: str, part: str = "") -> str:
    """Human label of a passage, as cited to users.

    >>> format_label("operative", "5(a)(ii)")
    'OP 5 (a) (ii)'
    >>> format_label("heading", "")
    'Heading'
    >>> format_label("preambular", "2", part="annex")
    'Annex PP 2'
    """
    prefix = PART_PREFIX.get(part, f"{part.title()} " if part else "")
    if kind == "heading":
        return f"{prefix}Heading"
    if kind == "footnote":
        return f"Footnote {number}"
    short = {"preambular": "PP", "operative": "OP", "paragraph": "Para"}.get(kind, kind)
    match = _SUB_NUMBER.match(number)
    if match:
        subs = re.findall(r"\([^()]+\)", match.group("subs"))
        number = " ".join([match.group("main"), *subs]).strip()
    return f"{prefix}{short} {number}".strip()


@dataclass(frozen=True)
class Page:
    """One page of loaded text; ``number`` counts from 1 (0 when the source has no pages)."""

    number: int
    text: str


@dataclass(frozen=True)
class LoadedText:
    """The raw result of a loader, before cleaning and parsing.

    ``structured`` is set by loaders that read structure directly (Akoma Ntoso
    XML); the parser then takes it as it is instead of re-deriving it from text.
    """

    path: str
    format: Literal["text", "pdf", "docx", "akn"]
    pages: tuple[Page, ...]
    structured: Document | None = None

    @property
    def text(self) -> str:
        return "\n".join(page.text for page in self.pages)


@dataclass(frozen=True)
class Passage:
    """One paragraph, sub-paragraph or footnote of one document.

    ``text`` is clean: page headers removed, split words repaired, footnote
    markers removed (they are kept in ``footnotes``). For a footnote passage,
    ``cited_by`` holds the labels of the passages whose text carries its marker.
    """

    doc: str
    kind: PassageKind
    number: str
    text: str
    pages: tuple[int, ...] = ()
    footnotes: tuple[str, ...] = ()
    cited_by: tuple[str, ...] = ()
    parent: str = ""
    part: str = ""
    lead: str = ""

    @property
    def label(self) -> str:
        return format_label(self.kind, self.number, self.part)

    @property
    def key(self) -> str:
        """Identifier unique within a document, e.g. ``operative:5(a)`` or ``draft/operative:3``."""
        base = f"{self.kind}:{self.number}"
        return f"{self.part}/{base}" if self.part else base

    @property
    def citation(self) -> str:
        """What a user pastes into a statement: ``E/CN.15/2019/L.8/Rev.1, OP 9``."""
        return f"{self.doc}, {self.label}"

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["label"] = self.label
        data["pages"] = list(self.pages)
        data["footnotes"] = list(self.footnotes)
        data["cited_by"] = list(self.cited_by)
        return data


@dataclass
class Document:
    """A parsed UN document.

    ``passages`` are in reading order: the heading first, then preambular and
    operative paragraphs (sub-paragraphs right after their parent), then the
    footnotes. ``warnings`` records what the parser had to guess, e.g. that no
    resolution structure was found and it fell back to plain paragraphs.
    """

    symbol: str
    title: str = ""
    body: str = ""
    date: str = ""
    enacting_formulas: list[str] = field(default_factory=list)
    passages: list[Passage] = field(default_factory=list)
    source: str = ""
    content_hash: str = ""
    warnings: list[str] = field(default_factory=list)

    def by_kind(self, kind: PassageKind, part: str | None = None) -> list[Passage]:
        return [p for p in self.passages if p.kind == kind and (part is None or p.part == part)]

    @property
    def printed_title(self) -> str:
        """The title as the document prints it, without the topic a catalogue adds in brackets (``rag.akn``).

        >>> Document("S/RES/2730 (2024)", title="Resolution 2730 (2024) [on protection of personnel]").printed_title
        'Resolution 2730 (2024)'
        """
        return CATALOGUE_TOPIC.sub("", self.title)

    def get(self, label: str) -> Passage | None:
        """Find a passage by its label (``"OP 9"``), case and spacing insensitive."""
        wanted = normalise_label(label)
        for passage in self.passages:
            if normalise_label(passage.label) == wanted:
                return passage
        return None

    def to_json(self) -> dict[str, Any]:
        return {
            "symbol": self.symbol,
            "title": self.title,
            "body": self.body,
            "date": self.date,
            "enacting_formulas": list(self.enacting_formulas),
            "source": self.source,
            "content_hash": self.content_hash,
            "warnings": list(self.warnings),
            "passages": [p.to_json() for p in self.passages],
        }


def normalise_label(label: str) -> str:
    """Canonical form of a label for comparisons.

    >>> normalise_label(" op 5(a) ")
    'OP5(A)'
    >>> normalise_label("Footnote  *") == normalise_label("footnote *")
    True
    """
    return re.sub(r"\s+", "", label).upper()


@dataclass(frozen=True)
class Hit:
    """A passage returned by retrieval. ``score`` is the fused score used for ranking;
    ``dense`` and ``lexical`` are the component scores (0.0 when that retriever missed it)."""

    passage: Passage
    score: float
    dense: float = 0.0
    lexical: float = 0.0
    rank: int = 0


@dataclass(frozen=True)
class Citation:
    """One cited passage in an answer: the ``citations[]`` record of ``rag ask --json``."""

    doc: str
    label: str
    kind: str
    number: str
    score: float
    excerpt: str
    text: str
    pages: tuple[int, ...] = ()
    footnotes: tuple[str, ...] = ()

    @classmethod
    def from_passage(cls, passage: Passage, score: float, excerpt: str) -> Citation:
        return cls(
            doc=passage.doc,
            label=passage.label,
            kind=passage.kind,
            number=passage.number,
            score=round(float(score), 4),
            excerpt=excerpt,
            text=passage.text,
            pages=passage.pages,
            footnotes=passage.footnotes,
        )

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["pages"] = list(self.pages)
        data["footnotes"] = list(self.footnotes)
        return data


@dataclass
class Answer:
    """What every surface gets back from ``Pipeline.ask``; ``to_json`` is the DESIGN.md contract."""

    question: str
    answer: str
    abstained: bool
    citations: list[Citation] = field(default_factory=list)
    timings_ms: dict[str, float] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "question": self.question,
            "answer": self.answer,
            "abstained": self.abstained,
            "citations": [c.to_json() for c in self.citations],
            "timings_ms": {k: round(v, 2) for k, v in self.timings_ms.items()},
        }
        data.update(self.extra)
        return data
