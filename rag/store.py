"""SQLite store of documents, passages, footnote links, embeddings and ingested files.

One store file lives in each index generation (``index/gen-<n>/rag.sqlite``).
Writers change it inside transactions before the generation is published;
readers open it read-only. Nothing is pickled: records are columns and JSON,
vectors are raw float32 bytes.

>>> from rag.types import Document, Passage
>>> store = Store.create(":memory:")
>>> doc = Document(symbol="A/RES/1", title="Test", passages=[Passage("A/RES/1", "operative", "1", "Decides.")])
>>> with store.transaction():
...     _ = store.add_document(doc, file_hash="h1", texts=[("Decides.", "Decides.")])
>>> [p.label for p in store.passages("A/RES/1")]
['OP 1']
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import IndexError_
from rag.types import Document, Passage

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS documents (
    id INTEGER PRIMARY KEY,
    symbol TEXT NOT NULL UNIQUE,
    symbol_key TEXT NOT NULL UNIQUE,
    title TEXT NOT NULL DEFAULT '',
    body TEXT NOT NULL DEFAULT '',
    date TEXT NOT NULL DEFAULT '',
    source TEXT NOT NULL DEFAULT '',
    content_hash TEXT NOT NULL DEFAULT '',
    metadata TEXT NOT NULL DEFAULT '{}',
    added_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS passages (
    id INTEGER PRIMARY KEY,
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    ord INTEGER NOT NULL,
    kind TEXT NOT NULL,
    number TEXT NOT NULL,
    part TEXT NOT NULL DEFAULT '',
    label TEXT NOT NULL,
    label_key TEXT NOT NULL,
    text TEXT NOT NULL,
    pages TEXT NOT NULL DEFAULT '[]',
    data TEXT NOT NULL,
    dense_text TEXT NOT NULL,
    lexical_text TEXT NOT NULL,
    text_hash TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS passages_doc ON passages(doc_id, ord);
CREATE INDEX IF NOT EXISTS passages_label ON passages(label_key);
CREATE TABLE IF NOT EXISTS footnote_links (
    doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
    footnote TEXT NOT NULL,
    passage_id INTEGER NOT NULL REFERENCES passages(id) ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS footnote_links_doc ON footnote_links(doc_id, footnote);
CREATE TABLE IF NOT EXISTS embeddings (text_hash TEXT PRIMARY KEY, vector BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS files (
    path TEXT PRIMARY KEY,
    content_hash TEXT NOT NULL,
    symbol TEXT NOT NULL,
    ingested_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS mandates (
    doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
    aliases TEXT NOT NULL,
    clauses TEXT NOT NULL
);
"""


def symbol_key(symbol: str) -> str:
    """Canonical form of a document symbol for lookups: case, spaces and ``_``/``/`` do not matter.

    >>> symbol_key("e/cn.15/2019/L.8/Rev.1") == symbol_key("E_CN.15_2019_L.8_REV.1")
    True
    >>> symbol_key("S/RES/2730 (2024)")
    'S/RES/2730(2024)'
    """
    return "".join(symbol.split()).replace("_", "/").upper()


def label_key(label: str) -> str:
    """Canonical label (``op 5 (a)`` -> ``OP5(A)``), as in ``rag.types.normalise_label``."""
    return "".join(label.split()).upper()


