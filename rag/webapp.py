"""The Gradio app: chat with cited answers, documents, mandates, evaluation, and the ``ask`` API.

``build_app(pipeline, settings)`` returns the ``gr.Blocks``; ``serve(settings)``
(what ``python app.py`` runs) builds the pipeline and launches it. The layout is
in ``build_app``; what each event does is a method of :class:`Handlers`, which
takes and returns plain values, so tests call the handlers without a browser.
HTML comes from :mod:`rag.webview`.

Every stage is the pipeline's (``Pipeline.ask``, ``iter_generate``, ``ingest``,
``remove``, ``documents``, ``document``) or a stage module's public function
(``rag.mandates``, ``rag.evaluate``, ``rag.eval_report``); the app renders.

Sessions share nothing mutable: a user's chat and citations live in ``gr.State``
and in the chatbot's value. What the handlers share is the pipeline (thread
safe: a question sees either the old or the new index, never a half-built one)
and caches derived from one index generation. Index writes (uploads, removals)
and evaluation runs have their own queue (``concurrency_id``) of one, so they go
one at a time while questions go on.

Errors: a ``RagError`` is shown as its message (in the chat, or as a toast: a
warning for bad input, ``InputError``, an error otherwise); anything else is
logged with its traceback on the server and shown as a generic message. No
traceback reaches the page.

Note: no ``from __future__ import annotations`` here: ``gr.api`` reads the
``ask`` endpoint's types from its annotations at run time.
"""

import contextvars
import functools
import hashlib
import html
import logging
import os
import re
import shutil
import tempfile
import threading
import time
import unicodedata
import weakref
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any, TypeVar

import gradio as gr

from rag import webview as view
from rag.errors import IndexMissingError, InputError, RagError
from rag.followup import Completed, FollowUp, SpelledOut, Turn, complete, follow_up, pipeline_namer, spell_out
from rag.pipeline import Pipeline
from rag.question import clean_question
from rag.settings import Settings
from rag.types import Answer, Document

log = logging.getLogger("rag.webapp")

#: Files the Documents tab accepts (the loaders sniff the content; the name must still say what it is).
UPLOAD_SUFFIXES = (".txt", ".pdf", ".docx", ".xml", ".html", ".htm")
#: Kinds offered as chat filters, with their names on screen.
KIND_CHOICES = [
    ("Operative", "operative"),
    ("Preambular", "preambular"),
    ("Footnotes", "footnote"),
    ("Heading", "heading"),
    ("Plain paragraphs", "paragraph"),
]
ALL = ""  # value of "All documents" / "All actors" / "All verbs" in the filter menus
EXAMPLES = [
    "What is UNODC requested to do?",
    "What does the resolution say about biometric data?",
    "Which paragraphs deal with victims of terrorism?",
    "OP 9",
    "What is the title of the document?",
    "What does the resolution say about climate finance?",
]
#: Steps and pause of the progressive display of an extractive answer (about a quarter of a second in all).
REVEAL_STEPS = 8
REVEAL_PAUSE_S = 0.03
QUESTIONS_QUEUE = "questions"  # the chat and the API share settings.app_concurrency workers
WRITE_QUEUE = "index-write"
EVAL_QUEUE = "evaluation"
DEFAULT_SUITE = "seed"
UPLOADS_DIR = "uploads"
MANDATE_EXCERPT_CHARS = 220  # of an action in the mandates table (the whole paragraph opens beside it; CSV: all)
CANCELLED = "\u2205cancelled"  # what the removal's confirmation dialog passes on when the user says no
#: Default of the ``progress`` parameter that makes Gradio track a handler's progress (one object
#: serves every request: it reports to the request it is called in).
PROGRESS = gr.Progress()
PRIVATE = "private"  # api_visibility of every UI event: only `ask` is an API

F = TypeVar("F", bound=Callable[..., Any])


#: Is a handler running in this thread (one handler calling another: only the outer one shows an error)?
_HANDLING: contextvars.ContextVar[bool] = contextvars.ContextVar("rag_webapp_handling", default=False)


def shown_errors(handler: F) -> F:
    """Show what went wrong: bad input (``InputError``: no file chosen, an unknown document) as a warning, with
    nothing changed on the page; another ``RagError`` as an error with its message; anything else as a generic
    error (logged with its traceback). A handler called by another lets its errors through to the outer one."""

    @functools.wraps(handler)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if _HANDLING.get():
            return handler(*args, **kwargs)
        token = _HANDLING.set(True)
        try:
            return handler(*args, **kwargs)
        except gr.Error:
            raise
        except InputError as error:  # the user fixes the input: a warning, as for a bad question
            warn(said(error))
            return gr.skip()  # one skip() leaves every output of the event as it was
        except RagError as error:  # expected: shown to the user, no traceback in the server log
            raise gr.Error(html.escape(said(error), quote=False), title="Not done", print_exception=False) from None
        except Exception:
            log.exception("unexpected error in %s", handler.__name__)
            raise gr.Error(view.GENERIC_ERROR) from None
        finally:
            _HANDLING.reset(token)

    return wrapper  # type: ignore[return-value]


def said(error: RagError | str) -> str:
    """An error's message in the app's terms (``rag.webview.app_wording``)."""
    return view.app_wording(str(error))


def warn(message: str) -> None:
    """A warning toast for this user (toasts render HTML: the message is escaped, it may quote a file name)."""
    gr.Warning(html.escape(message, quote=False))


def inform(message: str) -> None:
    gr.Info(html.escape(message, quote=False))


def csv_name(*filters: str | None) -> str:
    """The name of a Mandates export: the filters in use, in safe characters (letters, digits, ``.``, ``-``).

    >>> csv_name("UNODC", "requests", ""), csv_name(None, "", ""), csv_name("", "", "S/RES/1445 (2002)")
    ('mandates-UNODC-requests.csv', 'mandates.csv', 'mandates-S-RES-1445-2002.csv')
    >>> csv_name("Comité contre l'Apartheid", "calls upon", "../../etc")
    'mandates-Comite-contre-l-Apartheid-calls-upon-etc.csv'
    """
    parts = []
    for value in filters:
        ascii_text = unicodedata.normalize("NFKD", value or "").encode("ascii", "ignore").decode()
        part = re.sub(r"[^A-Za-z0-9.]+", "-", ascii_text).strip(".-")[:60].strip(".-")
        if part:
            parts.append(part)
    return "-".join(["mandates", *parts]) + ".csv"


def _assistant(content: str) -> dict[str, str]:
    return {"role": "assistant", "content": content}


def _choices(options: Sequence[str], everything: str = "") -> list[tuple[str, str]]:
    return ([(everything, ALL)] if everything else []) + [(option, option) for option in options]


