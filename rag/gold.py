"""Agreement of a parsed ``Document`` with a gold paragraph split (``*.gold.json``).

Gold files list, for each paragraph of a UN resolution, its ``kind``
(``enactingFormula``, ``preambular``, ``operative``, ``subparagraph``), ``num``
("1.", "(a)" or null), ``parent`` (the eId of a sub-paragraph's paragraph), text
with and without footnote markers, and ``embedded_draft``. They map to passages
as follows:

* ``enactingFormula`` -> part of a heading, not counted as a paragraph;
* ``preambular``      -> ``preambular``, numbered 1.. in order within its part;
* ``operative``       -> ``operative``; ``"1."`` -> ``"1"``; null -> the part's
  unnumbered paragraphs counted from 1;
* ``subparagraph``    -> ``operative`` numbered parent + ``"(a)"``;
* ``embedded_draft``  -> ``part="draft"``.

>>> expected = GoldParagraph(part="", kind="operative", number="6(a)", text="Strengthening  laws;")
>>> expected.key, normalise("  a\\n b ")
(('', 'operative', '6(a)'), 'a b')
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from rag.types import Document, Passage


def normalise(text: str) -> str:
    """Whitespace-normalised text used for comparisons."""
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class GoldParagraph:
    part: str
    kind: str
    number: str
    text: str
    lead: str = ""
    footnotes: tuple[str, ...] = ()

    @property
    def key(self) -> tuple[str, str, str]:
        return (self.part, self.kind, self.number)


@dataclass
class Gold:
    symbol: str
    paragraphs: list[GoldParagraph]
    formulas: list[str]
    footnotes: dict[str, str]


@dataclass
class Agreement:
    """How far a parse agrees with gold: ``matched`` of ``total`` paragraphs, plus what differs."""

    symbol: str
    total: int
    matched: int
    exact: bool
    problems: list[str] = field(default_factory=list)

    @property
    def percent(self) -> float:
        return 100.0 * self.matched / self.total if self.total else 100.0


def read_gold(path: str | Path) -> Gold:
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    by_id = {p.get("eId"): p for p in data["paragraphs"] if p.get("eId")}
    paragraphs: list[GoldParagraph] = []
    pp_count: dict[str, int] = {}
    unnumbered: dict[str, int] = {}
    formulas: list[str] = []

    def number_of(paragraph: dict[str, object], part: str) -> str:
        num = str(paragraph.get("num") or "").strip().rstrip(".")
        if paragraph["kind"] == "subparagraph":
            parent = by_id[paragraph["parent"]]
            return f"{number_of(parent, part)}({num.strip('()')})"
        if num:
            return num
        key = str(paragraph.get("eId"))
        if key not in unnumbered_ids:
            unnumbered[part] = unnumbered.get(part, 0) + 1
            unnumbered_ids[key] = str(unnumbered[part])
        return unnumbered_ids[key]

    unnumbered_ids: dict[str, str] = {}
    for paragraph in data["paragraphs"]:
        part = "draft" if paragraph.get("embedded_draft") else ""
        kind = paragraph["kind"]
        text = normalise(paragraph["text_without_footnote_markers"])
        if kind == "enactingFormula":
            formulas.append(text)
            continue
        if kind == "preambular":
            pp_count[part] = pp_count.get(part, 0) + 1
            number = str(pp_count[part])
        else:
            number = number_of(paragraph, part)
        paragraphs.append(
            GoldParagraph(
                part=part,
                kind="preambular" if kind == "preambular" else "operative",
                number=number,
                text=text,
                lead=paragraph.get("lead") or "",
                footnotes=tuple(paragraph.get("footnote_markers") or ()),
            )
        )
    footnotes = {str(n["marker"]): normalise(n["text"]) for n in data.get("footnotes", [])}
    symbol = (data.get("cover", {}).get("docNumber") or [""])[0]
    return Gold(symbol=symbol, paragraphs=paragraphs, formulas=formulas, footnotes=footnotes)


def compare(document: Document, gold: Gold, *, strict: bool = False) -> Agreement:
    """Compare paragraphs by (part, kind, number) and text; ``strict`` also checks leads,
    footnote links and texts, formulas and that the parse has no extra paragraphs."""
    found: dict[tuple[str, str, str], Passage] = {
        (p.part, p.kind, p.number): p for p in document.passages if p.kind in ("preambular", "operative")
    }
    problems: list[str] = []
    matched = 0
    for expected in gold.paragraphs:
        passage = found.get(expected.key)
        if passage is None:
            problems.append(f"missing {expected.key}: {expected.text[:60]!r}")
            continue
        if normalise(passage.text) != expected.text:
            problems.append(f"text of {passage.label}: got {passage.text[:70]!r}, want {expected.text[:70]!r}")
            continue
        if strict and (passage.lead != expected.lead or tuple(passage.footnotes) != expected.footnotes):
            problems.append(f"{passage.label}: lead/footnotes {passage.lead!r} {passage.footnotes} "
                            f"want {expected.lead!r} {expected.footnotes}")
            continue
        matched += 1
    wanted = {p.key for p in gold.paragraphs}
    extra = [key for key in found if key not in wanted]
    if extra:
        problems.append(f"{len(extra)} paragraph(s) not in gold: {extra[:5]}")
    if strict:
        notes = {p.number: normalise(p.text) for p in document.by_kind("footnote")}
        if notes != gold.footnotes:
            problems.append("footnote texts differ")
        if [normalise(f) for f in document.enacting_formulas] != gold.formulas:
            problems.append(f"formulas {document.enacting_formulas} want {gold.formulas}")
        if document.symbol != gold.symbol:
            problems.append(f"symbol {document.symbol!r} want {gold.symbol!r}")
    exact = matched == len(gold.paragraphs) and not problems
    return Agreement(document.symbol, len(gold.paragraphs), matched, exact, problems)
