"""Measure retrieval choices on the eval suites: dense, lexical and hybrid recall@1/MRR.

Used to choose the passage context policy and the fusion (method, weight) on
the ``dev`` split; then run once with ``--split test`` to report. It only
measures: it never looks at individual questions to change the code.

    .venv/bin/python scripts/tune_retrieval.py                    # dev, current settings
    .venv/bin/python scripts/tune_retrieval.py --grid             # dev, fusion grid + context policies
    .venv/bin/python scripts/tune_retrieval.py --split test       # held-out report

Indexes are built with the real bundled model under ``/tmp/rag-tune/`` (or ``--work``).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import time
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("HF_HUB_OFFLINE", "1")

from rag import index as index_module  # noqa: E402
from rag.embed import Embedder, SentenceTransformerEmbedder  # noqa: E402
from rag.evaluate import EvalQuestion, load_suite, passage_key, recall_at_k, reciprocal_rank  # noqa: E402
from rag.index import ContextPolicy  # noqa: E402
from rag.pipeline import Pipeline  # noqa: E402
from rag.retrieve import DEFAULT_FUSION, FusionConfig  # noqa: E402
from rag.settings import Settings  # noqa: E402

POLICIES = {
    "text": ContextPolicy(parent=False, citing=False),
    "parent": ContextPolicy(parent=True, citing=False),
    "parent+citing": ContextPolicy(parent=True, citing=True),
    "parent+citing120": ContextPolicy(parent=True, citing=True, citing_chars=120),
    "title+parent+citing": ContextPolicy(title=True, parent=True, citing=True),
    "title+parent+citing120": ContextPolicy(title=True, parent=True, citing=True, citing_chars=120),
    "label+parent+citing": ContextPolicy(label=True, parent=True, citing=True),
    "title+label+parent+citing": ContextPolicy(title=True, label=True, parent=True, citing=True),
}


class CachingEmbedder:
    """Wraps an embedder, remembering every vector (the same texts recur across configurations)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self._memo: dict[str, np.ndarray] = {}

    @property
    def dimension(self) -> int:
        return self.inner.dimension

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        todo = [t for t in dict.fromkeys(texts) if t not in self._memo]
        if todo:
            for text, vector in zip(todo, self.inner.embed_passages(todo), strict=True):
                self._memo[text] = vector
        return np.stack([self._memo[t] for t in texts]) if texts else self.inner.embed_passages([])

    def embed_query(self, text: str) -> np.ndarray:
        if text not in self._memo:
            self._memo[text] = self.inner.embed_query(text)
        return self._memo[text]


def measure(pipeline: Pipeline, questions: Sequence[EvalQuestion], mode: str) -> dict[str, float]:
    """Mean recall@1, recall@5 and MRR over the answerable questions."""
    r1, r5, rr = [], [], []
    for question in questions:
        expected = {e.key for e in question.expected}
        hits = pipeline.search(question.question, k=10, mode=mode)
        ranking = [{passage_key(h.passage.doc, h.passage.label)} for h in hits]
        r1.append(recall_at_k(ranking, expected, 1))
        r5.append(recall_at_k(ranking, expected, 5, needs_all=question.needs_all))
        rr.append(reciprocal_rank(ranking, expected))
    count = max(len(r1), 1)
    return {"r@1": sum(r1) / count, "r@5": sum(r5) / count, "mrr": sum(rr) / count, "n": len(r1)}


def build(suite_name: str, work: Path, embedder: CachingEmbedder, dense: ContextPolicy,
          lexical: ContextPolicy) -> Pipeline:
    index_module.DENSE_CONTEXT = dense
    index_module.LEXICAL_CONTEXT = lexical
    import rag.pipeline as pipeline_module

    pipeline_module.DENSE_CONTEXT = dense  # type: ignore[attr-defined]
    pipeline_module.LEXICAL_CONTEXT = lexical  # type: ignore[attr-defined]
    suite = load_suite(suite_name)
    folder = work / f"{suite_name}-{dense}-{lexical}".replace(" ", "")
    pipeline = Pipeline(Settings(index_dir=folder, query_encoder="torch"), embedder=embedder)
    if not (folder / "CURRENT").exists():
        shutil.rmtree(folder, ignore_errors=True)
        started = time.perf_counter()
        report = pipeline.ingest(suite.corpus)
        print(f"  built {folder.name}: {report.summary()} in {time.perf_counter() - started:.1f} s", flush=True)
    return pipeline


