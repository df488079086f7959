"""Showing and saving evaluation reports: rich tables, JSON, Markdown, PNG charts.

``rag eval`` writes ``evals/reports/<date>-<git sha>.json`` (``-dirty`` is
appended when the working tree has uncommitted changes), a Markdown report with
the same stem, and its charts in a folder of that name::

    evals/reports/2025-06-01-0806443.json
    evals/reports/2025-06-01-0806443.md
    evals/reports/2025-06-01-0806443/recall@1.png ... latency.png

A second run on the same day and commit replaces the first (pass ``--out`` to
keep both).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

from rag.evaluate import ANSWER_METRICS, RETRIEVAL_METRICS, Comparison

#: Columns of the overall tables, in order.
SYSTEM_COLUMNS = (*RETRIEVAL_METRICS, *ANSWER_METRICS, "latency_p50_ms", "latency_p95_ms")
#: Metrics charted by tag with the baselines side by side, and those only the system has.
CHART_RETRIEVAL = ("recall@1", "recall@5", "mrr", "ndcg@10")
CHART_ANSWER = ANSWER_METRICS


def fmt(value: Any, metric: str = "") -> str:
    """A metric for display: ratios with 3 decimals, times (``*_ms``, ``*seconds``) with 1 (none above 100),
    missing as an em dash.

    >>> fmt(0.91234), fmt(None), fmt(0.69, "latency_p50_ms"), fmt(2241.6, "latency_p50_ms"), fmt(7)
    ('0.912', '—', '0.7', '2242', '7')
    """
    if value is None:
        return "—"
    if isinstance(value, bool | int):
        return str(value)
    if isinstance(value, float):
        if metric.endswith(("_ms", "seconds")) or abs(value) > 1.0:
            return f"{value:.0f}" if abs(value) >= 100 else f"{value:.1f}"
        return f"{value:.3f}"
    return str(value)


def fmt_gain(value: float | None, metric: str = "") -> str:
    """A signed difference (times with 1 decimal).

    >>> fmt_gain(0.1234), fmt_gain(-0.05), fmt_gain(None), fmt_gain(-12.34, "latency_p50_ms")
    ('+0.123', '-0.050', '—', '-12.3')
    """
    if value is None:
        return "—"
    return f"{value:+.1f}" if metric.endswith("_ms") else f"{value:+.3f}"


def report_stem(report: Mapping[str, Any]) -> str:
    """``<date>-<sha>`` (``-dirty`` when the tree had uncommitted changes).

    >>> report_stem({"created": "2025-06-01T10:00:00+00:00", "git": {"sha": "abc1234", "dirty": True}})
    '2025-06-01-abc1234-dirty'
    """
    git = report.get("git", {})
    stem = f"{str(report['created'])[:10]}-{git.get('sha', 'unknown')}"
    return stem + ("-dirty" if git.get("dirty") else "")


def _systems(report: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    return [("system", report["metrics"])] + [(n, b["metrics"]) for n, b in report.get("baselines", {}).items()]


# --------------------------------------------------------------------------- terminal


def print_report(report: Mapping[str, Any], console: Console | None = None) -> None:
    """Overall table (system and baselines), gains, by-tag table, warnings."""
    console = console or Console()
    for title, block in [("all suites", report), *report.get("by_suite", {}).items()]:
        if title != "all suites" and len(report.get("by_suite", {})) < 2:
            continue
        console.print(
            _overall_table(
                block,
                f"Evaluation: {title} ({block['metrics']['questions']} questions, split {report.get('split', 'all')})",
            )
        )
        if block.get("baselines"):
            console.print(_gain_table(block))
    console.print(_tag_table(report["by_tag"], "System by tag"))
    for warning in report.get("warnings", []):
        console.print(f"[yellow]warning:[/] {warning}")


#: Short column names for the by-tag table, so that it fits an 80-column terminal.
TAG_COLUMNS = {
    "questions": "n",
    "recall@1": "R@1",
    "recall@10": "R@10",
    "mrr": "MRR",
    "citation@1": "cit@1",
    "key_phrases": "KP",
    "abstention_precision": "abst P",
    "abstention_recall": "abst R",
}


def _overall_table(block: Mapping[str, Any], title: str) -> Table:
    """Metrics as rows, the system and each baseline as columns."""
    systems = _systems(block)
    table = Table(title=title, title_justify="left")
    table.add_column("metric")
    for name, _ in systems:
        table.add_column(name, justify="right")
    for metric in SYSTEM_COLUMNS:
        table.add_row(metric, *[fmt(metrics.get(metric), metric) for _, metrics in systems])
    return table


def _gain_table(block: Mapping[str, Any]) -> Table:
    table = Table(title="Gain of the system over each baseline", title_justify="left")
    table.add_column("metric")
    for name in block["baselines"]:
        table.add_column(f"vs {name}", justify="right")
    for metric in RETRIEVAL_METRICS:
        table.add_row(metric, *[fmt_gain(b["gain"].get(metric)) for b in block["baselines"].values()])
    return table


def _tag_table(tags: Mapping[str, Mapping[str, Any]], title: str) -> Table:
    table = Table(title=title, title_justify="left")
    table.add_column("tag")
    for short in TAG_COLUMNS.values():
        table.add_column(short, justify="right")
    for tag, metrics in tags.items():
        table.add_row(tag, *[fmt(metrics.get(c)) for c in TAG_COLUMNS])
    return table


def print_comparison(comparison: Comparison, a_name: str, b_name: str, console: Console | None = None) -> None:
    """Metric deltas (B - A) and the questions whose outcome changed."""
    console = console or Console()
    for system, values in comparison.metrics.items():
        table = Table(title=f"{system}: {a_name} -> {b_name}", title_justify="left")
        for column in ("metric", "A", "B", "B - A"):
            table.add_column(column, justify="left" if column == "metric" else "right")
        for name, (a, b, delta) in values.items():
            style = "" if not delta else ("green" if (delta > 0) != name.startswith("latency") else "red")
            shown = fmt_gain(delta, name)
            table.add_row(name, fmt(a, name), fmt(b, name), f"[{style}]{shown}[/]" if style else shown)
        console.print(table)
    if comparison.changed:
        console.print(f"[bold]{len(comparison.changed)} question(s) changed[/] (A -> B):")
        for q in comparison.changed:
            console.print(
                f"  {q['suite']}/{q['id']}: {' -> '.join(q['outcome'])}; "
                f"first rank {' -> '.join(fmt(r) for r in q['first_rank'])}; "
                f"key phrases {' -> '.join(fmt(s) for s in q['key_phrase_score'])}; "
                f"first citation {' -> '.join(c or '—' for c in q['citation'])}\n    {q['question']}",
                highlight=False,
            )
    else:
        console.print("No question changed outcome.")
    for label, ids in (("only in A", comparison.only_in_a), ("only in B", comparison.only_in_b)):
        if ids:
            console.print(f"{len(ids)} question(s) {label}: {', '.join(ids[:20])}{' ...' if len(ids) > 20 else ''}")


# --------------------------------------------------------------------------- files


def atomic_write(path: Path, data: str | bytes) -> None:
    """Write through a temporary file in the same folder, then rename over ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data.encode("utf-8") if isinstance(data, str) else data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write_report(report: Mapping[str, Any], out: Path) -> Path:
    """Write ``out`` (a ``.json`` path, or a folder that gets ``<stem>.json``), the Markdown report and the charts.

    Returns the JSON path.
    """
    json_path = out if out.suffix == ".json" else out / f"{report_stem(report)}.json"
    chart_dir = json_path.with_suffix("")
    charts = make_charts(report, chart_dir)
    atomic_write(json_path, json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    atomic_write(json_path.with_suffix(".md"), render_markdown(report, charts, json_path.parent))
    return json_path


def make_charts(report: Mapping[str, Any], folder: Path) -> list[Path]:
    """One PNG per metric by tag (baselines side by side for retrieval metrics) and a latency histogram."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    folder.mkdir(parents=True, exist_ok=True)
    all_tags = ["all", *report["by_tag"]]
    written: list[Path] = []

    def value(row: Mapping[str, Any], metric: str) -> float:
        return float("nan") if row.get(metric) is None else float(row[metric])

    for metric in (*CHART_RETRIEVAL, *CHART_ANSWER):
        blocks = [("system", report["metrics"], report["by_tag"])]
        if metric in CHART_RETRIEVAL:
            blocks += [(n, b["metrics"], b["by_tag"]) for n, b in report.get("baselines", {}).items()]
        # tags where the metric is undefined (no answerable question, no unanswerable one) get no group
        tags = [t for t in all_tags if t == "all" or report["by_tag"][t].get(metric) is not None]
        series = [(name, [value(top if t == "all" else by[t], metric) for t in tags]) for name, top, by in blocks]
        figure, axes = plt.subplots(figsize=(min(14.0, max(6.0, 0.45 * len(tags) * (1 + len(series) / 2))), 4.2))
        width = 0.8 / len(series)
        for index, (name, heights) in enumerate(series):
            positions = [t + (index - (len(series) - 1) / 2) * width for t in range(len(tags))]
            axes.bar(positions, heights, width, label=name)
        axes.set_xticks(range(len(tags)), tags, rotation=35, ha="right")
        axes.set_ylim(0, 1.05)
        axes.set_ylabel(metric)
        axes.set_title(f"{metric} by tag")
        if len(series) > 1:
            axes.legend(fontsize="small", ncols=len(series), loc="lower right")
        figure.tight_layout()
        path = folder / f"{metric.replace('@', '_at_')}.png"
        figure.savefig(path, dpi=110)
        plt.close(figure)
        written.append(path)

    written.append(_latency_chart(report["questions"], folder / "latency.png", plt))
    return written


def _latency_chart(questions: Sequence[Mapping[str, Any]], path: Path, plt: Any) -> Path:
    """Histograms of per-question times on a log scale (BM25 takes microseconds, an answer can take seconds)."""
    import numpy as np

    samples = {"ask (system)": [q["latency_ms"]["ask"] for q in questions]}
    for key in sorted({k for q in questions for k in q["latency_ms"] if k.startswith("search_")}):
        samples[key.replace("search_", "search: ")] = [
            q["latency_ms"][key] for q in questions if key in q["latency_ms"]
        ]
    values = [max(v, 0.01) for data in samples.values() for v in data]
    figure, axes = plt.subplots(figsize=(8, 4.2))
    if values:
        bins = np.logspace(np.log10(min(values)), np.log10(max(values)) + 1e-9, 40)
        for name, data in samples.items():
            if data:
                axes.hist([max(v, 0.01) for v in data], bins=bins, alpha=0.5, label=name, histtype="stepfilled")
        axes.set_xscale("log")
        axes.legend(fontsize="small")
    axes.set_xlabel("milliseconds per question (log scale)")
    axes.set_ylabel("questions")
    axes.set_title("Latency distribution")
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    plt.close(figure)
    return path


def _md_table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def render_markdown(report: Mapping[str, Any], charts: Sequence[Path], base: Path) -> str:
    """The human report: run facts, system vs baselines with gains, by tag, per suite, failures, charts."""
    git = report.get("git", {})
    settings = report.get("settings", {})
    out = [
        f"# Evaluation report {report_stem(report)}",
        "",
        f"Created {report['created']} at commit `{git.get('sha')}`"
        + (" (uncommitted changes)" if git.get("dirty") else "")
        + f"; split `{report.get('split')}`; model `{settings.get('embedding_model')}`, "
        + f"index `{settings.get('vector_index')}`, top_k {settings.get('top_k')}"
        + (f", LLM `{settings['llm_model']}`" if settings.get("llm_model") else "")
        + ".",
        "",
        _md_table(
            ["suite", "questions", "corpus", "setup s"],
            [
                [s["name"], str(s["questions"]), f"{len(s['corpus'])} document(s)", fmt(s["setup_seconds"], "seconds")]
                for s in report.get("suites", [])
            ],
        ),
        "",
        "Retrieval metrics are over answerable questions (recall@k: any expected passage in the top k; "
        "for `list` questions, the share of expected passages found). citation@1: the answer's first citation is "
        "an expected passage. key phrases: share of key phrases the answer quotes. Abstention: positive class = "
        "abstained on an unanswerable question. Latency: `Pipeline.ask` wall time per question (baselines: search).",
    ]
    for title, block in [("All suites", report), *report.get("by_suite", {}).items()]:
        if title != "All suites" and len(report.get("by_suite", {})) < 2:
            continue
        out += [
            "",
            f"## {title}",
            "",
            _md_table(
                ["system", *SYSTEM_COLUMNS],
                [[name, *[fmt(m.get(c), c) for c in SYSTEM_COLUMNS]] for name, m in _systems(block)],
            ),
        ]
        if block.get("baselines"):
            out += [
                "",
                "Gain of the system over each baseline:",
                "",
                _md_table(
                    ["baseline", *RETRIEVAL_METRICS],
                    [
                        [n, *[fmt_gain(b["gain"].get(c)) for c in RETRIEVAL_METRICS]]
                        for n, b in block["baselines"].items()
                    ],
                ),
            ]
    if "alce_citation_precision" in report["metrics"]:
        m = report["metrics"]
        out += [
            "",
            "## Generated answers (ALCE-style)",
            "",
            f"{m.get('generated_answers')} generated answers: citation precision "
            f"{fmt(m.get('alce_citation_precision'))}, citation recall {fmt(m.get('alce_citation_recall'))}.",
        ]
    tag_columns = (
        "questions",
        "recall@1",
        "recall@10",
        "mrr",
        "ndcg@10",
        "citation@1",
        "key_phrases",
        "abstention_precision",
        "abstention_recall",
    )
    out += [
        "",
        "## By tag",
        "",
        _md_table(
            ["tag", *tag_columns], [[tag, *[fmt(m.get(c)) for c in tag_columns]] for tag, m in report["by_tag"].items()]
        ),
    ]
    failures = [q for q in report["questions"] if q["outcome"] not in ("correct", "abstained")]
    out += ["", f"## Questions not answered correctly ({len(failures)})", ""]
    if failures:
        out.append(
            _md_table(
                ["id", "question", "outcome", "expected", "first citation", "hybrid first rank"],
                [
                    [
                        q["id"],
                        q["question"],
                        q["outcome"],
                        "; ".join(q["expected"]) or "—",
                        (q["citations"] or ["—"])[0],
                        fmt(q.get("retrieval", {}).get("system", {}).get("first_rank")),
                    ]
                    for q in failures
                ],
            )
        )
    if report.get("warnings"):
        out += ["", "## Warnings", "", *[f"- {w}" for w in report["warnings"]]]
    out += ["", "## Charts", ""]
    for chart in charts:
        out.append(f"![{chart.stem}]({chart.relative_to(base).as_posix()})")
    return "\n".join(out) + "\n"


# --------------------------------------------------------------------------- `rag eval`


def eval_command(
    suites: Sequence[str],
    *,
    as_json: bool = False,
    compare: tuple[Path, Path] | None = None,
    baselines: bool = True,
    split: str = "all",
    out: Path = Path("evals/reports"),
    save: bool = True,
) -> None:
    """What ``rag eval`` does: compare two reports, or run the suites, print and save the report."""
    from rag.evaluate import compare_reports, discover_suites, evaluate, load_report, load_suite

    stdout = Console()
    stderr = Console(stderr=True)
    if compare:
        a, b = (load_report(path) for path in compare)
        comparison = compare_reports(a, b)
        if as_json:
            sys.stdout.write(json.dumps(comparison.to_json(), ensure_ascii=False, indent=2) + "\n")
        else:
            print_comparison(comparison, compare[0].name, compare[1].name, stdout)
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    ) as bar:
        names = list(suites) or [path.stem for path in discover_suites()]
        total = sum(len(load_suite(name).select(split)) for name in names)
        task = bar.add_task("building indexes and baselines", total=total)
        report = evaluate(
            names, split=split, baselines=baselines, progress=lambda qid: bar.update(task, advance=1, description=qid)
        )
    if save:
        path = write_report(report, out)
        stderr.print(f"report: {path} (Markdown: {path.with_suffix('.md')})")
    if as_json:
        sys.stdout.write(json.dumps(report, ensure_ascii=False, indent=1) + "\n")
    else:
        print_report(report, stdout)
