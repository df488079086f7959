"""The textbook LangChain recipe, kept as a baseline the project must beat.

What a developer gets by following the LangChain tutorials: read each file's raw
text, cut it with ``RecursiveCharacterTextSplitter(chunk_size=1000,
chunk_overlap=200)``, embed the chunks with the same all-MiniLM-L6-v2 model the
project uses, put them in LangChain's in-memory ``FAISS`` vector store, and
return the nearest chunks. No cleaning, no paragraph structure, no citations:
what it "cites" is a chunk.

The evaluation (:mod:`rag.evaluate`) runs it on the same questions as the
system and judges its chunks with :func:`chunk_covers`: a chunk counts as
retrieving an expected paragraph when it holds most of that paragraph's words,
in order (see the function for the exact rule).

The benchmark times one cold question through it::

    python -m rag.baselines ask "What is UNODC asked to do on biometrics?"
    python -m rag.baselines ask --json -k 3 --corpus data/corpus "..."

``sentence_transformers`` and LangChain are imported only when the recipe is
built, never at import time of this module.
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rag.errors import InputError, LoadError

#: The textbook splitter settings.
CHUNK_SIZE = 1000
CHUNK_OVERLAP = 200
#: A chunk counts as containing a paragraph when it holds, in order, this share of the paragraph's words...
COVERAGE = 0.5
#: ...or this many of them (a paragraph longer than two chunks; a full 1,000-character chunk of UN prose
#: holds about 150 words).
LONG_PIECE = 100

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_SUFFIXES = (".txt", ".md", ".pdf", ".docx", ".xml", ".html", ".htm")


def words(text: str) -> list[str]:
    """Lower-cased word tokens; punctuation, quotes, hyphens and line breaks are ignored.

    >>> words("Counter-\\nTerrorism  “soft” targets; 72/194")
    ['counter', 'terrorism', 'soft', 'targets', '72', '194']
    """
    return [w.lower() for w in _WORD.findall(text)]


def chunk_covers(chunk: str, passage: str, *, share: float = COVERAGE, long_piece: int = LONG_PIECE) -> bool:
    """Whether a raw-text chunk counts as retrieving a parsed paragraph.

    Both texts are reduced to word tokens (:func:`words`), so line breaks,
    hyphenation, curly quotes and punctuation do not matter. ``matched`` is the
    number of the paragraph's words found in the chunk in the same order
    (``difflib`` matching blocks), which tolerates a footnote marker or a page
    header inside the paragraph. The chunk covers the paragraph when
    ``matched >= min(share * len(paragraph), long_piece)``: at least half of the
    paragraph (its first or second half when the splitter cut it in two), or at
    least 100 of its words when it is longer than two chunks.

    The rule is deliberately generous to the baseline: with 200 characters of
    overlap, every paragraph of the test corpora has a chunk holding half of it
    (``tests/test_baselines.py``), while a chunk that merely mentions the same
    subject holds far less.

    >>> para = "Requests the Office to provide technical assistance to Member States upon request"
    >>> chunk_covers("... noise before. 9. Requests the Office to provide technical\\nassistance to "
    ...              "Member States, upon request; next paragraph ...", para)
    True
    >>> chunk_covers("Requests the Office to provide", para)    # 5 of 13 words: a fragment
    False
    >>> chunk_covers("...end of OP 8. 9. Requests the Office to provide technical", para)   # the first half
    True
    """
    para_tokens = words(passage)
    chunk_tokens = words(chunk)
    if not para_tokens or not chunk_tokens:
        return False
    matcher = difflib.SequenceMatcher(None, para_tokens, chunk_tokens, autojunk=False)
    matched = sum(block.size for block in matcher.get_matching_blocks())
    return matched >= min(share * len(para_tokens), long_piece)


def raw_text(path: Path) -> str:
    """A file's text as a plain loader returns it: no cleaning, no structure.

    ``.txt``/``.md`` as read; ``.pdf`` page texts (pypdf, like ``PyPDFLoader``);
    ``.docx`` paragraphs; ``.xml``/``.html`` all text nodes.
    """
    suffix = path.suffix.lower()
    try:
        if suffix in (".txt", ".md"):
            return path.read_text(encoding="utf-8", errors="replace")
        if suffix == ".pdf":
            from pypdf import PdfReader

            return "\n".join(page.extract_text() or "" for page in PdfReader(str(path)).pages)
        if suffix == ".docx":
            import docx

            return "\n".join(paragraph.text for paragraph in docx.Document(str(path)).paragraphs)
        if suffix in (".xml", ".html", ".htm"):
            from defusedxml import ElementTree

            root = ElementTree.parse(str(path)).getroot()
            return "\n".join(part.strip() for part in root.itertext() if part.strip())
    except OSError as error:
        raise LoadError(f"cannot read {path}: {error}") from error
    except Exception as error:  # a corrupt PDF/DOCX/XML: the baseline reports it like the system would
        raise LoadError(f"cannot extract text from {path}: {type(error).__name__}: {error}") from error
    raise LoadError(f"{path}: unsupported file type {suffix!r} (expected one of {', '.join(_SUFFIXES)})")


def corpus_files(paths: Iterable[Path]) -> list[Path]:
    """Files named, and supported files inside folders named, in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in _SUFFIXES))
        elif path.is_file():
            found.append(path)
        else:
            raise LoadError(f"{path}: no such file or folder")
    return found


