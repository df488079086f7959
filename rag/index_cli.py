"""Bodies of the ``rag ingest``, ``rag remove`` and ``rag list`` commands (``rag.cli`` holds the options)."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any, ClassVar


def _pipeline(index_dir: Path | None) -> Any:
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    return Pipeline(Settings(index_dir=index_dir) if index_dir else Settings())


class _Progress:
    """A rich progress bar on stderr, shown only for runs long enough to need one."""

    LABELS: ClassVar[dict[str, str]] = {
        "read": "Reading files", "embed": "Embedding passages", "index": "Building the index",
    }

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._bar: Any = None
        self._tasks: dict[str, Any] = {}

    def __call__(self, stage: str, done: int, total: int) -> None:
        if not self.enabled or (total <= 1 and stage != "embed"):
            return
        if self._bar is None:
            from rich.console import Console
            from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

            self._bar = Progress(TextColumn("{task.description:<20}"), BarColumn(), MofNCompleteColumn(),
                                 TimeElapsedColumn(), console=Console(stderr=True), transient=False)
            self._bar.start()
        if stage not in self._tasks:
            self._tasks[stage] = self._bar.add_task(self.LABELS.get(stage, stage), total=total)
        self._bar.update(self._tasks[stage], completed=done, total=total)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.stop()


def ingest_command(paths: Sequence[Path], *, index_dir: Path | None, rebuild: bool, as_json: bool,
                   quiet: bool) -> int:
    """Ingest ``paths``; print the summary; return the exit code (non-zero when a file failed)."""
    pipeline = _pipeline(index_dir)
    progress = _Progress(enabled=not quiet and not as_json and sys.stderr.isatty())
    try:
        report = pipeline.ingest(paths, progress=progress, rebuild=rebuild)
    finally:
        progress.close()
    if as_json:
        sys.stdout.write(json.dumps(report.to_json(), ensure_ascii=False, indent=2) + "\n")
    else:
        out = sys.stdout
        for note in report.recovered:
            out.write(f"note: {note}\n")
        for outcome in report.files:
            if outcome.status == "failed":
                continue
            detail = f"{outcome.passages} passages" if outcome.status in ("added", "replaced") else outcome.reason
            if not quiet or outcome.status != "skipped":
                out.write(f"{outcome.status:<9} {outcome.symbol or '-':<28} {outcome.path}  ({detail})\n")
        for note in getattr(report, "warnings", []):
            out.write(f"warning: {note}\n")
        out.write(f"{report.summary()}\n")
        if report.generation is not None:
            out.write(f"index: {pipeline.index_dir}/ (generation {report.generation})\n")
        elif report.ok:
            out.write(f"index: {pipeline.index_dir}/ unchanged\n")
        for outcome in report.failed:
            sys.stderr.write(f"failed: {outcome.path}: {outcome.reason}\n")
    return 0 if report.ok else 3


def remove_command(symbol: str, *, index_dir: Path | None) -> int:
    pipeline = _pipeline(index_dir)
    if pipeline.remove(symbol):
        sys.stdout.write(f"removed {symbol} from {pipeline.index_dir}/\n")
        return 0
    known = ", ".join(d.symbol for d in pipeline.documents()[:10]) or "none"
    sys.stderr.write(f"error: {symbol!r} is not indexed in {pipeline.index_dir}/ (indexed: {known})\n")
    return 2


def list_command(*, index_dir: Path | None, as_json: bool) -> int:
    pipeline = _pipeline(index_dir)
    documents = pipeline.documents()
    note = pipeline.layout.interrupted_note()
    if note:
        sys.stderr.write(f"note: {note}\n")
    if as_json:
        sys.stdout.write(json.dumps([d.to_json() for d in documents], ensure_ascii=False, indent=2) + "\n")
        return 0
    if not documents:
        sys.stdout.write(f"no documents indexed in {pipeline.index_dir}/: add some with `rag ingest data/corpus`\n")
        return 0
    from rich.console import Console
    from rich.table import Table

    from rag.render import plain

    table = Table(title=f"{len(documents)} documents in {pipeline.index_dir}/")
    table.add_column("symbol", no_wrap=True)
    table.add_column("title", overflow="fold", ratio=3)
    table.add_column("date", no_wrap=True)
    table.add_column("passages", justify="right", no_wrap=True)
    table.add_column("source", overflow="fold", ratio=2)
    for d in documents:
        table.add_row(*(plain(cell) for cell in (d.symbol, d.title[:70], d.date, str(d.passages), d.source)))
    Console().print(table)
    return 0

