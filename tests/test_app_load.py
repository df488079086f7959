"""Concurrent users on the app (a short ``make load``): no error, every answer the JSON of the contract,
and an upload during the run that questions see as the old or the new index, never a half-built one.

The app runs in a subprocess over a copy of the default index (real model); ten clients ask the
evaluation suites' questions through the ``ask`` API for five seconds while one document is uploaded
through the Documents tab's HTTP calls (``scripts/load.py`` does it all; ``make load`` is the 60 s,
50-client run). (``tests/test_load.py`` tests the file loaders, ``rag/load.py``.)
"""

from __future__ import annotations

import asyncio
import importlib.util
import shutil
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest
from conftest import ROOT


def load_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("load_script", ROOT / "scripts" / "load.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # (its dataclasses look their module up)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_ten_clients_and_an_upload_without_error(default_index: Path, tmp_path: Path) -> None:
    load = load_script()
    from rag.settings import Settings

    upload = ROOT / "tests" / "data" / "extra" / "S_RES_787_1992.txt"  # a short one (make load: a longer one)
    mix, probes = load.request_mix(load.suite_questions(), max_chars=Settings().max_question_chars,
                                   probe_doc=load.upload_symbol(upload))
    assert probes, "the suites hold questions on the uploaded document"
    index = Path(shutil.copytree(default_index, tmp_path / "index"))
    with load.served_app(index, tmp_path / "app.log") as (url, pid):
        report = asyncio.run(load.run_load(url, clients=10, seconds=5, mix=mix, probes=probes, upload=upload,
                                           timeout=120, pid=pid))
    print("\n" + report.text())
    assert report.errors == 0, report.error_samples  # contract violations count as errors
    assert report.served >= 10 and report.refused_as_expected + report.served > 10
    assert report.upload["status"] == "added" and report.upload["symbol"] == load.upload_symbol(upload)
    assert report.probe_other == 0  # every probe answer was the old index's or the new one's
    assert report.probes_changed >= 1  # and the new index did answer differently
    assert report.peak_rss_mb is not None and report.peak_rss_mb > 0


# ------------------------------------------------------------------ what the load run found


def test_an_upload_does_not_change_the_question_encoder(tmp_path: Path) -> None:
    """The model loaded to embed an upload's passages is not the one questions use afterwards (the app
    switched to it: slower, and not safe to share between threads)."""
    from rag.pipeline import Pipeline
    from rag.settings import Settings

    pipeline = Pipeline(Settings(index_dir=tmp_path / "index", embedding_model="fake-hash-64"))
    assert pipeline.ingest([ROOT / "data" / "corpus"]).ok
    encoder = pipeline.query_embedder
    assert encoder is not pipeline.embedder
    assert pipeline.ingest([ROOT / "tests" / "data" / "extra" / "S_RES_787_1992.txt"]).ok
    assert pipeline.query_embedder is encoder


@pytest.mark.slow
def test_the_torch_model_is_safe_to_share_between_threads(real_embedder: Any) -> None:
    """Concurrent calls of different lengths give the vectors sequential calls give (they raised
    "Unable to create tensor ... padding" or mixed their batches before)."""
    texts = [["What does it say about UNTOC?"],
             ["Requests the United Nations Office on Drugs and Crime to provide technical assistance " * 3,
              "biometrics"]]
    expected = [real_embedder.embed_passages(batch) for batch in texts]
    results: dict[int, list[Any]] = {}
    errors: list[BaseException] = []

    def work(number: int) -> None:
        try:
            results[number] = [real_embedder.embed_passages(texts[number % 2]) for _ in range(10)]
        except BaseException as error:  # collected and asserted below
            errors.append(error)

    threads = [threading.Thread(target=work, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    for number, vectors in results.items():
        assert all(np.allclose(v, expected[number % 2], atol=1e-5) for v in vectors)
