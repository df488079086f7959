"""The evaluation harness: suites of known answers, metrics, baselines, reports.

A *suite* is a JSONL file under ``evals/suites/`` (one question per line) with a
``<name>.corpus`` file next to it listing the documents it is about (paths
relative to the repository root)::

    {"id": "seed-001", "question": "What is UNODC asked to do on biometrics?",
     "expected": [{"doc": "E/CN.15/2019/L.8/Rev.1", "label": "OP 9"}],
     "key_phrases": ["collect, record and share biometric data"],
     "tags": ["paraphrase", "acronym"], "split": "dev"}

``expected`` is empty for a question the corpus does not answer (tag
``unanswerable``). Several expected passages mean "any of these answers it",
except for questions tagged ``list``, which need all of them (recall counts the
share found).

For each suite, :func:`evaluate` builds (or reuses) an index of the suite's
corpus under ``evals/.index/<suite>-<hash>/`` (the hash covers the corpus
files, the embedding model and the ingest code, so any change rebuilds it),
then for every question:

* **retrieval**: ``Pipeline.search(question, k=10)`` in hybrid mode gives
  recall@1/3/5/10, MRR and nDCG@10;
* **answer**: ``Pipeline.ask(question)`` gives citation@1 (the first citation
  is an expected passage), key-phrase containment (the answer quotes the key
  phrases), abstention precision/recall (positive class: abstained on an
  unanswerable question) and latency;
* **baselines**, same questions, same passages: BM25 only and dense only
  (``search(mode="lexical"|"dense")``) and the textbook LangChain recipe
  (:mod:`rag.baselines`), whose chunks are judged by ``chunk_covers``;
* **generated answers**, when an LLM is configured (``RAG_LLM_MODEL``):
  ``Pipeline.generate`` replaces ``ask`` and the report adds ALCE-style
  citation precision and recall (:func:`alce_citation_scores` is the same
  measure as a standalone function over sentences and their cited passages).

**The pipeline only ever receives the question text.** Every call into it goes
through :func:`_blind_search` and :func:`_blind_ask`, which take a ``str``;
expected passages and key phrases are read only afterwards, by the scoring
functions, which never call the pipeline.

Reports (JSON, Markdown, PNG charts) are written by :mod:`rag.eval_report`.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
import shutil
import statistics
import subprocess
import time
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from rag.errors import InputError, RagError
from rag.settings import Settings
from rag.types import Answer, Hit, Passage, normalise_label

#: Repository root (the folder holding ``evals/``); suites and corpus paths are relative to it.
ROOT = Path(__file__).resolve().parents[1]
SUITES_DIR = Path("evals/suites")
REPORTS_DIR = Path("evals/reports")
INDEX_ROOT = Path("evals/.index")
FLOORS_FILE = Path("evals/floors.json")

#: Depth of every ranking scored (recall@10, nDCG@10).
DEPTH = 10
RECALL_KS = (1, 3, 5, 10)
SPLITS = ("dev", "test", "all")
#: Retrieval modes of ``Pipeline.search`` run as baselines, with the names reports use.
MODE_BASELINES = {"bm25": "lexical", "dense": "dense"}
TEXTBOOK = "langchain"
#: Metrics every retrieval system has (the system and each baseline): the gains are computed on these.
RETRIEVAL_METRICS = ("recall@1", "recall@3", "recall@5", "recall@10", "mrr", "ndcg@10")
ANSWER_METRICS = ("citation@1", "key_phrases", "abstention_precision", "abstention_recall")
#: Modules whose code does not affect what gets indexed; a change elsewhere in ``rag/`` rebuilds suite indexes.
_NOT_INGEST = {"evaluate.py", "eval_report.py", "baselines.py", "cli.py", "render.py", "llm.py", "generate.py"}


# =========================================================================== suites


@dataclass(frozen=True)
class ExpectedPassage:
    """A passage that answers a question: document symbol and label (``OP 9``)."""

    doc: str
    label: str

    @property
    def key(self) -> str:
        return passage_key(self.doc, self.label)

    def __str__(self) -> str:
        return f"{self.doc}, {self.label}"


@dataclass(frozen=True)
class EvalQuestion:
    """One line of a suite."""

    id: str
    question: str
    expected: tuple[ExpectedPassage, ...]
    key_phrases: tuple[str, ...] = ()
    tags: tuple[str, ...] = ()
    split: str = "test"

    @property
    def answerable(self) -> bool:
        return bool(self.expected)

    @property
    def needs_all(self) -> bool:
        """A ``list`` question needs every expected passage; others need any one of them."""
        return "list" in self.tags


@dataclass
class Suite:
    """A named set of questions over a corpus."""

    name: str
    path: Path
    questions: list[EvalQuestion]
    corpus: list[Path]

    def select(self, split: str) -> list[EvalQuestion]:
        if split not in SPLITS:
            raise InputError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
        return [q for q in self.questions if split == "all" or q.split == split]


def passage_key(doc: str, label: str) -> str:
    """Comparable identity of a passage.

    >>> passage_key("E/CN.15/2019/L.8/Rev.1", "op 5(a)") == passage_key("E/CN.15/2019/L.8/Rev.1", "OP 5 (a)")
    True
    """
    return f"{doc_key(doc)}|{normalise_label(label)}"


def doc_key(doc: str) -> str:
    """Comparable form of a document symbol (spacing and case ignored).

    >>> doc_key("S/RES/2730 (2024)")
    'S/RES/2730(2024)'
    """
    return re.sub(r"\s+", "", doc).upper()


def _require(condition: bool, where: str, message: str) -> None:
    if not condition:
        raise InputError(f"{where}: {message}")


def parse_question(record: Any, where: str) -> EvalQuestion:
    """Validate one suite record (a decoded JSON object); errors name the file and line."""
    _require(isinstance(record, dict), where, "each line must be a JSON object")
    unknown = set(record) - {"id", "question", "expected", "key_phrases", "tags", "split"}
    _require(not unknown, where, f"unknown field(s) {sorted(unknown)}")
    qid, question = record.get("id"), record.get("question")
    _require(isinstance(qid, str) and bool(qid.strip()), where, "'id' must be a non-empty string")
    _require(isinstance(question, str) and bool(question.strip()), where, "'question' must be a non-empty string")
    expected = record.get("expected")
    _require(isinstance(expected, list), where, "'expected' must be a list (empty for an unanswerable question)")
    passages = []
    for item in expected:
        _require(
            isinstance(item, dict) and isinstance(item.get("doc"), str) and isinstance(item.get("label"), str),
            where,
            'each expected passage must be {"doc": SYMBOL, "label": LABEL}',
        )
        passages.append(ExpectedPassage(item["doc"], item["label"]))
    phrases = record.get("key_phrases", [])
    tags = record.get("tags", [])
    _require(
        isinstance(phrases, list) and all(isinstance(p, str) and p for p in phrases),
        where,
        "'key_phrases' must be a list of non-empty strings",
    )
    _require(
        isinstance(tags, list) and all(isinstance(t, str) and t for t in tags),
        where,
        "'tags' must be a list of non-empty strings",
    )
    split = record.get("split", "test")
    _require(split in ("dev", "test"), where, "'split' must be 'dev' or 'test'")
    _require(
        ("unanswerable" in tags) == (not passages),
        where,
        "a question has no expected passage exactly when it is tagged 'unanswerable'",
    )
    _require(not (phrases and not passages), where, "an unanswerable question cannot have key phrases")
    return EvalQuestion(qid, question, tuple(passages), tuple(phrases), tuple(tags), split)


def suite_path(name_or_path: str | Path, root: Path = ROOT) -> Path:
    """``seed`` -> ``<root>/evals/suites/seed.jsonl``; an existing path is used as it is."""
    candidate = Path(name_or_path)
    if candidate.suffix == ".jsonl" and candidate.exists():
        return candidate
    named = root / SUITES_DIR / f"{name_or_path}.jsonl"
    if named.exists():
        return named
    known = ", ".join(p.stem for p in discover_suites(root)) or "none"
    raise InputError(f"no evaluation suite {str(name_or_path)!r} (known suites: {known}; or give a .jsonl path)")


def discover_suites(root: Path = ROOT) -> list[Path]:
    """Every suite under ``evals/suites/``, by name."""
    return sorted((root / SUITES_DIR).glob("*.jsonl"))


def load_suite(name_or_path: str | Path, root: Path = ROOT) -> Suite:
    """Read and validate a suite and its corpus list.

    Question ids must be unique; every corpus path must exist.
    """
    path = suite_path(name_or_path, root)
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{path}:{number}"
        try:
            record = json.loads(line)
        except json.JSONDecodeError as error:
            raise InputError(f"{where}: not valid JSON ({error.msg})") from None
        question = parse_question(record, where)
        _require(question.id not in seen, where, f"duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise InputError(f"{path}: the suite holds no question")
    corpus_list = path.with_suffix(".corpus")
    if not corpus_list.exists():
        raise InputError(f"{path}: no corpus list {corpus_list.name} next to it (one document path per line)")
    corpus = []
    for line in corpus_list.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            document = (root / line.strip()).resolve()
            if not document.exists():
                raise InputError(f"{corpus_list}: {line.strip()} does not exist (paths are relative to {root})")
            corpus.append(document)
    return Suite(path.stem, path, questions, corpus)


# =========================================================================== metrics


def first_relevant_rank(ranking: Sequence[Iterable[str]], expected: set[str]) -> int | None:
    """1-based rank of the first retrieved item holding an expected passage, or ``None``.

    Each item of ``ranking`` is the set of passage keys that item holds (one
    passage for the system; possibly several, or none, for a text chunk).

    >>> first_relevant_rank([{"a"}, {"b"}, {"c"}], {"c", "z"})
    3
    >>> first_relevant_rank([{"a"}], {"z"}) is None
    True
    """
    for rank, item in enumerate(ranking, start=1):
        if expected.intersection(item):
            return rank
    return None


def recall_at_k(ranking: Sequence[Iterable[str]], expected: set[str], k: int, *, needs_all: bool = False) -> float:
    """Recall at ``k``: 1.0 when any expected passage is in the top ``k`` or, for a
    ``list`` question (``needs_all``), the share of expected passages found there.

    >>> ranking = [{"a"}, {"b"}, {"c"}, {"d"}]
    >>> recall_at_k(ranking, {"b", "d"}, 1), recall_at_k(ranking, {"b", "d"}, 3)
    (0.0, 1.0)
    >>> recall_at_k(ranking, {"b", "d", "x"}, 4, needs_all=True)
    0.6667
    """
    found: set[str] = set()
    for item in ranking[:k]:
        found |= expected.intersection(item)
    if needs_all:
        return round(len(found) / len(expected), 4) if expected else 0.0
    return 1.0 if found else 0.0


def reciprocal_rank(ranking: Sequence[Iterable[str]], expected: set[str]) -> float:
    """1 / rank of the first relevant item (0 when none is retrieved).

    >>> reciprocal_rank([{"a"}, {"b"}, {"c"}], {"b"})
    0.5
    """
    rank = first_relevant_rank(ranking, expected)
    return 1.0 / rank if rank else 0.0


def ndcg_at_k(ranking: Sequence[Iterable[str]], expected: set[str], k: int = DEPTH) -> float:
    """Binary-gain nDCG at ``k``; an item gains 1 when it brings an expected passage not seen above it.

    The ideal ranking puts ``min(len(expected), k)`` relevant items first.

    >>> ndcg_at_k([{"a"}, {"x"}], {"a"})
    1.0
    >>> ndcg_at_k([{"x"}, {"a"}], {"a"})     # 1 / log2(3)
    0.6309
    >>> ndcg_at_k([{"x"}, {"a"}, {"b"}], {"a", "b"})   # (1/log2 3 + 1/log2 4) / (1 + 1/log2 3)
    0.6934
    """
    if not expected:
        return 0.0
    seen: set[str] = set()
    dcg = 0.0
    for rank, item in enumerate(ranking[:k], start=1):
        new = expected.intersection(item) - seen
        if new:
            dcg += 1.0 / math.log2(rank + 1)
            seen |= new
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(len(expected), k) + 1))
    return round(dcg / ideal, 4)


_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "–": "-",
        "—": "-",
        "‐": "-",
        "‑": "-",
        "\u00a0": " ",
    }
)


def normalise_for_match(text: str) -> str:
    """Text reduced for phrase matching: Unicode NFKC, straight quotes and hyphens, one space, case-folded.

    >>> normalise_for_match("INTERPOL’s  “soft”\\n targets")
    'interpol\\'s "soft" targets'
    """
    text = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    return re.sub(r"\s+", " ", text).strip().casefold()


def key_phrase_score(answer_text: str, phrases: Sequence[str]) -> tuple[float, list[str]]:
    """Share of ``phrases`` quoted in the answer, and the ones missing.

    >>> key_phrase_score("... to collect, record and\\nshare biometric data [OP 9]", ["collect, record and share"])
    (1.0, [])
    >>> key_phrase_score("nothing", ["a b", "nothing"])
    (0.5, ['a b'])
    """
    haystack = normalise_for_match(answer_text)
    missing = [p for p in phrases if normalise_for_match(p) not in haystack]
    return (round(1 - len(missing) / len(phrases), 4) if phrases else 1.0), missing


def percentile(values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0..100); ``None`` for no values.

    >>> percentile([10, 20, 30, 40], 50), percentile([10, 20, 30, 40], 95)
    (25.0, 38.5)
    """
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q / 100
    low = math.floor(position)
    high = min(low + 1, len(ordered) - 1)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (position - low), 2)


