"""Load test of the app (`make load`): many concurrent users asking through the ``ask`` API, one upload.

Not a test: it prints what it measured on this machine and exits non-zero when
anything went wrong (an error, an answer breaking the ``rag ask --json``
contract, a question that saw neither the old nor the new index).

    python scripts/load.py                          # 50 clients for 60 s over a copy of index/
    python scripts/load.py --clients 10 --seconds 5 # smaller
    python scripts/load.py --url http://127.0.0.1:7860/ --pid 1234   # a running app (no upload unless --upload)
    python scripts/load.py --json load.json         # also write the figures as JSON

What it does:

* starts ``python app.py`` on a free loopback port over a *copy* of the default
  index (``index/``, built from ``data/corpus`` with the real model when there is
  none), so the upload below changes nothing of yours;
* runs ``--clients`` concurrent clients for ``--seconds`` seconds (bounded also by
  ``--max-requests``; each request times out after ``--timeout`` s). Each asks
  questions drawn from the evaluation suites (``evals/suites/*.jsonl``), some with
  filters (``k``, ``doc``, ``kind``), some several suite questions run together
  (long, up to the question limit), and a few of 100,000 characters, which must be
  refused with the clear message (counted apart: *refused as expected*);
* a quarter of the way in, uploads a document (``--upload``, default
  ``tests/data/extra/A_RES_77_236.txt``) through the app's own upload path (the
  HTTP calls the browser makes: ``/gradio_api/upload`` then the *Add to the index*
  event), so the index is rebuilt in the server while questions go on; clients
  go on past ``--seconds`` until the upload is done, and 5 s more (bounded by
  ``--timeout``);
* *probe* questions (the suite questions whose expected passages are in the
  uploaded document) are asked before the run, during it and after it: every
  answer during the run must be the before-answer or the after-answer (same text,
  same citations), never anything else: questions see the old or the new index,
  never a half-built one;
* samples the server process's resident memory (psutil) and reports its peak.

Requests use Gradio's HTTP API (``POST /gradio_api/call/ask``, then the event
stream of the result), as ``gradio_client`` does, with one connection per client.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

DEFAULT_UPLOAD = ROOT / "tests" / "data" / "extra" / "A_RES_77_236.txt"
CONTRACT_KEYS = {"question", "answer", "abstained", "citations", "timings_ms"}
CITATION_KEYS = {"doc", "label", "kind", "number", "score", "excerpt", "text"}
#: Length of the oversized questions mixed in (they must be refused, fast, without slowing the others).
HUGE_QUESTION_CHARS = 100_000
#: Message the app gives for an overlong question (``rag.question.clean_question``).
TOO_LONG = "characters long, more than the limit"
#: Seconds (at most ``--seconds``) clients go on asking once the upload is done.
AFTER_UPLOAD_S = 5.0


# --------------------------------------------------------------------------- the requests


@dataclass(frozen=True)
class Request:
    """One call of the ``ask`` endpoint: its four inputs, and what kind of request it is."""

    question: str
    k: int = 0
    doc: str = ""
    kind: tuple[str, ...] = ()
    role: str = "question"  # "question", "probe" (old or new index) or "huge" (must be refused)

    def payload(self) -> dict[str, Any]:
        return {"data": [self.question, self.k, self.doc, list(self.kind)]}


def suite_questions() -> list[tuple[str, list[str]]]:
    """(question, expected documents) of every question of every evaluation suite."""
    from rag.evaluate import discover_suites, load_suite

    found = []
    for path in discover_suites():
        for question in load_suite(path).questions:
            found.append((question.question, sorted({e.doc for e in question.expected})))
    if not found:
        raise SystemExit("no evaluation suite found under evals/suites/: the load test draws its questions there")
    return found


def request_mix(questions: Sequence[tuple[str, list[str]]], *, max_chars: int, probe_doc: str = "",
                seed: int = 7) -> tuple[list[Request], list[Request]]:
    """The requests clients draw from, and the probes (questions answered by ``probe_doc``).

    Every suite question as it is; a third of them again with a filter (``k``, the
    expected document, or operative paragraphs only); long questions made of several
    suite questions (within ``max_chars``); and a few oversized ones.

    >>> mix, probes = request_mix([("What is asked?", ["A/1"]), ("Who reports?", ["B/2"])], max_chars=40,
    ...                           probe_doc="B/2")
    >>> [r.role for r in probes], sorted({r.role for r in mix})
    (['probe'], ['huge', 'probe', 'question'])
    >>> max(len(r.question) for r in mix if r.role != "huge") <= 40
    True
    """
    rng = random.Random(seed)
    mix: list[Request] = []
    probes: list[Request] = []
    for number, (question, docs) in enumerate(questions):
        if probe_doc and probe_doc in docs:
            probes.append(Request(question, role="probe"))
            continue
        mix.append(Request(question))
        variant = number % 9
        if variant == 0:
            mix.append(Request(question, k=rng.choice([1, 3, 8])))
        elif variant == 3 and docs:
            mix.append(Request(question, doc=docs[0]))
        elif variant == 6:
            mix.append(Request(question, kind=("operative",)))
    texts = [q for q, _ in questions]
    for _ in range(max(1, len(texts) // 10)):
        long = ""
        for text in rng.sample(texts, len(texts)):
            if len(long) + len(text) + 1 > max_chars:
                break
            long = f"{long} {text}".strip()
        if long:
            mix.append(Request(long))
    mix += probes * 3  # probes are asked often enough to be caught mid-upload
    huge = ("What is UNODC asked to do? " * (HUGE_QUESTION_CHARS // 27 + 1))[:HUGE_QUESTION_CHARS]
    mix += [Request(huge, role="huge")] * max(1, len(mix) // 100)
    return mix, probes


def contract_problems(data: Any, question: str) -> list[str]:
    """What in ``data`` breaks the ``rag ask --json`` contract of DESIGN.md (empty: nothing).

    >>> contract_problems({"question": "q", "answer": "a", "abstained": True, "citations": [],
    ...                    "timings_ms": {"retrieve": 1, "answer": 1, "total": 2}}, "q")
    []
    >>> contract_problems({"question": "q"}, "q")
    ['keys: missing [abstained, answer, citations, timings_ms]']
    """
    if not isinstance(data, dict):
        return [f"not a JSON object: {type(data).__name__}"]
    problems = []
    if set(data) != CONTRACT_KEYS:
        missing, extra = sorted(CONTRACT_KEYS - set(data)), sorted(set(data) - CONTRACT_KEYS)
        problems.append("keys:" + (f" missing [{', '.join(missing)}]" if missing else "")
                        + (f" unexpected [{', '.join(extra)}]" if extra else ""))
        return problems
    if data["question"] != question:
        problems.append("question not echoed")
    if not isinstance(data["answer"], str) or not data["answer"].strip():
        problems.append("empty answer")
    if not isinstance(data["abstained"], bool):
        problems.append("abstained is not a boolean")
    timings = data["timings_ms"]
    if not isinstance(timings, dict) or not {"retrieve", "answer", "total"} <= set(timings):
        problems.append("timings_ms lacks retrieve/answer/total")
    citations = data["citations"]
    if not isinstance(citations, list) or (data["abstained"] and citations):
        return [*problems, "citations must be a list, empty when abstaining"]
    for citation in citations:
        if not isinstance(citation, dict) or not set(citation) >= CITATION_KEYS:
            problems.append(f"citation lacks keys: {sorted(CITATION_KEYS - set(citation or {}))}")
            continue
        if not all(isinstance(citation[key], str) for key in CITATION_KEYS - {"score"}):
            problems.append(f"citation {citation.get('label')}: a field is not a string")
        if citation["kind"] != "heading" and citation["excerpt"].strip(" …") not in citation["text"]:
            problems.append(f"citation {citation['label']}: excerpt not verbatim from the paragraph")
    scores = [c.get("score", 0) for c in citations if isinstance(c, dict)]
    if scores != sorted(scores, reverse=True):
        problems.append("citations not ordered best first")
    return problems


def answer_identity(data: dict[str, Any]) -> tuple[Any, ...]:
    """What two answers to the same question from the same index share (timings and scores aside)."""
    return (data.get("answer"), data.get("abstained"),
            tuple((c.get("doc"), c.get("label")) for c in data.get("citations", [])))


# --------------------------------------------------------------------------- HTTP client


class AppClient:
    """The app's HTTP API over one ``httpx.AsyncClient``: ``ask`` and the Documents tab's upload."""

    def __init__(self, url: str, timeout: float, connections: int) -> None:
        import httpx

        self.base = url.rstrip("/") + "/gradio_api"
        self.root = url.rstrip("/")
        self.timeout = timeout
        self.http = httpx.AsyncClient(timeout=httpx.Timeout(timeout), limits=httpx.Limits(
            max_connections=connections, max_keepalive_connections=connections))

    async def close(self) -> None:
        await self.http.aclose()

    async def ask(self, request: Request) -> dict[str, Any]:
        """The answer object; raises ``AppError`` with the app's message when it reports an error."""
        started = await self.http.post(f"{self.base}/call/ask", json=request.payload())
        started.raise_for_status()
        event_id = started.json()["event_id"]
        event = ""
        async with self.http.stream("GET", f"{self.base}/call/ask/{event_id}") as stream:
            stream.raise_for_status()
            async for line in stream.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:") and event in ("complete", "error"):
                    data = json.loads(line[5:])
                    if event == "error":
                        raise AppError(str((data or {}).get("error") if isinstance(data, dict) else data))
                    return data[0] if isinstance(data, list) and data else data
        raise AppError(f"the event stream ended without a result (last event {event or 'none'})")

    async def upload(self, path: Path) -> list[list[Any]]:
        """Upload ``path`` and press *Add to the index*, as the browser does; returns the result table's rows."""
        with path.open("rb") as handle:
            sent = await self.http.post(f"{self.base}/upload", files=[("files", (path.name, handle, "text/plain"))])
        sent.raise_for_status()
        server_path = sent.json()[0]
        config = (await self.http.get(f"{self.root}/config")).json()
        dependency = next((d for d in config["dependencies"] if d.get("api_name") == "upload"), None)
        if dependency is None:
            raise AppError("the app has no upload event (Documents tab)")
        session = uuid.uuid4().hex[:12]
        file_data = {"path": server_path, "orig_name": path.name, "meta": {"_type": "gradio.FileData"}}
        joined = await self.http.post(f"{self.base}/queue/join", json={
            "data": [[file_data]], "event_data": None, "fn_index": dependency["id"],
            "trigger_id": dependency["targets"][0][0], "session_hash": session})
        joined.raise_for_status()
        async with self.http.stream("GET", f"{self.base}/queue/data", params={"session_hash": session}) as stream:
            async for line in stream.aiter_lines():
                if not line.startswith("data:"):
                    continue
                message = json.loads(line[5:])
                if message.get("msg") != "process_completed":
                    continue
                output = message.get("output") or {}
                if not message.get("success"):
                    raise AppError(f"upload failed: {output.get('error') or output}")
                return list(output["data"][0]["data"])
        raise AppError("the upload's event stream ended without a result")