def text_hash(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@dataclass(frozen=True)
class DocumentInfo:
    """One indexed document as listed by ``rag list``."""

    symbol: str
    title: str
    date: str
    source: str
    content_hash: str
    passages: int
    added_at: str

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


_PASSAGE_FIELDS = {f.name for f in dataclasses.fields(Passage)}
_DOCUMENT_FIELDS = {f.name for f in dataclasses.fields(Document)} - {"passages"}
_TUPLE_FIELDS = {f.name for f in dataclasses.fields(Passage) if "tuple" in str(f.type)}


def passage_from_json(data: dict[str, Any]) -> Passage:
    """Rebuild a ``Passage`` from its stored JSON (unknown keys ignored, lists back to tuples)."""
    values: dict[str, Any] = {k: (tuple(v) if k in _TUPLE_FIELDS and isinstance(v, list) else v)
                              for k, v in data.items() if k in _PASSAGE_FIELDS}
    return Passage(**values)


def locked_error(path: str | Path, error: Exception) -> IndexError_:
    """The error for a store another program holds locked (a published one is never written again)."""
    return IndexError_(f"the index database {path} is locked by another process ({error}); close the program "
                       "holding it (e.g. an open `sqlite3` shell) and try again")


@contextlib.contextmanager
def _lock_is_clear(path: str) -> Iterator[None]:
    """Turn SQLite's "database is locked" into ``locked_error``."""
    try:
        yield
    except sqlite3.OperationalError as error:
        if "locked" in str(error):
            raise locked_error(path, error) from error
        raise


class Store:
    """A SQLite connection with the project's schema; use ``transaction()`` for every write.

    A store may be shared by threads: every statement runs under one lock.
    """

    def __init__(self, connection: sqlite3.Connection, path: str) -> None:
        self.connection = connection
        self.path = path
        self._lock = threading.RLock()

    # --- opening
    @classmethod
    def create(cls, path: str | Path) -> Store:
        """Open (creating if needed) a writable store."""
        connection = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        connection.execute("PRAGMA foreign_keys = ON")
        connection.executescript(SCHEMA)
        return cls(connection, str(path))

    @classmethod
    def open_readonly(cls, path: str | Path) -> Store:
        """Open an existing store read-only; raises ``sqlite3.Error`` when it is missing or not a database."""
        uri = f"{Path(path).resolve().as_uri()}?mode=ro"
        # published generations are never written again, so a lock means another program holds the file
        connection = sqlite3.connect(uri, uri=True, check_same_thread=False, isolation_level=None, timeout=1.0)
        connection.execute("SELECT count(*) FROM documents").fetchone()  # fails early on a damaged file
        return cls(connection, str(path))

    def close(self) -> None:
        with self._lock:
            self.connection.close()

    def copy_to(self, path: str | Path) -> Store:
        """Copy the whole store to a new file (SQLite online backup) and open the copy for writing."""
        target = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        with self._lock, _lock_is_clear(self.path):
            self.connection.backup(target)
        target.execute("PRAGMA foreign_keys = ON")
        target.executescript(SCHEMA)
        return Store(target, str(path))

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """All statements inside commit together or not at all."""
        with self._lock:
            self.connection.execute("BEGIN IMMEDIATE")
            try:
                yield
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            self.connection.execute("COMMIT")

    def _all(self, sql: str, params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        with self._lock, _lock_is_clear(self.path):
            return self.connection.execute(sql, params).fetchall()

    # --- meta
    def set_meta(self, key: str, value: str) -> None:
        with self._lock:
            self.connection.execute("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", (key, value))

    def get_meta(self, key: str, default: str = "") -> str:
        rows = self._all("SELECT value FROM meta WHERE key = ?", (key,))
        return rows[0][0] if rows else default

    # --- documents
    def add_document(self, document: Document, *, file_hash: str, texts: Sequence[tuple[str, str]]) -> int:
        """Insert a document with its passages; ``texts`` holds (dense, lexical) indexed text per passage.

        Call inside ``transaction()``. A document with the same symbol must have been deleted first.
        """
        if len(texts) != len(document.passages):
            raise ValueError("one (dense, lexical) text pair is needed per passage")
        metadata = {k: v for k, v in document.to_json().items() if k in _DOCUMENT_FIELDS}
        with self._lock:
            cursor = self.connection.execute(
                "INSERT INTO documents(symbol, symbol_key, title, body, date, source, content_hash, metadata, added_at)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (document.symbol, symbol_key(document.symbol), document.title, document.body, document.date,
                 document.source, file_hash, json.dumps(metadata, ensure_ascii=False), _now()),
            )
            doc_id = int(cursor.lastrowid or 0)
            label_ids: dict[str, int] = {}
            for order, (passage, (dense_text, lexical_text)) in enumerate(zip(document.passages, texts, strict=True)):
                cursor = self.connection.execute(
                    "INSERT INTO passages(doc_id, ord, kind, number, part, label, label_key, text, pages, data,"
                    " dense_text, lexical_text, text_hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                    (doc_id, order, passage.kind, passage.number, passage.part, passage.label,
                     label_key(passage.label), passage.text, json.dumps(list(passage.pages)),
                     json.dumps(passage.to_json(), ensure_ascii=False), dense_text, lexical_text,
                     text_hash(dense_text)),
                )
                label_ids.setdefault(passage.label, int(cursor.lastrowid or 0))
            for passage in document.passages:
                for marker in passage.footnotes:
                    self.connection.execute(
                        "INSERT INTO footnote_links(doc_id, footnote, passage_id) VALUES (?, ?, ?)",
                        (doc_id, marker, label_ids[passage.label]),
                    )
        return doc_id

    def delete_document(self, symbol: str) -> bool:
        """Delete a document and everything hanging from it; call inside ``transaction()``."""
        stored = self.find_symbol(symbol)
        if stored is None:
            return False
        with self._lock:
            self.connection.execute("DELETE FROM documents WHERE symbol = ?", (stored,))
            self.connection.execute("DELETE FROM files WHERE symbol = ?", (stored,))
        return True

    def find_symbol(self, symbol: str) -> str | None:
        """The stored spelling of a symbol given in any case or with ``_`` for ``/``."""
        rows = self._all("SELECT symbol FROM documents WHERE symbol_key = ?", (symbol_key(symbol),))
        return rows[0][0] if rows else None

    def document_hash(self, symbol: str) -> tuple[str, str] | None:
        """(content hash, source) of an indexed document."""
        rows = self._all("SELECT content_hash, source FROM documents WHERE symbol_key = ?", (symbol_key(symbol),))
        return (rows[0][0], rows[0][1]) if rows else None

    def documents(self) -> list[DocumentInfo]:
        rows = self._all(
            "SELECT d.symbol, d.title, d.date, d.source, d.content_hash, count(p.id), d.added_at FROM documents d"
            " LEFT JOIN passages p ON p.doc_id = d.id GROUP BY d.id ORDER BY d.symbol"
        )
        return [DocumentInfo(*row) for row in rows]

    def symbols(self) -> list[str]:
        return [row[0] for row in self._all("SELECT symbol FROM documents ORDER BY id")]

    def document(self, symbol: str) -> Document | None:
        rows = self._all("SELECT id, metadata FROM documents WHERE symbol_key = ?", (symbol_key(symbol),))
        if not rows:
            return None
        doc_id, metadata = rows[0]
        values = {k: v for k, v in json.loads(metadata).items() if k in _DOCUMENT_FIELDS}
        document = Document(**values)
        document.passages = self._passages_where("p.doc_id = ?", (doc_id,))
        return document

    def _passages_where(self, condition: str, params: Sequence[Any]) -> list[Passage]:
        rows = self._all(f"SELECT p.data FROM passages p WHERE {condition} ORDER BY p.doc_id, p.ord", params)
        return [passage_from_json(json.loads(row[0])) for row in rows]

    def passages(self, symbol: str | None = None) -> list[Passage]:
        """All passages in reading order, of one document or of all."""
        if symbol is None:
            return self._passages_where("1", ())
        return self._passages_where(
            "p.doc_id = (SELECT id FROM documents WHERE symbol_key = ?)", (symbol_key(symbol),)
        )

    def passages_by_id(self, ids: Sequence[int]) -> dict[int, Passage]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        rows = self._all(f"SELECT id, data FROM passages WHERE id IN ({marks})", [int(i) for i in ids])
        return {int(row[0]): passage_from_json(json.loads(row[1])) for row in rows}

    def passage_ids_by_label(self, label: str, symbols: Sequence[str] | None = None) -> list[int]:
        """Passages whose label matches (``op 9`` finds ``OP 9``), optionally within some documents."""
        sql = "SELECT p.id FROM passages p JOIN documents d ON d.id = p.doc_id WHERE p.label_key = ?"
        params: list[Any] = [label_key(label)]
        if symbols:
            sql += f" AND d.symbol_key IN ({','.join('?' * len(symbols))})"
            params += [symbol_key(s) for s in symbols]
        return [int(row[0]) for row in self._all(sql + " ORDER BY d.id, p.ord", params)]

    def edge_passage_ids(self, kind: str, *, last: bool, symbols: Sequence[str] | None = None) -> list[int]:
        """The first or last top-level paragraph of a kind in each document (its own part, not a draft's)."""
        pick = "max" if last else "min"
        sql = (
            "SELECT p.id FROM passages p JOIN documents d ON d.id = p.doc_id WHERE p.kind = ? AND p.part = ''"
            " AND p.number NOT LIKE '%(%' AND p.ord = (SELECT " + pick + "(q.ord) FROM passages q"
            " WHERE q.doc_id = p.doc_id AND q.kind = p.kind AND q.part = '' AND q.number NOT LIKE '%(%')"
        )
        params: list[Any] = [kind]
        if symbols:
            sql += f" AND d.symbol_key IN ({','.join('?' * len(symbols))})"
            params += [symbol_key(s) for s in symbols]
        return [int(row[0]) for row in self._all(sql + " ORDER BY d.id", params)]

    def rows(self) -> list[tuple[int, str, str, str, str, str]]:
        """(id, symbol, kind, pages JSON, dense text, lexical text) of every passage, ordered by id."""
        return [tuple(r) for r in self._all(
            "SELECT p.id, d.symbol, p.kind, p.pages, p.dense_text, p.lexical_text FROM passages p"
            " JOIN documents d ON d.id = p.doc_id ORDER BY p.id"
        )]

    def row_meta(self) -> list[tuple[int, str, str, str]]:
        """(id, symbol, kind, pages JSON) of every passage, ordered by id: what a loaded index keeps in memory."""
        return [tuple(r) for r in self._all(
            "SELECT p.id, d.symbol, p.kind, p.pages FROM passages p JOIN documents d ON d.id = p.doc_id ORDER BY p.id"
        )]

    def count(self, table: str) -> int:
        assert table in {"documents", "passages", "embeddings", "files", "footnote_links"}
        return int(self._all(f"SELECT count(*) FROM {table}")[0][0])

    # --- files seen by ingest
    def file_record(self, path: str) -> tuple[str, str] | None:
        """(content hash, symbol) recorded for a file path by an earlier ingest."""
        rows = self._all("SELECT content_hash, symbol FROM files WHERE path = ?", (path,))
        return (rows[0][0], rows[0][1]) if rows else None

    def record_file(self, path: str, content_hash: str, symbol: str) -> None:
        with self._lock:
            self.connection.execute(
                "INSERT OR REPLACE INTO files(path, content_hash, symbol, ingested_at) VALUES (?, ?, ?, ?)",
                (path, content_hash, symbol, _now()),
            )

    def sources(self) -> list[str]:
        """Source paths of the indexed documents (for the rebuild command in error messages)."""
        return [row[0] for row in self._all("SELECT source FROM documents WHERE source != '' ORDER BY id")]

    # --- mandate map (action clauses per document, extracted at ingest by ``rag.mandates.index_mandates``)
    def mandate_versions(self) -> dict[str, str]:
        """Symbol -> fingerprint of the alias table its stored clauses were extracted with."""
        return {row[0]: row[1] for row in self._all(
            "SELECT d.symbol, m.aliases FROM mandates m JOIN documents d ON d.id = m.doc_id"
        )}

    def put_mandates(self, symbol: str, aliases: str, clauses_json: str) -> None:
        """Store one document's clauses (a JSON list); call inside ``transaction()``."""
        with self._lock:
            self.connection.execute(
                "INSERT OR REPLACE INTO mandates(doc_id, aliases, clauses)"
                " SELECT id, ?, ? FROM documents WHERE symbol = ?", (aliases, clauses_json, symbol),
            )

    def mandates_json(self, symbol: str | None = None) -> dict[str, str] | None:
        """Symbol -> stored clauses (JSON text), of one document or all; ``None`` when this store
        predates the mandates table (an index built by an older version)."""
        sql = "SELECT d.symbol, m.clauses FROM mandates m JOIN documents d ON d.id = m.doc_id"
        params: tuple[str, ...] = ()
        if symbol is not None:
            sql += " WHERE d.symbol_key = ?"
            params = (symbol_key(symbol),)
        try:
            return {row[0]: row[1] for row in self._all(sql + " ORDER BY d.id", params)}
        except sqlite3.OperationalError as error:
            if "no such table" in str(error):
                return None
            raise

    # --- embeddings cache (keyed by the hash of the embedded text)
    def missing_embeddings(self) -> list[tuple[str, str]]:
        """(text hash, dense text) of passages whose text has no stored vector yet."""
        return [(r[0], r[1]) for r in self._all(
            "SELECT DISTINCT p.text_hash, p.dense_text FROM passages p"
            " LEFT JOIN embeddings e ON e.text_hash = p.text_hash WHERE e.text_hash IS NULL ORDER BY p.id"
        )]

    def put_embeddings(self, hashes: Sequence[str], vectors: np.ndarray) -> None:
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._lock:
            self.connection.executemany(
                "INSERT OR REPLACE INTO embeddings(text_hash, vector) VALUES (?, ?)",
                [(h, vectors[i].tobytes()) for i, h in enumerate(hashes)],
            )

    def vectors(self, dimension: int) -> np.ndarray:
        """Vectors of every passage, in passage-id order, as one ``(n, dimension)`` float32 array."""
        rows = self._all(
            "SELECT e.vector FROM passages p JOIN embeddings e ON e.text_hash = p.text_hash ORDER BY p.id"
        )
        if not rows:
            return np.zeros((0, dimension), dtype=np.float32)
        matrix = np.frombuffer(b"".join(r[0] for r in rows), dtype=np.float32).reshape(len(rows), -1)
        if matrix.shape[1] != dimension:
            raise ValueError(f"stored vectors have dimension {matrix.shape[1]}, the model gives {dimension}")
        return matrix

    def drop_unused_embeddings(self) -> None:
        with self._lock:
            self.connection.execute(
                "DELETE FROM embeddings WHERE text_hash NOT IN (SELECT DISTINCT text_hash FROM passages)"
            )
