"""The evaluation harness with fakes: metrics, suites, runs, reports, compare, floors."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from rag.baselines import Chunk
from rag.cli import app
from rag.errors import InputError
from rag.eval_report import render_markdown, report_stem, write_report
from rag.evaluate import (
    EvalQuestion,
    ExpectedPassage,
    Statement,
    Suite,
    alce_citation_scores,
    below_floors,
    compare_reports,
    evaluate,
    key_phrase_score,
    load_floors,
    load_suite,
    ndcg_at_k,
    parse_question,
    passage_key,
    recall_at_k,
    reciprocal_rank,
    run_suite,
    score_ranking,
)
from rag.settings import Settings
from rag.types import Answer, Citation, Hit, Passage

DOC = "X/RES/1"
PASSAGES = [
    Passage(DOC, "heading", "", "X/RES/1 Resolution on biometrics and prisons, issued without formal editing"),
    Passage(DOC, "preambular", "1", "Recalling the Declaration on a Culture of Peace,", footnotes=("1",)),
    Passage(DOC, "operative", "1", "1. Requests the Office to collect, record and share biometric data;"),
    Passage(DOC, "operative", "2", "2. Encourages States to maintain a safe and humane environment in prisons;"),
    Passage(DOC, "operative", "3", "3. Requests the Secretary-General to report at its seventy-fifth session."),
    Passage(DOC, "footnote", "1", "General Assembly resolution 53/243.", cited_by=("PP 1",)),
]
RAW_TEXT = "\n\n".join(p.text for p in PASSAGES)

LINES = [
    {
        "id": "t-1",
        "question": "What about biometric data?",
        "expected": [{"doc": DOC, "label": "OP 1"}],
        "key_phrases": ["collect, record and share biometric data"],
        "tags": ["paraphrase"],
        "split": "dev",
    },
    {
        "id": "t-2",
        "question": "Is a safe environment in prisons mentioned?",
        "expected": [{"doc": DOC, "label": "OP 2"}],
        "key_phrases": ["safe and humane environment"],
        "tags": ["paraphrase"],
        "split": "test",
    },
    {
        "id": "t-3",
        "question": "Culture of Peace declaration",
        "expected": [{"doc": DOC, "label": "PP 1"}, {"doc": DOC, "label": "Footnote 1"}],
        "key_phrases": ["Culture of Peace", "53/243"],
        "tags": ["footnote", "list"],
        "split": "test",
    },
    {
        "id": "t-4",
        "question": "Who reports, and when?",
        "expected": [{"doc": DOC, "label": "OP 3"}],
        "key_phrases": ["seventy-fifth session"],
        "tags": ["paraphrase"],
        "split": "dev",
    },
    {
        "id": "t-5",
        "question": "What budget is allocated?",
        "expected": [],
        "key_phrases": [],
        "tags": ["unanswerable"],
        "split": "test",
    },
    {
        "id": "t-6",
        "question": "What does it say about climate change?",
        "expected": [],
        "key_phrases": [],
        "tags": ["unanswerable"],
        "split": "dev",
    },
]


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if len(w) > 2}


class FakePipeline:
    """Ranks passages by shared words; ``ask`` quotes the best one or abstains. Records every call."""

    def __init__(self, passages: list[Passage] = PASSAGES, *, bad: frozenset[str] = frozenset()) -> None:
        self._passages = passages
        self.bad = bad  # questions this pipeline gets wrong (to make two reports differ)
        self.calls: list[tuple[str, tuple[Any, ...], dict[str, Any]]] = []

    def passages(self) -> list[Passage]:
        return list(self._passages)

    def _rank(self, query: str, mode: str) -> list[Hit]:
        scored = []
        for index, passage in enumerate(self._passages):
            overlap = len(_words(query) & _words(passage.text))
            # "dense" is a worse retriever here: it breaks ties the other way round
            scored.append((overlap, -index if mode != "dense" else index, passage))
        scored.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [Hit(p, float(score), rank=rank) for rank, (score, _, p) in enumerate(scored, start=1) if score]

    def search(self, query: str, k: int = 10, *, doc: Any = None, kind: Any = None, mode: str = "hybrid") -> list[Hit]:
        self.calls.append(("search", (query,), {"k": k, "doc": doc, "kind": kind, "mode": mode}))
        return self._rank(query, mode)[:k]

    def ask(self, question: str, k: int | None = None, *, doc: Any = None, kind: Any = None) -> Answer:
        self.calls.append(("ask", (question,), {"k": k, "doc": doc, "kind": kind}))
        hits = self._rank(question, "hybrid")
        if not hits or hits[0].score < 2 or question in self.bad:
            return Answer(question, "The indexed documents do not answer this question.", True)
        best = hits[0].passage
        return Answer(
            question,
            f"{best.text} [{best.label}]",
            False,
            [Citation.from_passage(best, hits[0].score, best.text)],
            {"total": 1.0},
        )


class FakeTextbook:
    """Chunks the raw text in two halves; the half sharing more words with the question ranks first."""

    def __init__(self, source: str) -> None:
        half = len(RAW_TEXT) // 2
        self.chunks = [RAW_TEXT[:half], RAW_TEXT[half - 40 :]]
        self.source = source
        self.questions: list[str] = []

    def search(self, question: str, k: int = 10) -> list[Chunk]:
        self.questions.append(question)
        ranked = sorted(self.chunks, key=lambda c: len(_words(question) & _words(c)), reverse=True)
        return [Chunk(text, self.source, 0.0) for text in ranked[:k]]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A repository root holding one suite ``demo`` over one raw-text document."""
    suites = tmp_path / "evals" / "suites"
    suites.mkdir(parents=True)
    (tmp_path / "doc.txt").write_text(RAW_TEXT, encoding="utf-8")
    (suites / "demo.jsonl").write_text("\n".join(json.dumps(line) for line in LINES) + "\n", encoding="utf-8")
    (suites / "demo.corpus").write_text("# the one document\ndoc.txt\n", encoding="utf-8")
    (tmp_path / "evals" / "floors.json").write_text(
        json.dumps(
            {
                "_comment": "set by hand",
                "suite": "demo",
                "split": "dev",
                "floors": {"citation@1": 0.5, "abstention_recall": 0.4},
            }
        ),
        encoding="utf-8",
    )
    return tmp_path


