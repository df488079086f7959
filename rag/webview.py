"""HTML for the Gradio app (``rag.webapp``): answers, sources, documents; plus the app's CSS and script.

Pure functions of records, no Gradio import, so they are tested without a
browser. Every piece of document text goes through :func:`html.escape`: a
document is data, and nothing in it may become markup.

Citation markers in an answer (``[OP 9]``, ``[E/CN.15/2019/L.8/Rev.1, OP 9]``,
``[PP 3; OP 5 (a)]``) become links ``<a class="cite" href="#cite:KEY">``; the
app's script turns a click on one into a request for the sources panel. ``KEY``
is ``<turn>:<index>``, the answer's place in the session's chat and the
citation's place in that answer.

>>> cites = [{"doc": "X/1", "label": "OP 9", "excerpt": "Requests", "text": "Requests the Office"}]
>>> answer_html("Requests … [OP 9]", cites, turn=0)
'<div class="answer"><p>Requests … <a class="cite" href="#cite:0:0" title="X/1, OP 9">[OP 9]</a></p></div>'
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rag.aliases import is_acronym
from rag.clean import neutralise_controls
from rag.generate import find_markers, strip_markers
from rag.types import Document, Passage, normalise_label

#: A citation as the app keeps it in the session: ``Citation.to_json()`` (or a checked citation of a
#: generated answer), i.e. at least ``doc``, ``label``, ``excerpt`` and ``text``.
CitationRecord = Mapping[str, Any]

GENERIC_ERROR = "Something went wrong on the server (it has been logged). Please try again or rephrase."


#: Commands a user of the app cannot run: what the app offers instead, or who runs them (both surfaces).
_CLI_COMMANDS = [
    (re.compile(r"\bask e\.g\. rag ask \"([^\"]*)\""), r"ask e.g. “\1”"),
    (re.compile(r"\bbuild one with `rag ingest [^`]*`(?:\s*\(or `make run`[^)]*\))?"),
     "add documents with the upload box of the Documents tab"),
    (re.compile(r"\s*\(or read files directly: `rag mandates --file PATH`\)"), ""),
    (re.compile(r"`(rag (?:ingest|remove)\b[^`]*)`"), r"`\1` on the server"),
]
#: Settings (environment variables) are the server's, not something a user of the app can change: a limit is
#: said in plain words, without the setting's name.
_SERVER_SETTINGS = [
    (re.compile(r", more than the limit of ([\d,]+) \(setting RAG_MAX_QUESTION_CHARS\)"),
     r", more than the limit of \1 characters for a question"),
    (re.compile(r"\s*\((?:setting|raise the \w+ setting,) RAG_[A-Z_]+\b[^()]*\)"), ""),
]
#: The command line's options in messages, and what the chat calls them (its filters, its Documents tab).
_CLI_TO_APP = [
    (re.compile(r"\s*\(--kind\)"), " (the “Paragraph kinds” filter)"),
    (re.compile(r"\bchoose one with --doc\b"), "choose one in the “Document” filter"),
    (re.compile(r"(?<![\w-])--doc\b"), "the “Document” filter"),
    (re.compile(r"(?<![\w-])--kind\b"), "the “Paragraph kinds” filter"),
    (re.compile(r"\bsee `rag list`"), "see the Documents tab"),
    *_CLI_COMMANDS,
    *_SERVER_SETTINGS,
]
#: The same for the HTTP API, whose options are the parameters of ``ask``.
_CLI_TO_API = [
    (re.compile(r"\s*\(--kind\)"), " (the kind parameter)"),
    (re.compile(r"\bchoose one with --doc\b"), "choose one with the doc parameter"),
    (re.compile(r"(?<![\w-])--(doc|kind|k)\b"), r"the \1 parameter"),
    (re.compile(r"\bsee `rag list`"), "see the Documents tab of the app"),
    *_CLI_COMMANDS,
    *_SERVER_SETTINGS,
]


def app_wording(message: str, *, api: bool = False) -> str:
    """A message of the pipeline (written for the command line) in the app's terms: its filters, its
    Documents tab and upload box rather than ``--kind``, ``rag list`` or ``rag ingest`` (with ``api``,
    the parameters of the ``ask`` endpoint). The command line keeps its own wording.

    >>> app_wording("the question is limited to operative passages (--kind).")
    'the question is limited to operative passages (the “Paragraph kinds” filter).'
    >>> app_wording("(About X/1; 2 documents are indexed, choose one with --doc.)")
    '(About X/1; 2 documents are indexed, choose one in the “Document” filter.)'
    >>> app_wording("no indexed document 'X'; indexed: A/1 (see `rag list`)")
    "no indexed document 'X'; indexed: A/1 (see the Documents tab)"
    >>> app_wording('the question is empty; ask e.g. rag ask "What is UNODC requested to do?"', api=True)
    'the question is empty; ask e.g. “What is UNODC requested to do?”'
    >>> app_wording("no index in index/ yet: build one with `rag ingest data/corpus` (or `make run`, which also "
    ...             "starts the app)")
    'no index in index/ yet: add documents with the upload box of the Documents tab'
    >>> app_wording("damaged; rebuild with `rag ingest --rebuild data/corpus`")
    'damaged; rebuild with `rag ingest --rebuild data/corpus` on the server'
    >>> app_wording("limited to preambular passages (--kind).", api=True)
    'limited to preambular passages (the kind parameter).'
    >>> app_wording("the question is 5,000 characters long, more than the limit of 2,000 "
    ...             "(setting RAG_MAX_QUESTION_CHARS)")
    'the question is 5,000 characters long, more than the limit of 2,000 characters for a question'
    >>> app_wording("9.0 MB, over the limit of 5 MB (raise the max_file_mb setting, RAG_MAX_FILE_MB, if you trust it).")
    '9.0 MB, over the limit of 5 MB.'
    """
    for pattern, replacement in _CLI_TO_API if api else _CLI_TO_APP:
        message = pattern.sub(replacement, message)
    return message


def esc(text: str) -> str:
    """Escape text for HTML, without control characters and bidirectional overrides (which would
    reorder what the page shows: ``rag.clean.neutralise_controls``).

    >>> esc('<b>"A & B"</b>')
    '&lt;b&gt;&quot;A &amp; B&quot;&lt;/b&gt;'
    >>> esc("Requests the \\u202eeciffO\\u202c\\x07")
    'Requests the eciffO'
    """
    return html.escape(neutralise_controls(text), quote=True)


def cite_key(turn: int, index: int) -> str:
    """The key of citation ``index`` of the answer at ``turn``.

    >>> cite_key(2, 0), parse_cite_key("2:0"), parse_cite_key("2:0|1718000000"), parse_cite_key("x")
    ('2:0', (2, 0), (2, 0), None)
    """
    return f"{turn}:{index}"


def parse_cite_key(key: str | None) -> tuple[int, int] | None:
    """``(turn, index)`` from a key; what follows a ``|`` (a nonce the script adds) is ignored."""
    match = re.fullmatch(r"(\d{1,6}):(\d{1,4})(?:\|.*)?", (key or "").strip())
    return (int(match.group(1)), int(match.group(2))) if match else None


def citation_text(citation: CitationRecord) -> str:
    """What the copy button yields: the citation, then the quoted words.

    >>> citation_text({"doc": "E/CN.15/2019/L.8/Rev.1", "label": "OP 9", "excerpt": "Requests UNODC …"})
    'E/CN.15/2019/L.8/Rev.1, OP 9: “Requests UNODC …”'
    """
    quoted = (citation.get("excerpt") or citation.get("text") or "").strip()
    head = f"{citation['doc']}, {citation['label']}"
    return f"{head}: “{quoted}”" if quoted else head


def chip_label(citation: CitationRecord, several_docs: bool) -> str:
    """Text of a citation chip: the label, with the document when the answer cites several."""
    return f"{citation['doc']}, {citation['label']}" if several_docs else str(citation["label"])


# --------------------------------------------------------------------------- answers


def _marker_links(markers: Sequence[Any], citations: Sequence[CitationRecord], turn: int) -> list[str]:
    """One ``<a>`` per label of a bracket group; a label no citation matches stays plain text."""
    links = []
    for marker in markers:
        index = _find_citation(marker.doc, marker.label, citations)
        shown = esc(f"{marker.doc}, {marker.label}" if marker.doc else (marker.label or marker.raw))
        if index is None:
            links.append(shown)
            continue
        citation = citations[index]
        title = esc(f"{citation['doc']}, {citation['label']}")
        links.append(f'<a class="cite" href="#cite:{cite_key(turn, index)}" title="{title}">{shown}</a>')
    return links


def _find_citation(doc: str, label: str, citations: Sequence[CitationRecord]) -> int | None:
    if not label:
        return None
    wanted = normalise_label(label)
    wanted_doc = re.sub(r"\s+", "", doc).upper()
    for index, citation in enumerate(citations):
        same_doc = not doc or re.sub(r"\s+", "", str(citation["doc"])).upper() == wanted_doc
        if same_doc and normalise_label(str(citation["label"])) == wanted:
            return index
    return None


def line_tokens(line: str, citations: Sequence[CitationRecord], turn: int) -> list[str]:
    """A line of answer text as HTML tokens: escaped words, and one token per citation bracket.

    >>> line_tokens("Acts now [OP 2; OP 3]", [{"doc": "X", "label": "OP 2"}], 1)
    ['Acts ', 'now ', '[<a class="cite" href="#cite:1:0" title="X, OP 2">OP 2</a>; OP 3]']
    """
    tokens: list[str] = []
    groups: dict[tuple[int, int], list[Any]] = {}
    for marker in find_markers(line):
        groups.setdefault((marker.start, marker.end), []).append(marker)
    cursor = 0
    for (start, end), markers in sorted(groups.items()):
        tokens += [esc(word) for word in re.findall(r"\S+\s*|\s+", line[cursor:start])]
        links = _marker_links(markers, citations, turn)
        if len(links) == 1 and links[0].startswith("<a "):  # the whole bracket is one link: "[OP 9]"
            tokens.append(links[0].replace('">', '">[', 1).replace("</a>", "]</a>"))
        else:
            tokens.append("[" + "; ".join(links) + "]")
        cursor = end
    tokens += [esc(word) for word in re.findall(r"\S+\s*|\s+", line[cursor:])]
    return tokens


def answer_html(
    text: str, citations: Sequence[CitationRecord], turn: int, *, reveal: int | None = None, flagged: Sequence[str] = ()
) -> str:
    """An answer as HTML: one paragraph a line, footnote lines set apart, citation markers as links.

    ``reveal`` shows only the first ``reveal`` tokens (the progressive display of
    an answer); ``flagged`` are sentences of a generated answer that their
    citations do not support: they are marked, with the reason on hover.
    """
    budget = reveal if reveal is not None else 1 << 30
    paragraphs = []
    for raw in text.split("\n"):
        if not raw.strip() or budget <= 0:
            continue
        note = raw.startswith((" ", "\t")) and raw.strip().startswith("Footnote")
        tokens = line_tokens(raw.strip(), citations, turn)
        shown, budget = tokens[:budget], budget - len(tokens)
        body = "".join(shown).rstrip()
        paragraphs.append(f'<p class="note">{body}</p>' if note else f"<p>{body}</p>")
    out = "".join(paragraphs)
    for sentence in flagged:  # the claim without its markers, as it reads in the HTML
        escaped = esc(strip_markers(sentence).strip().rstrip(".;:!? "))
        if escaped and escaped in out:
            out = out.replace(
                escaped, f'<span class="flagged" title="not supported by its citation">{escaped}</span>', 1
            )
    return f'<div class="answer">{out}</div>'


def token_count(text: str, citations: Sequence[CitationRecord]) -> int:
    """How many tokens ``answer_html`` reveals in all (for a progressive display)."""
    return sum(len(line_tokens(line.strip(), citations, 0)) for line in text.split("\n") if line.strip())


def abstained_html(message: str) -> str:
    return f'<div class="answer abstained"><p><b>No answer in the indexed documents.</b></p><p>{esc(message)}</p></div>'


def error_html(message: str) -> str:
    return f'<div class="answer error"><p><b>Not answered.</b> {esc(message)}</p></div>'


def notice_html(message: str, kind: str = "note") -> str:
    return f'<div class="notice {esc(kind)}">{esc(message)}</div>'


def timings_html(timings: Mapping[str, float]) -> str:
    """A discreet line of timings, e.g. ``retrieve 12 ms · answer 3 ms``."""
    parts = [f"{esc(name)} {value:.0f} ms" for name, value in timings.items() if name != "total"]
    return f'<div class="timings">{" · ".join(parts)}</div>' if parts else ""


# --------------------------------------------------------------------------- passages


def _text_with_lead(passage: Passage) -> str:
    """Escaped text, the lead words ("Requests", "Recalling also") in italics as UN texts set them."""
    text = passage.text
    if passage.lead and text.startswith(passage.lead):
        return f"<em>{esc(passage.lead)}</em>{esc(text[len(passage.lead) :])}"
    return esc(text)


def mark_excerpt(text: str, excerpt: str) -> str:
    """Escaped ``text`` with ``excerpt`` highlighted where it occurs verbatim.

    >>> mark_excerpt("9. Requests A & B to act.", "Requests A & B")
    '9. <mark>Requests A &amp; B</mark> to act.'
    """
    excerpt = excerpt.strip(" …")
    at = text.find(excerpt) if excerpt else -1
    if at < 0:
        return esc(text)
    return f"{esc(text[:at])}<mark>{esc(excerpt)}</mark>{esc(text[at + len(excerpt) :])}"


def _pages(pages: Sequence[int]) -> str:
    if not pages:
        return ""
    first, last = min(pages), max(pages)
    return f"p. {first}" if first == last else f"pp. {first}–{last}"


def footnotes_of(passage: Passage, document: Document | None) -> list[Passage]:
    """The footnote passages a paragraph cites, in its order."""
    if document is None or not passage.footnotes:
        return []
    notes = {p.number: p for p in document.passages if p.kind == "footnote"}
    return [notes[n] for n in passage.footnotes if n in notes]


def parent_of(passage: Passage, document: Document | None) -> Passage | None:
    """The paragraph whose chapeau a sub-paragraph continues (``OP 5`` for ``OP 5 (a)``)."""
    if document is None or not passage.parent:
        return None
    for candidate in document.passages:
        if candidate.kind == passage.kind and candidate.part == passage.part and candidate.number == passage.parent:
            return candidate
    return None


def source_html(citation: CitationRecord, passage: Passage | None, document: Document | None) -> str:
    """The sources panel: the whole paragraph, the quoted words marked, its chapeau and footnotes.

    ``passage`` is the paragraph as the index holds it now (``None`` when its
    document was removed since the answer: the text kept with the answer is shown).
    """
    text = passage.text if passage is not None else str(citation.get("text", ""))
    pages = _pages(passage.pages if passage is not None else citation.get("pages", ()))
    head = (
        f'<div class="source-head"><span class="label">{esc(str(citation["label"]))}</span> '
        f"<b>{esc(str(citation['doc']))}</b>{' · ' + esc(pages) if pages else ''}</div>"
    )
    parts = [head]
    if document is not None and document.title:
        parts.append(f'<div class="source-title">{esc(document.title)}</div>')
    parent = parent_of(passage, document) if passage is not None else None
    if parent is not None:
        parts.append(
            f'<div class="chapeau"><span class="label">{esc(parent.label)}</span> {_text_with_lead(parent)}</div>'
        )
    parts.append(f'<div class="source-text">{mark_excerpt(text, str(citation.get("excerpt", "")))}</div>')
    if passage is None:
        parts.append(notice_html("This document is no longer indexed; the text is the one quoted in the answer."))
    notes = footnotes_of(passage, document) if passage is not None else []
    if notes:
        items = "".join(f'<li><span class="label">{esc(n.label)}</span> {esc(n.text)}</li>' for n in notes)
        parts.append(f'<div class="footnotes"><div class="section">Footnotes</div><ul>{items}</ul></div>')
    if passage is not None and passage.kind == "footnote" and passage.cited_by:
        parts.append(f'<div class="cited-by">Cited by {esc(", ".join(passage.cited_by))}</div>')
    return f'<div class="source">{"".join(parts)}</div>'


EMPTY_SOURCE = (
    '<div class="source empty">Click a citation (a chip below the chat or a marker such as '
    "<b>[OP 9]</b> in an answer) to read the whole paragraph here, with its footnotes.</div>"
)
EMPTY_MANDATE = '<div class="source empty">Click a row of the table to read its whole paragraph here.</div>'


# --------------------------------------------------------------------------- mandates


def actor_label(actor: str, long_forms: Sequence[str]) -> str:
    """An actor as the Mandates menu lists it: an acronym with its full name, so that typing either finds it.

    >>> actor_label("UNODC", ["United Nations Office on Drugs and Crime"]), actor_label("Member States", ["States"])
    ('UNODC · United Nations Office on Drugs and Crime', 'Member States')
    """
    return f"{actor} · {long_forms[0]}" if long_forms and is_acronym(actor) else actor


def mandates_hint(actors: Sequence[tuple[str, Sequence[str]]]) -> str:
    """The Mandates tab's hint, its example taken from the indexed actors (``(actor, long forms)``, most
    frequent first): the first acronym with a full name, so that both names shown find the same clauses.

    >>> hint = mandates_hint([("States", []), ("UNODC", ["United Nations Office on Drugs and Crime"])])
    >>> "Type any name of an actor (e.g. UNODC or United Nations Office on Drugs and Crime), or choose" in hint
    True
    >>> "Type any name of an actor, or choose one in the menu" in mandates_hint([])
    True
    """
    example = next(((a, forms[0]) for a, forms in actors if forms and is_acronym(a)), None)
    names = f" (e.g. {example[0]} or {example[1]})" if example else ""
    return (
        'Who is asked to do what: every action clause of the operative paragraphs ("Requests … to …"), by '
        f"addressee and verb. Type any name of an actor{names}, or choose one in the menu (a name as one text "
        "writes it, such as “the Office”, may mean another body in another document)."
    )


# --------------------------------------------------------------------------- documents


def _depth(passage: Passage) -> int:
    return passage.number.count("(") if passage.kind in ("operative", "paragraph") else 0


def _passage_row(passage: Passage, highlight: str) -> str:
    classes = ["psg", f"depth-{min(_depth(passage), 3)}"]
    if highlight and normalise_label(passage.label) == normalise_label(highlight):
        classes.append("hl")
    notes = ""
    if passage.footnotes:
        notes = (
            f' <span class="refs">footnote{"s" if len(passage.footnotes) > 1 else ""} '
            f"{esc(', '.join(passage.footnotes))}</span>"
        )
    if passage.kind == "footnote":
        cited = ", ".join(passage.cited_by) or "not cited"
        notes = f' <span class="refs">cited by {esc(cited)}</span>'
    return (
        f'<div class="{" ".join(classes)}"><span class="label">{esc(passage.label)}</span> '
        f'<span class="text">{_text_with_lead(passage)}</span>{notes}</div>'
    )


SECTION_TITLES = {
    "heading": "Heading",
    "preambular": "Preambular paragraphs",
    "operative": "Operative paragraphs",
    "paragraph": "Paragraphs",
    "footnote": "Footnotes",
}
PART_TITLES = {"": "", "draft": "Draft resolution", "annex": "Annex"}


def document_html(document: Document, summary: str = "", highlight: str = "", file_name: str = "") -> str:
    """One document's structure: heading, preambular and operative paragraphs (sub-paragraphs
    indented), plain paragraphs, footnotes, each with its label; ``highlight`` a label to mark.
    ``file_name`` is shown as the source (default: the name of ``document.source``)."""
    file_name = file_name or (Path(document.source).name if document.source else "")
    meta = [x for x in (document.body, document.date, file_name) if x]
    parts = [
        f'<div class="doc-head"><div class="doc-symbol">{esc(document.symbol)}</div>'
        f'<div class="doc-title">{esc(document.title)}</div>'
        + (f'<div class="doc-meta">{esc(" · ".join(meta))}</div>' if meta else "")
        + (f'<div class="doc-meta">{esc(summary)}</div>' if summary else "")
        + "</div>"
    ]
    for warning in document.warnings:
        parts.append(notice_html(f"Parser warning: {warning}", "warn"))
    chosen = document.get(highlight) if highlight else None
    if chosen is not None:
        parts.append(f'<div class="section">Opened paragraph</div>{_passage_row(chosen, highlight)}')
    body = [p for p in document.passages if p.kind != "footnote"]
    for part in dict.fromkeys(p.part for p in body):
        if PART_TITLES.get(part, part):
            parts.append(f'<div class="part">{esc(PART_TITLES.get(part, part.title()))}</div>')
        for kind in ("heading", "preambular", "operative", "paragraph"):
            rows = [_passage_row(p, highlight) for p in body if p.part == part and p.kind == kind]
            if rows:
                parts.append(f'<div class="section">{SECTION_TITLES[kind]} ({len(rows)})</div>' + "".join(rows))
    notes = [_passage_row(p, highlight) for p in document.passages if p.kind == "footnote"]
    if notes:
        parts.append(f'<div class="section">{SECTION_TITLES["footnote"]} ({len(notes)})</div>' + "".join(notes))
    return f'<div class="document">{"".join(parts)}</div>'


# --------------------------------------------------------------------------- style and script

CSS = """
.answer p { margin: 0 0 .45em 0; }
.answer p.note { margin-left: 1.5em; font-size: .92em; opacity: .85; }
.answer.abstained { border-left: 4px solid var(--color-accent); padding-left: .6em; }
.answer.error { border-left: 4px solid #d9534f; padding-left: .6em; }
a.cite { font-weight: 600; text-decoration: none; white-space: nowrap; cursor: pointer;
         background: var(--color-accent-soft); border-radius: 4px; padding: 0 .2em; }
.flagged { text-decoration: underline wavy #e69500; }
.timings { font-size: .8em; opacity: .6; margin-top: .3em; }
.notice { padding: .4em .6em; border-radius: 6px; margin: .3em 0; background: var(--block-background-fill);
          border: 1px solid var(--border-color-primary); }
.notice.warn { border-color: #e69500; }
.notice.follow-up { font-size: .88em; font-style: italic; opacity: .8; border: none; background: none;
                    padding: 0 0 .3em 0; }
#chips .wrap { gap: .35em; }
#chips label { border-radius: 999px !important; padding: .15em .7em !important; }
.source .source-head { font-size: 1.05em; margin-bottom: .2em; }
.source .source-title { opacity: .75; margin-bottom: .5em; }
.source .source-text { line-height: 1.55; white-space: pre-line; }
.source mark { background: var(--color-accent-soft); color: inherit; border-bottom: 2px solid var(--color-accent); }
.source .chapeau { opacity: .75; font-size: .92em; margin-bottom: .4em; }
.source .footnotes ul { margin: .2em 0 0 1em; padding: 0; }
.source .cited-by, .source.empty { opacity: .75; }
.label { display: inline-block; font-weight: 600; font-size: .85em; padding: 0 .45em; border-radius: 4px;
         background: var(--color-accent-soft); white-space: nowrap; }
.section { font-weight: 700; margin: .9em 0 .3em 0; }
.part { font-size: 1.1em; font-weight: 700; margin-top: 1.2em; border-bottom: 1px solid var(--border-color-primary); }
.psg { margin: .25em 0; line-height: 1.5; white-space: pre-line; }
.psg.depth-1 { margin-left: 2em; } .psg.depth-2 { margin-left: 4em; } .psg.depth-3 { margin-left: 6em; }
.psg.hl { background: var(--color-accent-soft); border-radius: 4px; }
.psg .refs { font-size: .8em; opacity: .65; }
.tables { --font-mono: var(--font); }
.doc-symbol { font-weight: 700; font-size: 1.15em; } .doc-meta { opacity: .7; font-size: .9em; }
"""

#: Clicking a citation marker in an answer asks the server for that source: the script writes the
#: marker's key into the hidden ``#cite-request`` box (with a nonce, so that a second click on the
#: same marker still counts) and lets Gradio see the change.
HEAD = """
<script>
document.addEventListener("click", (event) => {
  const link = event.target.closest ? event.target.closest('a[href^="#cite:"]') : null;
  if (!link) return;
  event.preventDefault();
  event.stopPropagation();
  const box = document.querySelector("#cite-request textarea, #cite-request input");
  if (!box) return;
  box.value = decodeURIComponent(link.getAttribute("href").slice(6)) + "|" + Date.now();
  box.dispatchEvent(new Event("input", { bubbles: true }));
}, true);
</script>
"""
