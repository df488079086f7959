"""Benchmarks (`make bench`): index build, query latency, approximate-index recall, memory.

Not a test: it prints medians and percentiles measured on this machine.

    python scripts/bench.py                      # every section
    python scripts/bench.py --only seed query    # some sections
    python scripts/bench.py --passages 20000     # smaller synthetic corpus
    python scripts/bench.py --json out.json      # also write the figures as JSON

Sections (one function each, registered in ``SECTIONS``; add yours there):

* ``seed``: build the seed index (``data/corpus``) with the real model, fresh each
  run, then re-ingest it unchanged: median wall times.
* ``synthetic``: a corpus of ``--passages`` passages (100,000 by default) resampled
  from the bundled and test documents (each copy's text made unique). Embedding
  100k passages with the real model on this machine takes long, so it is measured
  on a sample and extrapolated; the build itself runs the real ingest code
  (SQLite, FAISS, BM25, alias learning, manifest) with *synthetic vectors*: each
  copy gets the real embedding of its source passage plus Gaussian noise
  (renormalised), so the vectors keep the real corpus's cluster structure.
* ``query``: warm search latency p50/p95 over the eval questions on the
  synthetic index, for flat, HNSW and IVF vectors (query vectors precomputed with
  the real model; the real model's query-encoding time is reported apart), and
  hybrid search latency on the seed index.
* ``recall``: recall@10 of HNSW and IVF against exact (flat) search on the
  synthetic vectors, with the eval questions as queries.
* ``memory``: peak resident memory of a fresh process that loads the index and
  answers the questions (seed index, and synthetic index).
* ``ask``: cold ``rag ask`` against the textbook recipe (``scripts/bench_ask.py``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

SOURCES = [ROOT / "data" / "corpus", ROOT / "tests" / "data" / "extra"]


@dataclass
class Context:
    """Shared state between sections (built lazily, reused)."""

    args: argparse.Namespace
    work: Path
    results: dict[str, Any] = field(default_factory=dict)
    _cache: dict[str, Any] = field(default_factory=dict)

    def cached(self, key: str, make: Callable[[], Any]) -> Any:
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


def say(text: str) -> None:
    print(text, flush=True)


def percentiles(values: Sequence[float]) -> dict[str, float]:
    ordered = sorted(values)
    if not ordered:
        return {"p50": float("nan"), "p95": float("nan")}
    return {"p50": float(np.percentile(ordered, 50)), "p95": float(np.percentile(ordered, 95))}


def real_embedder(ctx: Context) -> Any:
    from rag.embed import SentenceTransformerEmbedder

    return ctx.cached("real", SentenceTransformerEmbedder)


def questions(ctx: Context) -> list[str]:
    def load() -> list[str]:
        from rag.evaluate import load_suite

        found = []
        for name in ("seed", "multi"):
            try:
                found += [q.question for q in load_suite(name).questions]
            except Exception as error:
                say(f"  (suite {name} unavailable: {error})")
        return found or ["What is UNODC asked to do on biometrics?", "technical assistance to Member States"]

    return ctx.cached("questions", load)


def source_documents(ctx: Context) -> list[Any]:
    def load() -> list[Any]:
        from rag.parse import parse_file
        from rag.pipeline import expand_paths

        files, _ = expand_paths(SOURCES)
        documents, seen = [], set()
        for path in files:
            try:
                document = parse_file(path)
            except Exception:
                continue
            if document.symbol not in seen:
                seen.add(document.symbol)
                documents.append(document)
        return documents

    return ctx.cached("documents", load)


# --------------------------------------------------------------------------- seed
def section_seed(ctx: Context) -> dict[str, Any]:
    """Build the seed index with the real model (fresh, ``--runs`` times), then re-ingest it unchanged."""
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    embedder = real_embedder(ctx)
    embedder.embed_query("warm up")  # model load is not index build time
    first, again = [], []
    for run in range(ctx.args.runs):
        folder = ctx.work / f"seed-{run}"
        shutil.rmtree(folder, ignore_errors=True)
        pipeline = Pipeline(Settings(index_dir=folder, query_encoder="torch"), embedder=embedder)
        started = time.perf_counter()
        report = pipeline.ingest([ROOT / "data" / "corpus"])
        first.append(time.perf_counter() - started)
        started = time.perf_counter()
        pipeline.ingest([ROOT / "data" / "corpus"])
        again.append(time.perf_counter() - started)
        say(f"  run {run + 1}: build {first[-1]:.2f} s ({report.embedded} passages), "
            f"re-ingest {again[-1] * 1000:.1f} ms")
    ctx._cache["seed_index"] = ctx.work / "seed-0"
    result = {"build_s_median": statistics.median(first), "reingest_ms_median": 1000 * statistics.median(again),
              "passages": report.embedded, "runs": ctx.args.runs}
    ratio = result["build_s_median"] * 1000 / result["reingest_ms_median"]
    say(f"  seed build median {result['build_s_median']:.2f} s; unchanged re-ingest median "
        f"{result['reingest_ms_median']:.1f} ms ({ratio:.0f}x faster)")
    return result


def seed_index(ctx: Context) -> Path:
    if "seed_index" not in ctx._cache:
        from rag.pipeline import Pipeline
        from rag.settings import Settings

        folder = ctx.work / "seed-0"
        Pipeline(Settings(index_dir=folder, query_encoder="torch"), embedder=real_embedder(ctx)).ingest(
            [ROOT / "data" / "corpus"])
        ctx._cache["seed_index"] = folder
    return ctx._cache["seed_index"]


# --------------------------------------------------------------------------- synthetic corpus
class SyntheticEmbedder:
    """Vectors for resampled passages: the real vector of the source text plus deterministic noise.

    Copies are named ``<source text> [copy N]``; the part before the marker selects the source vector.
    """

    def __init__(self, name: str, sources: dict[str, np.ndarray], noise: float) -> None:
        self.name = name
        self.sources = sources
        self.noise = noise
        self._dim = len(next(iter(sources.values())))
        self._pool = list(sources.values())

    @property
    def dimension(self) -> int:
        return self._dim

    def _vector(self, text: str) -> np.ndarray:
        seed = int.from_bytes(hashlib.blake2b(text.encode(), digest_size=8).digest(), "little")
        base = self.sources.get(re.sub(r" \[copy \d+\]", "", text))
        if base is None:  # a context clipped through a copy marker: any source vector, chosen by the text
            base = self._pool[seed % len(self._pool)]
        noisy = base + np.random.default_rng(seed).normal(scale=self.noise, size=self._dim).astype(np.float32)
        return (noisy / np.linalg.norm(noisy)).astype(np.float32)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return np.stack([self._vector(t) for t in texts])

    def embed_query(self, text: str) -> np.ndarray:
        return self._vector(text)


def synthetic_documents(ctx: Context, total: int) -> list[Any]:
    """Resample the source documents' passages into documents of the same shapes until ``total`` passages."""
    from rag.types import Document

    rng = random.Random(7)
    originals = source_documents(ctx)
    documents: list[Any] = []
    count = 0
    while count < total:
        template = rng.choice(originals)
        number = len(documents)
        symbol = f"SYN/{number}"
        size = min(len(template.passages), total - count)
        passages = [replace(p, doc=symbol, text=f"{p.text} [copy {number}]") for p in template.passages[:size]]
        documents.append(Document(symbol=symbol, title=f"{template.title} [copy {number}]", passages=passages))
        count += size
    return documents


