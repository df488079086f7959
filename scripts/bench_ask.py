"""Benchmark: a cold `rag ask` against the textbook LangChain recipe, measured in the same run.

Each run is a fresh process (what a delegate's terminal does): wall time from
spawn to exit, and the peak resident memory of that process (``wait4``'s
``ru_maxrss``). The two commands alternate, so both see the same machine load;
the medians and their ratio are printed.

    python scripts/bench_ask.py [--runs 5] [--index-dir DIR] [--question "..."]

Without ``--index-dir`` a fresh index of the seed (``data/corpus``) is built in a
temporary folder first (not timed). The recipe is ``python -m rag.baselines ask``
(RecursiveCharacterTextSplitter 1000/200, all-MiniLM-L6-v2 via
sentence-transformers, LangChain FAISS, one question).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
QUESTION = "What is UNODC asked to do on biometrics?"


@dataclass(frozen=True)
class Run:
    wall_s: float
    peak_mib: float
    returncode: int


def _child_env() -> dict[str, str]:
    """The environment of the timed commands: offline, and allowed to write bytecode caches, as on an
    installed system (``pip install`` compiles them; a sandbox's ``PYTHONDONTWRITEBYTECODE=1`` would make every
    cold run recompile every module, about 0.1-0.2 s, which no user's installation pays)."""
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"}
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    return env


def timed_run(command: list[str]) -> Run:
    """Run ``command`` in a fresh process; its wall time and its own peak RSS."""
    env = _child_env()
    started = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - started
    process.returncode = os.waitstatus_to_exitcode(status)
    if process.returncode != 0 and process.stderr is not None:
        sys.stderr.write(process.stderr.read().decode(errors="replace")[-2000:])
    peak_kib = usage.ru_maxrss  # Linux reports KiB
    return Run(wall, peak_kib / 1024, process.returncode)


def build_seed_index(folder: Path) -> None:
    code = (
        "from rag.pipeline import Pipeline\nfrom rag.settings import Settings\n"
        f"report = Pipeline(Settings(index_dir={str(folder)!r})).ingest(['data/corpus'])\n"
        "assert report.ok, report.failed\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True,
                   env={**os.environ, "HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1"})


def cold_ask_section(runs: int = 5, index_dir: Path | None = None, question: str = QUESTION) -> dict[str, object]:
    """Median cold `rag ask` and textbook-recipe wall time and peak memory; prints a small table."""
    with tempfile.TemporaryDirectory(prefix="bench-ask-") as scratch:
        if index_dir is None:
            index_dir = Path(scratch) / "index"
            print(f"building a seed index in {index_dir} (not timed) ...", flush=True)
            build_seed_index(index_dir)
        ours = [sys.executable, "-m", "rag.cli", "ask", "--json", "--index-dir", str(index_dir), question]
        recipe = [sys.executable, "-m", "rag.baselines", "ask", "--corpus", "data/corpus", question]
        results: dict[str, list[Run]] = {"rag ask (cold)": [], "textbook recipe (cold)": []}
        timed_run(ours)  # one untimed run each: file and bytecode caches warm for both, as on a machine in use
        timed_run(recipe)
        for _ in range(runs):
            results["rag ask (cold)"].append(timed_run(ours))
            results["textbook recipe (cold)"].append(timed_run(recipe))
    summary: dict[str, object] = {"question": question, "runs": runs}
    print(f"\nCold single question, median of {runs} runs (each a fresh process)")
    print(f"{'':26s} {'wall s':>8s} {'peak MiB':>9s} {'failed':>7s}")
    medians = {}
    for name, items in results.items():
        wall = statistics.median(r.wall_s for r in items)
        peak = statistics.median(r.peak_mib for r in items)
        failed = sum(1 for r in items if r.returncode != 0)
        medians[name] = (wall, peak)
        summary[name] = {"wall_s": round(wall, 3), "peak_mib": round(peak, 1), "failed": failed,
                         "walls": [round(r.wall_s, 3) for r in items]}
        print(f"{name:26s} {wall:8.2f} {peak:9.0f} {failed:7d}")
    (ours_wall, ours_peak), (base_wall, base_peak) = medians["rag ask (cold)"], medians["textbook recipe (cold)"]
    summary["speedup"] = round(base_wall / ours_wall, 2) if ours_wall else None
    summary["memory_ratio"] = round(base_peak / ours_peak, 2) if ours_peak else None
    print(f"rag ask is {summary['speedup']}x faster and uses {summary['memory_ratio']}x less memory "
          f"(load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)")
    return summary


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--index-dir", type=Path, default=None)
    parser.add_argument("--question", default=QUESTION)
    parser.add_argument("--json", action="store_true", help="Also print the figures as JSON.")
    args = parser.parse_args(argv)
    summary = cold_ask_section(args.runs, args.index_dir, args.question)
    if args.json:
        print(json.dumps(summary, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
