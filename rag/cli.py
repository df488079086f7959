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