def section_synthetic(ctx: Context) -> dict[str, Any]:
    """Build time at ``--passages`` passages: real code path, synthetic vectors; embedding extrapolated."""
    from rag.index import build_vector_index
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    total = ctx.args.passages
    documents = source_documents(ctx)
    texts = list(dict.fromkeys(p.text for d in documents for p in d.passages))
    embedder = real_embedder(ctx)
    embedder.embed_query("warm up")
    sample = texts[: ctx.args.embed_sample]
    started = time.perf_counter()
    embedder.embed_passages(sample)
    per_passage = (time.perf_counter() - started) / len(sample)
    say(f"  real embedding: {1 / per_passage:.1f} passages/s on {len(sample)} passages "
        f"-> {total * per_passage / 60:.1f} min for {total:,} passages (extrapolated)")
    from rag.index import DENSE_CONTEXT, contextual_text

    sources = {}
    vectors = embedder.embed_passages(texts)
    for text, vector in zip(texts, vectors, strict=True):
        sources[text] = vector
    # the ingest embeds the contextual text; map those to their source vectors as well
    for document in documents:
        for passage in document.passages:
            sources.setdefault(contextual_text(passage, document, DENSE_CONTEXT), sources[passage.text])
    synthetic = SyntheticEmbedder(embedder.name, sources, noise=ctx.args.noise)
    corpus = synthetic_documents(ctx, total)

    class SyntheticPipeline(Pipeline):
        def parse_file(self, path: Path) -> Any:
            return corpus[int(path.stem)]

    listing = ctx.work / "synthetic-files"
    shutil.rmtree(listing, ignore_errors=True)
    listing.mkdir(parents=True)
    for number in range(len(corpus)):
        (listing / f"{number}.txt").write_text(str(number))
    folder = ctx.work / "synthetic-index"
    shutil.rmtree(folder, ignore_errors=True)
    pipeline = SyntheticPipeline(Settings(index_dir=folder, query_encoder="torch"), embedder=synthetic)
    stages: dict[str, float] = {}
    last = [time.perf_counter(), ""]

    def progress(stage: str, done: int, count: int) -> None:
        now = time.perf_counter()
        if stage != last[1]:
            if last[1]:
                stages[str(last[1])] = stages.get(str(last[1]), 0.0) + now - float(last[0])
            last[0], last[1] = now, stage

    started = time.perf_counter()
    report = pipeline.ingest([listing], progress=progress)
    build = time.perf_counter() - started
    stages[str(last[1])] = stages.get(str(last[1]), 0.0) + time.perf_counter() - float(last[0])
    say(f"  ingest of {len(corpus):,} documents / {total:,} passages (synthetic vectors): {build:.1f} s "
        f"({', '.join(f'{k} {v:.1f} s' for k, v in stages.items())})")
    started = time.perf_counter()
    pipeline.ingest([listing])
    reingest = time.perf_counter() - started
    say(f"  unchanged re-ingest: {reingest:.1f} s")
    snapshot = pipeline.snapshot()
    all_vectors = snapshot.vectors.reconstruct_n(0, snapshot.size)
    faiss_build = {}
    for kind in ("flat", "hnsw", "ivf"):
        started = time.perf_counter()
        index = build_vector_index(all_vectors, kind)
        faiss_build[kind] = time.perf_counter() - started
        ctx._cache[f"faiss-{kind}"] = index
        say(f"  FAISS {kind} build over {snapshot.size:,} vectors: {faiss_build[kind]:.1f} s")
    ctx._cache["synthetic"] = (folder, synthetic, pipeline)
    assert report.ok
    return {
        "passages": total, "documents": len(corpus), "ingest_s": build, "stages_s": stages,
        "reingest_s": reingest, "faiss_build_s": faiss_build,
        "real_embedding_passages_per_s": 1 / per_passage,
        "real_embedding_extrapolated_min": total * per_passage / 60,
        "build_with_real_embedding_extrapolated_min": (build + total * per_passage) / 60,
    }