def run_demo(root: Path, pipeline: FakePipeline | None = None, **options: Any) -> dict[str, Any]:
    pipeline = pipeline or FakePipeline()
    return evaluate(
        ["demo"],
        Settings(index_dir=root / "unused"),
        root=root,
        pipeline_factory=lambda suite: pipeline,
        textbook_factory=lambda suite: FakeTextbook(str(suite.corpus[0])),
        symbols=lambda paths: {str(path): DOC for path in paths},
        **options,
    )


# --------------------------------------------------------------------------- metrics


def test_recall_mrr_ndcg_on_hand_made_rankings() -> None:
    ranking = [{"a"}, {"x"}, {"b"}, set(), {"c"}]
    assert [recall_at_k(ranking, {"b"}, k) for k in (1, 3, 5)] == [0.0, 1.0, 1.0]
    assert recall_at_k(ranking, {"a", "b", "c", "d"}, 3, needs_all=True) == 0.5
    assert recall_at_k(ranking, {"a", "b", "c", "d"}, 5, needs_all=True) == 0.75
    assert reciprocal_rank(ranking, {"b", "c"}) == pytest.approx(1 / 3)
    assert reciprocal_rank(ranking, {"z"}) == 0.0
    # nDCG: hits at ranks 1 and 3 out of two relevant -> (1 + 1/2) / (1 + 1/log2(3))
    assert ndcg_at_k(ranking, {"a", "b"}) == pytest.approx(round(1.5 / (1 + 1 / 1.5849625), 4))
    assert ndcg_at_k([{"a", "b"}], {"a", "b"}) == pytest.approx(round(1 / (1 + 1 / 1.5849625), 4))
    assert ndcg_at_k([{"a"}, {"a"}], {"a"}) == 1.0  # a repeated passage gains once
    assert ndcg_at_k(ranking, set()) == 0.0


