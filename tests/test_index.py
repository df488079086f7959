"""On-disk index: generations, atomic publish, damage detection, model/format mismatch, FAISS types."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import numpy as np
import pytest
from conftest import JsonPipeline

from rag.embed import FakeEmbedder
from rag.errors import IndexCorruptError, IndexError_, IndexMismatchError, IndexMissingError
from rag.index import (
    MANIFEST_FILE,
    STORE_FILE,
    VECTORS_FILE,
    IndexLayout,
    IndexSnapshot,
    build_vector_index,
)
from rag.settings import Settings


def _gen(pipeline: JsonPipeline) -> Path:
    layout = pipeline.layout
    return layout.generation_dir(layout.current() or 0)


def test_layout_of_a_built_index(built_pipeline: JsonPipeline) -> None:
    root = built_pipeline.index_dir
    assert (root / "CURRENT").read_text().strip() == "gen-1"
    folder = _gen(built_pipeline)
    manifest = json.loads((folder / MANIFEST_FILE).read_text())
    assert manifest["format_version"] >= 1 and manifest["model"] == "fake-hash-128"
    assert manifest["dimension"] == 128 and manifest["documents"] == 2
    assert manifest["passages"] == 16 and manifest["vector_index"] == "flat"
    assert set(manifest["files"]) >= {STORE_FILE, VECTORS_FILE, "lexical/params.index.json"}
    assert not list(root.rglob("*.pkl")) and not list(root.rglob("*.pickle"))


def test_no_index_says_how_to_build_one(tmp_path: Path) -> None:
    with pytest.raises(IndexMissingError, match="rag ingest data/corpus"):
        IndexSnapshot.load(tmp_path / "none", model="m")


def test_other_model_is_refused_with_the_rebuild_command(built_pipeline: JsonPipeline) -> None:
    with pytest.raises(IndexMismatchError, match=r"rag ingest --rebuild .*fake-hash-128") as caught:
        IndexSnapshot.load(built_pipeline.index_dir, model="fake-hash-128-other")
    assert "--index-dir" in str(caught.value)
    other = JsonPipeline(Settings(index_dir=built_pipeline.index_dir), embedder=FakeEmbedder(64))
    with pytest.raises(IndexMismatchError, match="rebuild"):
        other.search("terrorism")


def test_other_format_version_is_refused(built_pipeline: JsonPipeline) -> None:
    path = _gen(built_pipeline) / MANIFEST_FILE
    manifest = json.loads(path.read_text())
    manifest["format_version"] = 999
    path.write_text(json.dumps(manifest))
    with pytest.raises(IndexMismatchError, match=r"format version 999.*rag ingest --rebuild"):
        IndexSnapshot.load(built_pipeline.index_dir, model="fake-hash-128")


def test_truncated_faiss_file_is_detected(built_pipeline: JsonPipeline) -> None:
    path = _gen(built_pipeline) / VECTORS_FILE
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    with pytest.raises(IndexCorruptError, match=r"vectors.faiss is \d+ bytes.*truncated.*rag ingest --rebuild"):
        IndexSnapshot.load(built_pipeline.index_dir, model="fake-hash-128")


def test_corrupt_faiss_file_of_the_right_size_is_detected(built_pipeline: JsonPipeline) -> None:
    path = _gen(built_pipeline) / VECTORS_FILE
    path.write_bytes(b"\0" * path.stat().st_size)
    with pytest.raises(IndexCorruptError, match="damaged"):
        IndexSnapshot.load(built_pipeline.index_dir, model="fake-hash-128")


def test_deleted_sqlite_file_is_detected(built_pipeline: JsonPipeline) -> None:
    (_gen(built_pipeline) / STORE_FILE).unlink()
    with pytest.raises(IndexCorruptError, match=r"rag.sqlite is missing; rebuild"):
        IndexSnapshot.load(built_pipeline.index_dir, model="fake-hash-128")


def test_sqlite_out_of_step_with_vectors_is_detected(built_pipeline: JsonPipeline, tmp_path: Path) -> None:
    path = _gen(built_pipeline) / STORE_FILE
    size = path.stat().st_size
    connection = sqlite3.connect(path)
    connection.execute("DELETE FROM passages WHERE kind = 'footnote'")
    connection.commit()
    connection.execute("VACUUM")
    connection.close()
    with path.open("ab") as handle:  # keep the size the manifest records
        handle.write(b"\0" * (size - path.stat().st_size))
    with pytest.raises(IndexCorruptError, match="disagree"):
        IndexSnapshot.load(built_pipeline.index_dir, model="fake-hash-128")


def test_missing_manifest_and_bad_pointer_are_detected(built_pipeline: JsonPipeline) -> None:
    root = built_pipeline.index_dir
    (_gen(built_pipeline) / MANIFEST_FILE).unlink()
    with pytest.raises(IndexCorruptError, match=r"manifest\.json is missing"):
        IndexSnapshot.load(root, model="fake-hash-128")
    (root / "CURRENT").write_text("garbage")
    with pytest.raises(IndexCorruptError, match="should name a generation"):
        IndexSnapshot.load(root, model="fake-hash-128")


def test_clean_removes_leftovers_and_keeps_the_previous_generation(tmp_path: Path) -> None:
    layout = IndexLayout(tmp_path)
    for number in (1, 2, 3, 5):
        layout.generation_dir(number).mkdir(parents=True)
    layout.publish(3)
    assert layout.leftovers() == [5]
    assert layout.clean() == ["gen-5"]
    assert layout.generations() == [2, 3]
    assert layout.next_generation() == 4


def test_writer_lock_is_exclusive(tmp_path: Path) -> None:
    layout = IndexLayout(tmp_path)
    with layout.writer_lock():
        assert layout.writer_active()
        with pytest.raises(IndexError_, match="another ingest"), IndexLayout(tmp_path).writer_lock(timeout=0.3):
            pass
    assert not layout.writer_active()


@pytest.mark.parametrize("kind", ["flat", "hnsw", "ivf"])
def test_vector_index_types_find_the_nearest_rows(kind: str) -> None:
    rng = np.random.default_rng(1)
    vectors = rng.normal(size=(2000, 32)).astype(np.float32)
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    index = build_vector_index(vectors, kind)
    from rag.index import _prepare_for_search

    _prepare_for_search(index)
    _, rows = index.search(vectors[:50], 1)
    assert (rows[:, 0] == np.arange(50)).mean() >= 0.9
    np.testing.assert_allclose(index.reconstruct_batch(np.array([3, 7])), vectors[[3, 7]], rtol=1e-5)


def test_approximate_index_through_the_pipeline(tmp_path: Path, corpus_dir: Path) -> None:
    for kind in ("hnsw", "ivf"):
        pipeline = JsonPipeline(Settings(index_dir=tmp_path / kind, vector_index=kind), embedder=FakeEmbedder(128))
        assert pipeline.ingest([corpus_dir]).ok
        hits = pipeline.search("biometric data of foreign terrorist fighters", k=3, mode="dense", kind="operative")
        assert hits and "biometric" in hits[0].passage.text
        assert pipeline.snapshot().manifest.vector_index == kind