def ensure_synthetic(ctx: Context) -> tuple[Path, Any, Any]:
    if "synthetic" not in ctx._cache:
        ctx.results.setdefault("synthetic", section_synthetic(ctx))
    return ctx._cache["synthetic"]


# --------------------------------------------------------------------------- query latency, recall
def question_vectors(ctx: Context) -> np.ndarray:
    return ctx.cached("qvectors", lambda: real_embedder(ctx).embed_passages(questions(ctx)))


def section_query(ctx: Context) -> dict[str, Any]:
    """Warm latency: query encoding, hybrid search on the seed, and search on the synthetic index per FAISS type."""
    from rag.index import _prepare_for_search
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    asked = questions(ctx)
    embedder = real_embedder(ctx)
    encode = []
    for question in asked[:100]:
        started = time.perf_counter()
        embedder.embed_query(question)
        encode.append(1000 * (time.perf_counter() - started))
    result: dict[str, Any] = {"encode_query_ms": percentiles(encode)}
    say(f"  query encoding (torch): p50 {result['encode_query_ms']['p50']:.1f} ms, "
        f"p95 {result['encode_query_ms']['p95']:.1f} ms")
    seed = Pipeline(Settings(index_dir=seed_index(ctx), query_encoder="torch"), embedder=embedder)
    seed.search(asked[0])
    for mode in ("hybrid", "dense", "lexical"):
        times = []
        for question in asked:
            started = time.perf_counter()
            seed.search(question, k=10, mode=mode)
            times.append(1000 * (time.perf_counter() - started))
        result[f"seed_{mode}_ms"] = percentiles(times)
        say(f"  seed, {mode} search incl. encoding: p50 {result[f'seed_{mode}_ms']['p50']:.1f} ms, "
            f"p95 {result[f'seed_{mode}_ms']['p95']:.1f} ms ({len(times)} questions)")
    _, synthetic, pipeline = ensure_synthetic(ctx)
    vectors = question_vectors(ctx)
    memo = dict(zip(asked, vectors, strict=True))

    class Precomputed:
        name = synthetic.name
        dimension = synthetic.dimension

        def embed_query(self, text: str) -> np.ndarray:
            if text not in memo:  # questions with alias expansions appended
                memo[text] = embedder.embed_query(text)
            return memo[text]

        def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
            return np.stack([self.embed_query(t) for t in texts])

    from rag.retrieve import Retriever

    snapshot = pipeline.snapshot()
    flat = snapshot.vectors
    retriever = Retriever(Precomputed())
    for kind in ("flat", "hnsw", "ivf"):
        snapshot.vectors = _prepare_for_search(ctx._cache.get(f"faiss-{kind}", flat))
        for mode in ("hybrid", "dense"):
            retriever.search(snapshot, asked[0], 10, mode=mode)
            times = []
            for question in asked:
                started = time.perf_counter()
                retriever.search(snapshot, question, 10, mode=mode)
                times.append(1000 * (time.perf_counter() - started))
            key = f"synthetic_{kind}_{mode}_ms"
            result[key] = percentiles(times)
            say(f"  {snapshot.size:,} passages, {kind} {mode} search (query vector precomputed): "
                f"p50 {result[key]['p50']:.1f} ms, p95 {result[key]['p95']:.1f} ms")
    snapshot.vectors = flat
    return result


