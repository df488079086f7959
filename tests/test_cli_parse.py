"""``rag parse``: the table, ``--json``, and clean one-line errors for bad files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from rag.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "data" / "corpus" / "E-CN.15-2019-L.8-Rev.1.txt"


def run(args: list[str], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "argv", ["rag", *args])
    code = 0
    try:
        main()
    except SystemExit as exit_:
        code = int(exit_.code or 0)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_parse_table(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", "160")
    code, out, err = run(["parse", str(SEED)], capsys, monkeypatch)
    assert code == 0, err
    assert "E/CN.15/2019/L.8/Rev.1" in out
    assert "OP 30" in out and "Footnote 7" in out and "<- OP 24" in out
    assert "19 preambular, 30 operative (0 sub-paragraphs), 9 footnotes" in out


def test_parse_json(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = run(["parse", str(SEED), "--json"], capsys, monkeypatch)
    assert code == 0
    data = json.loads(out)
    assert data["symbol"] == "E/CN.15/2019/L.8/Rev.1"
    passage = next(p for p in data["passages"] if p["label"] == "OP 6")
    assert set(passage) >= {"doc", "label", "kind", "number", "text", "footnotes", "cited_by", "pages", "part",
                            "parent", "lead"}
    assert passage["footnotes"] == ["6"]
    note = next(p for p in data["passages"] if p["label"] == "Footnote 6")
    assert note["cited_by"] == ["OP 6"]


def test_parse_warns_on_unstructured_text(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("Some notes.\n\nMore notes.\n", encoding="utf-8")
    code, out, _ = run(["parse", str(path)], capsys, monkeypatch)
    assert code == 0
    assert "warning:" in out and "plain paragraphs" in out
    assert "Para 2" in out


def _bad_files(tmp_path: Path) -> dict[str, Path]:
    from pypdf import PdfWriter

    files = {"empty": tmp_path / "empty.txt", "garbage": tmp_path / "garbage.bin", "scan": tmp_path / "scan.pdf",
             "huge": tmp_path / "huge.txt", "missing": tmp_path / "missing.txt"}
    files["empty"].write_bytes(b"")
    files["garbage"].write_bytes(bytes(range(256)) * 64)
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with files["scan"].open("wb") as handle:
        writer.write(handle)
    with files["huge"].open("wb") as handle:
        handle.truncate(50 * 1024 * 1024)
    return files


@pytest.mark.parametrize(
    ("which", "message"),
    [
        ("empty", "empty.txt is empty"),
        ("garbage", "garbage.bin is a binary file"),
        ("scan", "no text layer"),
        ("huge", "over the limit of 25 MB"),
        ("missing", "file not found"),
    ],
)
def test_bad_input_is_one_clean_line(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                     monkeypatch: pytest.MonkeyPatch, which: str, message: str) -> None:
    monkeypatch.delenv("RAG_MAX_FILE_MB", raising=False)
    path = _bad_files(tmp_path)[which]
    code, out, err = run(["parse", str(path)], capsys, monkeypatch)
    assert code != 0
    assert out == ""
    assert err.startswith("error: ") and message in err
    assert err.count("\n") == 1 and "Traceback" not in err


def test_console_script_exit_code_and_stderr(tmp_path: Path) -> None:
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    result = subprocess.run([sys.executable, "-m", "rag.cli", "parse", str(path)], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)
    assert result.returncode == 3
    assert result.stderr.strip() == "error: empty.txt is empty: there is nothing to parse."
    assert "Traceback" not in result.stderr
