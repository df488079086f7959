"""``rag ingest`` / ``rag list`` / ``rag remove`` end to end in subprocesses, with the real parser.

The fake embedder (``RAG_EMBEDDING_MODEL=fake-hash-64``) keeps these fast; one
test at the end uses the real model (``slow``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import EXTRA, ROOT, SEED

FAKE = {"RAG_EMBEDDING_MODEL": "fake-hash-64"}


def rag(*args: str, env: dict[str, str] | None = None, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "rag.cli", *args], capture_output=True, text=True, cwd=ROOT,
                          env={**os.environ, **(env or FAKE)}, timeout=timeout)


def listed(index: Path, env: dict[str, str] | None = None) -> list[str]:
    result = rag("list", "--json", "--index-dir", str(index), env=env)
    assert result.returncode == 0, result.stderr
    return [d["symbol"] for d in json.loads(result.stdout)]


def test_ingest_list_remove(tmp_path: Path) -> None:
    index = tmp_path / "index"
    first = rag("ingest", str(SEED.parent), str(EXTRA / "S_RES_787_1992.txt"), "--index-dir", str(index))
    assert first.returncode == 0, first.stderr
    assert "2 added, 0 replaced, 0 skipped, 0 failed" in first.stdout
    again = rag("ingest", str(SEED.parent), str(EXTRA / "S_RES_787_1992.txt"), "--index-dir", str(index))
    assert again.returncode == 0 and "0 added, 0 replaced, 2 skipped, 0 failed" in again.stdout
    assert "unchanged" in again.stdout
    symbols = listed(index)
    assert len(symbols) == 2 and "E/CN.15/2019/L.8/Rev.1" in symbols
    table = rag("list", "--index-dir", str(index))
    assert "E/CN.15/2019/L.8/Rev.1" in table.stdout
    gone = rag("remove", "E/CN.15/2019/L.8/Rev.1", "--index-dir", str(index))
    assert gone.returncode == 0 and "removed" in gone.stdout
    assert len(listed(index)) == 1
    missing = rag("remove", "E/CN.15/2019/L.8/Rev.1", "--index-dir", str(index))
    assert missing.returncode == 2 and "not indexed" in missing.stderr


def test_failed_file_gives_a_nonzero_exit_and_the_others_are_indexed(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "good.txt").write_bytes(SEED.read_bytes())
    (corpus / "empty.txt").write_bytes(b"")
    result = rag("ingest", str(corpus), "--index-dir", str(tmp_path / "index"))
    assert result.returncode == 3
    assert "1 added, 0 replaced, 0 skipped, 1 failed" in result.stdout
    assert "failed:" in result.stderr and "empty.txt" in result.stderr
    assert listed(tmp_path / "index") == ["E/CN.15/2019/L.8/Rev.1"]
    as_json = json.loads(rag("ingest", str(corpus), "--json", "--index-dir", str(tmp_path / "index")).stdout)
    assert [f["status"] for f in as_json["files"]] == ["failed", "skipped"]


def test_damaged_index_is_a_clear_error(tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert rag("ingest", str(SEED), "--index-dir", str(index)).returncode == 0
    (index / "gen-1" / "rag.sqlite").unlink()
    result = rag("list", "--index-dir", str(index))
    assert result.returncode == 4
    assert "rag.sqlite is missing" in result.stderr and "rag ingest --rebuild" in result.stderr
    assert "Traceback" not in result.stderr
    fixed = rag("ingest", "--rebuild", str(SEED), "--index-dir", str(index))
    assert fixed.returncode == 0 and listed(index) == ["E/CN.15/2019/L.8/Rev.1"]


def test_other_model_is_refused_with_the_rebuild_command(tmp_path: Path) -> None:
    index = tmp_path / "index"
    assert rag("ingest", str(SEED), "--index-dir", str(index)).returncode == 0
    result = rag("list", "--index-dir", str(index), env={"RAG_EMBEDDING_MODEL": "fake-hash-32"})
    assert result.returncode == 4 and "rag ingest --rebuild" in result.stderr and "fake-hash-64" in result.stderr


@pytest.mark.parametrize("stage", ["embed", "vectors", "lexical", "manifest", "publish"])
def test_killed_ingest_leaves_the_previous_index_intact(tmp_path: Path, stage: str) -> None:
    index = tmp_path / "index"
    assert rag("ingest", str(SEED), "--index-dir", str(index)).returncode == 0
    process = subprocess.Popen(
        [sys.executable, "-m", "rag.cli", "ingest", str(EXTRA / "akn"), "--index-dir", str(index)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
        env={**os.environ, **FAKE, "RAG_TEST_INGEST_PAUSE": f"{stage}:60"},
    )
    assert process.stdout is not None
    for line in process.stdout:
        if line.strip() == f"ingest stage: {stage}":
            break
    else:
        pytest.fail(f"the ingest never reached stage {stage}")
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    assert (index / "CURRENT").read_text().strip() == "gen-1"
    assert (index / "gen-2").exists()  # the half-written generation is there, unpublished
    result = rag("list", "--json", "--index-dir", str(index))
    assert json.loads(result.stdout)[0]["symbol"] == "E/CN.15/2019/L.8/Rev.1" and len(json.loads(result.stdout)) == 1
    assert "incomplete index generation" in result.stderr
    resumed = rag("ingest", str(EXTRA / "akn"), "--index-dir", str(index))
    assert resumed.returncode == 0, resumed.stderr
    assert "removed gen-2, an incomplete index left by an interrupted ingest" in resumed.stdout
    assert len(listed(index)) == 5


@pytest.mark.slow
def test_real_model_end_to_end(tmp_path: Path) -> None:
    index = tmp_path / "index"
    env = {"RAG_EMBEDDING_MODEL": "sentence-transformers/all-MiniLM-L6-v2", "RAG_QUERY_ENCODER": "torch"}
    started = time.perf_counter()
    first = rag("ingest", str(SEED), str(EXTRA / "akn" / "A_RES_77_236.akn.xml"), "--index-dir", str(index),
                env=env, timeout=600)
    first_s = time.perf_counter() - started
    assert first.returncode == 0, first.stderr
    started = time.perf_counter()
    again = rag("ingest", str(SEED), str(EXTRA / "akn" / "A_RES_77_236.akn.xml"), "--index-dir", str(index),
                env=env, timeout=600)
    again_s = time.perf_counter() - started
    assert "2 skipped" in again.stdout
    print(f"\nrag ingest, real model, 2 documents: first {first_s:.1f} s, re-ingest {again_s:.1f} s "
          "(process wall time)")
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    pipeline = Pipeline(Settings(index_dir=index, query_encoder="torch"))
    hits = pipeline.search("sharing fingerprints and other biometric information on terrorists", k=3)
    assert "biometric" in hits[0].passage.text
    assert hits[0].dense > 0.3 and hits[0].lexical > 0


def test_progress_bar_draws_every_stage(capsys: pytest.CaptureFixture[str]) -> None:
    from rag.index_cli import _Progress

    progress = _Progress(enabled=True)
    for stage, total in (("read", 3), ("embed", 130), ("index", 1)):
        for done in range(0, total + 1, max(1, total // 3)):
            progress(stage, done, total)
    progress.close()
    err = capsys.readouterr().err
    assert "Reading files" in err and "Embedding passages" in err


def test_ingest_command_in_process(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    from rag.index_cli import ingest_command, list_command, remove_command

    monkeypatch.setenv("RAG_EMBEDDING_MODEL", "fake-hash-64")
    index = tmp_path / "index"
    assert ingest_command([SEED], index_dir=index, rebuild=False, as_json=False, quiet=True) == 0
    assert "1 added" in capsys.readouterr().out
    assert list_command(index_dir=index, as_json=True) == 0
    assert json.loads(capsys.readouterr().out)[0]["passages"] > 10
    assert remove_command("E/CN.15/2019/L.8/Rev.1", index_dir=index) == 0
    assert remove_command("E/CN.15/2019/L.8/Rev.1", index_dir=index) == 2
    assert list_command(index_dir=index, as_json=False) == 0
    assert "no documents indexed" in capsys.readouterr().out