def safe_ratio(numerator: float, denominator: float) -> float | None:
    """``numerator / denominator`` rounded, or ``None`` when the denominator is 0."""
    return round(numerator / denominator, 4) if denominator else None


def mean(values: Iterable[float | None]) -> float | None:
    """Mean of the defined values, ``None`` when there is none."""
    defined = [v for v in values if v is not None]
    return round(statistics.fmean(defined), 4) if defined else None


# --------------------------------------------------------------------------- ALCE citation quality


@dataclass(frozen=True)
class Statement:
    """One generated sentence and the texts of the passages it cites."""

    sentence: str
    cited: tuple[str, ...]


SupportFn = Callable[[str, str], bool]


def default_support(threshold: float | None = None) -> SupportFn:
    """The generator's own support test (:func:`rag.generate.support_score`) as a ``(sentence, evidence)`` judge."""
    from rag.generate import SUPPORT_THRESHOLD, support_score

    limit = SUPPORT_THRESHOLD if threshold is None else threshold
    return lambda sentence, evidence: support_score(sentence, evidence).supported(limit)


def alce_citation_scores(statements: Sequence[Statement], supports: SupportFn) -> dict[str, float | None]:
    """ALCE citation recall and precision (Gao et al., 2023) with a pluggable support judge.

    * recall: share of sentences supported by the concatenation of their citations
      (a sentence with no citation is unsupported);
    * precision: share of citations that are not *irrelevant*; a citation is
      irrelevant when its sentence is not supported, or when it does not
      support the sentence alone and the other citations still do without it.

    >>> judge = lambda sentence, evidence: all(w in evidence for w in sentence.split())
    >>> alce_citation_scores([Statement("a b", ("a b", "z")), Statement("c", ("x",))], judge)
    {'citation_recall': 0.5, 'citation_precision': 0.3333}
    """
    if not statements:
        return {"citation_recall": None, "citation_precision": None}
    supported = 0
    total_citations = 0
    precise = 0
    for statement in statements:
        cited = list(statement.cited)
        total_citations += len(cited)
        if not cited or not supports(statement.sentence, "\n".join(cited)):
            continue
        supported += 1
        for index, text in enumerate(cited):
            others = cited[:index] + cited[index + 1 :]
            irrelevant = (
                len(cited) > 1
                and not supports(statement.sentence, text)
                and supports(statement.sentence, "\n".join(others))
            )
            precise += not irrelevant
    return {
        "citation_recall": safe_ratio(supported, len(statements)),
        "citation_precision": safe_ratio(precise, total_citations),
    }


