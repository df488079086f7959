"""Serve the Gradio app: ``python app.py [--host HOST] [--port PORT] [--index-dir DIR]``.

Defaults come from the settings (``RAG_HOST``, ``RAG_PORT``, ``RAG_INDEX_DIR``; 127.0.0.1:7860 and
``index/``); flags override them. The app binds to loopback unless told otherwise and never opens a
public share link. The app itself is ``rag/webapp.py``.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys

# Offline by design: the embedding model ships in a package, and Gradio must not phone home.
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve the cited-answers app for UN resolutions.")
    parser.add_argument("--host", help="address to bind (default RAG_HOST or 127.0.0.1; 0.0.0.0 exposes the app)")
    parser.add_argument("--port", type=int, help="port (default RAG_PORT or 7860)")
    parser.add_argument("--index-dir", help="index folder (default RAG_INDEX_DIR or index/)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    logging.getLogger("rag").setLevel(logging.INFO)

    from pydantic import ValidationError

    from rag.errors import RagError
    from rag.settings import Settings

    overrides = {"host": args.host, "port": args.port, "index_dir": args.index_dir}
    try:
        settings = Settings(**{key: value for key, value in overrides.items() if value is not None})
    except ValidationError as error:
        sys.stderr.write(f"error: invalid setting: {error}\n")
        return 2
    from rag.webapp import serve

    try:
        serve(settings)
    except RagError as error:
        sys.stderr.write(f"error: {error}\n")
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
