"""The app in a real browser: headless Chromium driven by Playwright.

Starts ``python app.py`` on a free loopback port over a copy of the default
index (real model), asks a question, sees a cited answer, opens the source,
uploads one more document and sees it listed. Screenshots go to
``tests/artifacts/`` (git-ignored); with ``RAG_UPDATE_SCREENSHOTS=1`` the chat and
documents screenshots also replace ``docs/chat.png`` and ``docs/documents.png``
(the README's).

Chromium is Debian's (``/usr/bin/chromium``). Where it is missing the test is
skipped, except when ``RAG_REQUIRE_BROWSER=1`` (set by ``.ci/run``): then it fails.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from app_server import ROOT, running_app

pytestmark = [pytest.mark.slow, pytest.mark.browser]

CHROMIUM = Path("/usr/bin/chromium")
ARTIFACTS = ROOT / "tests" / "artifacts"
EXTRA_DOCUMENT = ROOT / "tests" / "data" / "extra" / "akn" / "S_RES_2730_2024.akn.xml"
QUESTION = "What does the resolution say about the financing of terrorism?"
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
WAIT_MS = 120_000  # generous: CI machines are slow, and the first upload loads the model


def require_chromium() -> None:
    if CHROMIUM.exists():
        return
    message = f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    if os.environ.get("RAG_REQUIRE_BROWSER") == "1":
        pytest.fail(message + "; RAG_REQUIRE_BROWSER=1 requires the browser test to run")
    pytest.skip(message)


@pytest.fixture
def page(default_index: Path, tmp_path: Path) -> Iterator[Any]:
    index = tmp_path / "index"
    shutil.copytree(default_index, index)  # the upload must not change the index other tests share
    with browsing(index, tmp_path) as tab:
        yield tab


@pytest.fixture(scope="module")
def several_documents_index(
    default_index: Path, real_embedder: Any, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """The default corpus and two Security Council resolutions (on the Democratic Republic of the Congo
    and on Bosnia and Herzegovina), indexed with the real model."""
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    index = tmp_path_factory.mktemp("several") / "index"
    shutil.copytree(default_index, index)
    extra = ROOT / "tests" / "data" / "extra"
    report = Pipeline(Settings(index_dir=index), embedder=real_embedder).ingest(
        [extra / "S_RES_1445_2002.txt", extra / "S_RES_787_1992.txt"]
    )
    assert report.ok and len(report.added) == 2, report.failed
    return index


@contextlib.contextmanager
def browsing(index: Path, tmp_path: Path) -> Iterator[Any]:
    """The app over ``index`` in a headless Chromium tab, on its page."""
    require_chromium()
    from playwright.sync_api import sync_playwright

    with running_app(index, tmp_path / "app.log") as (url, seconds), sync_playwright() as playwright:
        print(f"\napp up in {seconds:.1f} s")
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path / "chromium-profile"),
            executable_path=str(CHROMIUM),
            headless=True,
            args=FLAGS,
            viewport={"width": 1400, "height": 1000},
        )
        try:
            tab = context.pages[0] if context.pages else context.new_page()
            tab.set_default_timeout(WAIT_MS)
            tab.goto(url)
            yield tab
        finally:
            context.close()


def shoot(page: Any, name: str, readme_name: str | None = None) -> None:
    """Save a screenshot (once Gradio's fade-in of updated components is over)."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.wait_for_timeout(800)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path))
    if readme_name and os.environ.get("RAG_UPDATE_SCREENSHOTS") == "1":
        (ROOT / "docs").mkdir(exist_ok=True)
        shutil.copyfile(path, ROOT / "docs" / readme_name)


def test_ask_open_a_source_and_upload_a_document(page: Any) -> None:
    started = time.perf_counter()
    page.wait_for_selector("#question textarea")
    print(f"page ready in {time.perf_counter() - started:.1f} s")

    # ask: the answer quotes paragraphs, each with a citation marker
    page.fill("#question textarea", QUESTION)
    page.click("#ask")
    markers = page.locator("#chat a.cite")
    markers.first.wait_for()
    page.wait_for_function("document.querySelectorAll('#chips input').length > 0")
    assert re.fullmatch(r"\[OP \d+( \([a-z]+\))*\]", markers.first.inner_text())
    print(f"answered in {time.perf_counter() - started:.1f} s with {markers.count()} citation markers")

    # open a source: a marker (not the first) shows its whole paragraph in the sources panel
    chosen = markers.nth(min(1, markers.count() - 1))
    label = chosen.inner_text().strip("[]")
    chosen.click()
    page.wait_for_function(
        "label => document.querySelector('#source .source-head .label')?.innerText === label", arg=label
    )
    paragraph = page.inner_text("#source .source-text")
    assert len(paragraph) > 40
    copy = page.input_value("#copy-citation textarea")
    assert copy.startswith(f"E/CN.15/2019/L.8/Rev.1, {label}: “")
    assert copy.split(": “", 1)[1].rstrip("”").strip(" …")[:40] in paragraph
    shoot(page, "chat", "chat.png")

    # a chip opens another citation the same way
    chips = page.locator("#chips label")
    if chips.count() > 2:
        chips.nth(2).click()
        other = chips.nth(2).inner_text().strip()
        page.wait_for_function(
            "label => document.querySelector('#source .source-head .label')?.innerText === label", arg=other
        )

    # upload one more document and see it listed
    page.get_by_role("tab", name="Documents").click()
    page.wait_for_selector("#document-view .psg")
    shoot(page, "documents-before-upload")
    # "Add to the index" with no file chosen: a warning, as for any input problem, not an error
    page.click("#upload-button")
    page.locator(".toast-body.warning", has_text="choose one or more files").wait_for()
    assert page.locator(".toast-body.error").count() == 0
    page.set_input_files("#upload input[type=file]", str(EXTRA_DOCUMENT))
    page.wait_for_function("document.querySelector('#upload')?.innerText.includes('S_RES_2730_2024')")
    page.click("#upload-button")
    page.wait_for_function(
        "document.querySelector('#upload-result')?.innerText.includes('S/RES/2730')", timeout=WAIT_MS
    )
    result = page.inner_text("#upload-result")
    assert "added" in result and "operative" in result
    page.wait_for_function("document.querySelector('#documents-table')?.innerText.includes('S/RES/2730')")
    assert "E/CN.15/2019/L.8/Rev.1" in page.inner_text("#documents-table")
    assert "2 documents" in page.inner_text("#status")

    # browse it: a click on its row shows its structure, sub-paragraphs indented
    page.locator("#documents-table .body-cell", has_text="S/RES/2730").first.click()
    page.wait_for_function("document.querySelector('#document-view .doc-symbol')?.innerText.includes('S/RES/2730')")
    assert page.locator("#document-view .psg.depth-1").count() > 0
    shoot(page, "documents", "documents.png")

    # read the other document while removing this one: it stays open
    page.locator("#documents-table .body-cell", has_text="E/CN.15/2019/L.8/Rev.1").first.click()
    page.wait_for_function("document.querySelector('#document-view .doc-symbol')?.innerText.includes('E/CN.15')")

    # remove it again: the page asks for confirmation first; "no" changes nothing and shows no error
    page.locator("input[aria-label='Remove a document']").click()
    page.get_by_role("option", name="S/RES/2730 (2024)").click()
    page.once("dialog", lambda dialog: dialog.dismiss())
    page.get_by_role("button", name="Remove", exact=True).click()
    page.wait_for_timeout(1500)
    assert "2 documents" in page.inner_text("#status") and "S/RES/2730" in page.inner_text("#documents-table")
    assert page.locator(".toast-body.error").count() == 0 and "Error" not in page.inner_text("#documents-table")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Remove", exact=True).click()
    page.wait_for_function("!document.querySelector('#documents-table')?.innerText.includes('S/RES/2730')")
    assert "1 document" in page.inner_text("#status")
    page.wait_for_timeout(500)
    assert "E/CN.15/2019/L.8/Rev.1" in page.inner_text("#document-view .doc-symbol")
    assert page.locator("#document-view .psg").count() > 10
    print(f"whole scenario in {time.perf_counter() - started:.1f} s")


def ask_in_chat(page: Any, question: str, answers: int) -> Any:
    """Ask ``question`` and wait for the ``answers``-th answer to be complete (its timings line shown)."""
    page.fill("#question textarea", question)
    page.click("#ask")
    page.wait_for_function("n => document.querySelectorAll('#chat .timings').length >= n", arg=answers)
    return page.locator("#chat .answer").nth(answers - 1)


def test_a_follow_up_question_is_asked_of_the_previous_document(several_documents_index: Path, tmp_path: Path) -> None:
    """"When was it adopted?" after a question on resolution 1445: about 1445 (asked of the whole index, it
    would be answered from another resolution's heading), with a line saying so."""
    with browsing(several_documents_index, tmp_path) as page:
        page.wait_for_selector("#question textarea")
        page.wait_for_function("document.querySelector('#status')?.innerText.includes('3 documents')")
        first = ask_in_chat(page, "What does resolution 1445 request of the Secretary-General?", 1)
        assert "S/RES/1445 (2002)" in first.inner_text()
        assert page.locator("#chat .notice.follow-up").count() == 0  # the first question names its document

        second = ask_in_chat(page, "When was it adopted?", 2)
        note = page.locator("#chat .notice.follow-up")  # shown with the answer's first words
        assert note.count() == 1, second.inner_text()
        assert note.inner_text().startswith("Taken as about S/RES/1445 (2002), the document of the previous question")
        assert "4 December 2002" in second.inner_text() and "1992" not in second.inner_text()
        page.wait_for_function("document.querySelectorAll('#chips label').length > 0")
        chips = [label.strip() for label in page.locator("#chips label").all_inner_texts()]
        assert chips and all(chip.startswith("S/RES/1445 (2002), ") for chip in chips), chips
        shoot(page, "chat-follow-up")