def answer_alce(answer: Answer) -> dict[str, float | None] | None:
    """ALCE figures of a generated answer, as the generator computed them (``None`` for an extractive answer)."""
    generation = answer.extra.get("generation")
    if not isinstance(generation, dict):
        return None
    return {
        "citation_precision": generation.get("citation_precision"),
        "citation_recall": generation.get("citation_recall"),
    }


# =========================================================================== systems under test


class PipelineLike(Protocol):
    """What the harness needs from ``rag.pipeline.Pipeline``."""

    def search(self, query: str, k: int = ..., *, doc: Any = ..., kind: Any = ..., mode: str = ...) -> list[Hit]: ...

    def ask(self, question: str, k: int | None = ..., *, doc: Any = ..., kind: Any = ...) -> Answer: ...

    def passages(self) -> list[Passage]: ...


@dataclass
class Retrieved:
    """One ranked item from a system: a passage (``key`` set) or a text chunk (``key`` empty)."""

    key: str
    display: str
    text: str = ""
    doc: str = ""


class RankingSystem(Protocol):
    name: str

    def retrieve(self, question: str, k: int) -> list[Retrieved]: ...


def _blind_search(pipeline: PipelineLike, question: str, k: int, mode: str) -> list[Hit]:
    """The only way the harness searches: the question text, nothing else."""
    return pipeline.search(question, k=k, mode=mode)


