"""The textbook LangChain baseline: the chunk-matching rule and the recipe itself."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from langchain_text_splitters import RecursiveCharacterTextSplitter

from rag.baselines import CHUNK_OVERLAP, CHUNK_SIZE, TextbookRAG, _main, chunk_covers, corpus_files, raw_text, words
from rag.embed import FakeEmbedder
from rag.errors import LoadError
from rag.parse import parse_file

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus" / "E-CN.15-2019-L.8-Rev.1.txt"
CORPORA = [
    SEED,
    *sorted((ROOT / "tests" / "data" / "extra" / "akn").glob("*.xml")),
    *sorted((ROOT / "tests" / "data" / "extra").glob("S_RES_*.txt")),
    ROOT / "tests" / "data" / "extra" / "E_RES_2018_2.txt",
]


def textbook_chunks(path: Path) -> list[str]:
    splitter = RecursiveCharacterTextSplitter(chunk_size=CHUNK_SIZE, chunk_overlap=CHUNK_OVERLAP)
    return splitter.split_text(raw_text(path))


@pytest.mark.parametrize("path", CORPORA, ids=lambda p: p.name)
def test_every_paragraph_can_be_found_by_the_textbook_recipe(path: Path) -> None:
    """The rule is fair to the baseline: for each parsed paragraph some chunk counts as holding it."""
    chunks = textbook_chunks(path)
    unreachable = [p.label for p in parse_file(path).passages if not any(chunk_covers(c, p.text) for c in chunks)]
    assert not unreachable


def test_a_chunk_about_the_same_subject_is_not_the_paragraph() -> None:
    seed = {p.label: p.text for p in parse_file(SEED).passages}
    # OP 6 and OP 7 are both about evidence; the chunk holding only OP 7 does not count for OP 6
    assert chunk_covers(seed["OP 7"], seed["OP 7"])
    assert not chunk_covers(seed["OP 7"], seed["OP 6"])
    assert not chunk_covers(seed["OP 6"], seed["OP 7"])


def test_chunk_covers_ignores_layout_and_a_footnote_marker() -> None:
    paragraph = "Recalling the Declaration and Programme of Action on a Culture of Peace and the Global Agenda"
    raw = "  Recalling the Declaration and Programme of Action on a Culture of Peace 2 and \n\nthe Global Agenda"
    assert chunk_covers(raw, paragraph)
    assert words("Counter -\nTerrorism") == ["counter", "terrorism"]


def test_recipe_builds_and_ranks_with_a_fake_model() -> None:
    rag = TextbookRAG.build([SEED], embedder=FakeEmbedder(dimension=128))
    assert rag.chunk_count == len(textbook_chunks(SEED))
    chunks = rag.search("biometric data INTERPOL databases", k=3)
    assert len(chunks) == 3 and all(c.source == str(SEED) for c in chunks)
    assert any("biometric" in c.text for c in chunks)
    answer = rag.ask("biometric data", k=2)
    assert len(answer["chunks"]) == 2 and "retrieve" in answer["timings_ms"]


def test_corpus_files_and_errors(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("text", encoding="utf-8")
    (tmp_path / "skip.bin").write_bytes(b"\0")
    assert corpus_files([tmp_path]) == [tmp_path / "a.txt"]
    with pytest.raises(LoadError, match="no such file"):
        corpus_files([tmp_path / "missing"])
    with pytest.raises(LoadError, match="unsupported"):
        raw_text(tmp_path / "skip.bin")


def test_cli_rejects_bad_input_before_loading_a_model(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _main(["ask", "   "]) == 2
    assert _main(["ask", "question", "--corpus", str(tmp_path / "none")]) == 3
    assert "no such file" in capsys.readouterr().err


@pytest.mark.slow
def test_cold_question_through_the_recipe_from_the_command_line() -> None:
    """The benchmark's entry point: one cold question, real MiniLM, JSON out."""
    completed = subprocess.run(
        [
            sys.executable,
            "-m",
            "rag.baselines",
            "ask",
            "--json",
            "-k",
            "3",
            "--corpus",
            str(SEED),
            "What is UNODC asked to do on biometrics?",
        ],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
        check=False,
        env={"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "PATH": "/usr/bin:/bin"},
    )
    assert completed.returncode == 0, completed.stderr
    result = json.loads(completed.stdout)
    assert len(result["chunks"]) == 3 and result["chunk_count"] > 10
    assert "biometric" in " ".join(c["text"] for c in result["chunks"][:2])
    assert result["timings_ms"]["total"] >= result["timings_ms"]["build"]