class AppBlocks(gr.Blocks):
    """``gr.Blocks`` whose API endpoints (``gr.api``) fill in the parameters a plain HTTP call leaves out.

    ``POST /gradio_api/call/ask`` with ``{"data": ["What is UNODC asked to do?"]}``: Gradio advertises the
    defaults of ``k``, ``doc`` and ``kind`` (``/gradio_api/info``) and ``gradio_client`` sends them, but the
    server itself refuses a call without every value ("didn't receive enough input values", shown to the
    caller as an error without a message). Here the missing trailing values of an API endpoint are its
    function's defaults, read as ``gr.api`` reads them, or ``None`` for a parameter without one (the function
    says what is missing).
    """

    def validate_inputs(self, block_fn: Any, inputs: list[Any]) -> None:
        from gradio.components.api_component import Api
        from gradio.utils import get_function_params

        wanted = list(block_fn.inputs)
        if len(inputs) < len(wanted) and block_fn.fn is not None and all(isinstance(b, Api) for b in wanted):
            for _, has_default, default, _ in get_function_params(block_fn.fn)[len(inputs) : len(wanted)]:
                inputs.append(default if has_default else None)  # in place: Gradio reads the values from this list
        super().validate_inputs(block_fn, inputs)


class Handlers:
    """What every event of the app does, over one pipeline (shared by all sessions)."""

    def __init__(self, pipeline: Pipeline, settings: Settings, *, eval_root: Path | None = None) -> None:
        self.pipeline = pipeline
        self.settings = settings
        self.eval_root = eval_root
        self._files_dir: Path | None = None
        self._mandates_lock = threading.Lock()
        self._mandates: tuple[Any, list[Any], Any] | None = None  # (snapshot, clauses, aliases)

    @property
    def files_dir(self) -> Path:
        """A private temporary folder for files offered to download (CSV exports, evaluation reports),
        removed with the app."""
        if self._files_dir is None:
            self._files_dir = Path(tempfile.mkdtemp(prefix="rag-app-"))
            weakref.finalize(self, shutil.rmtree, self._files_dir, ignore_errors=True)
        return self._files_dir

    @property
    def llm_configured(self) -> bool:
        return bool(self.settings.llm_model)

    # ================================================================== chat
    def respond(
        self,
        question: str,
        history: list[dict[str, Any]] | None,
        turns: list[dict[str, Any]] | None,
        doc: str | None,
        kinds: list[str] | None,
        generate: bool = False,
    ) -> Iterator[tuple[Any, ...]]:
        """Answer one question in the chat, streamed. Yields (chatbot, turns, chips, question box, source, copy).

        ``turns`` (session state) holds each answer's citations, so that its
        chips and markers open the right paragraph later.
        """
        history, turns = list(history or []), list(turns or [])
        unchanged = (gr.skip(), gr.skip(), gr.skip(), gr.skip())
        try:
            if not (question or "").strip():
                raise InputError(f"type a question first, for example “{EXAMPLES[0]}”")
            clean_question(question, self.settings.max_question_chars)
        except InputError as error:  # nothing is added to the chat: the user fixes the question
            warn(said(error))
            yield list(history), turns, *unchanged
            return
        earlier, previous = [Turn.from_record(t) for t in turns], turns[-1] if turns else None
        turn = len(turns)
        turns.append({"question": question, "citations": [], "about": doc or ""})
        history += [{"role": "user", "content": view.esc(question.strip())}, _assistant("<i>Searching…</i>")]
        yield list(history), turns, gr.Radio(choices=[], value=None), "", gr.skip(), gr.skip()
        try:
            lead, asked = "", question
            spelled = self.spell_out(question, previous, doc)
            completed = self.complete(question, earlier, doc) if spelled is None else None
            follow = self.follow_up(question, earlier, doc) if spelled is None and completed is None else None
            if spelled is not None:  # "And resolution 787?": the previous question, of 787, said so
                asked, lead = spelled.question, view.notice_html(spelled.note, "follow-up")
                doc = spelled.doc or doc
                turns[turn].update(question=asked, about=spelled.doc or turns[turn]["about"])
            elif completed is not None:  # "And when?", "By which body?": completed from the previous question
                asked, lead = completed.question, view.notice_html(completed.note, "follow-up")
                doc = completed.doc or doc
                turns[turn].update(question=asked, about=doc or "")
            elif follow is not None:  # "And what does it demand?": asked of the previous turn's document, said so
                doc, lead = follow.doc, view.notice_html(follow.note, "follow-up")
                turns[turn]["about"] = follow.doc
            frames = (
                self._generated(asked, doc, kinds, turn)
                if generate and self.llm_configured
                else self._extractive(asked, doc, kinds, turn)
            )
            for content, citations in frames:
                history[-1] = _assistant(lead + content)
                if citations is None:
                    yield list(history), turns, *unchanged
                    continue
                turns[turn]["citations"] = citations
                yield list(history), turns, *self.select_citation(turns, view.cite_key(turn, 0))
        except RagError as error:
            warn(said(error))
            history[-1] = _assistant(view.error_html(said(error)))
            yield list(history), turns, *unchanged
        except Exception:
            log.exception("unexpected error answering %r", question[:200])
            history[-1] = _assistant(view.error_html(view.GENERIC_ERROR))
            yield list(history), turns, *unchanged

    def spell_out(self, question: str, previous: dict[str, Any] | None, doc: str | None) -> SpelledOut | None:
        """An elliptical follow-up ("And resolution 787?", "What about UNODC?") as the previous question asked of
        the new document or actor (``rag.followup.spell_out``); ``None`` when it is not one."""
        if previous is None or doc:
            return None
        try:
            snapshot = self.pipeline.snapshot()
        except RagError:  # no index: asking the question says so
            return None
        return spell_out(question, str(previous.get("question", "")), symbols=snapshot.symbols,
                         aliases=snapshot.aliases, about=str(previous.get("about", "")))

    def complete(self, question: str, earlier: list[Turn], doc: str | None) -> Completed | None:
        """A fragment ("And when?", "By which body?") completed from the previous question and asked of the
        conversation's document (``rag.followup.complete``); ``None`` when it is not one."""
        if not earlier:
            return None
        try:
            symbols = self.pipeline.snapshot().symbols
        except RagError:  # no index: asking the question says so
            return None
        return complete(question, earlier, named=pipeline_namer(self.pipeline), symbols=symbols, doc_filter=doc or "")

    def follow_up(self, question: str, earlier: list[Turn], doc: str | None) -> FollowUp | None:
        """The document a follow-up question refers to ("And what does it demand?"), from the session's last turn
        that says one (``rag.followup``); ``None`` when the question stands on its own or the user chose a document."""
        if not earlier or doc:
            return None
        try:
            symbols = self.pipeline.snapshot().symbols
        except RagError:  # no index: asking the question says so
            return None
        previous = earlier[-1]
        return follow_up(question, previous.question, previous.cited, named=pipeline_namer(self.pipeline),
                         symbols=symbols, previous_about=previous.about, earlier=earlier[:-1])

    def _extractive(
        self, question: str, doc: str | None, kinds: list[str] | None, turn: int
    ) -> Iterator[tuple[str, list[dict[str, Any]] | None]]:
        """The extractive answer, revealed in a few steps; the last frame carries the citations."""
        answer = self.pipeline.ask(question, doc=doc or None, kind=kinds or None)
        text = view.app_wording(answer.answer)
        if answer.abstained:
            yield view.abstained_html(text), []
            return
        citations = [c.to_json() for c in answer.citations]
        total = view.token_count(text, citations)
        step = max(1, -(-total // REVEAL_STEPS))
        for shown in range(step, total, step):
            yield view.answer_html(text, citations, turn, reveal=shown), None
            time.sleep(REVEAL_PAUSE_S)
        yield view.answer_html(text, citations, turn) + view.timings_html(answer.timings_ms), citations

    def _generated(
        self, question: str, doc: str | None, kinds: list[str] | None, turn: int
    ) -> Iterator[tuple[str, list[dict[str, Any]] | None]]:
        """A generated answer, token by token, then checked: citations linked, unsupported sentences flagged."""
        from rag.generate import Done, Started, Token

        pieces: list[str] = []
        for event in self.pipeline.iter_generate(question, doc=doc or None, kind=kinds or None):
            if isinstance(event, Started):
                yield view.notice_html(f"Writing with {self.settings.llm_model}…"), None
            elif isinstance(event, Token):
                pieces.append(event.text)
                yield view.answer_html("".join(pieces), [], turn), None
            elif isinstance(event, Done):
                yield self._generated_final(event.answer, turn)

    @staticmethod
    def _generated_final(answer: Answer, turn: int) -> tuple[str, list[dict[str, Any]]]:
        fallback = answer.extra.get("fallback") or {}
        timings = view.timings_html(answer.timings_ms)
        if answer.abstained:
            return view.abstained_html(view.app_wording(answer.answer)), []
        if fallback.get("used"):
            citations = [c.to_json() for c in answer.citations]
            note = view.notice_html(
                f"Generated answer not used: {fallback.get('reason')}. The verbatim excerpts follow.", "warn"
            )
            return note + view.answer_html(view.app_wording(answer.answer), citations, turn) + timings, citations
        citations = list(answer.extra.get("checked_citations") or [])
        flags = answer.extra.get("flags") or []
        shown = view.answer_html(
            str(answer.extra.get("generated", "")), citations, turn, flagged=[f["text"] for f in flags]
        )
        for flag in flags:
            shown += view.notice_html(f"Not supported by its citation: “{flag['text']}” ({flag['reason']})", "warn")
        for dropped in answer.extra.get("dropped_labels") or []:
            shown += view.notice_html(f"Citation {dropped['label']} removed: {dropped['reason']}", "warn")
        return shown + timings, citations

    @shown_errors
    def select_citation(self, turns: list[dict[str, Any]] | None, key: str | None) -> tuple[Any, Any, Any, Any]:
        """Open one citation of the session's answers. Returns (chips, question box, source, copy text)."""
        place = view.parse_cite_key(key)
        turns = turns or []
        if place is None or place[0] >= len(turns) or place[1] >= len(turns[place[0]]["citations"]):
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        turn, index = place
        citations = turns[turn]["citations"]
        # a chip says which document when the answer or the index has several
        several = len({c["doc"] for c in citations} | set(self.pipeline.snapshot().symbols)) > 1
        chips = gr.Radio(
            choices=[(view.chip_label(c, several), view.cite_key(turn, i)) for i, c in enumerate(citations)],
            value=view.cite_key(turn, index),
        )
        citation = citations[index]
        passage, document = self._find_passage(citation["doc"], citation["label"])
        return chips, gr.skip(), view.source_html(citation, passage, document), view.citation_text(citation)

    @shown_errors
    def select_message(self, turns: list[dict[str, Any]] | None, evt: gr.SelectData) -> tuple[Any, Any, Any, Any]:
        """A click on a chat message shows that answer's citations."""
        index = evt.index[0] if isinstance(evt.index, list | tuple) else evt.index
        return self.select_citation(turns, view.cite_key(int(index or 0) // 2, 0))

    def _find_passage(self, doc: str, label: str) -> tuple[Any, Document | None]:
        """The passage as indexed now, with its document; ``(None, None)`` when the document is gone."""
        try:
            document = self.pipeline.document(doc)
        except RagError:
            return None, None
        return document.get(label), document

    # ================================================================== documents
    def status(self, documents: Sequence[Any] | None = None) -> str:
        """One line on what is indexed (or why nothing is); ``documents`` when already listed."""
        try:
            documents = self.pipeline.documents() if documents is None else documents
        except RagError as error:
            return f"⚠ {said(error)}"
        if not documents:
            return "No document is indexed yet: add some in the **Documents** tab (or run `make index` and restart)."
        passages = sum(d.passages for d in documents)
        line = f"{len(documents)} document{'s' if len(documents) != 1 else ''}, {passages} passages indexed"
        if self.llm_configured:
            line += f" · generated answers by `{self.settings.llm_model}` available"
        return line

    @shown_errors
    def refresh(self) -> tuple[Any, ...]:
        """Everything that lists documents: (status, chat filter, table, browser menu, removal menu)."""
        try:
            documents = self.pipeline.documents()
            status = self.status(documents)
        except RagError as error:
            documents, status = [], f"⚠ {said(error)}"
        symbols = [d.symbol for d in documents]
        rows = [[d.symbol, d.title, d.date, d.passages, d.added_at[:10], self._file_name(d.source)] for d in documents]
        return (
            status,
            gr.Dropdown(choices=_choices(symbols, "All documents")),
            rows,
            gr.Dropdown(choices=_choices(symbols)),
            gr.Dropdown(choices=_choices(symbols), value=None),
        )

    def _file_name(self, source: str) -> str:
        """The name a document's file was uploaded or ingested under (an upload kept by an older version had the
        hash in its name)."""
        path = Path(source)
        if self._is_kept_upload(path):
            return re.sub(r"^[0-9a-f]{12}-", "", path.name)
        return path.name

    def _is_kept_upload(self, path: Path) -> bool:
        """Is ``path`` a copy this app keeps of an upload (``uploads/<hash>/<name>``, or ``uploads/<hash>-<name>``
        as older versions kept them)?"""
        return self.uploads_dir.resolve() in path.resolve().parents

    @shown_errors
    def browse(self, symbol: str | None, label: str | None = "") -> tuple[Any, Any]:
        """One document's structure, ``label`` opened at the top. Returns (html, paragraph menu)."""
        if not symbol:
            return "", gr.Dropdown(choices=[], value=None)
        from rag.render import summary

        document = self.pipeline.document(symbol)
        labels = [p.label for p in document.passages]
        chosen = label if label in labels else None
        return (
            view.document_html(document, summary(document), chosen or "", self._file_name(document.source)),
            gr.Dropdown(choices=_choices(labels), value=chosen),
        )

    @shown_errors
    def browse_first(self, symbol: str | None) -> tuple[Any, Any, Any]:
        """Opening the Documents tab shows the first document when none is open yet."""
        if symbol:
            return gr.skip(), gr.skip(), gr.skip()
        documents = self.pipeline.documents()
        if not documents:
            return gr.skip(), gr.skip(), gr.skip()
        return gr.update(value=documents[0].symbol), *self.browse(documents[0].symbol)

    @shown_errors
    def browse_row(self, evt: gr.SelectData) -> tuple[Any, Any, Any]:
        """A click on a row of the documents table opens that document."""
        symbol = (evt.row_value or [""])[0]
        return gr.update(value=symbol), *self.browse(symbol)

    @shown_errors
    def open_in_browser(self, doc: str, label: str) -> tuple[Any, ...]:
        """Switch to the Documents tab on one paragraph. Returns (tabs, document menu, html, paragraph menu)."""
        if not doc:
            warn("Open a citation or a mandate first.")
            return gr.skip(), gr.skip(), gr.skip(), gr.skip()
        structure, labels = self.browse(doc, label)
        return gr.Tabs(selected="documents"), gr.update(value=doc), structure, labels

    @shown_errors
    def open_citation_in_browser(self, turns: list[dict[str, Any]] | None, key: str | None) -> tuple[Any, ...]:
        place = view.parse_cite_key(key)
        try:
            citation = (turns or [])[place[0]]["citations"][place[1]] if place else None
        except IndexError:
            citation = None
        return self.open_in_browser(*(citation["doc"], citation["label"]) if citation else ("", ""))

    @property
    def uploads_dir(self) -> Path:
        """Where uploaded files are kept (inside the index folder): the sources of their documents."""
        return Path(self.settings.index_dir) / UPLOADS_DIR

    def _refuse(self, path: Path) -> str:
        """Why an upload is refused before reading it ("" when it is accepted)."""
        if path.suffix.lower() not in UPLOAD_SUFFIXES:
            return f"unsupported file type {path.suffix or '(none)'!r}: upload .txt, .pdf, .docx or AKN .xml files"
        size_mb = path.stat().st_size / 1024 / 1024
        if size_mb > self.settings.max_file_mb:
            return f"{size_mb:.1f} MB, and uploads are limited to {self.settings.max_file_mb:g} MB a file"
        if not size_mb:
            return "the file is empty"
        return ""

    def _keep_upload(self, path: Path) -> tuple[Path, bool]:
        """Copy an upload to ``uploads/<hash>/<safe name>``; returns the copy and whether it is new.

        The content hash in the folder makes a second upload of the same file the same path (so ingest skips
        it) and keeps two different files of the same name apart; the file keeps its own name, which is what a
        document without a symbol of its own is called ("notes on the meeting").
        """
        digest = hashlib.sha256(path.read_bytes()).hexdigest()[:12]
        stem = re.sub(r"[^A-Za-z0-9._-]+", "_", Path(path.name).stem).strip("._")[:80] or "document"
        target = self.uploads_dir / digest / f"{stem}{path.suffix.lower()}"
        if target.exists():
            return target, False
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.part")
        shutil.copyfile(path, partial)
        os.replace(partial, target)
        return target, True

    @shown_errors
    def upload(self, files: list[str] | None, progress: gr.Progress = PROGRESS) -> tuple[Any, ...]:
        """Add uploaded files to the index. Returns (result rows, file box cleared, *refresh())."""
        paths = [Path(f) for f in files or []]
        if not paths:
            raise InputError("choose one or more files first (.txt, .pdf, .docx or AKN .xml)")
        rows: list[list[Any]] = []
        kept: dict[str, tuple[str, bool]] = {}  # copy -> (name shown, created by this upload)
        for path in paths:
            reason = self._refuse(path)
            if reason:
                rows.append([path.name, "refused", "", 0, reason])
                warn(f"{path.name}: {reason}")
                continue
            copy, created = self._keep_upload(path)
            kept[str(copy)] = (path.name, created)
        if kept:
            rows += self._ingest(kept, progress)
        return rows, None, *self.refresh()

    def _ingest(self, kept: dict[str, tuple[str, bool]], progress: gr.Progress) -> list[list[Any]]:
        """Ingest the kept copies; remove the copies that were not indexed, and the file of a replaced upload."""
        stages = {"read": "Reading and parsing", "embed": "Embedding passages", "index": "Building the index"}
        progress(0, desc="Waiting for the index")
        previous = {d.symbol: d.source for d in self.pipeline.documents()}
        try:
            report = self.pipeline.ingest(
                list(kept), progress=lambda stage, done, total: progress((done, total), desc=stages.get(stage, stage))
            )
        except BaseException:
            for copy, (_, created) in kept.items():
                if created:
                    self._forget_upload(copy)
            raise
        rows = []
        for outcome in report.files:
            name, created = kept.get(outcome.path, (Path(outcome.path).name, False))
            rows.append([name, outcome.status, outcome.symbol, outcome.passages, self._detail(outcome)])
            if outcome.status in ("failed", "skipped") and created:
                self._forget_upload(outcome.path)
            old = previous.get(outcome.symbol, "")
            if outcome.status == "replaced" and old != outcome.path:
                self._forget_upload(old)
            self._tell(name, outcome)
        return rows

    def _forget_upload(self, source: str) -> None:
        """Delete a kept upload that no indexed document comes from any more (never a file elsewhere)."""
        path = Path(source)
        if source and self._is_kept_upload(path):
            path.unlink(missing_ok=True)
            if path.parent != self.uploads_dir and not any(path.parent.iterdir()):
                path.parent.rmdir()

    def _detail(self, outcome: Any) -> str:
        from rag.render import summary

        if outcome.status == "skipped":
            return f"already indexed with the same content ({outcome.reason}); nothing changed"
        if outcome.status == "failed":
            return said(str(outcome.reason))
        document = self.pipeline.document(outcome.symbol)
        warnings = "; ".join(document.warnings)
        return summary(document) + (f" · parser warnings: {warnings}" if warnings else "")

    @staticmethod
    def _tell(name: str, outcome: Any) -> None:
        if outcome.status == "failed":
            warn(f"{name} was not added: {said(str(outcome.reason))}")
        elif outcome.status == "skipped":
            warn(f"{name} is already indexed as {outcome.symbol} (same content): nothing changed.")
        else:
            inform(f"{name}: {outcome.symbol} {outcome.status} ({outcome.passages} passages).")

    @shown_errors
    def remove(self, symbol: str | None, browsed: str | None = "") -> tuple[Any, ...]:
        """Remove one document; ``browsed`` is the document open in the browser, which stays open unless it is
        the one removed. Returns (browser html, paragraph menu, *refresh())."""
        if symbol == CANCELLED:  # the user said no in the page's confirmation dialog
            return (gr.skip(),) * 7
        if not symbol:
            raise InputError("choose the document to remove first")
        sources = {d.symbol: d.source for d in self.pipeline.documents()}
        if not self.pipeline.remove(symbol):
            raise InputError(f"{symbol} is not indexed (maybe someone removed it already); refresh the list")
        self._forget_upload(sources.get(symbol, ""))
        inform(f"Removed {symbol} from the index.")
        status, chat_menu, rows, browse_menu, remove_menu = self.refresh()
        if browsed and browsed != symbol:  # another document is being read: it stays as it is
            return gr.skip(), gr.skip(), status, chat_menu, rows, browse_menu, remove_menu
        browse_menu = gr.Dropdown(choices=browse_menu.choices, value=None)
        return "", gr.Dropdown(choices=[], value=None), status, chat_menu, rows, browse_menu, remove_menu

    # ================================================================== mandates
    def _clauses(self) -> tuple[list[Any], Any]:
        """The action clauses of every indexed document, extracted once per index generation."""
        from rag.mandate_query import load_clauses

        snapshot = self.pipeline.snapshot()
        with self._mandates_lock:
            if self._mandates is None or self._mandates[0] is not snapshot:
                clauses, aliases = load_clauses(pipeline=self.pipeline)
                self._mandates = (snapshot, clauses, aliases)
            return self._mandates[1], self._mandates[2]

    @shown_errors
    def mandate_menus(self) -> tuple[Any, Any, Any, str]:
        """Filter menus of the Mandates tab: actors (with their full names) and verbs by frequency, documents;
        and the tab's hint, its examples taken from the indexed actors."""
        from rag.mandate_query import mandate_facets

        clauses, aliases = self._clauses()
        facets = mandate_facets(clauses)
        actors = [(f"{view.actor_label(actor, aliases.long_forms(actor))} ({count})", actor)
                  for actor, count in facets["actors"]]
        verbs = [(f"{verb} ({count})", verb) for verb, count in facets["verbs"]]
        docs = sorted({c.doc for c in clauses})
        return (
            gr.Dropdown(choices=[("All actors", ALL), *actors]),
            gr.Dropdown(choices=[("All verbs", ALL), *verbs]),
            gr.Dropdown(choices=_choices(docs, "All documents")),
            view.mandates_hint([(actor, aliases.long_forms(actor)) for actor, _ in facets["actors"]]),
        )

    @shown_errors
    def mandates(self, actor: str | None, verb: str | None, doc: str | None) -> tuple[Any, str, str]:
        """The filtered table of action clauses. Returns (rows, count line, CSV file to download)."""
        from rag.mandate_query import actor_matches, filter_mandates, mandate_rows, mandates_csv

        clauses, aliases = self._clauses()
        selected = filter_mandates(clauses, actor=actor or None, verb=verb or None, doc=doc or None, aliases=aliases,
                                   by_prefix=True)
        rows = [_mandate_row(r) for r in mandate_rows(selected)]
        text = mandates_csv(selected)
        # one folder per content (two sessions never overwrite each other's file), the file named after the filter
        path = self.files_dir / hashlib.sha256(text.encode()).hexdigest()[:12] / csv_name(actor, verb, doc)
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            partial = path.with_name(f".{path.name}.part")
            partial.write_text(text, encoding="utf-8")
            os.replace(partial, path)
        wanted = ", ".join(x for x in (actor, verb, doc) if x)
        count = f"{len(selected)} action clause{'s' if len(selected) != 1 else ''}" + (f" ({wanted})" if wanted else "")
        if not selected:
            count += ": none matches; try another actor or verb."
        elif actor and not any(actor_matches(actor, c.actors, aliases) for c in selected):
            # a name as some text writes it ("the Office") or the start of one: say whom it was taken for
            taken: dict[str, dict[str, None]] = {}
            for clause in selected:
                for name in clause.actors:
                    taken.setdefault(name, {})[clause.doc] = None
            shown = "; ".join(f"{name} in {', '.join(docs)}" for name, docs in list(taken.items())[:3])
            count += (f". “{actor}” is no actor's full name: it matched {shown}{' …' if len(taken) > 3 else ''}. "
                      "Choose an actor in the menu for all of its clauses.")
        return rows, count, str(path)

    @shown_errors
    def mandate_passage(self, doc: str, label: str, row: Sequence[Any] = ()) -> tuple[str, tuple[str, str]]:
        """The paragraph of a mandate row, the row's clause marked as a citation's excerpt is. Returns (source
        html, (doc, label) for "open in browser")."""
        passage, document = self._find_passage(doc, label)
        if passage is None:
            raise InputError(f"{doc}, {label} is no longer indexed; refresh the table")
        citation = {"doc": doc, "label": label, "excerpt": self._clause_words(passage, row), "text": passage.text}
        return view.source_html(citation, passage, document), (doc, label)

    def _clause_words(self, passage: Any, row: Sequence[Any]) -> str:
        """The words of ``passage`` that the mandate ``row`` (as the table shows it) stands for: the text span of
        its action clause; "" when no clause of the paragraph is that row (the index changed meanwhile)."""
        from rag.mandate_query import mandate_rows

        shown = [str(cell) for cell in row]
        for clause in self._clauses()[0]:
            if clause.doc != passage.doc or clause.label != passage.label:
                continue
            if _mandate_row(mandate_rows([clause])[0]) == shown:
                start, end = clause.text_span
                words = passage.text[start:end] if 0 <= start < end <= len(passage.text) else ""
                return re.sub(r"^[\s,;:]*(?:(?:and|or)\s+)?", "", words)  # ", and requests …": from the verb
        return ""

    @shown_errors
    def select_mandate(self, evt: gr.SelectData) -> tuple[str, tuple[str, str]]:
        row = list(evt.row_value or [])
        return self.mandate_passage(str(row[0]), str(row[1]), row) if len(row) >= 2 else (gr.skip(), ("", ""))

    # ================================================================== evaluation
    def suite_names(self) -> list[str]:
        from rag.evaluate import discover_suites

        kwargs = {"root": self.eval_root} if self.eval_root else {}
        return [path.stem for path in discover_suites(**kwargs)]

    @shown_errors
    def run_evaluation(
        self, suites: list[str] | None, split: str, baselines: bool, progress: gr.Progress = PROGRESS
    ) -> tuple[Any, ...]:
        """Run suites; returns (summary, metrics table, by-tag rows, chart paths, report files)."""
        from rag.eval_report import SYSTEM_COLUMNS, fmt, write_report
        from rag.evaluate import evaluate, load_suite

        names = list(suites or [])
        if not names:
            raise InputError("choose at least one suite")
        kwargs: dict[str, Any] = {"root": self.eval_root} if self.eval_root else {}
        total = sum(len(load_suite(name, **kwargs).select(split)) for name in names)
        done = 0

        def tick(question_id: str) -> None:
            nonlocal done
            done += 1
            progress((done, total), desc=f"question {question_id}")

        progress(0, desc="Preparing the suite index (built once, then reused)")
        started = time.perf_counter()
        report = evaluate(
            names,
            self.settings,
            split=split,
            baselines=baselines,
            embedder=self.pipeline.embedder,
            progress=tick,
            **kwargs,
        )
        seconds = time.perf_counter() - started
        folder = Path(tempfile.mkdtemp(prefix="eval-", dir=self.files_dir))
        json_path = write_report(report, folder)
        charts = sorted(json_path.with_suffix("").glob("*.png"))
        archive = shutil.make_archive(str(folder.with_name(f"{folder.name}-{json_path.stem}")), "zip", root_dir=folder)
        systems = [("system", report["metrics"])] + [(n, b["metrics"]) for n, b in report.get("baselines", {}).items()]
        metric_rows = [[metric, *[fmt(m.get(metric), metric) for _, m in systems]] for metric in SYSTEM_COLUMNS]
        metrics = gr.Dataframe(value=metric_rows, headers=["metric", *[name for name, _ in systems]])
        tag_rows = [[tag, *[fmt(m.get(c), c) for c in TAG_COLUMNS]] for tag, m in report["by_tag"].items()]
        summary = (
            f"**{report['metrics'].get('questions', total)} questions** of {', '.join(names)} (split {split}) "
            f"in {seconds:.0f} s · report `{json_path.stem}`"
        )
        for warning in report.get("warnings", [])[:10]:
            summary += f"\n\n⚠ {warning}"
        return (
            summary,
            metrics,
            tag_rows,
            [str(c) for c in charts],
            [str(json_path), str(json_path.with_suffix(".md")), archive],
        )

    # ================================================================== API
    def api_ask(self, question: str, k: int = 0, doc: str = "", kind: list[str] | None = None) -> dict[str, Any]:
        """Answer a question with verbatim, cited excerpts: the JSON of `rag ask --json`
        (question, answer, abstained, citations best first, timings_ms).

        k: most paragraphs cited (0: the RAG_TOP_K setting); doc: only this document (symbol);
        kind: only these passage kinds (operative, preambular, footnote, heading, paragraph).
        """
        try:
            question, k, doc, kinds = _api_arguments(question, k, doc, kind)
            return self.pipeline.ask(question, k or None, doc=doc or None, kind=kinds or None).to_json()
        except RagError as error:
            raise gr.Error(view.app_wording(str(error), api=True), print_exception=False) from None
        except Exception:
            log.exception("unexpected error in the ask API for %r", str(question)[:200])
            raise gr.Error(view.GENERIC_ERROR) from None


def _mandate_row(row: dict[str, Any]) -> list[str]:
    """A row of the Mandates table, from ``rag.mandate_query.mandate_rows``: the action cut short (the whole
    paragraph opens beside the table; the CSV keeps it whole)."""
    from rag.mandate_query import excerpt

    return [row["doc"], row["label"], row["actors"], row["verb"], excerpt(row["action"], MANDATE_EXCERPT_CHARS)]


def _api_arguments(question: Any, k: Any, doc: Any, kind: Any) -> tuple[str, int, str, list[str]]:
    """The ``ask`` endpoint's arguments as the pipeline takes them (``null`` is the default; one kind may come
    as a string); an ``InputError`` naming the parameter when one has the wrong type.

    >>> _api_arguments("OP 9", None, None, "operative")
    ('OP 9', 0, '', ['operative'])
    >>> _api_arguments(123, 0, "", None)
    Traceback (most recent call last):
    rag.errors.InputError: the question must be text, not int (e.g. "What is UNODC requested to do?")
    """
    if question is None:
        raise InputError(f'the question is missing: send it first, e.g. {{"data": ["{EXAMPLES[0]}"]}}')
    if not isinstance(question, str):
        raise InputError(f'the question must be text, not {type(question).__name__} (e.g. "{EXAMPLES[0]}")')
    if k is None:
        k = 0
    if isinstance(k, bool) or not isinstance(k, int | float) or k != int(k) or k < 0:
        raise InputError(f"k must be a whole number of paragraphs, 0 or more (0: the RAG_TOP_K setting), not {k!r}")
    if doc is not None and not isinstance(doc, str):
        raise InputError(f"doc must be a document symbol (text), not {type(doc).__name__}")
    kinds = [kind] if isinstance(kind, str) else kind
    if kinds is not None and not (isinstance(kinds, list) and all(isinstance(x, str) for x in kinds)):
        raise InputError(f"kind must be a list of passage kinds (operative, preambular, ...), not {kind!r}")
    return question, int(k), doc or "", [x for x in kinds or [] if x]


TAG_COLUMNS = (
    "questions",
    "recall@1",
    "recall@10",
    "mrr",
    "citation@1",
    "key_phrases",
    "abstention_precision",
    "abstention_recall",
)


# ====================================================================== layout


def build_app(pipeline: Pipeline, settings: Settings, *, eval_root: Path | None = None) -> gr.Blocks:
    """The Gradio Blocks app over ``pipeline`` (launch it with :func:`launch_options`)."""
    h = Handlers(pipeline, settings, eval_root=eval_root)
    with AppBlocks(title="UN resolutions: cited answers", analytics_enabled=False) as app:
        turns = gr.State([])  # per session: the citations of each answer
        opened = gr.State(("", ""))  # per session: (doc, label) of the mandate paragraph shown
        gr.Markdown("## UN resolutions: answers quoted and cited paragraph by paragraph")
        status = gr.Markdown(elem_id="status")
        with gr.Tabs() as tabs:
            with gr.Tab("Chat", id="chat"):
                chat = _chat_tab(h, turns, settings)
            with gr.Tab("Documents", id="documents") as documents_tab:
                docs = _documents_tab(h)
            with gr.Tab("Mandates", id="mandates") as mandates_tab:
                mandates = _mandates_tab(h, opened)
            with gr.Tab("Evaluation", id="evaluation"):
                _evaluation_tab(h)

        listing = [status, chat["doc"], docs["table"], docs["doc"], docs["remove_doc"]]
        app.load(h.refresh, outputs=listing, api_visibility=PRIVATE)
        docs["refresh"].click(h.refresh, outputs=listing, api_visibility=PRIVATE)
        docs["upload_btn"].click(
            h.upload,
            inputs=docs["files"],
            outputs=[docs["result"], docs["files"], *listing],
            concurrency_limit=1,
            concurrency_id=WRITE_QUEUE,
            api_visibility=PRIVATE,
        )
        docs["remove_btn"].click(
            h.remove,
            inputs=[docs["remove_doc"], docs["doc"]],
            outputs=[docs["view"], docs["paragraph"], *listing],
            concurrency_limit=1,
            concurrency_id=WRITE_QUEUE,
            api_visibility=PRIVATE,
            js=f"(symbol, browsed) => [(symbol && !confirm('Remove ' + symbol + ' from the index?')) ? '{CANCELLED}' "
            ": symbol, browsed]",
        )
        documents_tab.select(
            h.browse_first,
            inputs=docs["doc"],
            outputs=[docs["doc"], docs["view"], docs["paragraph"]],
            api_visibility=PRIVATE,
        )
        to_browser = [tabs, docs["doc"], docs["view"], docs["paragraph"]]
        chat["open"].click(
            h.open_citation_in_browser, inputs=[turns, chat["chips"]], outputs=to_browser, api_visibility=PRIVATE
        )
        mandates["open"].click(
            lambda where: h.open_in_browser(*where), inputs=opened, outputs=to_browser, api_visibility=PRIVATE
        )
        mandates_tab.select(
            h.mandate_menus,
            outputs=[mandates["actor"], mandates["verb"], mandates["doc"], mandates["hint"]],
            api_visibility=PRIVATE,
        ).then(
            h.mandates,
            inputs=[mandates["actor"], mandates["verb"], mandates["doc"]],
            outputs=[mandates["table"], mandates["count"], mandates["csv"]],
            api_visibility=PRIVATE,
        )
        gr.api(h.api_ask, api_name="ask", concurrency_limit="default", concurrency_id=QUESTIONS_QUEUE)
    return app


def _chat_tab(h: Handlers, turns: gr.State, settings: Settings) -> dict[str, Any]:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            chatbot = gr.Chatbot(
                label="Answers",
                show_label=False,
                height=520,
                buttons=[],
                elem_id="chat",
                placeholder="Ask about the indexed resolutions. Answers quote paragraphs word for word, each "
                "with its label (OP 9, PP 3); click a label to read the whole paragraph.",
            )
            with gr.Row():
                question = gr.Textbox(
                    placeholder="e.g. What is UNODC requested to do?",
                    show_label=False,
                    scale=5,
                    lines=1,
                    max_lines=6,
                    elem_id="question",
                    submit_btn=False,
                )
                ask = gr.Button("Ask", variant="primary", scale=1, elem_id="ask")
                clear = gr.Button("Clear chat", scale=1)
            with gr.Accordion("Filters", open=False):
                with gr.Row():
                    doc = gr.Dropdown(label="Document", choices=[("All documents", ALL)], value=ALL, scale=2)
                    kinds = gr.CheckboxGroup(KIND_CHOICES, label="Paragraph kinds (none ticked: all)", scale=3)
                generate = gr.Checkbox(
                    label=f"Generated answer by {settings.llm_model}, every citation checked",
                    value=bool(settings.llm_model),
                    visible=bool(settings.llm_model),
                )
            gr.Examples([[q] for q in EXAMPLES], inputs=question, label="Example questions")
        with gr.Column(scale=2):
            chips = gr.Radio(choices=[], label="Citations of the answer (click one)", elem_id="chips", interactive=True)
            source = gr.HTML(view.EMPTY_SOURCE, label="Source", elem_id="source")
            copy = gr.Textbox(
                label="Citation to copy", buttons=["copy"], interactive=False, lines=3, elem_id="copy-citation"
            )
            open_doc = gr.Button("Open in the document browser", size="sm")
            request = gr.Textbox(visible="hidden", elem_id="cite-request")  # written by the page script
    selection = [chips, question, source, copy]
    inputs = [question, chatbot, turns, doc, kinds, generate]
    outputs = [chatbot, turns, *selection]
    for trigger in (ask.click, question.submit):
        trigger(h.respond, inputs=inputs, outputs=outputs, api_visibility=PRIVATE, concurrency_id=QUESTIONS_QUEUE)
    chips.input(h.select_citation, inputs=[turns, chips], outputs=selection, api_visibility=PRIVATE)
    request.change(h.select_citation, inputs=[turns, request], outputs=selection, api_visibility=PRIVATE)
    chatbot.select(h.select_message, inputs=turns, outputs=selection, api_visibility=PRIVATE)
    clear.click(
        lambda: ([], [], gr.Radio(choices=[], value=None), "", view.EMPTY_SOURCE, ""),
        outputs=[chatbot, turns, chips, question, source, copy],
        api_visibility=PRIVATE,
    )
    return {"doc": doc, "chips": chips, "open": open_doc}


def _documents_tab(h: Handlers) -> dict[str, Any]:
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            table = gr.Dataframe(
                headers=["symbol", "title", "date", "passages", "added", "file"],
                label="Indexed documents (click a row to browse it)",
                interactive=False,
                wrap=True,
                elem_id="documents-table",
                elem_classes="tables",
                max_height=300,
                column_widths=["20%", "36%", "11%", "9%", "11%", "13%"],
            )
            with gr.Row():
                doc = gr.Dropdown(label="Browse a document", choices=[], scale=2, elem_id="browse-doc")
                paragraph = gr.Dropdown(label="Go to paragraph", choices=[], scale=1)
            view_html = gr.HTML(elem_id="document-view")
        with gr.Column(scale=2):
            files = gr.File(
                label="Add documents (.txt, .pdf, .docx, AKN .xml)",
                file_count="multiple",
                file_types=list(UPLOAD_SUFFIXES),
                type="filepath",
                elem_id="upload",
            )
            upload = gr.Button("Add to the index", variant="primary", elem_id="upload-button")
            result = gr.Dataframe(
                headers=["file", "status", "symbol", "passages", "details"],
                label="Upload result",
                interactive=False,
                wrap=True,
                elem_id="upload-result",
                elem_classes="tables",
                column_widths=["22%", "15%", "20%", "10%", "33%"],
            )
            with gr.Row():
                # a custom value lets the confirmation dialog's "no" (CANCELLED) through Gradio's check of choices
                remove_doc = gr.Dropdown(label="Remove a document", choices=[], scale=2, allow_custom_value=True)
                remove = gr.Button("Remove", variant="stop", scale=1)
            refresh = gr.Button("Refresh the list", size="sm")
    doc.input(h.browse, inputs=doc, outputs=[view_html, paragraph], api_visibility=PRIVATE)
    paragraph.input(h.browse, inputs=[doc, paragraph], outputs=[view_html, paragraph], api_visibility=PRIVATE)
    table.select(h.browse_row, outputs=[doc, view_html, paragraph], api_visibility=PRIVATE)
    return {
        "table": table,
        "doc": doc,
        "paragraph": paragraph,
        "view": view_html,
        "files": files,
        "upload_btn": upload,
        "result": result,
        "remove_doc": remove_doc,
        "remove_btn": remove,
        "refresh": refresh,
    }


def _mandates_tab(h: Handlers, opened: gr.State) -> dict[str, Any]:
    hint = gr.Markdown(view.mandates_hint([]), elem_id="mandates-hint")
    with gr.Row():
        actor = gr.Dropdown(label="Actor", choices=[("All actors", ALL)], value=ALL, allow_custom_value=True)
        verb = gr.Dropdown(label="Verb", choices=[("All verbs", ALL)], value=ALL, allow_custom_value=True)
        doc = gr.Dropdown(label="Document", choices=[("All documents", ALL)], value=ALL)
    count = gr.Markdown()
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            table = gr.Dataframe(
                headers=["doc", "paragraph", "actor(s)", "verb", "action"],
                interactive=False,
                wrap=True,
                label="Action clauses (click a row to read its paragraph)",
                elem_id="mandates-table",
                elem_classes="tables",
                max_height=600,
                column_widths=["17%", "10%", "20%", "13%", "40%"],
            )
            csv = gr.DownloadButton("Export CSV", size="sm")
        with gr.Column(scale=2):
            passage = gr.HTML(view.EMPTY_MANDATE, elem_id="mandate-source")
            open_doc = gr.Button("Open in the document browser", size="sm")
    filters = [actor, verb, doc]
    for menu in filters:
        menu.input(h.mandates, inputs=filters, outputs=[table, count, csv], api_visibility=PRIVATE)
    table.select(h.select_mandate, outputs=[passage, opened], api_visibility=PRIVATE)
    return {
        "actor": actor, "verb": verb, "doc": doc, "table": table, "count": count, "csv": csv, "open": open_doc,
        "hint": hint,
    }


def _evaluation_tab(h: Handlers) -> None:
    names = h.suite_names()
    gr.Markdown(
        "Run the evaluation suites (questions with known answers): retrieval recall, MRR and nDCG, "
        "citation accuracy, key phrases, abstention, latency, against BM25-only, dense-only and the "
        "textbook LangChain recipe. The first run of a suite builds its index (about a minute)."
    )
    with gr.Row():
        suites = gr.CheckboxGroup(names, value=[DEFAULT_SUITE] if DEFAULT_SUITE in names else names[:1], label="Suites")
        split = gr.Radio(["all", "dev", "test"], value="all", label="Questions")
        baselines = gr.Checkbox(value=True, label="Compare with the baselines")
        run = gr.Button("Run the evaluation", variant="primary")
    summary = gr.Markdown(elem_id="eval-summary")
    metrics = gr.Dataframe(
        headers=["metric", "system"],
        label="Metrics (system and baselines)",
        interactive=False,
        elem_classes="tables",
        elem_id="eval-metrics",
    )
    tags = gr.Dataframe(headers=["tag", *TAG_COLUMNS], label="System by tag", interactive=False, elem_classes="tables")
    charts = gr.Gallery(label="Charts", columns=2, height="auto", object_fit="contain")
    report = gr.File(label="Report (JSON, Markdown, and a zip with the charts)", file_count="multiple")
    run.click(
        h.run_evaluation,
        inputs=[suites, split, baselines],
        outputs=[summary, metrics, tags, charts, report],
        concurrency_limit=1,
        concurrency_id=EVAL_QUEUE,
        api_visibility=PRIVATE,
        show_progress_on=summary,
    )


# ====================================================================== serving


def launch_options(settings: Settings) -> dict[str, Any]:
    """Arguments of ``Blocks.launch``: address, upload limit, style; never a share link."""
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": False,
        "max_file_size": int(settings.max_file_mb * 1024 * 1024),
        "show_error": False,
        "ssr_mode": False,
        "css": view.CSS,
        "head": view.HEAD,
        # system fonts: the default theme fonts would be fetched from Google Fonts, and the app works offline
        "theme": gr.themes.Soft(
            font=["system-ui", "Segoe UI", "Roboto", "sans-serif"], font_mono=["ui-monospace", "Consolas", "monospace"]
        ),
        "footer_links": ["api"],
        "run_history": False,  # nothing of a user's questions is kept in the browser
    }


def queued(app: gr.Blocks, settings: Settings) -> gr.Blocks:
    """The app with its queue: ``settings.app_concurrency`` questions at once (writes and evaluation: one)."""
    return app.queue(default_concurrency_limit=settings.app_concurrency, max_size=settings.app_queue_size)


def warm_up(pipeline: Pipeline) -> None:
    """Load the index, the question encoder and the answerer's statistics now rather than on the first
    question (run in the background while the app starts), and log what is wrong with the index, if
    anything (an interrupted ingest's leftovers, a damaged or locked index); never raises."""
    try:
        note = pipeline.layout.interrupted_note()
        if note:
            log.warning("%s: %s", pipeline.index_dir, note)
        pipeline.ask("warm up")
    except IndexMissingError as error:
        log.info("not warmed up: %s", error)
    except RagError as error:
        log.warning("the index cannot answer questions yet: %s", error)
    except Exception:
        log.exception("warm-up failed; the first question will report the problem")


def serve(settings: Settings, **launch: Any) -> None:
    """Build the pipeline and the app, and serve it until interrupted (what ``python app.py`` runs)."""
    pipeline = Pipeline(settings)
    threading.Thread(target=warm_up, args=(pipeline,), daemon=True, name="warm-up").start()
    app = queued(build_app(pipeline, settings), settings)
    log.info("serving %s on http://%s:%s", settings.index_dir, settings.host, settings.port)
    app.launch(**{**launch_options(settings), **launch})
