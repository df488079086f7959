"""``rag ask --generate``: stream a generated answer, then show how its citations were checked.

Readable output: the model's text as it arrives, then the checked citations
with their support, the dropped labels, the flagged sentences and, when the
check left nothing valid, the extractive answer with the reason. ``--json``
prints the final answer object once (the DESIGN.md keys plus ``generated``,
``checked_citations``, ``dropped_labels``, ``flags``, ``fallback``, ``generation``).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import IO, Any

from rag.types import Answer


def format_checks(answer: Answer) -> str:
    """The part printed after the streamed text: checked citations, dropped labels, flags, fallback.

    >>> from rag.types import Answer
    >>> extra = {"checked_citations": [{"doc": "A/RES/1", "label": "OP 2", "pages": [3], "support": 0.9,
    ...          "supported": True}], "dropped_labels": [{"label": "OP 9", "sentence": 1,
    ...          "reason": "not among the passages given"}], "flags": [{"sentence": 1, "text": "It sells [OP 9].",
    ...          "reason": "cites only labels that were dropped"}], "fallback": {"used": False, "reason": ""},
    ...          "generation": {"support_threshold": 0.65}}
    >>> print(format_checks(Answer("q", "a", False, extra=extra)))
    Checked citations (support: share of the sentence's words found in the paragraph; needed 0.65):
      1. A/RES/1, OP 2 (p. 3) support 0.90
    Dropped labels (not among the passages given to the model):
      - OP 9 in sentence 2: not among the passages given
    Flagged sentences:
      - sentence 2: "It sells [OP 9]." (cites only labels that were dropped)
    """
    extra = answer.extra
    threshold = (extra.get("generation") or {}).get("support_threshold", 0.0)
    lines: list[str] = []
    checked = extra.get("checked_citations") or []
    if checked:
        lines.append(f"Checked citations (support: share of the sentence's words found in the paragraph; "
                     f"needed {threshold:.2f}):")
        for number, record in enumerate(checked, 1):
            pages = _pages(record.get("pages") or [])
            weak = "" if record["supported"] else "  UNSUPPORTED"
            lines.append(f"  {number}. {record['doc']}, {record['label']}{pages} support {record['support']:.2f}{weak}")
    dropped = extra.get("dropped_labels") or []
    if dropped:
        lines.append("Dropped labels (not among the passages given to the model):")
        lines += [f"  - {d['label']} in sentence {d['sentence'] + 1}: {d['reason']}" for d in dropped]
    flags = extra.get("flags") or []
    if flags:
        lines.append("Flagged sentences:")
        lines += [f"  - sentence {f['sentence'] + 1}: {json.dumps(f['text'], ensure_ascii=False)} ({f['reason']})"
                  for f in flags]
    fallback = extra.get("fallback") or {}
    if fallback.get("used"):
        from rag.ask import format_answer

        lines += ["", f"Fallback to the extractive answer: {fallback.get('reason', '')}.", "", format_answer(answer)]
    return "\n".join(lines)


def _pages(pages: Sequence[int]) -> str:
    if not pages:
        return ""
    first, last = min(pages), max(pages)
    return f" (p. {first})" if first == last else f" (pp. {first}-{last})"


def generate_one(pipeline: Any, question: str, *, as_json: bool, k: int | None = None, doc: str | None = None,
                 kind: Sequence[str] | None = None, stream: IO[str] | None = None) -> Answer:
    """Generate, check and print one answer; ``RagError`` goes to the caller (the CLI prints it)."""
    from rag.generate import Done, Token

    out = stream or sys.stdout
    answer: Answer | None = None
    streamed = False
    for event in pipeline.iter_generate(question, k, doc=doc, kind=kind):
        if isinstance(event, Token) and not as_json:
            out.write(event.text)
            out.flush()
            streamed = True
        elif isinstance(event, Done):
            answer = event.answer
    assert answer is not None
    if as_json:
        out.write(json.dumps(answer.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        checks = format_checks(answer)
        out.write(("\n\n" if streamed else "") + checks + "\n")
    out.flush()
    return answer