def _blind_ask(pipeline: PipelineLike, question: str, generate: bool) -> Answer:
    """The only way the harness asks: the question text. With an LLM configured, ``Pipeline.generate``
    (the extractive answer plus the checked generated one in ``extra``)."""
    if generate:
        return pipeline.generate(question)  # type: ignore[attr-defined]
    return pipeline.ask(question)


@dataclass
class PipelineRanking:
    """``Pipeline.search`` in one mode, as a ranking system."""

    name: str
    pipeline: PipelineLike
    mode: str

    def retrieve(self, question: str, k: int) -> list[Retrieved]:
        return [
            Retrieved(passage_key(h.passage.doc, h.passage.label), f"{h.passage.doc}, {h.passage.label}")
            for h in _blind_search(self.pipeline, question, k, self.mode)
        ]


@dataclass
class TextbookRanking:
    """The textbook LangChain recipe as a ranking system; ``source_docs`` maps a file path to its symbol."""

    rag: Any
    source_docs: Mapping[str, str]
    name: str = TEXTBOOK

    def retrieve(self, question: str, k: int) -> list[Retrieved]:
        items = []
        for chunk in self.rag.search(question, k=k):
            doc = self.source_docs.get(chunk.source, "")
            preview = re.sub(r"\s+", " ", chunk.text)[:60]
            items.append(Retrieved("", f"{doc or Path(chunk.source).name}: {preview}…", chunk.text, doc))
        return items


def judge_ranking(
    items: Sequence[Retrieved], expected: Sequence[ExpectedPassage], passage_texts: Mapping[str, str]
) -> list[set[str]]:
    """For each retrieved item, the set of expected passage keys it holds (scoring only).

    A passage item holds its own key; a chunk holds every expected passage of its
    document that :func:`rag.baselines.chunk_covers` finds in it.
    """
    from rag.baselines import chunk_covers

    wanted = {e.key: e for e in expected}
    judged: list[set[str]] = []
    for item in items:
        if item.key:
            judged.append({item.key} & set(wanted))
            continue
        held = set()
        for key, passage in wanted.items():
            text = passage_texts.get(key)
            if text and doc_key(item.doc) == doc_key(passage.doc) and chunk_covers(item.text, text):
                held.add(key)
        judged.append(held)
    return judged


def score_ranking(judged: Sequence[set[str]], question: EvalQuestion) -> dict[str, Any]:
    """Retrieval metrics of one judged ranking for one answerable question."""
    expected = {e.key for e in question.expected}
    scores: dict[str, Any] = {
        f"recall@{k}": recall_at_k(judged, expected, k, needs_all=question.needs_all) for k in RECALL_KS
    }
    scores["mrr"] = round(reciprocal_rank(judged, expected), 4)
    scores["ndcg@10"] = ndcg_at_k(judged, expected, DEPTH)
    scores["first_rank"] = first_relevant_rank(judged, expected)
    return scores


# =========================================================================== running


