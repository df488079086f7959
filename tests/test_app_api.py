"""The app's ``ask`` API through ``gradio_client``: the JSON of ``rag ask --json`` (DESIGN.md).

Starts ``python app.py`` on a free loopback port over the default corpus indexed
with the real model, and compares the API's answers with the command line's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_server import ROOT, running_app

pytestmark = pytest.mark.slow

ON_TOPIC = "What is UNODC asked to do on biometrics?"
OFF_TOPIC = "What is the boiling point of mercury on Venus?"
CITATION_KEYS = {"doc", "label", "kind", "number", "score", "excerpt", "text"}


@pytest.fixture(scope="module")
def client(default_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    from gradio_client import Client

    log = tmp_path_factory.mktemp("app-api") / "app.log"
    with running_app(default_index, log) as (url, seconds):
        print(f"\napp up in {seconds:.1f} s")
        yield Client(url, verbose=False)


def cli_answer(question: str, index_dir: Path) -> dict[str, Any]:
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-m", "rag.cli", "ask", question, "--json", "--index-dir", str(index_dir)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env=env,
        check=True,
    )
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def check_contract(data: dict[str, Any], question: str) -> None:
    assert set(data) == {"question", "answer", "abstained", "citations", "timings_ms"}
    assert data["question"] == question and isinstance(data["answer"], str) and data["answer"]
    assert isinstance(data["abstained"], bool) and isinstance(data["citations"], list)
    assert set(data["timings_ms"]) >= {"retrieve", "answer", "total"}
    assert all(isinstance(v, int | float) and v >= 0 for v in data["timings_ms"].values())
    for citation in data["citations"]:
        assert set(citation) >= CITATION_KEYS
        assert all(isinstance(citation[k], str) for k in CITATION_KEYS - {"score"})
        assert isinstance(citation["score"], int | float)
        assert citation["excerpt"].strip(" …") in citation["text"] or citation["kind"] == "heading"
    scores = [c["score"] for c in data["citations"]]
    assert scores == sorted(scores, reverse=True)  # best first


def without_timings(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if k != "timings_ms"}


def test_ask_returns_the_cli_json(client: Any, default_index: Path) -> None:
    started = time.perf_counter()
    data = client.predict(ON_TOPIC, api_name="/ask")
    print(f"first /ask: {1000 * (time.perf_counter() - started):.0f} ms")
    check_contract(data, ON_TOPIC)
    assert data["abstained"] is False and data["citations"]
    assert any("biometric" in c["text"] for c in data["citations"])
    for citation in data["citations"]:
        assert f"[{citation['label']}]" in data["answer"]  # one document: markers are bare labels
    assert without_timings(data) == without_timings(cli_answer(ON_TOPIC, default_index))
    started = time.perf_counter()
    client.predict(ON_TOPIC, api_name="/ask")
    print(f"second /ask: {1000 * (time.perf_counter() - started):.0f} ms")


def test_ask_abstains_with_no_citation(client: Any) -> None:
    data = client.predict(OFF_TOPIC, api_name="/ask")
    check_contract(data, OFF_TOPIC)
    assert data["abstained"] is True and data["citations"] == []


def test_ask_options_filter(client: Any) -> None:
    data = client.predict("technical assistance", k=2, kind=["preambular"], api_name="/ask")
    check_contract(data, "technical assistance")
    assert data["citations"] and data["citations"][0]["kind"] == "preambular"
    assert all(c["kind"] in ("preambular", "footnote") for c in data["citations"])


@pytest.mark.parametrize("question, message", [("", "empty"), ("word " * 1000, "limit")])
def test_bad_questions_get_a_clear_error_and_the_app_goes_on(client: Any, question: str, message: str) -> None:
    from gradio_client.exceptions import AppError

    with pytest.raises(AppError, match=message):
        client.predict(question, api_name="/ask")
    assert client.predict(ON_TOPIC, api_name="/ask")["abstained"] is False
