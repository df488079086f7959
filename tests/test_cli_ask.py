"""`rag ask` against the DESIGN.md contract, with the real model over a temporary index of the seed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from rag.errors import IndexError_, InputError

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus" / "E-CN.15-2019-L.8-Rev.1.txt"

CITATION_KEYS = {"doc": str, "label": str, "kind": str, "number": str, "score": float, "excerpt": str, "text": str}

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def seed_index(tmp_path_factory: pytest.TempPathFactory, real_embedder) -> Path:
    """The seed ingested once with the real model (which also makes the ONNX query encoder)."""
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    index_dir = tmp_path_factory.mktemp("seed-index")
    report = Pipeline(Settings(index_dir=index_dir), embedder=real_embedder).ingest([SEED])
    assert report.ok, report.failed
    from rag.onnx_encoder import export_onnx, find_export

    if find_export(index_dir, real_embedder.name) is None:  # an explicit embedder skips the automatic export
        export_onnx(real_embedder.name, index_dir, model=real_embedder._load())
    return index_dir


def rag(*args: str, index_dir: Path | None = None, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [sys.executable, "-m", "rag.cli", "ask", *args]
    if index_dir is not None:
        command += ["--index-dir", str(index_dir)]
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    return subprocess.run(command, cwd=ROOT, input=stdin, capture_output=True, text=True, timeout=300, env=env)


def check_contract(data: dict[str, object], question: str) -> None:
    assert set(data) == {"question", "answer", "abstained", "citations", "timings_ms"}
    assert data["question"] == question
    assert isinstance(data["answer"], str) and data["answer"]
    assert isinstance(data["abstained"], bool)
    timings = data["timings_ms"]
    assert isinstance(timings, dict) and set(timings) >= {"retrieve", "answer", "total"}
    assert all(isinstance(v, int | float) and v >= 0 for v in timings.values())
    citations = data["citations"]
    assert isinstance(citations, list)
    for citation in citations:
        for key, kind in CITATION_KEYS.items():
            assert isinstance(citation[key], kind), (key, citation[key])
        assert citation["excerpt"] and citation["excerpt"] in citation["text"]
    scores = [c["score"] for c in citations]
    assert scores == sorted(scores, reverse=True), "citations are ordered best first"
    if data["abstained"]:
        assert citations == []
    else:
        assert citations


def test_json_answer_follows_the_contract(seed_index: Path) -> None:
    question = "What is UNODC asked to do on biometrics?"
    result = rag("--json", question, index_dir=seed_index)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    check_contract(data, question)
    assert not data["abstained"]
    first = data["citations"][0]
    assert (first["doc"], first["label"], first["kind"], first["number"]) == ("E/CN.15/2019/L.8/Rev.1", "OP 9",
                                                                              "operative", "9")
    assert "biometric" in first["excerpt"] and f"[{first['label']}]" in data["answer"]


def test_unanswerable_question_abstains_with_no_citations(seed_index: Path) -> None:
    question = "What does it say about climate change?"
    result = rag("--json", question, index_dir=seed_index)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    check_contract(data, question)
    assert data["abstained"] and data["citations"] == []


def test_readable_output_lists_citations_with_symbol_label_and_page(seed_index: Path) -> None:
    result = rag("OP 9", index_dir=seed_index)
    assert result.returncode == 0, result.stderr
    assert "[OP 9]" in result.stdout
    assert "Citations:" in result.stdout and "1. E/CN.15/2019/L.8/Rev.1, OP 9" in result.stdout


def test_filters_k_doc_and_kind(seed_index: Path) -> None:
    question = "List all paragraphs on evidence."
    data = json.loads(rag("--json", "-k", "1", question, index_dir=seed_index).stdout)
    assert len(data["citations"]) == 1
    data = json.loads(rag("--json", "--kind", "preambular", question, index_dir=seed_index).stdout)
    assert data["citations"] and all(c["kind"] == "preambular" for c in data["citations"])
    data = json.loads(rag("--json", "--doc", "e/cn.15/2019/l.8/rev.1", question, index_dir=seed_index).stdout)
    assert data["citations"]
    unknown = rag("--json", "--doc", "A/RES/1/1", question, index_dir=seed_index)
    assert unknown.returncode == InputError.exit_code and "A/RES/1/1" in unknown.stderr


def test_batch_mode_one_json_object_per_question_line(seed_index: Path) -> None:
    questions = ["What is SHERLOC?", "", "OP 30", "What does it say about cryptocurrencies?", "x" * 10_000]
    result = rag("--json", "-", index_dir=seed_index, stdin="\n".join(questions) + "\n")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4  # the blank line is skipped
    for question, data in zip(["What is SHERLOC?", "OP 30", "What does it say about cryptocurrencies?"], lines,
                              strict=False):
        check_contract(data, question)
    assert lines[2]["abstained"]
    assert "error" in lines[3] and lines[3]["exit_code"] == InputError.exit_code
    assert result.returncode == InputError.exit_code and "line 5" in result.stderr


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("\x07\x1b", "empty"),  # (a NUL cannot be passed as an argument; batch mode strips it)
        ("x" * 10_000, "10,000 characters"),
    ],
)
def test_bad_questions_get_a_clear_message_and_exit_code(seed_index: Path, question: str, message: str) -> None:
    result = rag("--json", question, index_dir=seed_index)
    assert result.returncode == InputError.exit_code
    assert message in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""


def test_control_characters_are_stripped(seed_index: Path) -> None:
    result = rag("--json", "What is\x07 SHERLOC?\x1b", index_dir=seed_index)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["citations"][0]["label"] == "OP 8"


def test_other_language_is_said_plainly(seed_index: Path) -> None:
    data = json.loads(rag("--json", "Que demande la résolution à l'ONUDC ?", index_dir=seed_index).stdout)
    assert data["abstained"] and "French" in data["answer"] and data["citations"] == []


def test_label_only_question_shows_that_paragraph(seed_index: Path) -> None:
    data = json.loads(rag("--json", "operative paragraph 9 of E/CN.15/2019/L.8/Rev.1", index_dir=seed_index).stdout)
    assert [c["label"] for c in data["citations"]] == ["OP 9"]
    assert data["citations"][0]["excerpt"] in data["citations"][0]["text"]


def test_no_index_says_how_to_build_one(tmp_path: Path) -> None:
    result = rag("--json", "What is UNODC asked to do?", index_dir=tmp_path / "none")
    assert result.returncode == IndexError_.exit_code
    assert "rag ingest data/corpus" in result.stderr and "Traceback" not in result.stderr


def test_query_path_loads_no_torch(seed_index: Path) -> None:
    code = (
        "import sys\n"
        "from rag.pipeline import Pipeline\n"
        "from rag.settings import Settings\n"
        f"answer = Pipeline(Settings(index_dir={str(seed_index)!r})).ask('What is SHERLOC?')\n"
        "assert answer.citations, answer\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'gradio', 'langchain_core', 'matplotlib')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