@dataclass
class QuestionResult:
    """Everything measured for one question (serialised into the report's ``questions``)."""

    suite: str
    question: EvalQuestion
    retrieval: dict[str, dict[str, Any]] = field(default_factory=dict)
    rankings: dict[str, list[str]] = field(default_factory=dict)
    search_ms: dict[str, float] = field(default_factory=dict)
    abstained: bool = False
    citations: list[str] = field(default_factory=list)
    answer_text: str = ""
    citation_at_1: bool | None = None
    key_phrases: float | None = None
    missing_phrases: list[str] = field(default_factory=list)
    ask_ms: float = 0.0
    alce: dict[str, float | None] | None = None
    error: str = ""

    @property
    def outcome(self) -> str:
        """One word for what happened, compared across reports by ``--compare``."""
        if self.error:
            return "error"
        if not self.question.answerable:
            return "abstained" if self.abstained else "answered-unanswerable"
        if self.abstained:
            return "false-abstention"
        return "correct" if self.citation_at_1 else "wrong-citation"

    def to_json(self) -> dict[str, Any]:
        q = self.question
        return {
            "suite": self.suite,
            "id": q.id,
            "question": q.question,
            "tags": list(q.tags),
            "split": q.split,
            "expected": [str(e) for e in q.expected],
            "key_phrases": list(q.key_phrases),
            "outcome": self.outcome,
            "abstained": self.abstained,
            "citations": self.citations,
            "citation@1": self.citation_at_1,
            "key_phrase_score": self.key_phrases,
            "missing_phrases": self.missing_phrases,
            "answer": self.answer_text[:1500],
            "latency_ms": {
                "ask": round(self.ask_ms, 2),
                **{f"search_{k}": round(v, 2) for k, v in self.search_ms.items()},
            },
            "retrieval": self.retrieval,
            "rankings": self.rankings,
            "alce": self.alce,
            "error": self.error,
        }


def run_question(
    suite: str,
    question: EvalQuestion,
    pipeline: PipelineLike,
    systems: Sequence[RankingSystem],
    passage_texts: Mapping[str, str],
    *,
    generate: bool = False,
) -> QuestionResult:
    """Run one question through the system (and the baselines), then score it.

    Phase 1 calls the pipeline and the ranking systems with ``question.question``
    only; phase 2 compares what came back with ``question.expected`` and
    ``question.key_phrases``.
    """
    result = QuestionResult(suite, question)
    text = question.question
    # ---- phase 1: the systems see the question text only
    raw: dict[str, list[Retrieved]] = {}
    for system in systems:
        started = time.perf_counter()
        raw[system.name] = system.retrieve(text, DEPTH)
        result.search_ms[system.name] = (time.perf_counter() - started) * 1000
    started = time.perf_counter()
    try:
        answer = _blind_ask(pipeline, text, generate)
    except RagError as error:  # a refused question is a result, not a crash of the whole run
        result.ask_ms = (time.perf_counter() - started) * 1000
        result.error = f"{type(error).__name__}: {error}"
        answer = Answer(question=text, answer="", abstained=True)
    else:
        result.ask_ms = (time.perf_counter() - started) * 1000
    # ---- phase 2: scoring against the suite's expectations
    for name, items in raw.items():
        result.rankings[name] = [item.display for item in items]
        if question.answerable:
            judged = judge_ranking(items, question.expected, passage_texts)
            result.retrieval[name] = score_ranking(judged, question)
    result.abstained = bool(answer.abstained)
    result.citations = [f"{c.doc}, {c.label}" for c in answer.citations]
    result.answer_text = answer.answer
    expected = {e.key for e in question.expected}
    if question.answerable:
        first = answer.citations[0] if answer.citations and not answer.abstained else None
        result.citation_at_1 = bool(first and passage_key(first.doc, first.label) in expected)
        if question.key_phrases:
            if answer.abstained:
                result.key_phrases, result.missing_phrases = 0.0, list(question.key_phrases)
            else:
                result.key_phrases, result.missing_phrases = key_phrase_score(answer.answer, question.key_phrases)
    result.alce = answer_alce(answer)
    return result


def aggregate(results: Sequence[QuestionResult], system: str = "system") -> dict[str, Any]:
    """Metrics over a set of question results: retrieval of ``system`` plus the answer metrics."""
    answerable = [r for r in results if r.question.answerable]
    unanswerable = [r for r in results if not r.question.answerable]
    metrics: dict[str, Any] = {
        "questions": len(results),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
    }
    for name in RETRIEVAL_METRICS:
        metrics[name] = mean(r.retrieval.get(system, {}).get(name) for r in answerable)
    if system != "system":
        metrics["latency_p50_ms"] = percentile([r.search_ms[system] for r in results if system in r.search_ms], 50)
        metrics["latency_p95_ms"] = percentile([r.search_ms[system] for r in results if system in r.search_ms], 95)
        return metrics
    metrics["citation@1"] = mean(float(bool(r.citation_at_1)) for r in answerable)
    metrics["key_phrases"] = mean(r.key_phrases for r in answerable)
    true_abstentions = sum(r.abstained for r in unanswerable)
    metrics["abstention_precision"] = safe_ratio(true_abstentions, sum(r.abstained for r in results))
    metrics["abstention_recall"] = safe_ratio(true_abstentions, len(unanswerable))
    metrics["latency_p50_ms"] = percentile([r.ask_ms for r in results], 50)
    metrics["latency_p95_ms"] = percentile([r.ask_ms for r in results], 95)
    metrics["search_p50_ms"] = percentile([r.search_ms["system"] for r in results if "system" in r.search_ms], 50)
    metrics["errors"] = sum(bool(r.error) for r in results)
    generated = [r.alce for r in results if r.alce]
    if generated:
        metrics["alce_citation_precision"] = mean(a.get("citation_precision") for a in generated)
        metrics["alce_citation_recall"] = mean(a.get("citation_recall") for a in generated)
        metrics["generated_answers"] = len(generated)
    return metrics


