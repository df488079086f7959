"""CI guard: a small real evaluation must not fall below the floors in ``evals/floors.json``.

Runs the real pipeline (bundled MiniLM) over each suite and split the floors
name (the ``dev`` splits of the seed suite, about 50 questions, and of the blind-written
fresh, blind3 and blind4 suites, 32 and 50 questions each; no baselines) and fails when citation@1, key phrases or
abstention precision/recall drop below their floors. The floors sit a little under
the figures measured when they were set: this catches regressions, it is not a
target to tune to.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from rag.evaluate import aggregate, below_floors, load_floors, load_suite, run_suite
from rag.pipeline import Pipeline
from rag.settings import Settings


@pytest.mark.slow
@pytest.mark.parametrize("floors", load_floors(), ids=lambda guard: f"{guard['suite']}-{guard['split']}")
def test_eval_guard(floors: dict[str, Any], tmp_path: Path, real_embedder: Any) -> None:
    suite = load_suite(floors["suite"])
    pipeline = Pipeline(Settings(index_dir=tmp_path / "index"), embedder=real_embedder)
    assert pipeline.ingest(suite.corpus).ok
    run = run_suite(suite, pipeline, split=floors["split"], baselines=False)
    assert not run.warnings, run.warnings
    metrics = aggregate(run.results)
    failures = below_floors(metrics, floors["floors"])
    wrong = [
        f"{r.question.id} {r.outcome}: {r.question.question}"
        for r in run.results
        if r.outcome not in ("correct", "abstained")
    ]
    assert not failures, f"{failures}; questions not answered correctly: {wrong}"
