"""Pipeline: idempotent incremental ingest, replace, remove, failures, laziness, concurrency."""

from __future__ import annotations

import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import pytest
from conftest import JsonPipeline, make_document, sample_documents, write_json_documents

from rag.embed import FakeEmbedder
from rag.errors import IndexError_, IndexMismatchError, IndexMissingError, InputError
from rag.settings import Settings

SEED = "E/CN.15/2019/L.8/Rev.1"
OTHER = "A/RES/77/236"


def test_constructing_a_pipeline_is_cheap_and_touches_nothing(tmp_path: Path) -> None:
    pipeline = JsonPipeline(Settings(index_dir=tmp_path / "idx"))
    assert pipeline._embedder is None and pipeline._snapshot is None
    assert not (tmp_path / "idx").exists()
    assert pipeline.documents() == []
    with pytest.raises(IndexMissingError, match="rag ingest data/corpus"):
        pipeline.search("terrorism")


def test_a_new_parser_version_reads_every_file_again(json_pipeline: JsonPipeline, corpus_dir: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.pipeline

    json_pipeline.ingest([corpus_dir])
    monkeypatch.setattr(rag.pipeline, "PARSE_VERSION", rag.pipeline.PARSE_VERSION + 1)
    again = json_pipeline.ingest([corpus_dir])
    assert [f.status for f in again.files] == ["replaced", "replaced"] and again.generation == 2
    assert [f.status for f in json_pipeline.ingest([corpus_dir]).files] == ["skipped", "skipped"]


def test_first_ingest_adds_every_document(json_pipeline: JsonPipeline, corpus_dir: Path) -> None:
    steps: list[tuple[str, int, int]] = []
    report = json_pipeline.ingest([corpus_dir], progress=lambda *a: steps.append(a))
    assert report.ok and report.generation == 1
    assert sorted(f.symbol for f in report.added) == [OTHER, SEED]
    assert report.embedded == 16 and "2 added, 0 replaced, 0 skipped, 0 failed" in report.summary()
    assert {s[0] for s in steps} == {"read", "embed", "index"} and steps[-1][1] == steps[-1][2]
    assert [d.symbol for d in json_pipeline.documents()] == [OTHER, SEED]
    assert json_pipeline.document("a/res/77/236").title.startswith("Strengthening")
    assert len(json_pipeline.passages()) == 16 and len(json_pipeline.passages(SEED)) == 11
    with pytest.raises(InputError, match="no indexed document"):
        json_pipeline.document("X/1")
    assert json.loads(json.dumps(report.to_json()))["summary"] == report.summary()


def test_reingest_changes_nothing_and_is_much_faster(json_pipeline: JsonPipeline, corpus_dir: Path) -> None:
    started = time.perf_counter()
    first = json_pipeline.ingest([corpus_dir])
    first_s = time.perf_counter() - started
    before = sorted(p.name for p in json_pipeline.index_dir.iterdir())
    started = time.perf_counter()
    again = json_pipeline.ingest([corpus_dir])
    again_s = time.perf_counter() - started
    print(f"\ningest (fake embedder, 2 documents): first {first_s * 1000:.0f} ms, re-ingest {again_s * 1000:.0f} ms")
    assert first.generation == 1 and again.generation is None
    assert [f.status for f in again.files] == ["skipped", "skipped"] and again.embedded == 0
    assert sorted(p.name for p in json_pipeline.index_dir.iterdir()) == before
    assert json_pipeline.layout.current() == 1
    assert len(json_pipeline.passages()) == 16


def test_changed_file_is_replaced_not_duplicated(json_pipeline: JsonPipeline, corpus_dir: Path) -> None:
    json_pipeline.ingest([corpus_dir])
    other = sample_documents()[1]
    changed = replace(other, passages=[*other.passages[:-1], replace(other.passages[-1], text="Decides to remain "
                                                                   "seized of the matter of online exploitation.")])
    write_json_documents(corpus_dir, [changed])
    report = json_pipeline.ingest([corpus_dir])
    assert [(f.symbol, f.status) for f in report.files] == [(OTHER, "replaced"), (SEED, "skipped")]
    assert report.embedded == 1  # only the changed paragraph is embedded again
    assert [d.symbol for d in json_pipeline.documents()] == [OTHER, SEED]
    assert len(json_pipeline.passages(OTHER)) == len(other.passages)
    hits = json_pipeline.search("remain seized of the matter", k=1)
    assert hits[0].passage.doc == OTHER and "remain seized" in hits[0].passage.text
    assert json_pipeline.search("seventy-eighth session report", k=1, doc=OTHER)[0].passage.label != "OP 3"


def test_failed_files_are_reported_and_do_not_stop_the_others(json_pipeline: JsonPipeline, corpus_dir: Path
                                                              ) -> None:
    (corpus_dir / "broken.txt").write_text("this is not a test document")
    report = json_pipeline.ingest([corpus_dir, corpus_dir / "missing.pdf"])
    assert not report.ok
    failed = {Path(f.path).name: f.reason for f in report.failed}
    assert "not a test document" in failed["broken.txt"] and "no such file" in failed["missing.pdf"]
    assert len(report.added) == 2 and len(json_pipeline.documents()) == 2


def test_same_document_twice_in_one_run_is_indexed_once(json_pipeline: JsonPipeline, tmp_path: Path) -> None:
    seed = sample_documents()[0]
    write_json_documents(tmp_path / "a", [seed])
    write_json_documents(tmp_path / "b", [replace(seed, title="Another rendering")])
    report = json_pipeline.ingest([tmp_path / "a", tmp_path / "b"])
    assert [f.status for f in report.files] == ["added", "skipped"]
    assert "same document as" in report.files[1].reason
    again = json_pipeline.ingest([tmp_path / "a", tmp_path / "b"])
    assert again.generation is None and {f.status for f in again.files} == {"skipped"}
    assert len(json_pipeline.documents()) == 1


def test_remove(built_pipeline: JsonPipeline) -> None:
    assert built_pipeline.remove("a_res_77_236")
    assert [d.symbol for d in built_pipeline.documents()] == [SEED]
    assert not built_pipeline.remove(OTHER)
    assert all(h.passage.doc == SEED for h in built_pipeline.search("Secretary-General report", k=20))


def test_rebuild_starts_from_empty(built_pipeline: JsonPipeline, tmp_path: Path) -> None:
    write_json_documents(tmp_path / "only", [sample_documents()[1]])
    report = built_pipeline.ingest([tmp_path / "only"], rebuild=True)
    assert [f.status for f in report.files] == ["added"]
    assert [d.symbol for d in built_pipeline.documents()] == [OTHER]


def test_ingest_with_another_model_is_refused(built_pipeline: JsonPipeline, corpus_dir: Path) -> None:
    other = JsonPipeline(built_pipeline.settings, embedder=FakeEmbedder(64))
    with pytest.raises(IndexMismatchError, match=r"fake-hash-128.*rag ingest --rebuild"):
        other.ingest([corpus_dir])
    assert other.ingest([corpus_dir], rebuild=True).ok
    assert other.snapshot().manifest.model == "fake-hash-64"


def test_embedding_failure_keeps_the_previous_index(built_pipeline: JsonPipeline, tmp_path: Path) -> None:
    class Broken(FakeEmbedder):
        def embed_passages(self, texts):  # type: ignore[no-untyped-def]
            raise RuntimeError("model crashed")

    broken = JsonPipeline(built_pipeline.settings, embedder=Broken(128))
    other = sample_documents()[1]
    new = replace(other, symbol="A/RES/99/1", passages=[replace(p, text=p.text + " New.") for p in other.passages])
    write_json_documents(tmp_path / "new", [new])
    with pytest.raises(RuntimeError):
        broken.ingest([tmp_path / "new"])
    assert built_pipeline.layout.generations() == [1] and built_pipeline.layout.current() == 1
    assert len(built_pipeline.documents()) == 2


def test_disk_full_while_writing_is_a_clear_error_and_keeps_the_index(
        built_pipeline: JsonPipeline, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import rag.index

    def no_space(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(rag.index.LexicalIndex, "save", no_space)
    write_json_documents(tmp_path / "new", [replace(sample_documents()[1], symbol="A/RES/99/1")])
    with pytest.raises(IndexError_, match=r"No space left on device.*previous index .* is unchanged"):
        built_pipeline.ingest([tmp_path / "new"])
    assert built_pipeline.layout.generations() == [1]
    assert [d.symbol for d in built_pipeline.documents()] == [OTHER, SEED]


def test_locked_database_is_a_clear_error(built_pipeline: JsonPipeline) -> None:
    import sqlite3

    from rag.index import IndexSnapshot

    holder = sqlite3.connect(built_pipeline.layout.generation_dir(1) / "rag.sqlite", timeout=0)
    holder.execute("PRAGMA locking_mode = EXCLUSIVE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        with pytest.raises(IndexError_, match="locked by another process"):
            IndexSnapshot.load(built_pipeline.index_dir, model="fake-hash-128")
    finally:
        holder.rollback()
        holder.close()


def test_other_process_publishing_is_picked_up(built_pipeline: JsonPipeline, tmp_path: Path) -> None:
    reader = JsonPipeline(built_pipeline.settings, embedder=FakeEmbedder(128))
    assert len(reader.documents()) == 2
    write_json_documents(tmp_path / "new", [replace(sample_documents()[1], symbol="A/RES/99/1")])
    built_pipeline.ingest([tmp_path / "new"])
    assert "A/RES/99/1" in [d.symbol for d in reader.documents()]


def test_concurrent_searches_during_ingest_see_a_complete_index(built_pipeline: JsonPipeline,
                                                                tmp_path: Path) -> None:
    reader = JsonPipeline(built_pipeline.settings, embedder=FakeEmbedder(128))
    errors: list[BaseException] = []
    counts: set[int] = set()
    stop = threading.Event()

    def search() -> None:
        while not stop.is_set():
            try:
                hits = reader.search("Secretary-General report implementation", k=50)
                counts.add(len({h.passage.doc for h in hits}))
            except BaseException as error:  # collected and asserted below
                errors.append(error)
                return

    threads = [threading.Thread(target=search) for _ in range(4)]
    for thread in threads:
        thread.start()
    for number in range(3):
        extra = replace(sample_documents()[1], symbol=f"A/RES/99/{number}")
        write_json_documents(tmp_path / f"new{number}", [extra])
        assert built_pipeline.ingest([tmp_path / f"new{number}"]).ok
    stop.set()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(reader.documents()) == 5
    assert built_pipeline.layout.generations() == [3, 4]  # previous generation kept for readers, older removed


# ------------------------------------------------------------------ mandate map stored at ingest
def test_mandates_are_extracted_at_ingest_and_read_back(built_pipeline: JsonPipeline) -> None:
    from rag.mandates import extract_mandates

    snapshot = built_pipeline.snapshot()
    stored = snapshot.store.mandates_json()
    assert stored is not None and set(stored) == {SEED, OTHER}
    for symbol in (SEED, OTHER):
        assert built_pipeline.mandates(symbol) == extract_mandates(built_pipeline.passages(symbol), snapshot.aliases)
    assert {c.doc for c in built_pipeline.mandates()} == {SEED, OTHER}
    requests = [c for c in built_pipeline.mandates("e/cn.15/2019/l.8/rev.1") if "UNODC" in c.actors]
    assert [c.label for c in requests] == ["OP 2", "OP 2 (a)", "OP 2 (b)", "OP 3"]
    with pytest.raises(InputError, match="no indexed document"):
        built_pipeline.mandates("X/1")


def test_stored_mandates_are_reused_for_unchanged_documents(built_pipeline: JsonPipeline, tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    import rag.mandates

    extracted: list[str] = []
    original = rag.mandates.extract_mandates

    def spy(passages, aliases=None):  # type: ignore[no-untyped-def]
        passages = list(passages)
        extracted.extend(sorted({p.doc for p in passages}))
        return original(passages, aliases)

    monkeypatch.setattr(rag.mandates, "extract_mandates", spy)
    other = sample_documents()[1]
    extra = replace(other, symbol="A/RES/99/1", passages=[replace(p, doc="A/RES/99/1") for p in other.passages])
    write_json_documents(tmp_path / "new", [extra])
    assert built_pipeline.ingest([tmp_path / "new"]).ok
    assert extracted == ["A/RES/99/1"]  # the alias table did not change: the others keep their clauses
    assert {c.doc for c in built_pipeline.mandates()} == {SEED, OTHER, "A/RES/99/1"}
    assert extracted == ["A/RES/99/1"]  # reading extracts nothing


def test_index_without_a_stored_mandate_map_still_answers(built_pipeline: JsonPipeline) -> None:
    import sqlite3

    folder = built_pipeline.layout.generation_dir(1)
    connection = sqlite3.connect(folder / "rag.sqlite")
    connection.execute("DROP TABLE mandates")
    connection.commit()
    connection.close()
    manifest = json.loads((folder / "manifest.json").read_text())
    manifest["files"]["rag.sqlite"] = (folder / "rag.sqlite").stat().st_size  # as an older version wrote it
    (folder / "manifest.json").write_text(json.dumps(manifest))
    reader = JsonPipeline(built_pipeline.settings, embedder=FakeEmbedder(128))
    assert reader.snapshot().store.mandates_json() is None
    assert [c.label for c in reader.mandates(SEED) if "Secretary-General" in c.actors] == ["OP 4"]


def test_a_typing_slip_is_read_as_the_corpus_word_and_said_so(built_pipeline: JsonPipeline) -> None:
    answer = built_pipeline.ask("Which paragraph asks to share biometic data on foreign terorist fighters?")
    assert answer.answer.startswith("(Read as “Which paragraph asks to share biometric data on foreign terrorist")
    assert answer.question.endswith("terorist fighters?")  # the question as typed is kept
    assert [(c.doc, c.label) for c in answer.citations][:1] == [("E/CN.15/2019/L.8/Rev.1", "OP 3")]
    untouched = built_pipeline.ask("Which paragraph asks to share biometric data on foreign terrorist fighters?")
    assert not untouched.answer.startswith("(Read as")


def test_a_question_on_the_documents_adopted_in_a_year_is_searched_in_them(built_pipeline: JsonPipeline) -> None:
    scoped = built_pipeline.ask("Which resolutions adopted in 2022 mention trafficking in cultural property?")
    assert [(c.doc, c.label) for c in scoped.citations][:1] == [("A/RES/77/236", "OP 1")]
    none = built_pipeline.ask("Which resolutions adopted in 2031 mention trafficking?")
    assert none.abstained and none.answer.startswith("None of the 2 indexed documents was adopted in 2031")
    # a draft was not adopted: "adopted in 2019" leaves out the draft of 2019
    draft = built_pipeline.ask("What do the resolutions adopted in 2019 say about biometric data?")
    assert draft.abstained and draft.citations == []


def _year_documents() -> list:
    """A Security Council resolution of 2030 and an ECOSOC one numbered in the 2030 series but adopted in 2029."""
    made = []
    for symbol, adoption, date, text in (
        ("S/RES/9999 (2030)", "Adopted by the Security Council at its 9999th meeting, on 2 June 2030", "2 June 2030",
         "Demands that all parties respect and protect humanitarian personnel and their premises;"),
        ("E/RES/2030/1", "Resolution adopted by the Economic and Social Council on 10 November 2029",
         "10 November 2029", "Decides that the Group of Experts on Geographical Names shall meet every two years, "
                             "and that humanitarian personnel shall be consulted on names;"),
    ):
        document = make_document(symbol, "Resolution", [("operative", "1", text)], date=date)
        heading = replace(document.passages[0], text=f"{symbol}\n{adoption}")
        made.append(replace(document, passages=[heading, *document.passages[1:]]))
    return made


def test_the_documents_of_a_year_are_those_adopted_in_it_or_numbered_in_its_series(
        built_pipeline: JsonPipeline, corpus_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_json_documents(corpus_dir, _year_documents())
    built_pipeline.ingest([corpus_dir])
    assert sorted(built_pipeline.headings()) == ["A/RES/77/236", "E/CN.15/2019/L.8/Rev.1", "E/RES/2030/1",
                                                 "S/RES/9999 (2030)"]

    read: list[str | None] = []  # the documents read whole: headings are read by label, not so
    passages = built_pipeline.passages
    monkeypatch.setattr(built_pipeline, "passages", lambda doc=None: read.append(doc) or passages(doc))
    catalogue = built_pipeline.ask("Which 2030 resolutions are indexed?")
    assert [c.doc for c in catalogue.citations] == ["E/RES/2030/1", "S/RES/9999 (2030)"] and read == []
    assert catalogue.answer.startswith("1 of the 4 indexed documents was adopted in 2030, and E/RES/2030/1 in 2029 "
                                       "as resolution 2030/1:")
    names = built_pipeline.ask("What do the 2030 resolutions say about geographical names?")
    assert names.answer.startswith("(E/RES/2030/1 was adopted in 2029 as resolution 2030/1.)\n")
    assert {c.doc for c in names.citations} == set(read) == {"E/RES/2030/1"}  # the document it quotes, no other
    council = built_pipeline.ask("Which Security Council resolutions from 2030 mention humanitarian personnel?")
    assert {c.doc for c in council.citations} == {"S/RES/9999 (2030)"} and not council.abstained
    in_2022 = built_pipeline.ask("What do 2022's resolutions say about cultural property?")
    assert [c.doc for c in in_2022.citations][:1] == ["A/RES/77/236"] and not in_2022.answer.startswith("(")
    # one document's adoption is asked about, not the documents of a year
    one = built_pipeline.ask("When was resolution 9999 adopted in 2030?")
    assert [c.doc for c in one.citations] == ["S/RES/9999 (2030)"] and "2 June 2030" in one.answer



def test_an_acronym_typed_in_lower_case_is_learned_from_the_corpus_names() -> None:
    from types import SimpleNamespace

    from rag.aliases import AliasTable
    from rag.pipeline import _question_aliases

    snapshot = SimpleNamespace(aliases=AliasTable([], names=["Committee on the Peaceful Uses of Outer Space"]))
    known = {"what", "ask", "do"}.__contains__
    table = _question_aliases(snapshot, "what is copuos asked to do?", known)  # type: ignore[arg-type]
    assert table is not None and table.canonical("Committee on the Peaceful Uses of Outer Space") == "COPUOS"
    assert _question_aliases(snapshot, "what is asked?", known) is None  # type: ignore[arg-type]
