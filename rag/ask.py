"""``rag ask``: one question, or a batch of them read from standard input.

Kept apart from ``rag.cli`` so that the command's logic is testable without a
subprocess, and light: it imports nothing heavier than the pipeline, whose
query path needs numpy, FAISS, bm25s and onnxruntime but never torch.

Output:

* readable (default): the answer, then each citation with the document
  symbol, label, page(s) and score;
* ``--json``: the ``rag ask --json`` contract of DESIGN.md, one object
  (indented for one question; one compact object per line in batch mode).

Batch mode (``rag ask -``) reads one question per line and answers each with
the same loaded models. A line the pipeline refuses (too long, only control
characters) gets an object ``{"question": ..., "error": ..., "exit_code": ...}``
and the run goes on; the exit code is then that of the first refused line.
A missing or broken index stops the run at once.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable, Sequence
from typing import IO, Any

from rag.errors import IndexError_, InputError, ModelError, RagError
from rag.types import Answer


def format_answer(answer: Answer) -> str:
    """The readable form of an answer: its text, then its numbered citations.

    >>> from rag.types import Citation
    >>> c = Citation("A/RES/1", "OP 2", "operative", "2", 0.81, "Decides to act;", "2. Decides to act;", (3,))
    >>> print(format_answer(Answer("q", "Decides to act; [OP 2]", False, [c])))
    Decides to act; [OP 2]
    <BLANKLINE>
    Citations:
      1. A/RES/1, OP 2 (p. 3) score 0.81
    """
    lines = [answer.answer]
    if answer.citations:
        lines += ["", "Citations:"]
        for number, citation in enumerate(answer.citations, 1):
            pages = ""
            if citation.pages:
                first, last = min(citation.pages), max(citation.pages)
                pages = f" (p. {first})" if first == last else f" (pp. {first}-{last})"
            lines.append(f"  {number}. {citation.doc}, {citation.label}{pages} score {citation.score:.2f}")
    return "\n".join(lines)


def _write(stream: IO[str], answer: Answer, *, as_json: bool, compact: bool) -> None:
    if as_json:
        data = answer.to_json()
        text = json.dumps(data, ensure_ascii=False) if compact else json.dumps(data, ensure_ascii=False, indent=2)
        stream.write(text + "\n")
    else:
        stream.write(format_answer(answer) + "\n")
    stream.flush()


def _options(k: int | None, kind: Sequence[str] | None) -> dict[str, Any]:
    if k is not None and k < 1:
        raise InputError(f"-k must be at least 1 (got {k})")
    kinds = [part.strip() for value in (kind or []) for part in value.split(",") if part.strip()]
    return {"k": k, "kind": kinds or None}


def ask_one(pipeline: Any, question: str, *, as_json: bool, k: int | None = None, doc: str | None = None,
            kind: Sequence[str] | None = None, stream: IO[str] | None = None, generate: bool = False) -> Answer:
    """Answer one question and print it; ``RagError`` goes to the caller (the CLI prints it).

    ``generate``: a generated answer with checked citations, streamed (``rag.generate_cli``).
    """
    if generate:
        from rag.generate_cli import generate_one

        return generate_one(pipeline, question, as_json=as_json, doc=doc, stream=stream, **_options(k, kind))
    answer = pipeline.ask(question, doc=doc, **_options(k, kind))
    _write(stream or sys.stdout, answer, as_json=as_json, compact=False)
    return answer


def ask_batch(pipeline: Any, lines: Iterable[str], *, as_json: bool, k: int | None = None, doc: str | None = None,
              kind: Sequence[str] | None = None, stream: IO[str] | None = None,
              errors: IO[str] | None = None, generate: bool = False) -> int:
    """Answer one question per non-blank line; return the exit code (0, or the first refused line's).

    ``generate``: each answer also carries a generated text with checked citations (not streamed).
    """
    answer_with = pipeline.generate if generate else pipeline.ask
    out = stream or sys.stdout
    err = errors or sys.stderr
    options = _options(k, kind)
    exit_code = 0
    for number, line in enumerate(lines, 1):
        question = line.rstrip("\r\n")
        if not question.strip():
            continue
        try:
            answer = answer_with(question, doc=doc, **options)
        except (IndexError_, ModelError):
            raise
        except RagError as error:
            err.write(f"error: line {number}: {error}\n")
            if as_json:
                out.write(json.dumps({"question": question, "error": str(error), "exit_code": error.exit_code},
                                     ensure_ascii=False) + "\n")
            else:
                out.write(f"error: {error}\n\n")
            out.flush()
            exit_code = exit_code or error.exit_code
            continue
        _write(out, answer, as_json=as_json, compact=True)
        if not as_json:
            out.write("\n")
    return exit_code