def by_tag(results: Sequence[QuestionResult], system: str = "system") -> dict[str, dict[str, Any]]:
    """:func:`aggregate` for each tag (a question counts under each of its tags)."""
    tags = sorted({t for r in results for t in r.question.tags})
    return {tag: aggregate([r for r in results if tag in r.question.tags], system) for tag in tags}


def gains(system: Mapping[str, Any], baseline: Mapping[str, Any]) -> dict[str, float | None]:
    """System minus baseline on each retrieval metric.

    >>> gains({"mrr": 0.9, "recall@1": 0.8}, {"mrr": 0.6, "recall@1": None})["mrr"]
    0.3
    """
    out: dict[str, float | None] = {}
    for name in RETRIEVAL_METRICS:
        a, b = system.get(name), baseline.get(name)
        out[name] = round(a - b, 4) if a is not None and b is not None else None
    return out


def summarise(results: Sequence[QuestionResult], baseline_names: Sequence[str]) -> dict[str, Any]:
    """The ``metrics``/``by_tag``/``baselines`` block of a report for these results."""
    metrics = aggregate(results)
    baselines = {}
    for name in baseline_names:
        base = aggregate(results, name)
        baselines[name] = {"metrics": base, "by_tag": by_tag(results, name), "gain": gains(metrics, base)}
    return {"metrics": metrics, "by_tag": by_tag(results), "baselines": baselines}


# --------------------------------------------------------------------------- indexes per suite


def ingest_code_hash() -> str:
    """Hash of the ``rag/`` modules that shape the index (everything but the eval, CLI and generation code)."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.glob("*.py")):
        if path.name not in _NOT_INGEST:
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def corpus_hash(suite: Suite, settings: Settings) -> str:
    """What a suite index depends on: corpus bytes, embedding model and ingest code."""
    digest = hashlib.sha256(f"{settings.embedding_model}\0{settings.vector_index}\0".encode())
    for path in suite.corpus:
        digest.update(path.name.encode() + b"\0" + path.read_bytes())
    digest.update(ingest_code_hash().encode())
    return digest.hexdigest()[:12]


def suite_index_dir(suite: Suite, settings: Settings, root: Path = ROOT) -> Path:
    return root / INDEX_ROOT / f"{suite.name}-{corpus_hash(suite, settings)}"


def open_suite_pipeline(suite: Suite, settings: Settings, *, root: Path = ROOT, embedder: Any = None) -> Any:
    """A pipeline over the suite's corpus, built once and reused while nothing it depends on changes.

    Older indexes of the same suite are removed once the new one is built.
    """
    from rag.pipeline import Pipeline

    index_dir = suite_index_dir(suite, settings, root)
    pipeline = Pipeline(settings.model_copy(update={"index_dir": index_dir}), embedder=embedder)
    pipeline.ingest(suite.corpus)
    for stale in (root / INDEX_ROOT).glob(f"{suite.name}-*"):
        if (
            stale != index_dir
            and stale.is_dir()
            and re.fullmatch(rf"{re.escape(suite.name)}-[0-9a-f]{{12}}", stale.name)
        ):
            shutil.rmtree(stale, ignore_errors=True)
    return pipeline


def source_symbols(paths: Sequence[Path]) -> dict[str, str]:
    """Document symbol of each corpus file, as the project's parser reads it."""
    from rag.parse import parse_file

    return {str(path): parse_file(path).symbol for path in paths}


# --------------------------------------------------------------------------- the whole run


@dataclass
class SuiteRun:
    """The results of one suite."""

    suite: Suite
    results: list[QuestionResult]
    index_dir: str = ""
    setup_seconds: float = 0.0
    warnings: list[str] = field(default_factory=list)


def missing_expected(suite: Suite, passages: Iterable[Passage]) -> list[str]:
    """Expected passages of the suite that are not in the index (a renumbering parser shows up here)."""
    present = {passage_key(p.doc, p.label) for p in passages}
    return sorted({f"{q.id}: {e}" for q in suite.questions for e in q.expected if e.key not in present})


def run_suite(
    suite: Suite,
    pipeline: PipelineLike,
    *,
    split: str = "all",
    baselines: bool = True,
    textbook: Any = None,
    source_docs: Mapping[str, str] | None = None,
    generate: bool = False,
    progress: Callable[[str], None] | None = None,
) -> SuiteRun:
    """Run a suite's questions (of ``split``) through an already built pipeline.

    ``textbook`` is a built :class:`rag.baselines.TextbookRAG` over the same
    corpus (``None`` skips that baseline); ``source_docs`` maps its chunk
    sources to document symbols.
    """
    passages = pipeline.passages()
    passage_texts = {passage_key(p.doc, p.label): p.text for p in passages}
    systems: list[RankingSystem] = [PipelineRanking("system", pipeline, "hybrid")]
    if baselines:
        systems += [PipelineRanking(name, pipeline, mode) for name, mode in MODE_BASELINES.items()]
        if textbook is not None:
            systems.append(TextbookRanking(textbook, dict(source_docs or {})))
    run = SuiteRun(suite, [])
    run.warnings = [f"{suite.name}: expected passage not in the index: {m}" for m in missing_expected(suite, passages)]
    for question in suite.select(split):
        run.results.append(run_question(suite.name, question, pipeline, systems, passage_texts, generate=generate))
        if progress:
            progress(question.id)
    return run