def section_recall(ctx: Context) -> dict[str, Any]:
    """recall@10 of HNSW and IVF against exact search, eval questions as queries."""
    from rag.index import _prepare_for_search

    ensure_synthetic(ctx)
    vectors = question_vectors(ctx)
    _, exact = ctx._cache["faiss-flat"].search(vectors, 10)
    result: dict[str, Any] = {}
    hnsw = _prepare_for_search(ctx._cache["faiss-hnsw"])
    ivf = _prepare_for_search(ctx._cache["faiss-ivf"])
    default_ef, default_nprobe = hnsw.hnsw.efSearch, ivf.nprobe
    settings = [("hnsw", "efSearch", value) for value in (64, 128, 256, 512)]
    settings += [("ivf", "nprobe", value) for value in (4, 16, 64)]
    for kind, knob, value in settings:
        index = hnsw if kind == "hnsw" else ivf
        if kind == "hnsw":
            index.hnsw.efSearch = value
        else:
            index.nprobe = value
        started = time.perf_counter()
        _, found = index.search(vectors, 10)
        per_query = 1000 * (time.perf_counter() - started) / len(vectors)
        recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, found, strict=True)]))
        default = value == (default_ef if kind == "hnsw" else default_nprobe)
        result[f"{kind}_{knob}={value}"] = {"recall@10": recall, "ms_per_query": per_query, "default": default}
        say(f"  {kind} {knob}={value}{' (default)' if default else ''}: recall@10 vs flat {recall:.3f}, "
            f"{per_query:.2f} ms/query ({len(vectors)} queries)")
    hnsw.hnsw.efSearch, ivf.nprobe = default_ef, default_nprobe
    return result


