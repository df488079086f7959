"""The ``rag`` command line.

Every command is a thin shell over the pipeline stages: it parses options,
calls one function, and formats the result. Heavy modules are imported inside
the commands so that ``rag ask`` starts fast. Expected failures (``RagError``)
are printed to stderr as one clear line, with the error's exit code; no
traceback reaches the user.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated

import typer

from rag.errors import RagError

app = typer.Typer(
    name="rag",
    help="Cited, verbatim answers from UN resolutions.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _print_json(data: object) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
def parse(
    file: Annotated[Path, typer.Argument(help="Document to parse (.txt, .pdf, .docx, AKN .xml).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print every passage as JSON.")] = False,
) -> None:
    """Parse one document and print its structure: heading, paragraphs, footnotes."""
    from rag.parse import parse_file

    document = parse_file(file)
    if as_json:
        _print_json(document.to_json())
        return
    from rag.render import print_document

    print_document(document)


@app.command("eval")
def eval_(
    suites: Annotated[
        list[str] | None, typer.Argument(help="Suite names (evals/suites/NAME.jsonl) or .jsonl paths; default: all.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON instead of tables.")] = False,
    compare: Annotated[
        tuple[Path, Path] | None,
        typer.Option("--compare", help="Compare two saved reports A.json B.json (no evaluation is run)."),
    ] = None,
    baselines: Annotated[
        bool,
        typer.Option("--baselines/--no-baselines", help="Also run BM25-only, dense-only and the LangChain recipe."),
    ] = True,
    split: Annotated[str, typer.Option("--split", help="Questions to run: dev, test or all.")] = "all",
    out: Annotated[
        Path, typer.Option("--out", help="Folder (or .json path) for the report, its Markdown and charts.")
    ] = Path("evals/reports"),
    save: Annotated[bool, typer.Option("--save/--no-save", help="Write the report files.")] = True,
) -> None:
    """Run the evaluation suites (retrieval, answers, abstention, latency) with baselines, or compare two reports."""
    from rag.eval_report import eval_command

    eval_command(suites or [], as_json=as_json, compare=compare, baselines=baselines, split=split, out=out, save=save)


@app.command()
def ask(
    question: Annotated[str, typer.Argument(help='The question, in quotes; "-" reads one question a line from stdin.')],
    as_json: Annotated[bool, typer.Option("--json", help="Print the answer as JSON (the DESIGN.md contract).")] = False,
    k: Annotated[int | None, typer.Option("-k", "--top-k", help="Most paragraphs cited (default: RAG_TOP_K).")] = None,
    doc: Annotated[str | None, typer.Option("--doc", help="Only this document (symbol, e.g. A/RES/77/236).")] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only these passage kinds: operative, preambular, footnote, heading (repeatable)."),
    ] = None,
    index_dir: Annotated[Path | None, typer.Option("--index-dir", help="Index folder (default RAG_INDEX_DIR).")] = None,
    generate: Annotated[
        bool,
        typer.Option("--generate", help="Also write a generated answer with a language model (RAG_LLM_BASE_URL, "
                     "RAG_LLM_MODEL), streamed, every citation checked; the extractive answer is the fallback."),
    ] = False,
) -> None:
    """Answer a question with verbatim, cited excerpts (or say that the documents do not answer it)."""
    from rag.onnx_encoder import preload_query_encoder
    from rag.settings import Settings

    settings = Settings(index_dir=index_dir) if index_dir else Settings()
    preload_query_encoder(settings)  # the model loads while the index does
    from rag.ask import ask_batch, ask_one
    from rag.pipeline import Pipeline

    pipeline = Pipeline(settings)
    if question == "-":
        code = ask_batch(pipeline, sys.stdin, as_json=as_json, k=k, doc=doc, kind=kind, generate=generate)
        if code:
            raise SystemExit(code)
        return
    ask_one(pipeline, question, as_json=as_json, k=k, doc=doc, kind=kind, generate=generate)


@app.command()
def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders to index (.txt, .pdf, .docx, .xml, .html).")],
    index_dir: Annotated[Path | None, typer.Option("--index-dir", help="Index folder (default RAG_INDEX_DIR).")] = None,
    rebuild: Annotated[
        bool, typer.Option("--rebuild", help="Start from an empty index (after changing model, or if it is damaged).")
    ] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the ingest report as JSON.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar; list only what changed.")] = False,
) -> None:
    """Add or update documents in the index; unchanged files are skipped, changed ones replaced."""
    from rag.index_cli import ingest_command

    code = ingest_command(paths, index_dir=index_dir, rebuild=rebuild, as_json=as_json, quiet=quiet)
    if code:
        raise SystemExit(code)


@app.command()
def remove(
    symbol: Annotated[str, typer.Argument(help="Symbol of the document to remove, e.g. A/RES/77/236.")],
    index_dir: Annotated[Path | None, typer.Option("--index-dir", help="Index folder (default RAG_INDEX_DIR).")] = None,
) -> None:
    """Remove one document from the index."""
    from rag.index_cli import remove_command

    code = remove_command(symbol, index_dir=index_dir)
    if code:
        raise SystemExit(code)


@app.command("list")
def list_(
    index_dir: Annotated[Path | None, typer.Option("--index-dir", help="Index folder (default RAG_INDEX_DIR).")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the documents as JSON.")] = False,
) -> None:
    """List the indexed documents."""
    from rag.index_cli import list_command

    list_command(index_dir=index_dir, as_json=as_json)


@app.command()
def mandates(
    actor: Annotated[
        str | None, typer.Option("--actor", help="Addressee, by any alias: UNODC, Secretary-General, 'Member States'.")
    ] = None,
    verb: Annotated[
        str | None, typer.Option("--verb", help="Lead verb in any form: requests, 'calls upon', urged.")
    ] = None,
    doc: Annotated[
        str | None, typer.Option("--doc", help="Document symbol (or part of it), e.g. A/RES/77/236.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the clauses as a JSON list.")] = False,
    files: Annotated[
        list[Path] | None, typer.Option("--file", help="Read this document directly instead of the index (repeatable).")
    ] = None,
    index_dir: Annotated[Path | None, typer.Option("--index-dir", help="Index folder (default RAG_INDEX_DIR).")] = None,
) -> None:
    """Who is asked to do what: every action clause of the operative paragraphs, by actor and verb."""
    from rag.mandate_query import mandates_command

    code = mandates_command(actor=actor, verb=verb, doc=doc, as_json=as_json, files=files or (), index_dir=index_dir)
    if code:
        raise SystemExit(code)


def main() -> None:
    """Console-script entry point: run the app, turning ``RagError`` into a clean exit."""
    try:
        app()
    except RagError as error:
        sys.stderr.write(f"error: {error}\n")
        raise SystemExit(error.exit_code) from None
    except KeyboardInterrupt:
        sys.stderr.write("interrupted\n")
        raise SystemExit(130) from None


if __name__ == "__main__":
    main()