def test_score_ranking_uses_any_of_or_all_of() -> None:
    any_of = EvalQuestion("q", "?", (ExpectedPassage(DOC, "OP 1"), ExpectedPassage(DOC, "OP 2")))
    all_of = EvalQuestion("q", "?", any_of.expected, tags=("list",))
    judged = [{passage_key(DOC, "OP 2")}, set()]
    assert score_ranking(judged, any_of)["recall@1"] == 1.0
    assert score_ranking(judged, all_of)["recall@1"] == 0.5
    assert score_ranking(judged, all_of)["first_rank"] == 1


def test_key_phrases_ignore_case_quotes_and_line_breaks() -> None:
    assert key_phrase_score("INTERPOL's\n databases [OP 9]", ["interpol’s databases"]) == (1.0, [])
    assert key_phrase_score("", ["a"]) == (0.0, ["a"])


def test_alce_scores_with_a_word_judge() -> None:
    def judge(sentence: str, evidence: str) -> bool:
        return _words(sentence) <= _words(evidence)

    statements = [
        Statement("UNODC shares biometric data", ("UNODC shares biometric data", "prisons")),  # 1 of 2 precise
        Statement("biometric prisons", ("biometric", "prisons")),  # both needed: both precise
        Statement("invented claim", ("prisons",)),  # unsupported
        Statement("no citation", ()),
    ]
    assert alce_citation_scores(statements, judge) == {"citation_recall": 0.5, "citation_precision": 0.6}
    assert alce_citation_scores([], judge) == {"citation_recall": None, "citation_precision": None}


def test_floors() -> None:
    assert below_floors({"citation@1": 0.9}, {"citation@1": 0.85}) == []
    assert below_floors({"citation@1": 0.8}, {"citation@1": 0.85}) == ["citation@1: 0.8 < 0.85"]


# --------------------------------------------------------------------------- suites


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"id": ""}, "'id'"),
        ({"expected": "OP 1"}, "'expected' must be a list"),
        ({"expected": [{"doc": DOC}]}, "each expected passage"),
        ({"split": "train"}, "'split'"),
        ({"tags": ["unanswerable"]}, "tagged 'unanswerable'"),
        ({"extra": 1}, "unknown field"),
    ],
)
def test_bad_suite_lines_are_named(change: dict[str, Any], message: str) -> None:
    with pytest.raises(InputError, match=message) as caught:
        parse_question({**LINES[0], **change}, "demo.jsonl:7")
    assert "demo.jsonl:7" in str(caught.value)


def test_load_suite_checks_ids_and_corpus(root: Path) -> None:
    suite = load_suite("demo", root)
    assert [q.id for q in suite.select("dev")] == ["t-1", "t-4", "t-6"]
    assert suite.corpus == [(root / "doc.txt").resolve()]
    path = root / "evals" / "suites" / "demo.jsonl"
    path.write_text(path.read_text() + json.dumps(LINES[0]) + "\n")
    with pytest.raises(InputError, match="duplicate id 't-1'"):
        load_suite("demo", root)
    with pytest.raises(InputError, match="known suites: demo"):
        load_suite("nope", root)


# --------------------------------------------------------------------------- running


def test_the_pipeline_only_ever_sees_the_question_text(root: Path) -> None:
    pipeline = FakePipeline()
    run_demo(root, pipeline)
    questions = {line["question"] for line in LINES}
    labels = {e["label"] for line in LINES for e in line["expected"]}
    assert {c[0] for c in pipeline.calls} == {"search", "ask"}
    for _, args, kwargs in pipeline.calls:
        assert args == (args[0],) and args[0] in questions
        assert kwargs.get("doc") is None and kwargs.get("kind") is None
        assert kwargs.get("mode", "hybrid") in ("hybrid", "lexical", "dense") and kwargs.get("k") in (10, None)
        assert not any(label in args[0] for label in labels)