# --------------------------------------------------------------------------- memory
# VmHWM (peak RSS of this address space) rather than ru_maxrss, which a child inherits from its parent
_MEMORY_CHILD = """
import json, re, sys
from rag.pipeline import Pipeline
from rag.settings import Settings
def peak():
    status = open("/proc/self/status").read()
    return int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) / 1024
questions = json.loads(sys.stdin.read())
pipeline = Pipeline(Settings(index_dir=sys.argv[1], query_encoder=sys.argv[2]))
snapshot = pipeline.snapshot()
loaded = peak()
for q in questions:
    pipeline.search(q, k=10)
print(json.dumps({"loaded_mib": loaded, "peak_mib": peak(), "encoder": type(pipeline.query_embedder).__name__}))
"""


def peak_memory(index: Path, asked: Sequence[str], encoder: str) -> dict[str, Any]:
    """Peak RSS (MiB) of a fresh process after loading ``index`` and after running the questions."""
    result = subprocess.run([sys.executable, "-c", _MEMORY_CHILD, str(index), encoder], input=json.dumps(list(asked)),
                            capture_output=True, text=True, cwd=ROOT, check=True)
    return dict(json.loads(result.stdout.strip().splitlines()[-1]))


def with_onnx_export(ctx: Context, index: Path) -> Path:
    """Make the ONNX query encoder export in ``index`` (indexes here are built with query_encoder=torch)."""
    from rag.onnx_encoder import export_onnx, find_export

    embedder = real_embedder(ctx)
    if find_export(index, embedder.name) is None:
        export_onnx(embedder.name, index, model=embedder._load())
    return index


def section_memory(ctx: Context) -> dict[str, Any]:
    """Peak RSS of a fresh process that loads the index, then runs the questions (torch or ONNX query encoder)."""
    asked = questions(ctx)[:50]
    result = {}
    folder, _, _ = ensure_synthetic(ctx)
    for name, index in (("seed", seed_index(ctx)), (f"{ctx.args.passages}", folder)):
        with_onnx_export(ctx, index)
        for encoder in ("torch", "onnx"):
            figures = peak_memory(index, asked, encoder)
            result[f"{name}_{encoder}"] = figures
            say(f"  {name} index, query encoder {encoder} ({figures['encoder']}): peak {figures['loaded_mib']:.0f} MiB "
                f"with the index loaded, {figures['peak_mib']:.0f} MiB after {len(asked)} questions")
    return result


def section_ask(ctx: Context) -> dict[str, Any]:
    """Cold `rag ask` against the textbook recipe (scripts/bench_ask.py)."""
    index = with_onnx_export(ctx, seed_index(ctx))
    # In a small process of its own: a child's peak RSS (ru_maxrss) starts from its parent's at fork,
    # and this process holds the models and the synthetic index by now.
    result = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "bench_ask.py"), "--runs", str(ctx.args.runs),
         "--index-dir", str(index), "--json"],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )
    table, _, figures = result.stdout.partition("\n{")
    say("  " + table.strip().replace("\n", "\n  "))
    return dict(json.loads("{" + figures)) if figures else {}


SECTIONS: dict[str, Callable[[Context], dict[str, Any]]] = {
    "seed": section_seed,
    "synthetic": section_synthetic,
    "query": section_query,
    "recall": section_recall,
    "memory": section_memory,
    "ask": section_ask,
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", nargs="*", choices=list(SECTIONS), help="sections to run (default: all)")
    parser.add_argument("--passages", type=int, default=100_000, help="size of the synthetic corpus")
    parser.add_argument("--runs", type=int, default=3, help="repetitions for medians")
    parser.add_argument("--embed-sample", type=int, default=300, help="passages embedded to time the real model")
    parser.add_argument("--noise", type=float, default=0.03, help="per-dimension noise of synthetic vectors")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--work", type=Path, help="scratch folder (default: a temporary one, removed)")
    args = parser.parse_args(argv)
    work = args.work or Path(tempfile.mkdtemp(prefix="rag-bench-"))
    ctx = Context(args=args, work=work)
    try:
        for name in args.only or list(SECTIONS):
            say(f"== {name}: {SECTIONS[name].__doc__}")
            started = time.perf_counter()
            ctx.results[name] = SECTIONS[name](ctx)
            say(f"   ({time.perf_counter() - started:.0f} s)")
    finally:
        if args.work is None:
            shutil.rmtree(work, ignore_errors=True)
    if args.json:
        args.json.write_text(json.dumps(ctx.results, indent=2, default=float))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