def line(name: str, figures: dict[str, float]) -> str:
    return (f"  {name:<40} r@1 {figures['r@1']:.3f}  r@5 {figures['r@5']:.3f}  MRR {figures['mrr']:.3f}"
            f"  (n={figures['n']})")


def fusion_grid() -> list[FusionConfig]:
    grid = [replace(DEFAULT_FUSION, method=m, dense_weight=w, expansion_weight=e)
            for m in ("weighted", "zscore") for w in (0.2, 0.3, 0.4, 0.5) for e in (0.5, 1.0)]
    grid += [replace(DEFAULT_FUSION, method="rrf", dense_weight=w, rrf_k=10) for w in (0.4, 0.5)]
    return grid


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--split", default="dev", choices=["dev", "test", "all"])
    parser.add_argument("--suites", nargs="*", default=["seed", "multi"])
    parser.add_argument("--dense", nargs="*", default=[], help=f"dense context policies among {list(POLICIES)}")
    parser.add_argument("--lexical", nargs="*", default=[], help="lexical context policies")
    parser.add_argument("--grid", action="store_true", help="try the fusion grid (else the default fusion)")
    parser.add_argument("--work", type=Path, default=Path("/tmp/rag-tune"))
    args = parser.parse_args()
    embedder = CachingEmbedder(SentenceTransformerEmbedder())
    dense_policies = {n: POLICIES[n] for n in args.dense} or {"default": index_module.DENSE_CONTEXT}
    lexical_policies = {n: POLICIES[n] for n in args.lexical} or {"default": index_module.LEXICAL_CONTEXT}
    pooled: dict[str, list[dict[str, float]]] = {}
    for suite_name in args.suites:
        suite = load_suite(suite_name)
        questions = [q for q in suite.select(args.split) if q.answerable]
        print(f"== suite {suite_name}, split {args.split}: {len(questions)} answerable questions")
        for dense_name, dense_policy in dense_policies.items():
            for lexical_name, lexical_policy in lexical_policies.items():
                pipeline = build(suite_name, args.work, embedder, dense_policy, lexical_policy)
                print(f" context: dense {dense_name}, lexical {lexical_name}")
                figures = measure(pipeline, questions, "dense")
                pooled.setdefault("dense", []).append(figures)
                print(line("dense", figures))
                for weight in (0.5, 1.0) if args.grid else [DEFAULT_FUSION.expansion_weight]:
                    pipeline.fusion = replace(DEFAULT_FUSION, expansion_weight=weight)
                    pipeline._retriever = None
                    figures = measure(pipeline, questions, "lexical")
                    pooled.setdefault(f"lexical e={weight}", []).append(figures)
                    print(line(f"lexical e={weight}", figures))
                for fusion in fusion_grid() if args.grid else [DEFAULT_FUSION]:
                    pipeline.fusion = fusion
                    pipeline._retriever = None
                    name = f"hybrid {fusion.method} w={fusion.dense_weight} e={fusion.expansion_weight}" + (
                        f" k={fusion.rrf_k}" if fusion.method == "rrf" else "")
                    figures = measure(pipeline, questions, "hybrid")
                    pooled.setdefault(name, []).append(figures)
                    print(line(name, figures), flush=True)
    if len(args.suites) > 1 and len(dense_policies) == len(lexical_policies) == 1:
        print(f"== pooled over {', '.join(args.suites)}")
        for name, parts in pooled.items():
            count = sum(p["n"] for p in parts)
            print(line(name, {key: sum(p[key] * p["n"] for p in parts) / count for key in ("r@1", "r@5", "mrr")}
                       | {"n": count}))


if __name__ == "__main__":
    main()