def test_report_metrics_on_the_fake_pipeline(root: Path) -> None:
    report = run_demo(root)
    m = report["metrics"]
    assert (m["questions"], m["answerable"], m["unanswerable"]) == (6, 4, 2)
    by_id = {q["id"]: q for q in report["questions"]}
    assert by_id["t-1"]["outcome"] == "correct" and by_id["t-1"]["key_phrase_score"] == 1.0
    assert by_id["t-5"]["outcome"] == "abstained"
    # every figure is the mean of the per-question ones
    answerable = [q for q in report["questions"] if q["expected"]]
    assert m["citation@1"] == pytest.approx(sum(bool(q["citation@1"]) for q in answerable) / 4, abs=1e-4)
    assert m["recall@10"] == pytest.approx(sum(q["retrieval"]["system"]["recall@10"] for q in answerable) / 4, abs=1e-4)
    abstained = [q for q in report["questions"] if q["abstained"]]
    right = [q for q in abstained if not q["expected"]]
    assert m["abstention_precision"] == pytest.approx(len(right) / len(abstained), abs=1e-4)
    assert m["abstention_recall"] == pytest.approx(len(right) / 2, abs=1e-4)
    # baselines ran on the same questions, and gains are system minus baseline
    assert set(report["baselines"]) == {"bm25", "dense", "langchain"}
    for name, baseline in report["baselines"].items():
        assert baseline["gain"]["mrr"] == pytest.approx(m["mrr"] - baseline["metrics"]["mrr"], abs=1e-4), name
    assert report["by_tag"]["unanswerable"]["abstention_recall"] == m["abstention_recall"]
    assert report["by_suite"]["demo"]["metrics"] == m
    # the textbook chunks were judged by content: the first half holds OP 1 (t-1)
    assert by_id["t-1"]["retrieval"]["langchain"]["recall@10"] == 1.0


def test_split_and_no_baselines(root: Path) -> None:
    report = run_demo(root, split="dev", baselines=False)
    assert [q["id"] for q in report["questions"]] == ["t-1", "t-4", "t-6"]
    assert report["baselines"] == {} and report["split"] == "dev"


def test_expected_passages_missing_from_the_index_are_reported(root: Path) -> None:
    suite = load_suite("demo", root)
    run = run_suite(suite, FakePipeline([p for p in PASSAGES if p.label != "OP 3"]), baselines=False)
    assert run.warnings == [f"demo: expected passage not in the index: t-4: {DOC}, OP 3"]


def test_real_pipeline_interface(built_pipeline: Any) -> None:
    """The harness drives the real ``Pipeline`` (fake embedder) through all three search modes."""
    question = EvalQuestion(
        "r-1",
        "biometric data of foreign terrorist fighters",
        (ExpectedPassage("E/CN.15/2019/L.8/Rev.1", "OP 3"),),
        ("biometric data",),
    )
    suite = Suite("real", Path("real.jsonl"), [question], [])
    run = run_suite(suite, built_pipeline)
    result = run.results[0]
    assert set(result.retrieval) == {"system", "bm25", "dense"}
    assert result.retrieval["system"]["recall@10"] == 1.0
    assert not run.warnings


# --------------------------------------------------------------------------- reports and compare


def test_write_report_files(root: Path) -> None:
    report = run_demo(root)
    path = write_report(report, root / "reports")
    assert path.name == f"{report_stem(report)}.json"
    saved = json.loads(path.read_text())
    assert {"metrics", "by_tag", "baselines", "questions"} <= set(saved)
    markdown = path.with_suffix(".md").read_text()
    assert "Gain of the system over each baseline" in markdown and "| langchain |" in markdown
    charts = sorted(p.name for p in path.with_suffix("").glob("*.png"))
    assert "latency.png" in charts and "citation_at_1.png" in charts and len(charts) == 9
    for chart in charts:
        assert f"{path.stem}/{chart}" in markdown
    assert render_markdown(report, [], root).count("## ") >= 3


def test_compare_lists_changed_questions(root: Path) -> None:
    a = run_demo(root)
    b = run_demo(root, FakePipeline(bad=frozenset({"What about biometric data?"})))
    comparison = compare_reports(a, b)
    assert [(c["id"], c["outcome"]) for c in comparison.changed] == [("t-1", ["correct", "false-abstention"])]
    before, after, delta = comparison.metrics["system"]["citation@1"]
    assert delta == pytest.approx(after - before, abs=1e-4) and delta < 0
    assert compare_reports(a, copy.deepcopy(a)).changed == []


