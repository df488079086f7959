"""Readable rendering of a parsed ``Document`` for ``rag parse``."""

from __future__ import annotations

from collections import Counter

from rich.console import Console
from rich.table import Table
from rich.text import Text

from rag.clean import neutralise_controls
from rag.types import Document, Passage

#: Characters of a passage's text shown in the table.
TEXT_WIDTH = 90


def _links(passage: Passage) -> str:
    if passage.kind == "footnote":
        return ("<- " + ", ".join(passage.cited_by)) if passage.cited_by else "(not cited)"
    return ", ".join(passage.footnotes)


def _start(text: str, width: int = TEXT_WIDTH) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= width else flat[: width - 1] + "…"


def plain(text: str) -> Text:
    """Document text as ``rich`` must print it: literally, never as ``[markup]`` or ``:emoji:`` codes
    (a document is data; ``[/bold]`` in a title would otherwise crash the table), controls removed.

    >>> plain("[/bold] [link=http://x]root:x:0[/link]\\x07").plain
    '[/bold] [link=http://x]root:x:0[/link]'
    """
    return Text(neutralise_controls(text))


def summary(document: Document) -> str:
    """One line of counts, e.g. ``19 preambular, 30 operative (0 sub-paragraphs), 9 footnotes``.

    >>> from rag.types import Passage
    >>> doc = Document("X", passages=[Passage("X", "operative", "1", "a"), Passage("X", "operative", "1(a)", "b",
    ...                               parent="1"), Passage("X", "footnote", "1", "c")])
    >>> summary(doc)
    '0 preambular, 2 operative (1 sub-paragraph), 1 footnote'
    """
    counts = Counter(p.kind for p in document.passages)
    subs = sum(1 for p in document.passages if p.parent)
    parts = [
        f"{counts['preambular']} preambular",
        f"{counts['operative']} operative ({subs} sub-paragraph{'s' if subs != 1 else ''})",
        f"{counts['footnote']} footnote{'s' if counts['footnote'] != 1 else ''}",
    ]
    if counts["paragraph"]:
        parts.append(f"{counts['paragraph']} plain paragraphs")
    drafts = sorted({p.part for p in document.passages if p.part})
    if drafts:
        parts.append("parts: " + ", ".join(drafts))
    return ", ".join(parts)


def print_document(document: Document, console: Console | None = None) -> None:
    """Print metadata, a table of passages (label, pages, footnote links, text start),
    the parser's warnings and a summary line."""
    console = console or Console()
    console.print(Text.assemble(Text(neutralise_controls(document.symbol), "bold"), "  ", plain(document.title)))
    details = [x for x in (document.body, document.date, document.source) if x]
    if details:
        console.print(plain(" | ".join(details)), style="dim", highlight=False)
    has_pages = any(passage.pages for passage in document.passages)
    rows = [
        (passage.label, ",".join(str(p) for p in passage.pages), _links(passage), _start(passage.text))
        for passage in document.passages
    ]
    # Labels and pages are what users cite: never truncate them; only the text start gives way.
    widest = [max((len(row[i]) for row in rows), default=0) for i in range(3)]
    table = Table(show_header=True, header_style="bold", expand=True)
    table.add_column("label", no_wrap=True, min_width=max(5, widest[0]))
    if has_pages:
        table.add_column("pages", no_wrap=True, min_width=max(5, widest[1]))
    table.add_column("footnotes", no_wrap=True, min_width=min(max(9, widest[2]), 24), max_width=24)
    table.add_column("text", overflow="ellipsis", no_wrap=True, ratio=1)
    for label, pages, links, text in rows:
        cells = (label, pages, links, text) if has_pages else (label, links, text)
        table.add_row(*(plain(cell) for cell in cells))
    console.print(table)
    for warning in document.warnings:
        console.print(Text.assemble(Text("warning:", "yellow"), " ", plain(warning)), highlight=False)
    console.print(plain(summary(document)), highlight=False)
