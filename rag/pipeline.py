"""The one entry point every surface uses: ingest, list, remove, search.

>>> import tempfile
>>> from rag.embed import FakeEmbedder
>>> from rag.settings import Settings
>>> pipeline = Pipeline(Settings(index_dir=tempfile.mkdtemp()), embedder=FakeEmbedder())
>>> pipeline.documents()
[]

Constructing a ``Pipeline`` is cheap: the index and the model load on first
use, once, under a lock (the app serves concurrent users from one pipeline).
Every search looks at ``index/CURRENT`` and, when another process published a
new generation, loads it; a search in flight keeps the snapshot it started with,
so it sees either the old or the new index, never a half-built one.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import shutil
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from rag.embed import Embedder, make_embedder
from rag.errors import IndexError_, InputError, RagError
from rag.index import (
    STORE_FILE,
    IndexLayout,
    IndexSnapshot,
    check_compatible,
    indexed_texts,
    open_store,
    pause_for_tests,
    rebuild_command,
    write_generation,
)
from rag.lexical import tokenize
from rag.retrieve import DEFAULT_FUSION, CrossEncoderReranker, FusionConfig, Retriever, resolve_document
from rag.settings import Settings
from rag.store import DocumentInfo, Store, symbol_key
from rag.types import Answer, Document, Hit, Passage

if TYPE_CHECKING:
    from rag.generate import GenerateEvent
    from rag.llm import LLM
    from rag.mandates import ActionClause

#: ``progress(stage, done, total)``; stages are ``read`` (files), ``embed`` (passages) and ``index``.
ProgressFn = Callable[[str, int, int], None]

#: Suffixes picked up when a folder is ingested (a file named explicitly is always tried).
FOLDER_SUFFIXES = frozenset({".txt", ".pdf", ".docx", ".xml", ".html", ".htm"})
EMBED_BATCH = 64
#: Passages retrieved for an answer (more than it cites: abstention and list answers look at them).
ANSWER_DEPTH = 10
#: Passages retrieved for a question on which documents say something ("Which resolutions mention UNODC?"):
#: a document that says it in one paragraph must still be among them when another says it in twenty.
DOCUMENTS_DEPTH = 60

Status = Literal["added", "replaced", "skipped", "failed"]


@dataclass(frozen=True)
class FileOutcome:
    """What ingest did with one file."""

    path: str
    status: Status
    symbol: str = ""
    passages: int = 0
    reason: str = ""

    def to_json(self) -> dict[str, Any]:
        return {"path": self.path, "status": self.status, "symbol": self.symbol, "passages": self.passages,
                "reason": self.reason}


@dataclass
class IngestReport:
    """Summary of one ``Pipeline.ingest`` call."""

    files: list[FileOutcome] = field(default_factory=list)
    generation: int | None = None
    seconds: float = 0.0
    embedded: int = 0
    recovered: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def _with(self, status: Status) -> list[FileOutcome]:
        return [f for f in self.files if f.status == status]

    @property
    def added(self) -> list[FileOutcome]:
        return self._with("added")

    @property
    def replaced(self) -> list[FileOutcome]:
        return self._with("replaced")

    @property
    def skipped(self) -> list[FileOutcome]:
        return self._with("skipped")

    @property
    def failed(self) -> list[FileOutcome]:
        return self._with("failed")

    @property
    def ok(self) -> bool:
        return not self.failed

    def summary(self) -> str:
        """One line, e.g. ``2 added, 0 replaced, 5 skipped, 1 failed (41 passages embedded, 1.2 s)``."""
        return (f"{len(self.added)} added, {len(self.replaced)} replaced, {len(self.skipped)} skipped, "
                f"{len(self.failed)} failed ({self.embedded} passages embedded, {self.seconds:.1f} s)")

    def to_json(self) -> dict[str, Any]:
        return {"generation": self.generation, "seconds": round(self.seconds, 3), "embedded": self.embedded,
                "recovered": self.recovered, "warnings": self.warnings, "summary": self.summary(),
                "files": [f.to_json() for f in self.files]}


def expand_paths(paths: Iterable[str | Path]) -> tuple[list[Path], list[FileOutcome]]:
    """Files to ingest (folders walked recursively, sorted) and failures for paths that do not exist."""
    files: list[Path] = []
    missing: list[FileOutcome] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found = sorted(
                p for p in path.rglob("*")
                if p.is_file() and p.suffix.lower() in FOLDER_SUFFIXES
                and not any(part.startswith(".") for part in p.relative_to(path).parts)
            )
            if not found:
                reason = "folder holds no .txt, .pdf, .docx, .xml or .html file"
                missing.append(FileOutcome(str(path), "failed", reason=reason))
            files.extend(found)
        elif path.is_file():
            files.append(path)
        else:
            missing.append(FileOutcome(str(path), "failed", reason="no such file or folder"))
    unique = list(dict.fromkeys(files))
    return unique, missing


def file_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


#: Version of what parsing makes of a file (``rag.parse``, ``rag.akn``, ``rag.load``). Bump it when a change there
#: alters the passages of files already indexed: the next ingest then re-reads every file instead of skipping
#: it as unchanged, so an index never keeps passages the current parser would not give.
PARSE_VERSION = 4


def ingest_digest(path: Path) -> str:
    """What says whether a file must be read again: its content hash and the :data:`PARSE_VERSION` that read it."""
    return f"{file_hash(path)}+parse{PARSE_VERSION}"


@dataclass
class _Change:
    path: Path
    content_hash: str
    document: Document
    status: Status


class Pipeline:
    """Ingest, inspect and search one index folder (``settings.index_dir``).

    ``embedder`` replaces the model the settings name (tests pass a ``FakeEmbedder``);
    ``llm`` replaces the language model the settings name (tests pass a ``FakeLLM``).
    """

    def __init__(self, settings: Settings | None = None, *, embedder: Embedder | None = None,
                 fusion: FusionConfig = DEFAULT_FUSION, llm: LLM | None = None) -> None:
        self.settings = settings or Settings()
        self._embedder = embedder
        self._given_embedder = embedder  # encodes questions too; one made for an ingest does not
        self.fusion = fusion
        self._lock = threading.RLock()
        self._snapshot: IndexSnapshot | None = None
        self._retriever: Retriever | None = None
        self._query_embedder: Embedder | None = None
        self._answerer: Any = None
        self._mandates: tuple[IndexSnapshot, dict[str, list[Any]]] | None = None
        self._llm = llm
        self._llm_checked = llm is not None

    # ------------------------------------------------------------------ lazy parts
    @property
    def index_dir(self) -> Path:
        return Path(self.settings.index_dir)

    @property
    def layout(self) -> IndexLayout:
        return IndexLayout(self.index_dir)

    @property
    def embedder(self) -> Embedder:
        """The embedding model (created on first use; the weights load on first embedding)."""
        if self._embedder is None:
            with self._lock:
                if self._embedder is None:
                    self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def query_embedder(self) -> Embedder:
        """The embedder for questions: the ONNX export made at ingest when there is one (fast start,
        no torch import), else the model itself; ``settings.query_encoder`` decides (see ``rag.onnx_encoder``).
        An embedder passed to the constructor is used for questions as well."""
        if self._given_embedder is not None:
            return self._given_embedder
        if self._query_embedder is None:
            with self._lock:
                if self._query_embedder is None:
                    from rag.onnx_encoder import load_query_encoder

                    self._query_embedder = load_query_encoder(self.settings, self.index_dir)
        return self._query_embedder

    @property
    def model_name(self) -> str:
        return self._embedder.name if self._embedder is not None else self.settings.embedding_model

    @property
    def retriever(self) -> Retriever:
        if self._retriever is None:
            with self._lock:
                if self._retriever is None:
                    reranker = CrossEncoderReranker(self.settings.reranker_model) if self.settings.reranker_model \
                        else None
                    self._retriever = Retriever(self.query_embedder, fusion=self.fusion, reranker=reranker)
        return self._retriever

    def snapshot(self) -> IndexSnapshot:
        """The loaded index, reloaded when ``CURRENT`` names a newer generation.

        Raises ``IndexMissingError``, ``IndexMismatchError`` or ``IndexCorruptError`` with the way out.
        """
        current = self.layout.current()
        snapshot = self._snapshot
        if snapshot is not None and snapshot.generation == current:
            return snapshot
        with self._lock:
            current = self.layout.current()
            if self._snapshot is None or self._snapshot.generation != current:
                self._snapshot = IndexSnapshot.load(self.index_dir, model=self.model_name)
            return self._snapshot

    # ------------------------------------------------------------------ reading
    def search(self, query: str, k: int = 10, *, doc: str | Sequence[str] | None = None,
               kind: str | Sequence[str] | None = None, page: int | None = None, mode: str = "hybrid") -> list[Hit]:
        """The ``k`` passages that best answer ``query``, best first.

        ``doc`` (symbol, any case, ``_`` for ``/``), ``kind`` (``operative``, ...) and
        ``page`` filter the passages; ``mode`` is ``hybrid`` (default), ``dense`` or ``lexical``.
        """
        snapshot = self.snapshot()
        return self.retriever.search(snapshot, query, k, doc=doc, kind=kind, page=page, mode=mode,
                                     expander=_question_aliases(snapshot, query))

    def documents(self) -> list[DocumentInfo]:
        """Indexed documents (empty when there is no index yet)."""
        if self.layout.current() is None:
            return []
        return self.snapshot().store.documents()

    def document(self, symbol: str) -> Document:
        """One indexed document with its passages; ``InputError`` naming the indexed ones when unknown."""
        snapshot = self.snapshot()
        document = snapshot.store.document(resolve_document(symbol, snapshot.symbols))
        if document is None:  # removed meanwhile
            raise InputError(f"no indexed document {symbol!r} (see `rag list`)")
        return document

    def passages(self, doc: str | None = None) -> list[Passage]:
        """Passages of one document (or all), in reading order."""
        if doc is not None:
            return self.document(doc).passages
        return self.snapshot().store.passages()

    def documents_named(self, question: str) -> tuple[list[str], list[str]]:
        """The documents ``question`` names: (by symbol or number, by title); see ``Retriever.documents_named``."""
        return self.retriever.documents_named(self.snapshot(), question)

    def heading_bodies(self, doc: str) -> set[str]:
        """The issuing bodies the heading of document ``doc`` names (canonical names, e.g. "Security Council")."""
        snapshot = self.snapshot()
        return self.retriever.heading_bodies(snapshot).get(doc, set())

    def headings(self) -> dict[str, Passage]:
        """The heading of every indexed document (symbol to passage), read by label (see ``Retriever.headings``)."""
        return self.retriever.headings(self.snapshot())

    def mandates(self, doc: str | None = None) -> list[ActionClause]:
        """The action clauses (mandate map, ``rag.mandates``) of one document or of all, in reading order.

        Read from the index, where ingest stored them; an index written before the mandate map was
        stored gets them extracted here, once per loaded generation.
        """
        snapshot = self.snapshot()
        with self._lock:
            if self._mandates is None or self._mandates[0] is not snapshot:
                self._mandates = (snapshot, {})
            cache = self._mandates[1]
        symbols = snapshot.symbols
        if doc is not None:
            symbols = [resolve_document(doc, symbols)]
        missing = [s for s in symbols if s not in cache]
        if missing:
            from rag.mandates import clauses_from_json, extract_mandates

            stored = snapshot.store.mandates_json(missing[0] if len(missing) == 1 else None) or {}
            found = {}
            for symbol in missing:
                text = stored.get(symbol)
                found[symbol] = clauses_from_json(text) if text is not None else extract_mandates(
                    snapshot.store.passages(symbol), snapshot.aliases)
            with self._lock:
                cache.update(found)
        return [clause for symbol in symbols for clause in cache[symbol]]

    def ask(self, question: str, k: int | None = None, *, doc: str | None = None,
            kind: str | Sequence[str] | None = None) -> Answer:
        """An extractive, cited answer (``rag.answer``); ``timings_ms`` has retrieve, answer and total.

        Raises ``InputError`` for an empty or too long question, ``IndexMissingError`` with no index.
        """
        return self.ask_with_hits(question, k, doc=doc, kind=kind)[0]

    def ask_with_hits(self, question: str, k: int | None = None, *, doc: str | None = None,
                      kind: str | Sequence[str] | None = None) -> tuple[Answer, list[Hit]]:
        """``ask``, also returning the retrieval hits the answer was built from (for generation)."""
        from rag.question import (
            asks_for_documents,
            clean_question,
            countries_named,
            number_spellings,
            respell,
            write_out,
        )

        started = time.perf_counter()
        text = write_out(clean_question(question, self.settings.max_question_chars))
        limit = k or self.settings.top_k
        if limit < 1:
            raise InputError(f"k must be at least 1 (got {limit})")
        snapshot = self.snapshot()
        doc = resolve_document(doc, snapshot.symbols) if doc else None  # "S/RES/787", "787": as stored
        scope, scope_said, unscoped, scope_notes = self._adopted(text, snapshot) if not doc else (None, "", text, {})
        if scope == []:  # "Which resolutions adopted in 2031 mention X?" and none was
            return self._nothing_adopted(question, scope_said, len(snapshot.symbols), started), []
        if scope is not None:  # searched in those documents, for the rest of the question
            from rag.document_answers import CATALOGUE_QUESTION

            if CATALOGUE_QUESTION.match(text):  # the catalogue answer says which documents, with their notes
                scope_notes = {}
            else:
                text = unscoped
        answerer = self._answerer_for(snapshot)
        typed, countries = text, []
        if answerer.vocabulary is not None:  # "UNDOC ... biometics" is read as "UNODC ... biometrics"
            text = respell(text, answerer.vocabulary)
            countries = countries_named(text, answerer.vocabulary)  # "Ugandan forces" are also searched as "Uganda"
        aliases = _question_aliases(snapshot, text, answerer.vocabulary)
        depth = max(limit, DOCUMENTS_DEPTH if asks_for_documents(text) else ANSWER_DEPTH)
        # "in 6 months" is also searched as "six": the text may write it either way
        search_text = " ".join([text, *countries, *(other for _, other in number_spellings(text))])
        hits = self.retriever.search(snapshot, search_text, depth, doc=doc or scope, kind=kind, expander=aliases)
        retrieved = time.perf_counter()
        if aliases is not None:
            answerer = answerer.with_aliases(aliases)
        kinds = [kind] if isinstance(kind, str) else list(kind or [])
        answer = answerer.answer(text, hits, self, k=limit, doc=doc, kinds=kinds or None)
        done = time.perf_counter()
        # "What do the 2018 resolutions say ...?" citing E/RES/2018/2: "(... was adopted in 2017 as resolution 2018/2.)"
        said = [scope_notes[s] for s in dict.fromkeys(c.doc for c in answer.citations) if scope_notes.get(s)]
        if said:
            answer.answer = f"({'; '.join(said)}.)\n{answer.answer}"
        if text != typed:
            answer.answer = f"(Read as “{text}”)\n{answer.answer}"
        answer.question = question
        answer.timings_ms = {"retrieve": (retrieved - started) * 1000, "answer": (done - retrieved) * 1000,
                             "total": (done - started) * 1000}
        return answer, hits

    def _adopted(self, question: str, snapshot: IndexSnapshot
                 ) -> tuple[list[str] | None, str, str, dict[str, str]]:
        """The documents a question limits itself to by when or by whom they were adopted ("Which resolutions
        adopted in 2024 mention detention?", "the 2018 resolutions", ``rag.question.adoption_scope``), with how it
        says so, the question without it and what to say of a document of that year adopted in another
        (``rag.document_answers.adoption_year_note``); ``None`` when it does not. Drafts were not adopted."""
        from rag.document_answers import adopted_documents, adoption_phrase, adoption_year_note
        from rag.question import adoption_scope, metadata_intent

        years, body, rest = adoption_scope(question)
        canonical = snapshot.aliases.canonical(body) if body and snapshot.aliases is not None else None
        bodies = {canonical} if canonical else set()
        # "When was resolution 73/6 adopted by the General Assembly?" asks about one document, it limits nothing
        if (not years and not bodies) or metadata_intent(question) or any(self.documents_named(question)):
            return None, "", question, {}
        chosen = [info for info, _ in adopted_documents(self, years, bodies)]
        notes = {str(info.symbol): f"{info.symbol} was adopted {note}" for info in chosen
                 for note in [adoption_year_note(info, years)] if note}
        return [str(info.symbol) for info in chosen], adoption_phrase(years, bodies), rest, notes

    @staticmethod
    def _nothing_adopted(question: str, said: str, indexed: int, started: float) -> Answer:
        answer = Answer(question=question, abstained=True,
                        answer=f"None of the {indexed} indexed documents was adopted{said}: they do not answer this "
                               "question.")
        elapsed = (time.perf_counter() - started) * 1000
        answer.timings_ms = {"retrieve": 0.0, "answer": elapsed, "total": elapsed}
        return answer

    @property
    def llm(self) -> LLM | None:
        """The language model for generated answers, or ``None`` when none is configured (``rag.llm``)."""
        if not self._llm_checked:
            with self._lock:
                if not self._llm_checked:
                    from rag.llm import llm_from_settings

                    self._llm = llm_from_settings(self.settings)
                    self._llm_checked = True
        return self._llm

    def iter_generate(self, question: str, k: int | None = None, *, doc: str | None = None,
                      kind: str | Sequence[str] | None = None) -> Iterator[GenerateEvent]:
        """A generated answer with checked citations, streamed (``rag.generate``): ``Started``, ``Token``s, ``Done``.

        The extractive answer is the fallback; ``ModelError`` when no language model is configured.
        """
        from rag.generate import pipeline_events

        return pipeline_events(self, question, k, doc=doc, kind=kind)

    def generate(self, question: str, k: int | None = None, *, doc: str | None = None,
                 kind: str | Sequence[str] | None = None) -> Answer:
        """``iter_generate`` run to the end: the extractive ``Answer`` plus the generation fields in ``extra``."""
        from rag.generate import Done

        for event in self.iter_generate(question, k, doc=doc, kind=kind):
            if isinstance(event, Done):
                return event.answer
        raise RuntimeError("generation ended without an answer")  # pragma: no cover

    def _answerer_for(self, snapshot: IndexSnapshot) -> Any:
        """The answerer, with the corpus statistics of ``snapshot`` (rebuilt when a new generation loads)."""
        from rag.answer import Answerer, corpus_statistics

        cached = self._answerer
        if cached is not None and cached[0] is snapshot:
            return cached[1]
        statistics = corpus_statistics(snapshot.lexical)
        term_weight, vocabulary = statistics if statistics else (None, None)
        answerer = Answerer(embedder=self.query_embedder, term_weight=term_weight, vocabulary=vocabulary,
                            aliases=snapshot.aliases, symbols=snapshot.symbols,
                            titles=self.retriever.title_matcher(snapshot))
        self._answerer = (snapshot, answerer)
        return answerer

    # ------------------------------------------------------------------ writing
    def ingest(self, paths: Iterable[str | Path], progress: ProgressFn | None = None, *,
               rebuild: bool = False) -> IngestReport:
        """Add or update documents from files and folders.

        Idempotent: a file whose content hash was already ingested is skipped
        without parsing; a document whose symbol is indexed with other content is
        replaced; a file that cannot be read or parsed is reported as failed and
        does not stop the others. ``rebuild`` starts from an empty index (to
        change model or recover from a damaged index). The new index is published
        only once complete: a failure or a kill leaves the previous one in use.
        """
        started = time.perf_counter()
        files, failures = expand_paths(paths)
        report = IngestReport(files=list(failures))
        layout = self.layout
        with layout.writer_lock():
            report.recovered = [
                f"removed {name}, an incomplete index left by an interrupted ingest" for name in layout.clean()
            ]
            old = None if rebuild else self._open_current_for_update(layout)
            try:
                changes = self._plan(files, old, report, progress)
                if changes:
                    report.generation = self._write(layout, old, lambda store: self._apply(store, changes),
                                                    report, progress)
            finally:
                if old is not None:
                    old.close()
            if report.generation is not None:
                layout.clean()
            if layout.current() is not None:
                self._ensure_query_encoder(report)
        report.seconds = time.perf_counter() - started
        return report

    def _ensure_query_encoder(self, report: IngestReport) -> None:
        """Export the model to ONNX for fast question encoding when the export for it is missing or damaged."""
        from rag.embed import SentenceTransformerEmbedder
        from rag.onnx_encoder import export_is_intact, export_onnx, find_export

        embedder = self.embedder
        if self.settings.query_encoder == "torch" or not isinstance(embedder, SentenceTransformerEmbedder):
            return
        folder = find_export(self.index_dir, embedder.name)
        if folder is not None and export_is_intact(folder):
            return
        try:
            export_onnx(embedder.name, self.index_dir, model=embedder._load())
        except RagError as error:
            report.warnings.append(f"questions will be encoded with torch (slower start): {error}")
        self._query_embedder = None
        self._retriever = None

    def remove(self, symbol: str) -> bool:
        """Remove one document from the index; False when it is not indexed."""
        layout = self.layout
        with layout.writer_lock():
            layout.clean()
            old = self._open_current_for_update(layout)
            if old is None:
                return False
            try:
                stored = old.find_symbol(symbol)
                if stored is None:
                    return False
                self._write(layout, old, lambda store: store.delete_document(stored))
            finally:
                old.close()
            layout.clean()
        return True

    # ------------------------------------------------------------------ ingest steps
    def parse_file(self, path: Path) -> Document:
        """Read and parse one file (``rag.parse.parse_file``); tests may override it."""
        from rag.parse import parse_file

        return parse_file(path)

    def _open_current_for_update(self, layout: IndexLayout) -> Store | None:
        """The current generation's store (read-only), after checking the index matches this model."""
        if layout.current() is None:
            return None
        folder = layout.generation_dir(layout.current() or 0)
        manifest = IndexSnapshot._read_manifest(self.index_dir, folder)
        check_compatible(self.index_dir, manifest, self.model_name)  # adding to it would mix two kinds of vectors
        return open_store(folder, rebuild_command(self.index_dir, manifest.sources))

    def _plan(self, files: Sequence[Path], old: Store | None, report: IngestReport,
              progress: ProgressFn | None) -> list[_Change]:
        """Read and parse what changed; record skipped and failed files in ``report``."""
        changes: list[_Change] = []
        claimed: dict[str, str] = {}  # symbol key -> file that produced it in this run
        for done, path in enumerate(files, 1):
            if progress:
                progress("read", done - 1, len(files))
            shown = str(path)
            try:
                digest = ingest_digest(path)
                record = old.file_record(str(path.resolve())) if old else None
                if record is not None and record[0] == digest and old is not None and old.find_symbol(record[1]):
                    claimed.setdefault(symbol_key(record[1]), shown)
                    report.files.append(FileOutcome(shown, "skipped", record[1], reason="unchanged"))
                    continue
                document = self.parse_file(path)
                if not document.symbol.strip():
                    raise InputError("no document symbol found (e.g. A/RES/77/236) in the file")
                if not document.passages:
                    raise InputError("no paragraph found in the file")
                if not document.source:
                    document.source = shown
            except RagError as error:
                report.files.append(FileOutcome(shown, "failed", reason=str(error)))
                continue
            except Exception as error:  # a parser bug must not stop the other files
                report.files.append(FileOutcome(shown, "failed", reason=f"{type(error).__name__}: {error}"))
                continue
            key = symbol_key(document.symbol)
            if key in claimed:
                report.files.append(FileOutcome(
                    shown, "skipped", document.symbol, reason=f"same document as {claimed[key]}, earlier in this run"))
                continue
            claimed[key] = shown
            existing = old.document_hash(document.symbol) if old else None
            if existing is not None and existing[0] == digest:
                report.files.append(FileOutcome(shown, "skipped", document.symbol, reason="unchanged"))
                continue
            status: Status = "replaced" if existing is not None else "added"
            changes.append(_Change(path, digest, document, status))
            report.files.append(FileOutcome(shown, status, document.symbol, len(document.passages)))
        if progress:
            progress("read", len(files), len(files))
        return changes

    @staticmethod
    def _apply(store: Store, changes: Sequence[_Change]) -> None:
        for change in changes:
            store.delete_document(change.document.symbol)
            store.add_document(change.document, file_hash=change.content_hash, texts=indexed_texts(change.document))
            store.record_file(str(change.path.resolve()), change.content_hash, change.document.symbol)

    def _write(self, layout: IndexLayout, old: Store | None, apply: Callable[[Store], object],
               report: IngestReport | None = None, progress: ProgressFn | None = None) -> int:
        """Write a new generation: a copy of ``old`` changed by ``apply`` (in one transaction), embeddings of
        new texts, FAISS, BM25 and manifest; then publish it. Return its number. On any failure the new
        folder is removed and the published index is untouched."""
        number = layout.next_generation()
        folder = layout.generation_dir(number)
        store: Store | None = None
        try:
            folder.mkdir(parents=True)
            store = old.copy_to(folder / STORE_FILE) if old is not None else Store.create(folder / STORE_FILE)
            with store.transaction():
                apply(store)
            pause_for_tests("embed")
            embedded = self._embed_missing(store, progress)
            if report is not None:
                report.embedded = embedded
            with store.transaction():
                store.drop_unused_embeddings()
                store.set_meta("model", self.embedder.name)
            if progress:
                progress("index", 0, 1)
            self._finish(layout, number, store)
            if progress:
                progress("index", 1, 1)
        except (OSError, sqlite3.Error) as error:
            hint = _disk_hint(self.index_dir)  # before the partial generation is removed and frees its space
            _discard(folder, store)
            raise IndexError_(
                f"could not write the new index in {folder} ({type(error).__name__}: {error}); {hint} "
                f"The previous index in {self.index_dir}/ is unchanged"
            ) from error
        except BaseException:
            _discard(folder, store)
            raise
        return number

    def _embed_missing(self, store: Store, progress: ProgressFn | None) -> int:
        missing = store.missing_embeddings()
        for start in range(0, len(missing), EMBED_BATCH):
            if progress:
                progress("embed", start, len(missing))
            batch = missing[start : start + EMBED_BATCH]
            vectors = self.embedder.embed_passages([text for _, text in batch])
            with store.transaction():
                store.put_embeddings([h for h, _ in batch], vectors)
        if progress:
            progress("embed", len(missing), len(missing))
        return len(missing)

    def _finish(self, layout: IndexLayout, number: int, store: Store) -> None:
        """Build the vector and lexical indexes, write the manifest, publish, and load the new snapshot."""
        write_generation(layout, number, store, model=self.embedder.name, dimension=self.embedder.dimension,
                         vector_index=self.settings.vector_index)
        pause_for_tests("publish")
        layout.publish(number)
        with self._lock:
            self._snapshot = None


#: Free space under which a failed write is put down to a full disk.
DISK_FULL_BYTES = 1 << 20


def _disk_hint(folder: Path) -> str:
    """What to say about the disk after a failed write: full (with the space left) or maybe full."""
    try:
        free = shutil.disk_usage(folder).free
    except OSError:
        return "is the disk full?"
    if free < DISK_FULL_BYTES:
        return f"the disk is full ({free // 1024} KB free where {folder} lives): free some space and try again."
    return "is the disk full?"


def _discard(folder: Path, store: Store | None) -> None:
    """Remove an unpublished generation after a failure."""
    if store is not None:
        with contextlib.suppress(Exception):
            store.close()
    shutil.rmtree(folder, ignore_errors=True)


def _question_aliases(snapshot: IndexSnapshot, question: str, known: Callable[[str], bool] | None = None) -> Any:
    """The snapshot's alias table plus the acronyms ``question`` uses that only the corpus's names spell
    (``AliasTable.for_question``), or ``None`` when the question has none (the table itself serves). With ``known``
    (whether the corpus has a stem), a word in lower case that the corpus lacks is tried as an acronym too: "copuos"
    is "COPUOS"."""
    typed = [word.upper() for word in re.findall(r"(?<![\w\-])[a-z]{4,12}(?![\w\-])", question)
             if known is not None and not all(known(stem) for stem in tokenize(word))]
    extended = snapshot.aliases.for_question(" ".join([question, *typed]))
    return None if extended is snapshot.aliases else extended