def test_cli_compare_and_bad_reports(root: Path) -> None:
    a = write_report(run_demo(root), root / "a.json")
    b = write_report(
        run_demo(root, FakePipeline(bad=frozenset({"Is a safe environment in prisons mentioned?"}))), root / "b.json"
    )
    runner = CliRunner()
    result = runner.invoke(app, ["eval", "--compare", str(a), str(b)])
    assert result.exit_code == 0, result.output
    assert "t-2" in result.output and "false-abstention" in result.output
    result = runner.invoke(app, ["eval", "--compare", str(a), str(b), "--json"])
    assert json.loads(result.output)["changed"][0]["id"] == "t-2"
    (root / "junk.json").write_text("[1]")
    result = runner.invoke(app, ["eval", "--compare", str(a), str(root / "junk.json")])
    assert isinstance(result.exception, InputError) and "not an evaluation report" in str(result.exception)


def test_load_floors_skips_comments(root: Path) -> None:
    guard = {"suite": "demo", "split": "dev", "floors": {"citation@1": 0.5, "abstention_recall": 0.4}}
    assert load_floors(root) == [guard]
    (root / "evals" / "floors.json").write_text(json.dumps({"_c": "two", "guards": [guard, {**guard, "_c": 1}]}))
    assert load_floors(root) == [guard, guard]
    for bad in ('{"citation@1": 0.5}', '{"guards": [{"suite": "demo"}]}', '{"guards": 3}', "[]"):
        (root / "evals" / "floors.json").write_text(bad)
        with pytest.raises(InputError, match="floors"):
            load_floors(root)


def test_generated_answers_add_alce_figures(tmp_path: Path, corpus_dir: Path, fake_embedder: Any) -> None:
    """With an LLM configured the harness asks through ``Pipeline.generate`` and reports ALCE-style figures."""
    from conftest import JsonPipeline

    from rag.evaluate import aggregate
    from rag.llm import FakeLLM

    llm = FakeLLM(
        ["The Office is requested to collect, record and share biometric data [OP 3]. It funds satellites [OP 3]."]
    )
    settings = Settings(index_dir=tmp_path / "index", llm_model="fake")
    pipeline = JsonPipeline(settings, embedder=fake_embedder, llm=llm)
    assert pipeline.ingest([corpus_dir]).ok
    question = EvalQuestion(
        "g-1", "collect, record and share biometric data", (ExpectedPassage("E/CN.15/2019/L.8/Rev.1", "OP 3"),)
    )
    run = run_suite(Suite("g", Path("g.jsonl"), [question], []), pipeline, baselines=False, generate=True)
    assert len(llm.prompts) == 1, "the model was asked once, through Pipeline.generate"
    metrics = aggregate(run.results)
    assert metrics["generated_answers"] == 1
    assert metrics["alce_citation_recall"] == 0.5  # the invented second sentence is unsupported
    assert metrics["alce_citation_precision"] == 0.5
    assert metrics["citation@1"] == 1.0  # the extractive fields of the answer are still scored


def test_evaluate_generates_only_when_an_llm_is_configured(root: Path) -> None:
    class GeneratingPipeline(FakePipeline):
        def generate(self, question: str) -> Answer:
            self.calls.append(("generate", (question,), {}))
            answer = self.ask(question)
            answer.extra["generation"] = {"citation_precision": 1.0, "citation_recall": 0.5}
            return answer

    pipeline = GeneratingPipeline()
    run_demo(root, pipeline, baselines=False)
    assert "generate" not in {c[0] for c in pipeline.calls}
    report = evaluate(
        ["demo"], Settings(llm_model="local.gguf"), root=root, baselines=False, pipeline_factory=lambda suite: pipeline
    )
    assert report["metrics"]["alce_citation_recall"] == 0.5 and report["metrics"]["generated_answers"] == 6
    assert report["settings"]["llm_model"] == "local.gguf"
