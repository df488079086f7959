"""Fuzzing the loaders and the parser: whatever the bytes, the only exception is the project's own.

``parse_file`` (loader, then parser) and ``parse_text`` get random bytes and text,
bytes that start like each format, and mutations (bit flips, truncations, inserted,
deleted and repeated spans) of real documents: the test PDFs, Word documents, Akoma
Ntoso XML, HTML and text. Each must return a ``Document`` or raise a ``RagError``
subclass, whose message names the file; anything else is a bug to fix where it is
raised.

Bounded for the test suite (``RAG_FUZZ_EXAMPLES`` examples per test, default 500,
a twentieth for the real PDFs, which take ~0.1 s a page to read) and derandomised, so a
run is repeatable; ``scripts/fuzz.py --examples 20000`` runs a longer campaign with
fresh random examples.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import EXTRA, ROOT, SEED
from hostile_files import docx_bytes, pdf_bytes
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.errors import RagError
from rag.parse import parse_file, parse_text
from rag.types import Document

EXAMPLES = int(os.environ.get("RAG_FUZZ_EXAMPLES", "500"))
CAMPAIGN = "RAG_FUZZ_EXAMPLES" in os.environ
SUFFIXES = (".txt", ".pdf", ".docx", ".xml", ".html")
#: How each format starts, to get random bytes past the format sniffing.
MAGIC = {".txt": b"", ".pdf": b"%PDF-1.7\n", ".docx": b"PK\x03\x04", ".xml": b"<akomaNtoso>",
         ".html": b"<html><body>"}


def fuzz_settings(examples: int = EXAMPLES) -> Any:
    return settings(max_examples=examples, deadline=None, derandomize=not CAMPAIGN, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


def only_rag_errors(call: Callable[[], Any]) -> None:
    """Run ``call``; a ``RagError`` is a correct refusal, anything else escapes (and fails the test)."""
    try:
        result = call()
    except RagError as error:
        assert str(error).strip(), "a RagError must say what is wrong"
        return
    assert isinstance(result, Document)


def _real_lines() -> list[str]:
    lines: list[str] = []
    for path in [SEED, *sorted(EXTRA.glob("*.txt"))]:
        lines += path.read_text(encoding="utf-8").splitlines()
    return sorted(set(lines))


REAL_LINES = _real_lines()


def _html() -> bytes:
    body = "".join(f"<p>{line}</p>" for line in SEED.read_text(encoding="utf-8").splitlines()[:80])
    return f"<!DOCTYPE html><html><head><title>A/RES/1</title><style>p{{}}</style></head><body>{body}</body></html>" \
        .encode()


#: (suffix, bytes) of real documents, mutated below.
SEEDS: list[tuple[str, bytes]] = [
    (".txt", (EXTRA / "S_RES_787_1992.txt").read_bytes()),
    (".txt", SEED.read_bytes()[:12000]),
    (".xml", (EXTRA / "akn" / "S_RES_2730_2024.akn.xml").read_bytes()),
    (".xml", (EXTRA / "akn" / "E_RES_2023_23.akn.xml").read_bytes()),
    (".docx", docx_bytes(["The General Assembly,", "Recalling its resolution 70/1,", "1. Decides to act;",
                          "(a) To assist States;", "2. Requests the Secretary-General to report."])),
    (".pdf", pdf_bytes(pages=2)),
    (".html", _html()),
]
REAL_PDFS = [(".pdf", path.read_bytes()) for path in sorted((ROOT / "tests" / "data" / "pdf").glob("*.pdf"))]


@st.composite
def mutations(draw: st.DrawFn, seeds: list[tuple[str, bytes]]) -> tuple[str, bytes]:
    """A seed with 1-6 edits: bit flips, a truncation, random bytes inserted, spans deleted or repeated."""
    suffix, original = draw(st.sampled_from(seeds))
    data = bytearray(original)
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, max(0, len(data) - 1)))
        op = draw(st.sampled_from(["flip", "flip", "truncate", "insert", "delete", "repeat"]))
        if op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "truncate":
            del data[at:]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=64))
        elif op == "delete":
            del data[at : at + draw(st.integers(1, 4096))]
        elif op == "repeat":
            span = bytes(data[at : at + draw(st.integers(1, 512))])
            data[at:at] = span * draw(st.integers(1, 20))
    return suffix, bytes(data)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def parse_bytes(workdir: Path, suffix: str, data: bytes) -> None:
    path = workdir / f"fuzzed{suffix}"
    path.write_bytes(data)
    only_rag_errors(lambda: parse_file(path))


@fuzz_settings()
@given(suffix=st.sampled_from(SUFFIXES), body=st.binary(max_size=4096), magic=st.booleans())
def test_random_bytes_with_each_suffix(workdir: Path, suffix: str, body: bytes, magic: bool) -> None:
    parse_bytes(workdir, suffix, (MAGIC[suffix] if magic else b"") + body)


@fuzz_settings()
@given(case=mutations(SEEDS))
def test_mutated_documents(workdir: Path, case: tuple[str, bytes]) -> None:
    parse_bytes(workdir, *case)


@fuzz_settings(max(10, EXAMPLES // 20))
@given(case=mutations(REAL_PDFS))
def test_mutated_real_pdfs(workdir: Path, case: tuple[str, bytes]) -> None:
    parse_bytes(workdir, *case)


#: Lines of real documents, lightly damaged: the structures the parser looks for, in any order.
LINES = st.one_of(
    st.sampled_from(REAL_LINES),
    st.builds(lambda line, cut: line[:cut], st.sampled_from(REAL_LINES), st.integers(0, 40)),
    st.text(max_size=60),
    st.sampled_from(["", "\f", "__________________", "The General Assembly,", "1. Decides;", "(a) To act;",
                     "Annex", "* Reissued for technical reasons.", "1 A/RES/70/1.", "18-16895 (E)", "5/7"]),
)


@fuzz_settings()
@given(lines=st.lists(LINES, min_size=3, max_size=200), joiner=st.sampled_from(["\n", "\n\n", "\r\n", "\n\f"]))
def test_parse_text_of_shuffled_real_lines(lines: list[str], joiner: str) -> None:
    only_rag_errors(lambda: parse_text(joiner.join(lines), "fuzzed.txt"))


@fuzz_settings()
@given(text=st.text(max_size=3000))
def test_parse_text_of_any_text(text: str) -> None:
    only_rag_errors(lambda: parse_text(text, "fuzzed.txt"))
