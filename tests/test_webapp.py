"""The app's handlers (``rag.webapp``) and HTML (``rag.webview``), without a browser.

A fake-embedder pipeline over a tmp index: ``built_pipeline`` (two small
hand-built resolutions, see ``conftest.py``) for reading, a pipeline with the real
parser for uploads. Gradio's warnings are plain ``UserWarning``s outside a request.
"""

from __future__ import annotations

import csv
import io
import json
import re
import threading
import zipfile
from html import unescape
from pathlib import Path
from typing import Any

import gradio as gr
import pytest

from rag import webview as view
from rag.embed import FakeEmbedder
from rag.errors import IndexError_, IndexMissingError, InputError
from rag.llm import FakeLLM
from rag.pipeline import Pipeline
from rag.question import clean_question
from rag.settings import Settings
from rag.types import PASSAGE_KINDS, Answer
from rag.webapp import CANCELLED, KIND_CHOICES, Handlers, build_app, launch_options

EXTRA = Path(__file__).resolve().parent / "data" / "extra"
SEED = "E/CN.15/2019/L.8/Rev.1"


@pytest.fixture
def handlers(built_pipeline: Pipeline) -> Handlers:
    return Handlers(built_pipeline, built_pipeline.settings)


def ask(
    h: Handlers,
    question: str,
    turns: list[Any] | None = None,
    history: list[Any] | None = None,
    doc: str = "",
    kinds: list[str] | None = None,
    generate: bool = False,
) -> list[tuple[Any, ...]]:
    """Every frame ``respond`` streams."""
    return list(h.respond(question, history or [], turns or [], doc, kinds or [], generate))


def select(data: dict[str, Any]) -> gr.SelectData:
    return gr.SelectData(None, data)


# ------------------------------------------------------------------ the app


def test_build_app_offers_only_the_ask_api(built_pipeline: Pipeline) -> None:
    app = build_app(built_pipeline, built_pipeline.settings)
    assert isinstance(app, gr.Blocks)
    endpoints = app.get_api_info()["named_endpoints"]
    assert list(endpoints) == ["/ask"]
    assert [p["parameter_name"] for p in endpoints["/ask"]["parameters"]] == ["question", "k", "doc", "kind"]


def test_chat_filters_offer_every_passage_kind() -> None:
    assert sorted(value for _, value in KIND_CHOICES) == sorted(PASSAGE_KINDS)


def test_launch_options_bind_loopback_and_never_share() -> None:
    options = launch_options(Settings())
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert options["share"] is False and options["show_error"] is False
    assert options["max_file_size"] == int(Settings().max_file_mb * 1024 * 1024)
    assert launch_options(Settings(host="0.0.0.0", port=8000))["server_name"] == "0.0.0.0"