def llm_configured(settings: Settings) -> bool:
    return bool(settings.llm_model)


def evaluate(
    suite_names: Sequence[str | Path] = (),
    settings: Settings | None = None,
    *,
    split: str = "all",
    baselines: bool = True,
    root: Path = ROOT,
    embedder: Any = None,
    pipeline_factory: Callable[[Suite], PipelineLike] | None = None,
    textbook_factory: Callable[[Suite], Any] | None = None,
    symbols: Callable[[Sequence[Path]], dict[str, str]] | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run suites (default: every suite under ``evals/suites``) and return the report as a dict.

    ``pipeline_factory`` and ``textbook_factory`` replace the real index and the
    textbook recipe, ``symbols`` the parser that names each corpus file's
    document (tests pass fakes); by default each suite gets its own reusable
    index (:func:`open_suite_pipeline`) and a fresh textbook recipe.
    ``progress(question_id)`` is called after each question.
    """
    settings = settings or Settings()
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    paths = [suite_path(name, root) for name in suite_names] if suite_names else discover_suites(root)
    if not paths:
        raise InputError(f"no evaluation suite found under {root / SUITES_DIR}")
    suites = [load_suite(path, root) for path in paths]
    runs: list[SuiteRun] = []
    generate = False
    for suite in suites:
        started = time.perf_counter()
        if pipeline_factory:
            pipeline = pipeline_factory(suite)
            index_dir = ""
        else:
            pipeline = open_suite_pipeline(suite, settings, root=root, embedder=embedder)
            index_dir = str(suite_index_dir(suite, settings, root).relative_to(root))
        generate = llm_configured(settings) and callable(getattr(pipeline, "generate", None))
        textbook, source_docs = None, None
        if baselines:
            if textbook_factory:
                textbook = textbook_factory(suite)
            else:
                from rag.baselines import TextbookRAG

                # the same model object as the index uses: loaded once, and the same weights by construction
                shared = embedder if embedder is not None else getattr(pipeline, "embedder", None)
                textbook = TextbookRAG.build(suite.corpus, embedder=shared)
            source_docs = (symbols or source_symbols)(suite.corpus)
        setup = time.perf_counter() - started
        run = run_suite(
            suite,
            pipeline,
            split=split,
            baselines=baselines,
            textbook=textbook,
            source_docs=source_docs,
            generate=generate,
            progress=progress,
        )
        run.index_dir, run.setup_seconds = index_dir, setup
        runs.append(run)
    return build_report(runs, settings, split=split, baselines=baselines, generate=generate, root=root)


def git_state(root: Path = ROOT) -> dict[str, Any]:
    """Short commit hash and whether tracked files have uncommitted changes (``unknown`` outside git).

    Untracked files (earlier reports, scratch files) do not make a run dirty: they cannot change the code.
    """

    def git(*args: str) -> str:
        return subprocess.run(
            ["git", *args], cwd=root, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()

    try:
        dirty = bool(git("status", "--porcelain", "--untracked-files=no"))
        return {"sha": git("rev-parse", "--short", "HEAD"), "dirty": dirty}
    except (OSError, subprocess.SubprocessError):
        return {"sha": "unknown", "dirty": False}


def build_report(
    runs: Sequence[SuiteRun],
    settings: Settings,
    *,
    split: str,
    baselines: bool,
    generate: bool = False,
    root: Path = ROOT,
) -> dict[str, Any]:
    """The report dict: run information, overall and per-suite summaries, per-question results."""
    names = [*MODE_BASELINES, TEXTBOOK] if baselines else []
    results = [r for run in runs for r in run.results]
    report: dict[str, Any] = {
        "format": 1,
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "git": git_state(root),
        "split": split,
        "settings": {
            "embedding_model": settings.embedding_model,
            "vector_index": settings.vector_index,
            "top_k": settings.top_k,
            "reranker_model": settings.reranker_model,
            "llm_model": settings.llm_model if generate else "",
        },
        "suites": [
            {
                "name": run.suite.name,
                "path": _relative(run.suite.path, root),
                "corpus": [_relative(p, root) for p in run.suite.corpus],
                "questions": len(run.results),
                "index_dir": run.index_dir,
                "setup_seconds": round(run.setup_seconds, 2),
            }
            for run in runs
        ],
        **summarise(results, names),
        "by_suite": {run.suite.name: summarise(run.results, names) for run in runs},
        "questions": [r.to_json() for r in results],
        "warnings": [w for run in runs for w in run.warnings],
    }
    return report


def _relative(path: Path, root: Path) -> str:
    try:
        return str(path.resolve().relative_to(root.resolve()))
    except ValueError:
        return str(path)


# =========================================================================== compare


@dataclass
class Comparison:
    """Differences between two reports: metric deltas and the questions whose outcome changed."""

    metrics: dict[str, dict[str, tuple[Any, Any, float | None]]]
    changed: list[dict[str, Any]]
    only_in_a: list[str]
    only_in_b: list[str]

    def to_json(self) -> dict[str, Any]:
        return {
            "metrics": {
                system: {name: {"a": a, "b": b, "delta": d} for name, (a, b, d) in values.items()}
                for system, values in self.metrics.items()
            },
            "changed": self.changed,
            "only_in_a": self.only_in_a,
            "only_in_b": self.only_in_b,
        }


def load_report(path: Path) -> dict[str, Any]:
    """Read a report written by ``rag eval``; a clear error for anything else."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise InputError(f"cannot read report {path}: {error.strerror or error}") from None
    except json.JSONDecodeError as error:
        raise InputError(f"{path} is not a JSON report ({error.msg}); give a file written by `rag eval`") from None
    if not isinstance(data, dict) or "metrics" not in data or "questions" not in data:
        raise InputError(
            f"{path} is not an evaluation report (no 'metrics'/'questions'); give a file from evals/reports/"
        )
    return data


def _delta(a: Any, b: Any) -> float | None:
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return round(b - a, 4)
    return None


def compare_reports(a: Mapping[str, Any], b: Mapping[str, Any]) -> Comparison:
    """Metric deltas (B minus A) for the system and each baseline, and the questions whose outcome,
    first relevant rank or key-phrase score changed."""
    systems: dict[str, tuple[Mapping[str, Any], Mapping[str, Any]]] = {"system": (a["metrics"], b["metrics"])}
    for name in sorted(set(a.get("baselines", {})) | set(b.get("baselines", {}))):
        systems[name] = (
            a.get("baselines", {}).get(name, {}).get("metrics", {}),
            b.get("baselines", {}).get(name, {}).get("metrics", {}),
        )
    metrics: dict[str, dict[str, tuple[Any, Any, float | None]]] = {}
    for system, (ma, mb) in systems.items():
        names = [
            n
            for n in (
                *RETRIEVAL_METRICS,
                *ANSWER_METRICS,
                "latency_p50_ms",
                "latency_p95_ms",
                "alce_citation_precision",
                "alce_citation_recall",
            )
            if n in ma or n in mb
        ]
        metrics[system] = {n: (ma.get(n), mb.get(n), _delta(ma.get(n), mb.get(n))) for n in names}
    qa = {(q["suite"], q["id"]): q for q in a["questions"]}
    qb = {(q["suite"], q["id"]): q for q in b["questions"]}
    changed = []
    for key in sorted(set(qa) & set(qb)):
        before, after = qa[key], qb[key]
        rank_a = before.get("retrieval", {}).get("system", {}).get("first_rank")
        rank_b = after.get("retrieval", {}).get("system", {}).get("first_rank")
        if (before["outcome"], rank_a, before.get("key_phrase_score")) != (
            after["outcome"],
            rank_b,
            after.get("key_phrase_score"),
        ):
            changed.append(
                {
                    "suite": key[0],
                    "id": key[1],
                    "question": after["question"],
                    "outcome": [before["outcome"], after["outcome"]],
                    "first_rank": [rank_a, rank_b],
                    "key_phrase_score": [before.get("key_phrase_score"), after.get("key_phrase_score")],
                    "citation": [(before.get("citations") or [""])[0], (after.get("citations") or [""])[0]],
                }
            )
    return Comparison(
        metrics,
        changed,
        [f"{s}/{i}" for s, i in sorted(set(qa) - set(qb))],
        [f"{s}/{i}" for s, i in sorted(set(qb) - set(qa))],
    )


# =========================================================================== floors (CI guard)


def load_floors(root: Path = ROOT) -> list[dict[str, Any]]:
    """``evals/floors.json``: the guards the CI runs, each a suite, a split and the floor of each metric.

    The file holds one guard ``{"suite": ..., "split": ..., "floors": {...}}`` or several,
    ``{"guards": [...]}``. Keys starting with ``_`` are comments.
    """
    path = root / FLOORS_FILE
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise InputError(f"cannot read the evaluation floors {path}: {error}") from None
    guards = data.get("guards", [data]) if isinstance(data, dict) else None
    if not isinstance(guards, list) or not all(isinstance(g, dict) and isinstance(g.get("floors"), dict)
                                               for g in guards):
        raise InputError(f'{path}: expected {{"suite": ..., "split": ..., "floors": {{metric: value}}}} '
                         '(or {"guards": [...]} of those)')
    return [{k: v for k, v in guard.items() if not k.startswith("_")} for guard in guards]


def below_floors(metrics: Mapping[str, Any], floors: Mapping[str, float]) -> list[str]:
    """Each metric under its floor, as ``name: value < floor``.

    >>> below_floors({"citation@1": 0.8, "abstention_recall": None}, {"citation@1": 0.85, "abstention_recall": 0.5})
    ['citation@1: 0.8 < 0.85', 'abstention_recall: None < 0.5']
    """
    failures = []
    for name, floor in floors.items():
        value = metrics.get(name)
        if value is None or value < floor:
            failures.append(f"{name}: {value} < {floor}")
    return failures
