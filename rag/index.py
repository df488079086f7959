"""The on-disk index: generations of (SQLite store, FAISS vectors, BM25, manifest).

Layout under the index folder (``index/`` or ``RAG_INDEX_DIR``)::

    index/
      CURRENT            "gen-4": the generation readers load (replaced atomically)
      .lock              held by the one ingest allowed to run at a time
      gen-4/
        rag.sqlite       documents, passages, footnote links, embeddings, files
        vectors.faiss    FAISS index, row i = i-th passage by id
        lexical/         bm25s arrays (.npy) and vocabulary (JSON)
        manifest.json    format version, model, dimension, counts, file sizes

An ingest writes a whole new generation beside the current one and only then
points ``CURRENT`` at it (temp file + ``os.replace``), so a reader always sees
a complete index and a killed or failed ingest leaves the previous one as it
was. The generation before the current one is kept (readers may still be
loading it); older ones and half-written leftovers are removed by the next
ingest.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shlex
import shutil
import time
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexCorruptError, IndexError_, IndexMismatchError, IndexMissingError
from rag.lexical import LexicalIndex
from rag.store import Store, locked_error
from rag.types import PASSAGE_KINDS, Document, Passage

#: Bumped whenever the on-disk layout or the indexed text changes; older indexes must be rebuilt.
FORMAT_VERSION = 1
STORE_FILE = "rag.sqlite"
VECTORS_FILE = "vectors.faiss"
LEXICAL_DIR = "lexical"
MANIFEST_FILE = "manifest.json"
ALIASES_FILE = "aliases.json"
CURRENT_FILE = "CURRENT"
_GEN = re.compile(r"^gen-(\d+)$")


# --------------------------------------------------------------------------- indexed text
@dataclass(frozen=True)
class ContextPolicy:
    """What is added to a passage's own words before it is embedded or put in BM25.

    ``title``: the document title; ``label``: "OP 5 (a)"; ``parent``: the chapeau
    of a sub-paragraph's parent; ``citing``: for a footnote, the text of the
    paragraph(s) citing it (a footnote listing resolution numbers shares no word
    with a question about them otherwise); ``self_title``: the document title, only for
    a passage that refers to "the present resolution" (or decision, declaration),
    which stands for it ("Requests the Secretary-General to report ... on the
    implementation of the present resolution" is the report on the title's topic).
    """

    title: bool = False
    label: bool = False
    parent: bool = True
    citing: bool = True
    citing_chars: int = 300
    self_title: bool = False

    @property
    def name(self) -> str:
        parts = [k for k in ("title", "label", "parent", "citing") if getattr(self, k)]
        if self.citing and self.citing_chars != 300:
            parts[-1] += str(self.citing_chars)
        if self.self_title:
            parts.append("self")
        return "+".join(parts) or "text"


#: Chosen on the dev split of the eval suites (``scripts/tune_retrieval.py --grid``): the dense
#: side gains from the parent's chapeau and a footnote's citing paragraph; BM25 does best on the
#: passage's own words (context repeats terms in many passages and blurs their IDF). Both sides gain
#: from the title where a passage names its own resolution (the reporting paragraphs of several
#: indexed resolutions otherwise read alike; multi-document dev split).
DENSE_CONTEXT = ContextPolicy(parent=True, citing=True, self_title=True)
LEXICAL_CONTEXT = ContextPolicy(parent=False, citing=False, self_title=True)
#: How a passage refers to the document it belongs to.
_SELF_REFERENCE = re.compile(r"\b(?:the\s+present|this)\s+(?:resolution|decision|declaration)\b", re.IGNORECASE)


def _clip(text: str, limit: int) -> str:
    """Cut ``text`` at a word boundary near ``limit`` characters.

    >>> _clip("Requests the Office to continue its work", 20)
    'Requests the Office…'
    """
    if len(text) <= limit:
        return text
    cut = text[:limit].rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def contextual_text(passage: Passage, document: Document, policy: ContextPolicy) -> str:
    """The text indexed for ``passage`` under ``policy``.

    >>> from rag.types import Passage, Document
    >>> op5 = Passage("X", "operative", "5", "5. Requests the Office:")
    >>> op5a = Passage("X", "operative", "5(a)", "(a) To assist States;", parent="5")
    >>> fn = Passage("X", "footnote", "1", "Resolution 72/194.", cited_by=("OP 5 (a)",))
    >>> doc = Document("X", title="Counter-terrorism", passages=[op5, op5a, fn])
    >>> contextual_text(op5a, doc, ContextPolicy(parent=True, citing=False))
    '5. Requests the Office: (a) To assist States;'
    >>> contextual_text(fn, doc, ContextPolicy(parent=False, citing=True))
    'Resolution 72/194. (cited by: (a) To assist States;)'
    >>> report = Passage("X", "operative", "6", "6. Requests a report on the present resolution.")
    >>> contextual_text(report, doc, ContextPolicy(parent=False, citing=False, self_title=True))
    '6. Requests a report on the present resolution. (Counter-terrorism)'
    """
    text = passage.text
    if policy.parent and passage.parent:
        parent = _find_parent(passage, document)
        if parent is not None:
            text = f"{_clip(parent.text, 400)} {text}"
    if policy.citing and passage.kind == "footnote" and passage.cited_by:
        citing = [document.get(label) for label in passage.cited_by]
        words = " / ".join(_clip(p.text, policy.citing_chars) for p in citing if p is not None)
        if words:
            text = f"{text} (cited by: {words})"
    title = document.printed_title  # what the text prints: a catalogue's topic is for naming the document only
    if policy.self_title and title and not policy.title and _SELF_REFERENCE.search(passage.text):
        text = f"{text} ({title})"
    prefix = []
    if policy.title and title:
        prefix.append(title)
    if policy.label:
        prefix.append(passage.label)
    return (" | ".join(prefix) + " | " + text) if prefix else text


def _find_parent(passage: Passage, document: Document) -> Passage | None:
    wanted = passage.parent.replace(" ", "")
    for other in document.passages:
        if other is passage or other.part != passage.part or other.kind != passage.kind:
            continue
        if other.number.replace(" ", "") == wanted or other.label.replace(" ", "") == wanted:
            return other
    return None


def indexed_texts(document: Document) -> list[tuple[str, str]]:
    """(dense text, lexical text) of every passage of ``document``, in order."""
    return [
        (contextual_text(p, document, DENSE_CONTEXT), contextual_text(p, document, LEXICAL_CONTEXT))
        for p in document.passages
    ]


# --------------------------------------------------------------------------- manifest
@dataclass
class Manifest:
    """What an index generation holds and how it was made (``manifest.json``)."""

    format_version: int
    model: str
    dimension: int
    vector_index: str
    lexical: str
    dense_context: str
    lexical_context: str
    documents: int
    passages: int
    generation: int
    created: str
    files: dict[str, int] = field(default_factory=dict)
    sources: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Manifest:
        known = {f for f in cls.__dataclass_fields__}
        return cls(**{k: v for k, v in data.items() if k in known})


def rebuild_command(index_dir: Path, sources: Sequence[str] = ()) -> str:
    """The command that rebuilds an index from scratch, for error messages.

    >>> rebuild_command(Path("index"), ["data/corpus/a.txt", "data/corpus/b.txt"])
    'rag ingest --rebuild data/corpus'
    >>> rebuild_command(Path("/tmp/idx"), [])
    'rag ingest --rebuild --index-dir /tmp/idx data/corpus'
    """
    folders: list[str] = []
    for source in sources:
        folder = str(Path(source).parent)
        if folder not in folders:
            folders.append(folder)
    targets = folders or ["data/corpus"]
    if len(targets) > 4:
        targets = [*targets[:4], "..."]
    option = "" if index_dir == Path("index") else f" --index-dir {shlex.quote(str(index_dir))}"
    return f"rag ingest --rebuild{option} " + " ".join(shlex.quote(t) if t != "..." else t for t in targets)


def check_compatible(root: Path, manifest: Manifest, model: str) -> None:
    """Raise ``IndexMismatchError`` (with the rebuild command) when the index at ``root`` was made with
    another format version, embedding model or indexed-text policy than this code and ``model``."""
    rebuild = rebuild_command(root, manifest.sources)
    if manifest.format_version != FORMAT_VERSION:
        raise IndexMismatchError(
            f"the index in {root}/ has format version {manifest.format_version}, this version of rag reads "
            f"format {FORMAT_VERSION}; rebuild it with `{rebuild}`"
        )
    if manifest.model != model:
        raise IndexMismatchError(
            f"the index in {root}/ was built with embedding model {manifest.model!r}, but the current setting "
            f"is {model!r}; rebuild it with `{rebuild}` or set RAG_EMBEDDING_MODEL={shlex.quote(manifest.model)}"
        )
    if (manifest.dense_context, manifest.lexical_context) != (DENSE_CONTEXT.name, LEXICAL_CONTEXT.name):
        raise IndexMismatchError(
            f"the index in {root}/ indexes passages with context {manifest.dense_context!r}/"
            f"{manifest.lexical_context!r}, this version uses {DENSE_CONTEXT.name!r}/{LEXICAL_CONTEXT.name!r}; "
            f"rebuild it with `{rebuild}`"
        )


# --------------------------------------------------------------------------- folders and generations
class IndexLayout:
    """Paths and generation bookkeeping of one index folder."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    @property
    def current_file(self) -> Path:
        return self.root / CURRENT_FILE

    def generation_dir(self, number: int) -> Path:
        return self.root / f"gen-{number}"

    def generations(self) -> list[int]:
        if not self.root.is_dir():
            return []
        numbers = [int(m.group(1)) for p in self.root.iterdir() if (m := _GEN.match(p.name)) and p.is_dir()]
        return sorted(numbers)

    def current(self) -> int | None:
        """The published generation, or None when there is no index yet."""
        try:
            text = self.current_file.read_text(encoding="utf-8").strip()
        except FileNotFoundError:
            return None
        except OSError as error:
            raise IndexCorruptError(f"cannot read {self.current_file}: {error}") from error
        match = _GEN.match(text)
        if not match:
            raise IndexCorruptError(
                f"{self.current_file} should name a generation like 'gen-3' but holds {text[:40]!r}; "
                f"rebuild with `{rebuild_command(self.root)}`"
            )
        return int(match.group(1))

    def next_generation(self) -> int:
        current = self.current() or 0
        return max([current, *self.generations()]) + 1

    def publish(self, number: int) -> None:
        """Point CURRENT at generation ``number`` atomically (temp file, fsync, rename)."""
        _replace_durably(self.current_file, f"gen-{number}\n", temp_name=f".{CURRENT_FILE}.{os.getpid()}.tmp")

    def leftovers(self) -> list[int]:
        """Generations newer than CURRENT: written by an ingest that never finished."""
        current = self.current() or 0
        return [n for n in self.generations() if n > current]

    def interrupted_note(self) -> str:
        """What to tell a user about generations an interrupted ingest left ("" when there are none, or
        when an ingest is running right now and they are its work in progress)."""
        leftovers = self.leftovers() if self.root.exists() else []
        if not leftovers or self.writer_active():
            return ""
        return (f"{len(leftovers)} incomplete index generation(s) left by an interrupted ingest; the index in use "
                "is intact, and the next `rag ingest` removes them")

    def clean(self) -> list[str]:
        """Remove unfinished generations and all but the current and previous one; return what was removed.

        Call only while holding the writer lock.
        """
        current = self.current()
        removed: list[str] = []
        keep = {current} if current is not None else set()
        older = [n for n in self.generations() if current is not None and n < current]
        if older:
            keep.add(older[-1])
        for number in self.generations():
            if number in keep:
                continue
            if current is None or number > current:
                removed.append(f"gen-{number}")
            shutil.rmtree(self.generation_dir(number), ignore_errors=True)
        for temp in self.root.glob(f".{CURRENT_FILE}.*.tmp"):
            with contextlib.suppress(OSError):
                temp.unlink()
        return removed

    @contextlib.contextmanager
    def writer_lock(self, timeout: float = 600.0) -> Iterator[None]:
        """Exclusive lock for writers (ingest, remove); waits up to ``timeout`` seconds."""
        self.root.mkdir(parents=True, exist_ok=True)
        handle = open(self.root / ".lock", "a+")  # noqa: SIM115 - held for the whole block
        try:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    fcntl.flock(handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise IndexError_(
                            f"another ingest is still writing {self.root} (lock {self.root / '.lock'}); "
                            "wait for it to finish and try again"
                        ) from None
                    time.sleep(0.2)
            yield
        finally:
            handle.close()

    def writer_active(self) -> bool:
        """True when an ingest holds the writer lock right now."""
        path = self.root / ".lock"
        if not path.exists():
            return False
        with open(path, "a+") as handle:
            try:
                fcntl.flock(handle.fileno(), fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
        return False


def _fsync_dir(path: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(path, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _replace_durably(path: Path, text: str, *, temp_name: str) -> None:
    """Write ``text`` to ``temp_name`` beside ``path``, flush it to disk, rename it over ``path`` and flush
    the folder: a reader sees the old file or the new one, even after a crash."""
    temp = path.with_name(temp_name)
    temp.write_text(text, encoding="utf-8")
    _fsync_file(temp)
    os.replace(temp, path)
    _fsync_dir(path.parent)


def _fsync_file(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def pause_for_tests(stage: str) -> None:
    """Test hook: ``RAG_TEST_INGEST_PAUSE=<stage>:<seconds>`` announces each ingest stage on stdout and
    sleeps at the named one, so that a test can kill the process right there."""
    setting = os.environ.get("RAG_TEST_INGEST_PAUSE")
    if setting:
        wanted, _, seconds = setting.partition(":")
        print(f"ingest stage: {stage}", flush=True)
        if wanted == stage:
            time.sleep(float(seconds or 60))


# --------------------------------------------------------------------------- FAISS
#: Search depth of HNSW: recall@10 against exact search was 0.83 at 128, 0.90 at 256 and 0.96 at 512
#: on 100,000 passages (``make bench``), at 0.1 / 0.16 / 0.32 ms per query.
HNSW_EF_SEARCH = 512
#: Lists probed by IVF: recall@10 0.995 at 16 on 100,000 passages (``make bench``).
IVF_NPROBE = 16

def _faiss() -> Any:
    """The faiss module (imported on first use; typed loosely, its stubs lag its API)."""
    import faiss

    return faiss


def build_vector_index(vectors: np.ndarray, kind: str) -> Any:
    """A FAISS inner-product index over ``vectors`` (unit rows): ``flat``, ``hnsw`` or ``ivf``."""
    faiss = _faiss()
    index: Any
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    count, dimension = vectors.shape
    if kind == "hnsw":
        index = faiss.IndexHNSWFlat(dimension, 32, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = 80
    elif kind == "ivf":
        lists = max(1, min(int(4 * np.sqrt(max(count, 1))), count // 39))
        index = faiss.IndexIVFFlat(faiss.IndexFlatIP(dimension), dimension, lists, faiss.METRIC_INNER_PRODUCT)
        if count:
            index.train(vectors)
    elif kind == "flat":
        index = faiss.IndexFlatIP(dimension)
    else:
        raise ValueError(f"unknown vector index type {kind!r}: use flat, hnsw or ivf")
    if count:
        index.add(vectors)
    return index


def _prepare_for_search(index: Any) -> Any:
    """Search-time parameters of approximate indexes; direct map so IVF vectors can be reconstructed."""
    faiss = _faiss()

    if isinstance(index, faiss.IndexHNSW):
        index.hnsw.efSearch = HNSW_EF_SEARCH
    ivf = faiss.try_extract_index_ivf(index)
    if ivf is not None:
        ivf.nprobe = min(ivf.nlist, IVF_NPROBE)
        ivf.make_direct_map()
    return index


# --------------------------------------------------------------------------- writing a generation
def write_generation(layout: IndexLayout, number: int, store: Store, *, model: str, dimension: int,
                     vector_index: str) -> Manifest:
    """Build FAISS and BM25 from ``store`` (already holding every passage and vector) into
    generation ``number``, close the store, then write the manifest. Does not publish it."""
    folder = layout.generation_dir(number)
    rows = store.rows()
    pause_for_tests("vectors")
    vectors = store.vectors(dimension)
    if len(vectors) != len(rows):
        raise IndexError_(f"{len(rows) - len(vectors)} passages have no vector; the ingest cannot complete")
    _write_faiss(build_vector_index(vectors, vector_index), folder / VECTORS_FILE)
    pause_for_tests("lexical")
    LexicalIndex.build([row[5] for row in rows]).save(folder / LEXICAL_DIR)
    aliases = _write_aliases(folder / ALIASES_FILE, store)
    _index_mandates(store, aliases)
    documents, sources = store.count("documents"), store.sources()
    store.close()
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_file() and path.name != MANIFEST_FILE:
            _fsync_file(path)
            files[str(path.relative_to(folder))] = path.stat().st_size
    manifest = Manifest(
        format_version=FORMAT_VERSION, model=model, dimension=dimension, vector_index=vector_index,
        lexical="bm25s", dense_context=DENSE_CONTEXT.name, lexical_context=LEXICAL_CONTEXT.name,
        documents=documents, passages=len(rows), generation=number,
        created=datetime.now(UTC).isoformat(timespec="seconds"), files=files, sources=sources,
    )
    pause_for_tests("manifest")
    text = json.dumps(manifest.to_json(), indent=2, ensure_ascii=False)
    _replace_durably(folder / MANIFEST_FILE, text, temp_name=f"{MANIFEST_FILE}.tmp")
    return manifest


def _write_faiss(index: Any, path: Path) -> None:
    """``faiss.write_index``, its I/O failures (a full disk) raised as the ``OSError`` they are."""
    try:
        _faiss().write_index(index, str(path))
    except RuntimeError as error:  # faiss reports a failed fwrite as RuntimeError("... No space left on device")
        reason = re.search(r"\(([^()]+)\)\s*$", str(error))
        raise OSError(f"cannot write {path.name} ({reason.group(1) if reason else str(error)[-200:]})") from error


def _write_aliases(path: Path, store: Store) -> Any:
    """Write and return the alias table of this corpus: the built-in UN list plus the pairs its texts teach."""
    from rag.aliases import AliasTable

    table = AliasTable.builtin().learn(store.passages())
    path.write_text(table.dumps(), encoding="utf-8")
    return table


def _index_mandates(store: Store, aliases: Any) -> None:
    """Store the mandate map (action clauses) of the documents whose clauses are missing or stale, so that
    ``rag mandates``, the answerer and the app read it instead of extracting it for every question."""
    from rag.mandates import index_mandates

    pause_for_tests("mandates")
    index_mandates(store, aliases)


# --------------------------------------------------------------------------- reading a generation
def open_store(folder: Path, rebuild: str) -> Store:
    """The store of a published generation, read-only. ``IndexError_`` when another program holds it
    locked (wait, or close that program), ``IndexCorruptError`` with ``rebuild`` when it is damaged."""
    try:
        return Store.open_readonly(folder / STORE_FILE)
    except IndexError_:
        raise
    except Exception as error:
        if "locked" in str(error):
            raise locked_error(folder / STORE_FILE, error) from error
        raise IndexCorruptError(
            f"cannot open the index database {folder / STORE_FILE} ({error}); rebuild the index with `{rebuild}`"
        ) from error


class IndexSnapshot:
    """One loaded, immutable generation: the store, FAISS, BM25 and per-row metadata arrays.

    Safe to share between threads; a new ingest produces a new snapshot, never changes this one.
    """

    def __init__(self, root: Path, manifest: Manifest, store: Store, vectors: Any, lexical: LexicalIndex,
                 ids: np.ndarray, symbols: list[str], doc_of_row: np.ndarray, kind_of_row: np.ndarray,
                 first_page: np.ndarray, last_page: np.ndarray) -> None:
        self.root = root
        self.manifest = manifest
        self.store = store
        self.vectors = vectors
        self.lexical = lexical
        self.ids = ids
        self.symbols = symbols
        self.doc_of_row = doc_of_row
        self.kind_of_row = kind_of_row
        self.first_page = first_page
        self.last_page = last_page
        self.row_of_id = {int(pid): row for row, pid in enumerate(ids)}
        self._aliases: Any = None

    @property
    def aliases(self) -> Any:
        """The generation's ``rag.aliases.AliasTable`` (loaded on first use)."""
        if self._aliases is None:
            from rag.aliases import AliasTable

            path = self.root / f"gen-{self.generation}" / ALIASES_FILE
            try:
                # the built-in list of this version too: an index built before an entry was added still knows it
                self._aliases = AliasTable.from_json(path.read_text(encoding="utf-8")).with_builtin()
            except OSError as error:
                raise IndexCorruptError(f"cannot read {path} ({error}); rebuild the index with "
                                        f"`{rebuild_command(self.root, self.manifest.sources)}`") from error
        return self._aliases

    @property
    def generation(self) -> int:
        return self.manifest.generation

    @property
    def size(self) -> int:
        return len(self.ids)

    @classmethod
    def load(cls, root: Path, *, model: str) -> IndexSnapshot:
        """Load the generation CURRENT names, checking it thoroughly.

        Raises ``IndexMissingError`` (no index), ``IndexMismatchError`` (other model or
        format) or ``IndexCorruptError`` (missing, truncated or inconsistent files).
        """
        layout = IndexLayout(root)
        number = layout.current()
        if number is None:
            raise IndexMissingError(
                "no index in {}/ yet: build one with `rag ingest data/corpus{}`{}".format(
                    root,
                    "" if root == Path("index") else f" --index-dir {shlex.quote(str(root))}",
                    " (or `make run`, which also starts the app)" if root == Path("index") else "",
                )
            )
        folder = layout.generation_dir(number)
        manifest = cls._read_manifest(root, folder)
        rebuild = rebuild_command(root, manifest.sources)
        check_compatible(root, manifest, model)
        for name, size in manifest.files.items():
            path = folder / name
            if not path.exists():
                raise IndexCorruptError(f"index file {path} is missing; rebuild the index with `{rebuild}`")
            actual = path.stat().st_size
            if actual != size:
                raise IndexCorruptError(
                    f"index file {path} is {actual} bytes, the manifest says {size}: it was truncated or "
                    f"overwritten; rebuild the index with `{rebuild}`"
                )
        faiss = _faiss()
        store = open_store(folder, rebuild)
        try:
            vectors = _prepare_for_search(faiss.read_index(str(folder / VECTORS_FILE)))
            lexical = LexicalIndex.load(folder / LEXICAL_DIR)
            rows = store.row_meta()
        except IndexError_:  # locked by another program meanwhile: not damage
            store.close()
            raise
        except Exception as error:
            store.close()
            raise IndexCorruptError(
                f"the index in {folder} is damaged ({type(error).__name__}: {str(error)[:200]}); "
                f"rebuild it with `{rebuild}`"
            ) from error
        counts = {"manifest": manifest.passages, "database": len(rows), "vectors": int(vectors.ntotal),
                  "lexical": lexical.size}
        if len(set(counts.values())) != 1 or vectors.d != manifest.dimension:
            store.close()
            raise IndexCorruptError(
                f"the parts of the index in {folder} disagree (passages: {counts}, dimension {vectors.d} vs "
                f"{manifest.dimension}); rebuild it with `{rebuild}`"
            )
        symbols = store.symbols()
        symbol_index = {s: i for i, s in enumerate(symbols)}
        kind_index: dict[str, int] = {k: i for i, k in enumerate(PASSAGE_KINDS)}
        ids = np.array([r[0] for r in rows], dtype=np.int64)
        doc_of_row = np.array([symbol_index[r[1]] for r in rows], dtype=np.int32)
        kind_of_row = np.array([kind_index.get(r[2], -1) for r in rows], dtype=np.int8)
        pages = [json.loads(r[3]) or [0] for r in rows]
        first_page = np.array([min(p) for p in pages], dtype=np.int32)
        last_page = np.array([max(p) for p in pages], dtype=np.int32)
        return cls(root, manifest, store, vectors, lexical, ids, symbols, doc_of_row, kind_of_row,
                   first_page, last_page)

    @staticmethod
    def _read_manifest(root: Path, folder: Path) -> Manifest:
        path = folder / MANIFEST_FILE
        try:
            return Manifest.from_json(json.loads(path.read_text(encoding="utf-8")))
        except FileNotFoundError:
            raise IndexCorruptError(
                f"{root / CURRENT_FILE} names {folder.name}, but {path} is missing; rebuild the index with "
                f"`{rebuild_command(root)}`"
            ) from None
        except (ValueError, TypeError) as error:
            raise IndexCorruptError(
                f"{path} is not a valid manifest ({error}); rebuild the index with `{rebuild_command(root)}`"
            ) from error

    def close(self) -> None:
        self.store.close()

    # --- row selection and scoring
    def mask(self, symbols: Sequence[str] | None = None, kinds: Sequence[str] | None = None,
             page: int | None = None) -> np.ndarray | None:
        """Boolean mask of rows passing the filters, or None when there is no filter."""
        if not symbols and not kinds and page is None:
            return None
        mask = np.ones(self.size, dtype=bool)
        if symbols:
            wanted = [self.symbols.index(s) for s in symbols if s in self.symbols]
            mask &= np.isin(self.doc_of_row, np.array(wanted, dtype=np.int32))
        if kinds:
            mask &= np.isin(self.kind_of_row, np.array([PASSAGE_KINDS.index(k) for k in kinds], dtype=np.int8))
        if page is not None:
            mask &= (self.first_page <= page) & (self.last_page >= page)
        return mask

    def dense_search(self, query: np.ndarray, count: int, mask: np.ndarray | None = None
                     ) -> tuple[np.ndarray, np.ndarray]:
        """Top ``count`` rows by cosine similarity (rows, scores), restricted to ``mask``."""
        faiss = _faiss()

        if self.size == 0 or count <= 0:
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
        params = None
        if mask is not None:
            allowed = np.flatnonzero(mask).astype(np.int64)
            if len(allowed) == 0:
                return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.float32)
            selector = faiss.IDSelectorBatch(allowed)
            if isinstance(self.vectors, faiss.IndexHNSW):
                params = faiss.SearchParametersHNSW(sel=selector, efSearch=max(HNSW_EF_SEARCH, count))
            elif (ivf := faiss.try_extract_index_ivf(self.vectors)) is not None:
                params = faiss.SearchParametersIVF(sel=selector, nprobe=min(ivf.nlist, IVF_NPROBE))
            else:
                params = faiss.SearchParameters(sel=selector)
            count = min(count, len(allowed))
        count = min(count, self.size)
        scores, rows = self.vectors.search(query.reshape(1, -1).astype(np.float32), count, params=params)
        keep = rows[0] >= 0
        return rows[0][keep].astype(np.int64), scores[0][keep]

    def dense_scores(self, query: np.ndarray, rows: np.ndarray) -> np.ndarray:
        """Exact cosine similarity of the given rows (vectors reconstructed from FAISS)."""
        if len(rows) == 0:
            return np.zeros(0, dtype=np.float32)
        vectors = self.vectors.reconstruct_batch(np.asarray(rows, dtype=np.int64))
        return (vectors @ query.astype(np.float32)).astype(np.float32)

    def passages(self, rows: Sequence[int]) -> list[Passage]:
        by_id = self.store.passages_by_id([int(self.ids[r]) for r in rows])
        return [by_id[int(self.ids[r])] for r in rows]