def langchain_embeddings(embedder: Any = None) -> Any:
    """The project's embedder seen as a LangChain ``Embeddings`` (default: the bundled MiniLM).

    The class is defined inside the function so that importing this module does not import LangChain.
    """
    from langchain_core.embeddings import Embeddings

    if embedder is None:
        from rag.embed import SentenceTransformerEmbedder

        embedder = SentenceTransformerEmbedder()

    class _Wrapped(Embeddings):
        def embed_documents(self, texts: list[str]) -> list[list[float]]:
            return [list(map(float, row)) for row in embedder.embed_passages(texts)]

        def embed_query(self, text: str) -> list[float]:
            return list(map(float, embedder.embed_query(text)))

    _Wrapped.__name__ = "MiniLMEmbeddings"
    return _Wrapped()


@dataclass
class Chunk:
    """One retrieved chunk: its text, the file it came from and its distance (lower is nearer)."""

    text: str
    source: str
    score: float


@dataclass
class TextbookRAG:
    """The textbook recipe over a set of files.

    >>> from rag.embed import FakeEmbedder
    >>> import tempfile, pathlib
    >>> folder = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (folder / "a.txt").write_text("Biometric data shall be shared. " * 40 + "\\n\\nPrisons are safe. " * 40)
    >>> rag = TextbookRAG.build([folder / "a.txt"], embedder=FakeEmbedder(dimension=64))
    >>> rag.search("prisons", k=1)[0].text.count("Prisons") > 0
    True
    """

    store: Any
    chunk_count: int
    build_seconds: float = 0.0
    sources: list[str] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        paths: Sequence[Path],
        *,
        embedder: Any = None,
        chunk_size: int = CHUNK_SIZE,
        chunk_overlap: int = CHUNK_OVERLAP,
    ) -> TextbookRAG:
        """Read, split, embed and index ``paths`` (files or folders)."""
        started = time.perf_counter()
        import warnings

        with warnings.catch_warnings():  # langchain-community announces its own sunset on import
            warnings.simplefilter("ignore", DeprecationWarning)
            from langchain_community.vectorstores import FAISS
        from langchain_core.documents import Document as LCDocument
        from langchain_text_splitters import RecursiveCharacterTextSplitter

        files = corpus_files(paths)
        if not files:
            raise InputError("the textbook baseline needs at least one document")
        splitter = RecursiveCharacterTextSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap)
        documents = [LCDocument(page_content=raw_text(path), metadata={"source": str(path)}) for path in files]
        chunks = splitter.split_documents(documents)
        chunks = [chunk for chunk in chunks if chunk.page_content.strip()]
        if not chunks:
            raise LoadError("the textbook baseline found no text in " + ", ".join(map(str, files)))
        store = FAISS.from_documents(chunks, langchain_embeddings(embedder))
        return cls(store, len(chunks), time.perf_counter() - started, [str(p) for p in files])

    def search(self, question: str, k: int = 10) -> list[Chunk]:
        """The ``k`` nearest chunks, nearest first."""
        pairs = self.store.similarity_search_with_score(question, k=k)
        return [Chunk(doc.page_content, str(doc.metadata.get("source", "")), float(score)) for doc, score in pairs]

    def ask(self, question: str, k: int = 4) -> dict[str, Any]:
        """What the textbook recipe shows a user: the top chunks (k=4, LangChain's default)."""
        started = time.perf_counter()
        chunks = self.search(question, k=k)
        return {
            "question": question,
            "chunks": [{"source": c.source, "score": round(c.score, 4), "text": c.text} for c in chunks],
            "timings_ms": {"retrieve": round((time.perf_counter() - started) * 1000, 2)},
        }


def _main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m rag.baselines", description="The textbook LangChain recipe (baseline), cold."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    ask = sub.add_parser("ask", help="Build the recipe over the corpus and answer one question.")
    ask.add_argument("question")
    ask.add_argument("--corpus", action="append", type=Path, help="file or folder (repeatable; default data/corpus)")
    ask.add_argument("-k", type=int, default=4, help="chunks to return (LangChain's default is 4)")
    ask.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    try:
        if not args.question.strip():
            raise InputError("the question is empty")
        rag = TextbookRAG.build(args.corpus or [Path("data/corpus")])
        result = rag.ask(args.question, k=args.k)
    except (InputError, LoadError) as error:
        sys.stderr.write(f"error: {error}\n")
        return error.exit_code
    result["timings_ms"]["build"] = round(rag.build_seconds * 1000, 1)
    result["timings_ms"]["total"] = round((time.perf_counter() - started) * 1000, 1)
    result["chunk_count"] = rag.chunk_count
    if args.json:
        sys.stdout.write(json.dumps(result, ensure_ascii=False, indent=2) + "\n")
    else:
        for rank, chunk in enumerate(result["chunks"], start=1):
            sys.stdout.write(f"[{rank}] {chunk['source']} (distance {chunk['score']})\n{chunk['text']}\n\n")
        sys.stdout.write(f"{rag.chunk_count} chunks; {result['timings_ms']}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(_main())