class AppError(Exception):
    """The app answered with an error (its message) or an incomplete reply."""


# --------------------------------------------------------------------------- the run


@dataclass
class LoadReport:
    """What a run measured."""

    clients: int
    seconds: float
    served: int = 0
    errors: int = 0
    refused_as_expected: int = 0
    latencies_ms: list[float] = field(default_factory=list)
    huge_latencies_ms: list[float] = field(default_factory=list)
    error_samples: list[str] = field(default_factory=list)
    probe_answers: int = 0
    probe_old: int = 0
    probe_new: int = 0
    probe_other: int = 0
    probes_changed: int = 0  # probe questions answered differently after the upload than before it
    upload: dict[str, Any] = field(default_factory=dict)
    peak_rss_mb: float | None = None
    start_rss_mb: float | None = None
    server_cpu_s: float | None = None
    driver_cpu_s: float | None = None  # this script's own CPU time (it shares the machine with the app)
    elapsed_s: float = 0.0

    def error(self, text: str) -> None:
        self.errors += 1
        if len(self.error_samples) < 10:
            self.error_samples.append(text[:300])

    @property
    def ok(self) -> bool:
        upload_ok = not self.upload or self.upload.get("status") in ("added", "replaced", "skipped")
        return self.errors == 0 and self.probe_other == 0 and upload_ok and self.served > 0

    def figures(self) -> dict[str, Any]:
        from rag.evaluate import percentile

        return {
            "clients": self.clients, "seconds": self.seconds, "elapsed_s": round(self.elapsed_s, 1),
            "served": self.served, "errors": self.errors, "refused_as_expected": self.refused_as_expected,
            "throughput_per_s": round(self.served / self.elapsed_s, 1) if self.elapsed_s else None,
            "latency_ms": {f"p{q}": percentile(self.latencies_ms, q) for q in (50, 95, 99)},
            "huge_question_latency_ms": {f"p{q}": percentile(self.huge_latencies_ms, q) for q in (50, 95)},
            "probes": {"answers": self.probe_answers, "old_index": self.probe_old, "new_index": self.probe_new,
                       "neither": self.probe_other, "questions_changed_by_upload": self.probes_changed},
            "upload": self.upload, "server_rss_mb": {"start": self.start_rss_mb, "peak": self.peak_rss_mb},
            "server_cpu_s": self.server_cpu_s, "driver_cpu_s": self.driver_cpu_s,
            "error_samples": self.error_samples, "ok": self.ok,
        }

    def text(self) -> str:
        f = self.figures()
        lat, huge = f["latency_ms"], f["huge_question_latency_ms"]
        lines = [
            f"clients {self.clients}, {f['elapsed_s']} s: {self.served} answers served, {self.errors} errors, "
            f"{f['throughput_per_s']} answers/s",
            f"latency ms: p50 {lat['p50']}, p95 {lat['p95']}, p99 {lat['p99']}",
            f"{HUGE_QUESTION_CHARS:,}-character questions refused as expected: {self.refused_as_expected} "
            f"(p50 {huge['p50']} ms, p95 {huge['p95']} ms)",
            f"probe answers during the run: {self.probe_answers} ({self.probe_old} from the old index, "
            f"{self.probe_new} from the new, {self.probe_other} from neither); the upload changed the answer "
            f"to {self.probes_changed} probe question(s)",
        ]
        if self.upload:
            lines.append(f"upload: {self.upload.get('file')} {self.upload.get('status')} as "
                         f"{self.upload.get('symbol')} in {self.upload.get('seconds')} s while questions went on")
        if self.peak_rss_mb is not None:
            lines.append(f"server memory (RSS): {self.start_rss_mb} MB at start, peak {self.peak_rss_mb} MB; "
                         f"server CPU {self.server_cpu_s} s in {f['elapsed_s']} s (this script: {self.driver_cpu_s} s)")
        lines += [f"error: {sample}" for sample in self.error_samples]
        lines.append("OK" if self.ok else "FAILED")
        return "\n".join(lines)