def test_app_py_flags_override_settings(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    import importlib.util

    spec = importlib.util.spec_from_file_location("app_entry", Path(__file__).resolve().parent.parent / "app.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    seen: list[Settings] = []
    monkeypatch.setattr("rag.webapp.serve", seen.append)
    monkeypatch.setenv("RAG_PORT", "7999")
    assert module.main(["--index-dir", str(tmp_path)]) == 0
    assert seen[-1].port == 7999 and seen[-1].host == "127.0.0.1" and seen[-1].index_dir == tmp_path
    assert module.main(["--port", "8123", "--host", "0.0.0.0"]) == 0
    assert (seen[-1].port, seen[-1].host) == (8123, "0.0.0.0")
    assert module.main(["--port", "0"]) == 2  # out of range: a clear message, no traceback


# ------------------------------------------------------------------ chat


def test_answer_streams_then_links_every_citation(handlers: Handlers) -> None:
    frames = ask(handlers, "biometric data foreign terrorist fighters")
    assert len(frames) >= 3  # the question at once, then the answer revealed in steps
    history, turns, chips, _, source, copy = frames[-1]
    assert frames[0][0][-1]["content"] == "<i>Searching…</i>" and frames[0][3] == ""
    assert [m["role"] for m in history] == ["user", "assistant"]
    answer = history[-1]["content"]
    # two documents are indexed: each label says which one
    assert '<a class="cite" href="#cite:0:0"' in answer and f"[{SEED}, OP 3]</a>" in answer
    assert turns[0]["citations"][0]["label"] == "OP 3" and turns[0]["citations"][0]["doc"] == SEED
    assert chips.choices == [(f"{SEED}, OP 3", "0:0")] and chips.value == "0:0"
    assert "biometric data" in source and "<mark>" in source
    assert copy.startswith(f"{SEED}, OP 3: “") and "biometric data" in copy
    growing = [len(re.sub(r"<[^>]+>", "", f[0][-1]["content"])) for f in frames[1:]]
    assert growing == sorted(growing) and growing[0] < growing[-1]


def test_history_and_citations_are_kept_per_session(handlers: Handlers) -> None:
    first = ask(handlers, "biometric data foreign terrorist fighters")[-1]
    second = ask(handlers, "What is the Secretary-General requested to do?", turns=first[1], history=first[0])[-1]
    history, turns = second[0], second[1]
    assert len(history) == 4 and len(turns) == 2
    assert 'href="#cite:1:0"' in history[-1]["content"]
    several = second[2].choices  # two documents cited: chips name the document
    assert all(label.startswith(("A/RES/77/236, ", f"{SEED}, ")) for label, _ in several)
    # the first answer's citation can still be opened, from its marker (the page script adds a nonce)
    chips, _, source, copy = handlers.select_citation(turns, "0:0|1718000000000")
    assert chips.value == "0:0" and "biometric data" in source and copy.startswith(f"{SEED}, OP 3")
    # a click on the first answer's message shows its citations again
    chips, _, source, _ = handlers.select_message(turns, select({"index": 1, "value": ""}))
    assert chips.choices == [(f"{SEED}, OP 3", "0:0")]
    fresh = ask(handlers, "victims of terrorism")[-1]  # another session starts from nothing
    assert len(fresh[0]) == 2 and len(fresh[1]) == 1


def test_source_panel_shows_chapeau_and_footnotes(handlers: Handlers) -> None:
    _, turns, _, _, source, _ = ask(handlers, "victims of terrorism")[-1]
    assert turns[0]["citations"][0]["label"] == "OP 2 (b)"
    assert 'class="chapeau"' in source and "Requests the United Nations Office" in source  # OP 2's chapeau
    _, turns, _, _, source, _ = ask(handlers, "Declaration and Programme of Action on a Culture of Peace")[-1]
    assert turns[0]["citations"][0]["label"] == "PP 2"
    assert "Footnotes" in source and "53/243 A and B" in source


def test_filters_reach_the_pipeline(handlers: Handlers) -> None:
    _, turns, *_ = ask(handlers, "Requests the Secretary-General to report", doc="A/RES/77/236")[-1]
    assert {c["doc"] for c in turns[0]["citations"]} == {"A/RES/77/236"}
    _, turns, *_ = ask(handlers, "technical assistance terrorism", kinds=["preambular"])[-1]
    kinds = [c["kind"] for c in turns[0]["citations"]]
    assert kinds[0] == "preambular" and "operative" not in kinds  # (footnotes of a cited paragraph may follow)


def test_abstention_is_said_clearly(handlers: Handlers) -> None:
    history, turns, *_ = ask(handlers, "What will the weather be on Mars tomorrow?")[-1]
    assert "No answer in the indexed documents" in history[-1]["content"]
    assert turns[0]["citations"] == []


@pytest.mark.parametrize(
    "question, message",
    [
        ("", "type a question first"),
        ("  \n ", "type a question first"),
        ("x" * 5000, "5,000 characters long, more than the limit of 2,000 characters for a question; ask one"),
    ],
)
def test_bad_questions_warn_and_change_nothing(handlers: Handlers, question: str, message: str) -> None:
    with pytest.warns(UserWarning, match=message) as caught:
        frames = ask(handlers, question, turns=[{"question": "q", "citations": []}], history=[])
    assert len(frames) == 1 and frames[0][0] == [] and len(frames[0][1]) == 1
    assert "RAG_" not in str(caught[0].message)  # the server's setting is not the user's business
    if len(question) > 2000:
        with pytest.raises(InputError, match="RAG_MAX_QUESTION_CHARS"):
            clean_question(question, 2000)  # the command line keeps naming the setting


class _Broken:
    """A pipeline whose ``ask`` fails as configured."""

    def __init__(self, error: Exception) -> None:
        self.error = error
        self.settings = Settings()

    def ask(self, *args: Any, **kwargs: Any) -> Answer:
        raise self.error


def test_errors_are_shown_as_messages_never_tracebacks(caplog: pytest.LogCaptureFixture) -> None:
    missing = Handlers(_Broken(IndexMissingError("no index in index/; build one with `make index`")), Settings())  # type: ignore[arg-type]
    with pytest.warns(UserWarning, match="make index"):
        history = ask(missing, "anything")[-1][0]
    assert "make index" in history[-1]["content"] and "Traceback" not in history[-1]["content"]
    buggy = Handlers(_Broken(ZeroDivisionError("secret detail")), Settings())  # type: ignore[arg-type]
    history = ask(buggy, "anything")[-1][0]
    assert view.GENERIC_ERROR in history[-1]["content"] and "secret detail" not in history[-1]["content"]
    assert "secret detail" in caplog.text  # logged on the server, with its traceback


def test_unknown_citation_keys_change_nothing(handlers: Handlers) -> None:
    turns = [{"question": "q", "citations": []}]
    for key in ("", "junk", "5:0", "0:3", None):
        assert handlers.select_citation(turns, key) == (gr.skip(),) * 4


def test_generated_answer_streams_and_flags_unsupported_sentences(built_pipeline: Pipeline) -> None:
    reply = (
        "UNODC is encouraged to collect, record and share biometric data to identify foreign terrorist "
        "fighters [OP 3]. It must also build a moon base [OP 3]. States fund it [OP 99]."
    )
    settings = built_pipeline.settings.model_copy(update={"llm_model": "fake"})
    pipeline = type(built_pipeline)(settings, embedder=built_pipeline.embedder, llm=FakeLLM([reply]))
    frames = ask(Handlers(pipeline, settings), "biometric data foreign terrorist fighters", generate=True)
    texts = [f[0][-1]["content"] for f in frames]
    assert any("Writing with fake" in t for t in texts)
    assert sum("moon" not in t and "UNODC is encouraged" in t for t in texts) >= 1  # tokens arrive one by one
    final, turns = texts[-1], frames[-1][1]
    assert '<span class="flagged"' in final and "moon base" in final
    assert "Not supported by its citation" in final and "Citation OP 99 removed" in final
    assert [c["label"] for c in turns[0]["citations"]] == ["OP 3"]
    assert 'href="#cite:0:0"' in final


def test_generated_answer_falls_back_to_the_excerpts(built_pipeline: Pipeline) -> None:
    settings = built_pipeline.settings.model_copy(update={"llm_model": "fake"})
    pipeline = type(built_pipeline)(
        settings, embedder=built_pipeline.embedder, llm=FakeLLM(["Bananas are yellow [OP 3]."])
    )
    final = ask(Handlers(pipeline, settings), "biometric data foreign terrorist fighters", generate=True)[-1]
    assert "Generated answer not used" in final[0][-1]["content"]
    assert final[1][0]["citations"][0]["label"] == "OP 3"  # the extractive citations


def test_a_follow_up_is_asked_of_the_document_of_the_previous_turn(handlers: Handlers) -> None:
    first = ask(handlers, "What does A/RES/77/236 ask of States?")[-1]
    history, turns, *_ = ask(handlers, "And what does it request of the Secretary-General?",
                                    turns=first[1], history=first[0])[-1]
    answer = history[-1]["content"]
    # asked of A/RES/77/236 only (the whole index would also quote E/CN.15/2019/L.8/Rev.1, OP 4), and said so
    assert {c["doc"] for c in turns[1]["citations"]} == {"A/RES/77/236"} and turns[1]["about"] == "A/RES/77/236"
    assert answer.startswith('<div class="notice follow-up">Taken as about A/RES/77/236, the document of the previous')
    assert "Secretary-General to report" in answer
    # the next follow-up keeps that document, however the previous answer turned out
    third = ask(handlers, "What about OP 1?", turns=turns, history=history)[-1]
    assert [(c["doc"], c["label"]) for c in third[1][2]["citations"]][:1] == [("A/RES/77/236", "OP 1")]
    assert "Taken as about A/RES/77/236" in third[0][-1]["content"]


def test_a_follow_up_after_an_abstention_keeps_the_document_of_the_turn_before(handlers: Handlers) -> None:
    first = ask(handlers, "What does A/RES/77/236 ask of States?")[-1]
    history, turns, *_ = ask(handlers, "Is anything said about volcanoes?", turns=first[1], history=first[0])[-1]
    assert turns[1]["citations"] == []  # abstained: says no document
    history, turns, *_ = ask(handlers, "What does it request of the Secretary-General?", turns=turns,
                             history=history)[-1]
    assert history[-1]["content"].startswith(
        '<div class="notice follow-up">Taken as about A/RES/77/236, the document of your earlier question “What does')
    # asked of A/RES/77/236 only (the whole index would also quote E/CN.15/2019/L.8/Rev.1, OP 4)
    assert {c["doc"] for c in turns[2]["citations"]} == {"A/RES/77/236"} and turns[2]["about"] == "A/RES/77/236"


def test_a_fragment_is_completed_from_the_previous_question(handlers: Handlers) -> None:
    first = ask(handlers, "Who is asked to report to the General Assembly?")[-1]
    assert {c["doc"] for c in first[1][0]["citations"]} == {"A/RES/77/236"}
    history, turns, *_ = ask(handlers, "And when?", turns=first[1], history=first[0])[-1]
    asked = "Who is asked to report to the General Assembly, and when?"
    assert history[-1]["content"].startswith(
        f'<div class="notice follow-up">Read as “{asked}” (your question, completed from the previous one; '
        "asked of A/RES/77/236, the document the previous answer quotes).")
    assert turns[1]["question"] == asked and turns[1]["about"] == "A/RES/77/236"
    assert [(c["doc"], c["label"]) for c in turns[1]["citations"]] == [("A/RES/77/236", "OP 3")]
    # the next fragment is completed from the first part, and asked of the same document
    history, turns, *_ = ask(handlers, "Which paragraph?", turns=turns, history=history)[-1]
    assert turns[2]["question"] == "Who is asked to report to the General Assembly, and in which paragraph?"
    assert turns[2]["about"] == "A/RES/77/236" and "Read as “Who is asked" in history[-1]["content"]


def test_an_elliptical_follow_up_is_the_previous_question_of_a_new_document_or_actor(handlers: Handlers) -> None:
    first = ask(handlers, "What does A/RES/77/236 request of the Secretary-General?")[-1]
    history, turns, *_ = ask(handlers, f"And {SEED}?", turns=first[1], history=first[0])[-1]
    asked = f"What does {SEED} request of the Secretary-General?"
    assert history[-1]["content"].startswith(f'<div class="notice follow-up">Read as “{asked}” (the previous question,')
    assert turns[1]["question"] == asked and {c["doc"] for c in turns[1]["citations"]} == {SEED}
    history, turns, *_ = ask(handlers, "What about Member States?", turns=turns, history=history)[-1]
    assert turns[2]["question"] == f"What does {SEED} request of the Member States?"
    assert {c["doc"] for c in turns[2]["citations"]} == {SEED} and turns[2]["citations"]


def test_no_follow_up_with_a_filter_a_named_document_or_a_question_of_its_own(handlers: Handlers) -> None:
    first = ask(handlers, "What does A/RES/77/236 ask of States?")[-1]
    for question, doc in [
        ("And what does it request of the Secretary-General?", SEED),  # the user's filter rules
        (f"And what does {SEED} request of the Secretary-General?", ""),  # names its own document
        ("What is the Secretary-General requested to do?", ""),  # does not refer back
        ("Which resolutions request it of the Secretary-General?", ""),  # asks about several
    ]:
        history, turns, *_ = ask(handlers, question, turns=first[1], history=first[0], doc=doc)[-1]
        assert "Taken as about" not in history[-1]["content"], question
        assert turns[-1]["about"] == doc
    _, turns, *_ = ask(handlers, "What is the Secretary-General requested to do?", turns=first[1],
                       history=first[0])[-1]
    assert {c["doc"] for c in turns[-1]["citations"]} == {"A/RES/77/236", SEED}  # the whole index


def test_messages_use_the_apps_terms_not_the_command_lines(handlers: Handlers) -> None:
    content = ask(handlers, "When was the resolution adopted?", kinds=["preambular"])[-1][0][-1]["content"]
    assert "“Paragraph kinds” filter" in content and "--kind" not in content
    content = ask(handlers, "When was the resolution adopted?")[-1][0][-1]["content"]
    assert "choose one in the “Document” filter" in content and "--doc" not in content
    with pytest.warns(UserWarning, match="see the Documents tab") as raised:
        assert handlers.browse("A/RES/1/1") == gr.skip()
    assert "rag list" not in str(raised[0].message)
    with pytest.warns(UserWarning, match=r"the question is empty \(after removing control characters\); ask e.g. “"):
        ask(handlers, "\x00\x07")
    # the command line keeps its own words
    assert "(--kind)" in handlers.pipeline.ask("When was the resolution adopted?", kind=["preambular"]).answer


# ------------------------------------------------------------------ documents


def test_documents_are_listed_and_browsed(handlers: Handlers) -> None:
    status, chat_docs, rows, browse_menu, remove_menu = handlers.refresh()
    assert browse_menu.choices == [(r[0], r[0]) for r in rows]
    assert status.startswith("2 documents, 16 passages indexed")
    assert [r[0] for r in rows] == [SEED, "A/RES/77/236"] or [r[0] for r in rows] == ["A/RES/77/236", SEED]
    assert ("All documents", "") in chat_docs.choices and (SEED, SEED) in remove_menu.choices
    page, paragraphs = handlers.browse(SEED, "OP 2 (a)")
    for section in ("Heading (1)", "Preambular paragraphs (2)", "Operative paragraphs (6)", "Footnotes (2)"):
        assert section in page
    assert re.search(r'class="psg depth-1 hl"><span class="label">OP 2 \(a\)</span>', page)
    assert "cited by PP 1" in page and "Opened paragraph" in page
    assert paragraphs.value == "OP 2 (a)" and ("Footnote 1", "Footnote 1") in paragraphs.choices
    _, menu, page, _ = handlers.open_in_browser(SEED, "OP 4")
    assert menu["value"] == SEED and "Opened paragraph" in page


def test_browsing_an_unknown_document_says_which_exist(handlers: Handlers) -> None:
    with pytest.warns(UserWarning, match="no indexed document 'A/RES/1/1'"):
        handlers.browse("A/RES/1/1")
    # called by another handler, the error goes to that one, which shows it once
    with pytest.warns(UserWarning, match="no indexed document 'A/RES/1/1'") as caught:
        assert handlers.open_in_browser("A/RES/1/1", "OP 1") == gr.skip()
    assert len(caught) == 1


def test_an_empty_index_says_how_to_start(tmp_path: Path) -> None:
    h = Handlers(Pipeline(Settings(index_dir=tmp_path / "none"), embedder=FakeEmbedder()), Settings())
    assert "No document is indexed yet" in h.status() and h.refresh()[2] == []
    with pytest.warns(UserWarning, match="upload box of the Documents tab"):  # the app's terms, not the CLI's
        history = ask(h, "What is UNODC requested to do?")[-1][0]
    assert "upload box of the Documents tab" in history[-1]["content"] and "rag ingest" not in history[-1]["content"]


@pytest.fixture
def uploader(tmp_path: Path) -> Handlers:
    """Handlers over an empty index with the real parser (and a fake embedder)."""
    settings = Settings(index_dir=tmp_path / "index")
    return Handlers(Pipeline(settings, embedder=FakeEmbedder(dimension=64)), settings)


def test_upload_adds_then_recognises_a_duplicate(uploader: Handlers, tmp_path: Path) -> None:
    source = tmp_path / "in" / "S_RES_787_1992.txt"
    source.parent.mkdir()
    source.write_bytes((EXTRA / "S_RES_787_1992.txt").read_bytes())
    rows, cleared, status, *_ = uploader.upload([str(source)])
    assert rows[0][:4] == ["S_RES_787_1992.txt", "added", "S/RES/787 (1992)", rows[0][3]] and rows[0][3] > 10
    assert "operative" in rows[0][4] and cleared is None and status.startswith("1 document")
    # no symbol printed: the detail says where the symbol came from, without contradicting itself
    assert "'S/RES/787 (1992)' is inferred from the resolution number on the cover" in rows[0][4]
    assert "found in the text" not in rows[0][4]
    kept = list(uploader.uploads_dir.iterdir())  # one folder per content hash, the file under its own name
    assert len(kept) == 1 and [p.name for p in kept[0].iterdir()] == ["S_RES_787_1992.txt"]
    assert uploader.refresh()[2][0][5] == "S_RES_787_1992.txt"  # shown under its own name
    with pytest.warns(UserWarning, match="already indexed as S/RES/787"):
        rows, *_ = uploader.upload([str(source)])
    assert rows[0][1] == "skipped" and "same content" in rows[0][4]
    assert list(uploader.uploads_dir.iterdir()) == kept
    # a new version of the same document replaces it, and its old file goes
    source.write_bytes(source.read_bytes() + b"\n\n")
    rows, *_ = uploader.upload([str(source)])
    assert rows[0][1] == "replaced" and [d.symbol for d in uploader.pipeline.documents()] == ["S/RES/787 (1992)"]
    assert [p.name for p in uploader.uploads_dir.iterdir()] != [k.name for k in kept]
    assert len(list(uploader.uploads_dir.iterdir())) == 1


def test_an_upload_that_cannot_be_indexed_leaves_no_file(
    uploader: Handlers, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def locked(*args: Any, **kwargs: Any) -> Any:
        raise IndexError_("another ingest is still writing index/; wait for it to finish and try again")

    monkeypatch.setattr(uploader.pipeline, "ingest", locked)
    source = tmp_path / "S_RES_787_1992.txt"
    source.write_bytes((EXTRA / "S_RES_787_1992.txt").read_bytes())
    with pytest.raises(gr.Error, match="another ingest is still writing"):
        uploader.upload([str(source)])
    assert not uploader.uploads_dir.exists() or list(uploader.uploads_dir.iterdir()) == []


def test_upload_refuses_unsupported_empty_and_corrupt_files(uploader: Handlers, tmp_path: Path) -> None:
    exe = tmp_path / "tool.exe"
    exe.write_bytes(b"MZ\x90\x00")
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    corrupt = tmp_path / "broken.pdf"
    corrupt.write_bytes(b"%PDF-1.7\n" + bytes(range(256)) * 40)
    with pytest.warns(UserWarning) as caught:
        rows, *_ = uploader.upload([str(exe), str(empty), str(corrupt)])
    by_file = {r[0]: r for r in rows}
    assert by_file["tool.exe"][1] == "refused" and "unsupported file type '.exe'" in by_file["tool.exe"][4]
    assert by_file["empty.txt"][1] == "refused" and "empty" in by_file["empty.txt"][4]
    assert by_file["broken.pdf"][1] == "failed" and by_file["broken.pdf"][4]
    assert len([c for c in caught if c.category is UserWarning]) == 3  # (a ResourceWarning of the GC may join in)
    assert not any(uploader.uploads_dir.glob("*broken*"))  # a failed upload leaves no copy behind
    assert uploader.pipeline.documents() == []


def test_upload_limits_size_and_tames_file_names(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path / "index", max_file_mb=0.001)
    h = Handlers(Pipeline(settings, embedder=FakeEmbedder()), settings)
    big = tmp_path / "big.txt"
    big.write_text("x" * 5000)
    with pytest.warns(UserWarning, match="uploads are limited to 0.001 MB a file") as caught:
        assert h.upload([str(big)])[0][0][1] == "refused"
    assert "RAG_" not in str(caught[0].message)  # a setting of the server, not the user's
    odd = tmp_path / "..a b<c>;rm -rf.TXT"
    odd.write_text("text")
    copy, created = h._keep_upload(odd)
    assert created and copy.parent.parent == h.uploads_dir and re.fullmatch(r"[0-9a-f]{12}", copy.parent.name)
    assert copy.name == "a_b_c_rm_-rf.txt"
    assert h._keep_upload(odd) == (copy, False)


def test_a_document_without_a_symbol_is_named_after_the_file_uploaded(uploader: Handlers, tmp_path: Path) -> None:
    notes = tmp_path / "meeting notes.txt"
    notes.write_text("Some notes on the meeting of the working group.\n\nThe next meeting is in May.\n")
    rows, *_ = uploader.upload([str(notes)])
    assert rows[0][1:3] == ["added", "meeting_notes"]  # not the name of the kept copy, with its hash
    uploader.remove("meeting_notes")
    assert list(uploader.uploads_dir.iterdir()) == []  # the copy and its folder go with it


def test_upload_without_files_and_remove_without_choice_warn(uploader: Handlers) -> None:
    """Input problems are warnings (yellow), as a bad question is, never errors (red); nothing changes."""
    with pytest.warns(UserWarning, match="choose one or more files"):
        assert uploader.upload([]) == gr.skip()
    with pytest.warns(UserWarning, match="choose the document to remove"):
        assert uploader.remove("") == gr.skip()


def test_remove_drops_the_document_and_its_upload(uploader: Handlers, tmp_path: Path) -> None:
    source = tmp_path / "S_RES_787_1992.txt"
    source.write_bytes((EXTRA / "S_RES_787_1992.txt").read_bytes())
    uploader.upload([str(source)])
    assert uploader.remove(CANCELLED) == (gr.skip(),) * 7  # "no" in the confirmation dialog
    assert len(uploader.pipeline.documents()) == 1
    page, _, status, *_ = uploader.remove("S/RES/787 (1992)")
    assert page == "" and "No document is indexed yet" in status
    assert list(uploader.uploads_dir.iterdir()) == []
    with pytest.warns(UserWarning, match="is not indexed"):
        uploader.remove("S/RES/787 (1992)")


def test_removing_a_document_keeps_another_one_open_in_the_browser(handlers: Handlers) -> None:
    page, paragraphs, status, *_ = handlers.remove("A/RES/77/236", SEED)  # SEED is being read
    assert page == paragraphs == gr.skip() and status.startswith("1 document")
    page, paragraphs, status, _, _, browse_menu, _ = handlers.remove(SEED, SEED)  # the one being read
    assert page == "" and paragraphs.choices == [] and browse_menu.value is None


def test_the_removal_reads_which_document_is_browsed(built_pipeline: Pipeline) -> None:
    app = build_app(built_pipeline, built_pipeline.settings)
    removal = next(fn for fn in app.fns.values() if fn.name == "remove")
    assert [getattr(block, "elem_id", None) for block in removal.inputs][1] == "browse-doc"
    assert [getattr(block, "elem_id", None) for block in removal.outputs][:1] == ["document-view"]


def test_questions_are_answered_from_the_old_index_while_an_upload_runs(tmp_path: Path) -> None:
    started, release = threading.Event(), threading.Event()

    class SlowParsing(Pipeline):
        def parse_file(self, path: Path) -> Any:
            started.set()
            assert release.wait(60), "the test never released the upload"
            return super().parse_file(path)

    settings = Settings(index_dir=tmp_path / "index")
    pipeline = SlowParsing(settings, embedder=FakeEmbedder(dimension=64))
    release.set()
    assert pipeline.ingest([EXTRA / "S_RES_787_1992.txt"]).ok
    started.clear()
    release.clear()
    h = Handlers(pipeline, settings)
    upload = tmp_path / "A_RES_77_236.txt"
    upload.write_bytes((EXTRA / "A_RES_77_236.txt").read_bytes())
    worker = threading.Thread(target=h.upload, args=([str(upload)],))
    worker.start()
    try:
        assert started.wait(30)
        answer = h.api_ask("end the blockades of Sarajevo")  # answered while the upload holds the index
        assert {c["doc"] for c in answer["citations"]} == {"S/RES/787 (1992)"}
        assert h.status().startswith("1 document,")
    finally:
        release.set()
        worker.join(120)
    assert not worker.is_alive() and h.status().startswith("2 documents,")


# ------------------------------------------------------------------ mandates


def test_mandates_table_filters_by_any_alias_and_exports_csv(handlers: Handlers) -> None:
    actors, verbs, docs, _ = handlers.mandate_menus()
    assert ("All actors", "") in actors.choices and any(value == "UNODC" for _, value in actors.choices)
    assert any(value == "requests" for _, value in verbs.choices) and ("A/RES/77/236", "A/RES/77/236") in docs.choices
    rows, count, path = handlers.mandates("United Nations Office on Drugs and Crime", "", "")
    assert {(r[0], r[1]) for r in rows} >= {(SEED, "OP 2"), (SEED, "OP 3")}
    assert all("UNODC" in r[2] for r in rows) and count.startswith(f"{len(rows)} action clause")
    exported = list(csv.DictReader(io.StringIO(Path(path).read_text(encoding="utf-8"))))
    assert [(e["doc"], e["label"]) for e in exported] == [(r[0], r[1]) for r in rows]
    assert Path(path).name == "mandates-United-Nations-Office-on-Drugs-and-Crime.csv"  # named after the filter
    rows, count, path = handlers.mandates("", "requests", "A/RES/77/236")
    assert [(r[1], r[2]) for r in rows] == [("OP 3", "Secretary-General")]
    assert Path(path).name == "mandates-requests-A-RES-77-236.csv"
    assert Path(handlers.mandates("", "", "")[2]).name == "mandates.csv"
    rows, count, _ = handlers.mandates("Nobody at all", "", "")
    assert rows == [] and "none matches" in count


def test_a_mandate_row_opens_its_paragraph(handlers: Handlers) -> None:
    source, opened = handlers.select_mandate(
        select({"index": [0, 1], "value": "OP 4", "row_value": [SEED, "OP 4", "Secretary-General", "requests", ""]})
    )
    assert opened == (SEED, "OP 4") and "thirtieth session" in source
    tabs, _, page, _ = handlers.open_in_browser(*opened)
    assert tabs.selected == "documents" and 'class="psg depth-0 hl"' in page


def test_a_mandate_row_marks_its_clause_in_the_paragraph(uploader: Handlers) -> None:
    """A paragraph with several clauses ("Condemns …, and requests the Secretary-General to report …"): the row's
    clause is marked, as a citation's excerpt is in the chat."""
    assert uploader.pipeline.ingest([EXTRA / "S_RES_1445_2002.txt"]).ok
    rows, _, _ = uploader.mandates("", "", "")
    partial = 0
    for row in [r for r in rows if r[4]]:
        source, _ = uploader.select_mandate(select({"index": [0, 4], "value": row[4], "row_value": row}))
        marks = [unescape(m) for m in re.findall(r"<mark>(.*?)</mark>", source, re.S)]
        paragraph = re.sub(r"<[^>]+>", "", re.search(r'class="source-text">(.*?)</div>', source, re.S).group(1))
        assert len(marks) == 1 and row[4].rstrip(" …")[:30] in marks[0], (row, marks)
        assert not marks[0].startswith(("and ", ",", " ")), marks  # from the verb on
        partial += len(marks[0]) < len(paragraph) - 20
    assert partial >= 2  # clauses within longer paragraphs, not whole paragraphs marked
    # a row the index no longer has (another document replaced it meanwhile): the paragraph, nothing marked
    stale = [rows[0][0], rows[0][1], "Nobody", "requests", "to do something else"]
    source, _ = uploader.select_mandate(select({"index": [0, 0], "value": "", "row_value": stale}))
    assert "<mark>" not in source and "source-text" in source


def test_mandates_hint_comes_from_the_index_and_names_as_texts_write_them_are_explained(
    handlers: Handlers,
) -> None:
    actors, _, _, hint = handlers.mandate_menus()
    assert ("UNODC · United Nations Office on Drugs and Crime (4)", "UNODC") in actors.choices  # typing either finds it
    assert "(e.g. UNODC or United Nations Office on Drugs and Crime)" in hint and "the Office," not in hint
    # "the Office" is how one text writes UNODC, and may be another office elsewhere: the count line says whom
    rows, count, _ = handlers.mandates("the Office", "", "")
    assert [(r[0], r[1], r[2]) for r in rows] == [(SEED, "OP 3", "UNODC")]
    assert f"it matched UNODC in {SEED}" in count and "Choose an actor in the menu" in count
    assert "matched" not in handlers.mandates("UNODC", "", "")[1]


# ------------------------------------------------------------------ API


def test_api_ask_returns_the_rag_ask_json(handlers: Handlers) -> None:
    data = handlers.api_ask("biometric data foreign terrorist fighters")
    assert set(data) >= {"question", "answer", "abstained", "citations", "timings_ms"}
    assert data["abstained"] is False and data["citations"][0]["label"] == "OP 3"
    assert set(data["citations"][0]) >= {"doc", "label", "kind", "number", "score", "excerpt", "text"}
    json.dumps(data)  # JSON as it is
    only = handlers.api_ask("Secretary-General report", 1, "A/RES/77/236", ["operative"])
    assert [(c["doc"], c["kind"]) for c in only["citations"]] == [("A/RES/77/236", "operative")]
    with pytest.raises(gr.Error, match="the question is empty"):
        handlers.api_ask("   ")


def test_api_checks_its_arguments_and_speaks_of_its_parameters(handlers: Handlers) -> None:
    with pytest.raises(gr.Error, match="the question is missing"):
        handlers.api_ask(None)  # type: ignore[arg-type]
    with pytest.raises(gr.Error, match="the question must be text, not int"):
        handlers.api_ask(123, 0, "", None)  # type: ignore[arg-type]
    with pytest.raises(gr.Error, match="k must be a whole number"):
        handlers.api_ask("OP 1", -2)
    with pytest.raises(gr.Error, match="see the Documents tab of the app"):
        handlers.api_ask("OP 1", 0, "A/RES/1/1")
    one = handlers.api_ask("OP 1", None, None, "operative")  # type: ignore[arg-type]  # nulls: the defaults
    assert one["citations"] and all(c["kind"] == "operative" for c in one["citations"])


def test_api_call_without_the_optional_parameters_gets_their_defaults(built_pipeline: Pipeline) -> None:
    """A plain HTTP call ``{"data": ["question"]}``: Gradio itself requires every value; the app fills the
    defaults it advertises (``AppBlocks.validate_inputs``)."""
    app = build_app(built_pipeline, built_pipeline.settings)
    endpoint = next(fn for fn in app.fns.values() if fn.api_name == "ask")
    cases: list[tuple[list[Any], list[Any]]] = [
        (["q"], ["q", 0, "", None]), (["q", 3], ["q", 3, "", None]), (["q", 1, "X", ["op"]], ["q", 1, "X", ["op"]])
    ]
    for given, expected in cases:
        inputs = list(given)
        app.validate_inputs(endpoint, inputs)
        assert inputs == expected
    inputs = []
    app.validate_inputs(endpoint, inputs)
    assert inputs == [None, 0, "", None]  # no question: ``api_ask`` says it is missing
    chat = next(fn for fn in app.fns.values() if fn.name == "respond")
    with pytest.raises(ValueError):  # the UI's events are left as Gradio checks them
        app.validate_inputs(chat, ["q"])


# ------------------------------------------------------------------ evaluation


def test_evaluation_runs_a_suite_and_offers_the_report(tmp_path: Path, fake_embedder: FakeEmbedder) -> None:
    root = tmp_path / "repo"
    (root / "evals" / "suites").mkdir(parents=True)
    (root / "docs").mkdir()
    (root / "docs" / "s787.txt").write_bytes((EXTRA / "S_RES_787_1992.txt").read_bytes())
    (root / "evals" / "suites" / "tiny.corpus").write_text("docs/s787.txt\n")
    questions = [
        {
            "id": "t-1",
            "question": "end the blockades of Sarajevo",
            "expected": [{"doc": "S/RES/787 (1992)", "label": "OP 12"}],
            "tags": ["lexical"],
            "split": "dev",
        },
        {
            "id": "t-2",
            "question": "What is the price of coffee in Brazil?",
            "expected": [],
            "tags": ["unanswerable"],
            "split": "test",
        },
    ]
    (root / "evals" / "suites" / "tiny.jsonl").write_text("\n".join(json.dumps(q) for q in questions) + "\n")
    settings = Settings(index_dir=tmp_path / "index")
    h = Handlers(Pipeline(settings, embedder=fake_embedder), settings, eval_root=root)
    assert h.suite_names() == ["tiny"]
    summary, metrics, tags, charts, files = h.run_evaluation(["tiny"], "all", False)
    assert "2 questions" in summary
    assert metrics.headers == ["metric", "system"] and metrics.value["data"][0][0] == "recall@1"
    assert {row[0] for row in tags} >= {"lexical", "unanswerable"}
    assert charts and all(Path(c).suffix == ".png" and Path(c).exists() for c in charts)
    assert [Path(f).suffix for f in files] == [".json", ".md", ".zip"]
    assert json.loads(Path(files[0]).read_text())["metrics"]["questions"] == 2
    with zipfile.ZipFile(files[2]) as archive:
        names = archive.namelist()
    assert {Path(files[0]).name, Path(files[1]).name} <= set(names) and any(n.endswith(".png") for n in names)
    assert not any(n.endswith(".zip") for n in names)
    with pytest.warns(UserWarning, match="choose at least one suite"):
        h.run_evaluation([], "all", False)


# ------------------------------------------------------------------ HTML


def test_document_text_is_escaped_everywhere() -> None:
    hostile = '<img src=x onerror="alert(1)">'
    citations = [{"doc": "X/1", "label": "OP 1", "excerpt": hostile, "text": hostile}]
    for html in (
        view.answer_html(f"{hostile} [OP 1]", citations, 0),
        view.citation_text(citations[0]),
        view.source_html(citations[0], None, None),
    ):
        assert "<img" not in html or html == view.citation_text(citations[0])
    assert "&lt;img" in view.answer_html(hostile, [], 0)


def test_markers_that_name_no_citation_stay_text() -> None:
    html = view.answer_html("Acts [OP 7] and [E/1, OP 2] [see annex]", [{"doc": "E/1", "label": "OP 2"}], 3)
    assert '<a class="cite" href="#cite:3:0" title="E/1, OP 2">[E/1, OP 2]</a>' in html
    assert "[OP 7]" in html and "#cite:3:1" not in html and "[see annex]" in html


def test_footnote_lines_of_an_answer_are_set_apart() -> None:
    text = "Recalling its resolutions, [PP 1]\n    Footnote 1: Resolutions 72/194. [Footnote 1]"
    html = view.answer_html(text, [{"doc": "X", "label": "PP 1"}, {"doc": "X", "label": "Footnote 1"}], 0)
    assert '<p class="note">Footnote 1: Resolutions 72/194. <a class="cite" href="#cite:0:1"' in html
