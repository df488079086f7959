"""A longer fuzz campaign of the loaders and the parser (``tests/test_fuzz.py`` with more, fresh examples).

    python scripts/fuzz.py                    # 20,000 examples per fuzz test (the real PDFs: a twentieth)
    python scripts/fuzz.py --examples 2000    # shorter
    python scripts/fuzz.py --seed 42          # repeat a campaign

Every example must end in a ``Document`` or a ``RagError``; a failing example is
shrunk by Hypothesis and printed with the seed that reproduces it. Prints the
number of examples run per test and in all, and exits non-zero on a failure.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Fuzz the loaders and the parser (hypothesis).")
    parser.add_argument("--examples", type=int, default=20_000, help="examples per fuzz test (default 20000)")
    parser.add_argument("--seed", type=int, help="Hypothesis seed (default: a random one, printed)")
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.randrange(2**32)
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--hypothesis-show-statistics",
               f"--hypothesis-seed={seed}", "-o", "addopts=", "tests/test_fuzz.py"]
    env = {**os.environ, "RAG_FUZZ_EXAMPLES": str(args.examples)}
    print(f"fuzzing with {args.examples:,} examples per test, seed {seed}", flush=True)
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    output = done.stdout + done.stderr
    runs = re.findall(r"^(tests/test_fuzz\.py::\S+):\n(?:.*\n)*?\s+- (\d+) passing, (\d+) failing", output, re.M)
    for test, passing, failing in runs:
        print(f"  {test.split('::')[1]:<40} {int(passing):>7,} passing, {int(failing)} failing")
    total = sum(int(p) + int(f) for _, p, f in runs)
    failed = sum(int(f) for _, _, f in runs)
    print(f"{total:,} examples in {seconds:.0f} s: {failed} failing; pytest exit code {done.returncode}")
    if done.returncode:
        print(output[-6000:])
    return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
