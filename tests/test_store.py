"""SQLite store: round trips, cascades, transactions, embeddings cache, file records."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import sample_documents

from rag.store import Store, symbol_key


def _filled(path: Path | str = ":memory:") -> Store:
    store = Store.create(path)
    with store.transaction():
        for document in sample_documents():
            store.add_document(document, file_hash=f"hash-{document.symbol}",
                               texts=[(p.text, p.text) for p in document.passages])
    return store


def test_documents_and_passages_round_trip() -> None:
    store = _filled()
    original = sample_documents()[0]
    loaded = store.document("e/cn.15/2019/l.8/rev.1")
    assert loaded is not None
    assert loaded.symbol == original.symbol and loaded.title == original.title and loaded.date == original.date
    assert loaded.passages == original.passages  # every field, tuples included
    assert [d.symbol for d in store.documents()] == ["A/RES/77/236", "E/CN.15/2019/L.8/Rev.1"]
    assert store.documents()[1].passages == len(original.passages)
    assert store.find_symbol("A_RES_77_236") == "A/RES/77/236"
    assert store.document("X/Y") is None


def test_footnote_links_and_labels() -> None:
    store = _filled()
    rows = store.connection.execute("SELECT footnote FROM footnote_links ORDER BY footnote").fetchall()
    assert [r[0] for r in rows] == ["1", "2"]
    ids = store.passage_ids_by_label("op 2 (a)")
    assert len(ids) == 1 and store.passages_by_id(ids)[ids[0]].label == "OP 2 (a)"
    assert len(store.passage_ids_by_label("OP 1")) == 2
    assert len(store.passage_ids_by_label("OP 1", ["A/RES/77/236"])) == 1


def test_delete_cascades_and_transactions_roll_back() -> None:
    store = _filled()
    with store.transaction():
        assert store.delete_document("A/RES/77/236")
    assert store.count("documents") == 1
    assert store.count("passages") == len(sample_documents()[0].passages)
    assert not store.delete_document("A/RES/77/236")
    with pytest.raises(RuntimeError), store.transaction():
        store.delete_document("E/CN.15/2019/L.8/Rev.1")
        raise RuntimeError("boom")
    assert store.count("documents") == 1  # rolled back
    assert store.count("footnote_links") == 2


def test_embeddings_are_cached_by_text(tmp_path: Path) -> None:
    store = _filled(tmp_path / "a.sqlite")
    missing = store.missing_embeddings()
    assert len(missing) == store.count("passages")  # every text distinct here
    vectors = np.random.default_rng(0).random((len(missing), 8), dtype=np.float32)
    with store.transaction():
        store.put_embeddings([h for h, _ in missing], vectors)
    assert store.missing_embeddings() == []
    assert store.vectors(8).shape == (len(missing), 8)
    with pytest.raises(ValueError, match="dimension"):
        store.vectors(16)
    copy = store.copy_to(tmp_path / "b.sqlite")
    with copy.transaction():
        copy.delete_document("A/RES/77/236")
        copy.drop_unused_embeddings()
    assert copy.count("embeddings") == copy.count("passages") < store.count("embeddings")


def test_file_records_and_readonly_open(tmp_path: Path) -> None:
    store = _filled(tmp_path / "a.sqlite")
    store.record_file("/x/a.txt", "abc", "A/RES/77/236")
    assert store.file_record("/x/a.txt") == ("abc", "A/RES/77/236")
    with store.transaction():
        store.delete_document("A/RES/77/236")
    assert store.file_record("/x/a.txt") is None
    store.close()
    readonly = Store.open_readonly(tmp_path / "a.sqlite")
    assert readonly.count("documents") == 1
    with pytest.raises(sqlite3.Error):
        readonly.set_meta("k", "v")
    with pytest.raises(sqlite3.Error):
        Store.open_readonly(tmp_path / "missing.sqlite")
    (tmp_path / "junk.sqlite").write_bytes(b"not a database at all" * 100)
    with pytest.raises(sqlite3.Error):
        Store.open_readonly(tmp_path / "junk.sqlite")


def test_symbol_key_ignores_case_space_and_underscores() -> None:
    assert symbol_key("S/RES/2730 (2024)") == symbol_key("s_res_2730(2024)")