class MemorySampler:
    """Peak resident memory of a process, sampled in a background thread (and the kernel's high-water mark)."""

    def __init__(self, pid: int | None, interval: float = 0.2) -> None:
        self.pid = pid
        self.interval = interval
        self.peak = 0
        self.start: int | None = None
        self.cpu_s = 0.0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="memory-sampler")

    def __enter__(self) -> MemorySampler:
        if self.pid is not None:
            self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        import psutil

        try:
            process = psutil.Process(self.pid)
            cpu = sum(process.cpu_times()[:2])
            while not self._stop.is_set():
                rss = process.memory_info().rss
                self.start = rss if self.start is None else self.start
                self.peak = max(self.peak, rss, _high_water_mark(self.pid))
                self.cpu_s = sum(process.cpu_times()[:2]) - cpu
                self._stop.wait(self.interval)
        except psutil.Error:
            return


def _high_water_mark(pid: int | None) -> int:
    """``VmHWM`` of a Linux process in bytes (0 elsewhere)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return 0


async def run_load(url: str, *, clients: int, seconds: float, mix: Sequence[Request], probes: Sequence[Request],
                   upload: Path | None = None, upload_at: float = 0.25, max_requests: int = 1_000_000,
                   timeout: float = 120.0, pid: int | None = None, seed: int = 1) -> LoadReport:
    """Drive the app at ``url``; see the module docstring. Stops by itself at the deadline or the budget."""
    import psutil

    report = LoadReport(clients=clients, seconds=seconds)
    client = AppClient(url, timeout, clients + 4)
    budget = [max_requests]
    during: dict[str, list[tuple[Any, ...]]] = {}  # probe question -> answers seen during the run
    uploading = asyncio.Event()
    stop_at = [0.0]  # monotonic time after which clients stop (set below)
    try:
        mix = await usable(client, mix)
        before = {p.question: answer_identity(await client.ask(p)) for p in probes}
        stop_at[0] = time.monotonic() + seconds
        started = time.perf_counter()

        async def one_client(number: int) -> None:
            rng = random.Random(seed * 1000 + number)
            while (time.monotonic() < stop_at[0] or uploading.is_set()) and budget[0] > 0:
                budget[0] -= 1
                request = rng.choice(mix)
                began = time.perf_counter()
                try:
                    data = await client.ask(request)
                except AppError as error:
                    elapsed = (time.perf_counter() - began) * 1000
                    if request.role == "huge" and TOO_LONG in str(error):
                        report.refused_as_expected += 1
                        report.huge_latencies_ms.append(elapsed)
                    else:
                        report.error(f"{request.question[:60]!r}: {error}")
                    continue
                except Exception as error:  # transport errors, timeouts, bad JSON: all count
                    report.error(f"{request.question[:60]!r}: {type(error).__name__}: {error}")
                    continue
                report.latencies_ms.append((time.perf_counter() - began) * 1000)
                if request.role == "huge":
                    report.error("a 100,000-character question was answered instead of refused")
                    continue
                problems = contract_problems(data, request.question)
                if problems:
                    report.error(f"{request.question[:60]!r}: {'; '.join(problems)}")
                    continue
                report.served += 1
                if request.role == "probe":
                    report.probe_answers += 1
                    during.setdefault(request.question, []).append(answer_identity(data))

        async def do_upload(path: Path) -> None:
            await asyncio.sleep(seconds * upload_at)
            began = time.perf_counter()
            try:
                rows = await client.upload(path)
            except Exception as error:
                report.upload = {"file": path.name, "status": "error", "reason": str(error)[:300]}
                return
            finally:  # questions go on a little after the upload, to be answered from the new index
                stop_at[0] = max(stop_at[0], time.monotonic() + min(seconds, AFTER_UPLOAD_S))
                uploading.clear()
            row = rows[0] if rows else ["", "no result"]
            report.upload = {"file": row[0], "status": row[1], "symbol": row[2] if len(row) > 2 else "",
                             "seconds": round(time.perf_counter() - began, 1),
                             "at_s": round(began - started, 1), "detail": str(row[4] if len(row) > 4 else "")[:200]}

        driver = psutil.Process()
        driver_cpu = sum(driver.cpu_times()[:2])
        with MemorySampler(pid) as memory:
            tasks = [one_client(n) for n in range(clients)]
            if upload is not None:
                uploading.set()  # clients go on past the deadline until the upload is done (and a bit after)
                tasks.append(do_upload(upload))
            await asyncio.wait_for(asyncio.gather(*tasks), timeout=seconds + 3 * timeout)
            report.elapsed_s = time.perf_counter() - started
            report.driver_cpu_s = round(sum(driver.cpu_times()[:2]) - driver_cpu, 1)
            after = {p.question: answer_identity(await client.ask(p)) for p in probes}
        if pid is not None:
            report.peak_rss_mb = round(memory.peak / 2**20, 1)
            report.start_rss_mb = round((memory.start or 0) / 2**20, 1)
            report.server_cpu_s = round(memory.cpu_s, 1)
        report.probes_changed = sum(before[q] != after[q] for q in before)
        for question, seen in during.items():
            for identity in seen:
                if identity == before[question]:
                    report.probe_old += 1
                elif identity == after[question]:
                    report.probe_new += 1
                else:
                    report.probe_other += 1
    finally:
        await client.close()
    return report


async def usable(client: AppClient, mix: Sequence[Request]) -> list[Request]:
    """``mix`` without the requests filtered on a document the app has not indexed (it says so, rightly)."""
    missing = set()
    for doc in sorted({r.doc for r in mix if r.doc}):
        try:
            await client.ask(Request("report", doc=doc))
        except AppError as error:
            if "no indexed document" not in str(error):
                raise
            missing.add(doc)
    return [r for r in mix if r.doc not in missing]


# --------------------------------------------------------------------------- the server


def prepare_index(work: Path, source: Path | None = None) -> Path:
    """A copy of ``source`` (default ``index/``) in ``work`` when this version can serve it, else a fresh
    index of ``data/corpus`` (real model) there."""
    from rag.errors import IndexError_
    from rag.index import IndexSnapshot
    from rag.settings import Settings

    source = source or ROOT / "index"
    target = work / "index"
    if (source / "CURRENT").exists():
        shutil.copytree(source, target, ignore=shutil.ignore_patterns(".lock", "uploads"))
        try:
            IndexSnapshot.load(target, model=Settings().embedding_model).close()
            return target
        except IndexError_ as error:
            print(f"cannot serve a copy of {source}/ ({error})", flush=True)
    print("building an index of data/corpus with the real model ...", flush=True)
    subprocess.run([sys.executable, "-m", "rag.cli", "ingest", "--rebuild", str(ROOT / "data" / "corpus"),
                    "--index-dir", str(target), "--quiet"], cwd=ROOT, check=True)
    return target


@contextlib.contextmanager
def served_app(index_dir: Path, log_path: Path, **env: str) -> Iterator[tuple[str, int]]:
    """``python app.py`` on a free loopback port over ``index_dir``: yields (url, server pid)."""
    import psutil

    sys.path.insert(0, str(ROOT / "tests"))
    from app_server import running_app

    with running_app(index_dir, log_path, **env) as (url, _):
        port = url.rstrip("/").rsplit(":", 1)[1]
        children = [p for p in psutil.Process().children() if f"--port {port}" in " ".join(p.cmdline())]
        yield url, children[0].pid


def pid_listening_on(url: str) -> int | None:
    """The process listening on the port of ``url`` (``None`` when it cannot be found, e.g. without rights)."""
    import psutil

    port = int(url.rstrip("/").rsplit(":", 1)[1].split("/")[0])
    try:
        for connection in psutil.net_connections(kind="tcp"):
            if connection.laddr and connection.laddr.port == port and connection.status == psutil.CONN_LISTEN:
                return connection.pid
    except (psutil.Error, PermissionError):
        return None
    return None


def upload_symbol(path: Path) -> str:
    """The symbol the parser finds in the document to upload (to pick the probe questions)."""
    from rag.parse import parse_file

    return parse_file(path).symbol


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--clients", type=int, default=50, help="concurrent clients (default 50)")
    parser.add_argument("--seconds", type=float, default=60.0, help="length of the run (default 60)")
    parser.add_argument("--url", help="a running app to load instead of starting one (loopback only)")
    parser.add_argument("--pid", type=int, help="with --url: the server's process id, for its memory")
    parser.add_argument("--index-dir", type=Path, help="index to copy and serve (default index/)")
    parser.add_argument("--upload", type=Path, help=f"document uploaded during the run (default {DEFAULT_UPLOAD.name}; "
                        "none with --url unless given)")
    parser.add_argument("--no-upload", action="store_true", help="no upload during the run")
    parser.add_argument("--max-requests", type=int, default=1_000_000, help="stop after this many requests")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds one request may take")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.clients < 1 or args.seconds <= 0:
        parser.error("--clients and --seconds must be positive")
    if args.url and not args.url.startswith(("http://127.0.0.1", "http://localhost", "http://[::1]")):
        parser.error("--url must be a loopback address (this tool only loads your own machine)")
    upload = None if args.no_upload else (args.upload or (None if args.url else DEFAULT_UPLOAD))
    from rag.settings import Settings

    mix, probes = request_mix(suite_questions(), max_chars=Settings().max_question_chars,
                              probe_doc=upload_symbol(upload) if upload else "")
    print(f"{len(mix)} requests to draw from ({len(probes)} probe questions), {args.clients} clients, "
          f"{args.seconds:g} s{', upload of ' + upload.name if upload else ''}", flush=True)
    with tempfile.TemporaryDirectory(prefix="rag-load-") as work:
        if args.url:
            pid = args.pid or pid_listening_on(args.url)
            report = asyncio.run(run_load(args.url, clients=args.clients, seconds=args.seconds, mix=mix,
                                          probes=probes, upload=upload, max_requests=args.max_requests,
                                          timeout=args.timeout, pid=pid))
        else:
            index_dir = prepare_index(Path(work), args.index_dir)
            with served_app(index_dir, Path(work) / "app.log") as (url, pid):
                print(f"app on {url} (pid {pid}) over {index_dir}", flush=True)
                report = asyncio.run(run_load(url, clients=args.clients, seconds=args.seconds, mix=mix,
                                              probes=probes, upload=upload, max_requests=args.max_requests,
                                              timeout=args.timeout, pid=pid))
            if not report.ok:
                print((Path(work) / "app.log").read_text()[-3000:], file=sys.stderr)
    print(report.text())
    if args.json:
        args.json.write_text(json.dumps(report.figures(), indent=2), encoding="utf-8")
    return 0 if report.ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
