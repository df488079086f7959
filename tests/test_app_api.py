"""The app's ``ask`` API through ``gradio_client``: the JSON of ``rag ask --json`` (DESIGN.md).

Starts ``python app.py`` on a free loopback port over the default corpus indexed
with the real model, and compares the API's answers with the command line's.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
import urllib.request
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
def server(default_index: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """The app's URL (on 127.0.0.1)."""
    log = tmp_path_factory.mktemp("app-api") / "app.log"
    with running_app(default_index, log) as (url, seconds):
        print(f"\napp up in {seconds:.1f} s")
        yield url


@pytest.fixture(scope="module")
def client(server: str) -> Any:
    from gradio_client import Client

    return Client(server, verbose=False)


def http_call(url: str, body: dict[str, Any], path: str = "gradio_api/call/ask") -> tuple[str, Any]:
    """A plain HTTP call of the ``ask`` endpoint, as curl makes it: POST the values, then read the event
    stream. Returns its last event's name ("complete", "error") and data."""
    request = urllib.request.Request(url + path, data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        event_id = json.load(response)["event_id"]
    with urllib.request.urlopen(f"{url}gradio_api/call/ask/{event_id}", timeout=120) as response:
        stream = response.read().decode("utf-8")
    events = re.findall(r"^event: (\w+)\ndata: (.*)$", stream, flags=re.MULTILINE)
    name, data = events[-1]
    return name, json.loads(data)


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


def test_a_plain_http_call_needs_only_the_question(server: str, client: Any) -> None:
    """``POST /gradio_api/call/ask {"data": ["question"]}``: k, doc and kind take the defaults the API info
    advertises, as ``gradio_client`` would send them."""
    event, data = http_call(server, {"data": [ON_TOPIC]})
    assert event == "complete"
    check_contract(data[0], ON_TOPIC)
    assert without_timings(data[0]) == without_timings(client.predict(ON_TOPIC, api_name="/ask"))
    event, data = http_call(server, {"data": ["technical assistance", 2]})
    expected = client.predict("technical assistance", k=2, api_name="/ask")
    assert event == "complete" and without_timings(data[0]) == without_timings(expected)
    event, data = http_call(server, {"question": ON_TOPIC}, "gradio_api/call/v2/ask")  # named parameters
    assert event == "complete" and data[0]["question"] == ON_TOPIC


@pytest.mark.parametrize(
    "values, message",
    [
        ([], "the question is missing"),
        ([123, 0, "", None], "the question must be text, not int"),
        (["OP 9", "two"], "k must be a whole number"),
        (["OP 9", 0, "A/RES/1/1"], "see the Documents tab of the app"),
        (["   "], "the question is empty; ask e.g. “"),
    ],
)
def test_a_plain_http_call_with_bad_values_says_what_is_wrong(server: str, values: list[Any], message: str) -> None:
    event, data = http_call(server, {"data": values})
    assert event == "error" and message in (data.get("error") or ""), data
