"""The ONNX query encoder: same vectors as sentence-transformers, no torch at query time."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from rag.errors import ModelError
from rag.onnx_encoder import (
    EXPORT_FORMAT,
    OnnxQueryEncoder,
    export_dir,
    export_onnx,
    find_export,
    load_query_encoder,
    model_slug,
    pool,
)
from rag.settings import DEFAULT_MODEL, Settings

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "data" / "corpus" / "E-CN.15-2019-L.8-Rev.1.txt"

VARIED_TEXTS = [
    "What is UNODC requested to do?",
    "OP 9",
    "",
    "   leading and trailing spaces   ",
    "INTERPOL’s databases — “biometric” data; résumé, naïve, Zürich",
    "resolutions 72/194, 72/284 and 2178 (2014)",
    "日本語の質問です",
    "x" * 600,  # one very long "word"
]


# ---------------------------------------------------------------- fast tests (no model)
def test_pool_modes_follow_sentence_transformers() -> None:
    tokens = np.array([[[1.0, 2.0], [3.0, 6.0], [100.0, 100.0]]], dtype=np.float32)
    mask = np.array([[1, 1, 0]])
    assert pool(tokens, mask, "mean").tolist() == [[2.0, 4.0]]
    assert pool(tokens, mask, "cls").tolist() == [[1.0, 2.0]]
    assert pool(tokens, mask, "max").tolist() == [[3.0, 6.0]]
    np.testing.assert_allclose(pool(tokens, mask, "mean_sqrt_len_tokens"), [[4.0 / np.sqrt(2), 8.0 / np.sqrt(2)]])
    with pytest.raises(ValueError):
        pool(tokens, mask, "weightedmean")


def test_model_slug_is_a_safe_folder_name() -> None:
    assert "/" not in model_slug("/home/me/models/my model")
    assert model_slug(DEFAULT_MODEL) != model_slug("sentence-transformers/all-mpnet-base-v2")


def _fake_export(folder: Path, model_name: str, **changes: object) -> None:
    folder.mkdir(parents=True)
    meta = {"format": EXPORT_FORMAT, "model_name": model_name, "max_seq_length": 8, "pooling": "mean",
            "normalize": True, "dimension": 4, "pad_token_id": 0, "pad_token": "[PAD]", **changes}
    (folder / "encoder.json").write_text(json.dumps(meta))
    (folder / "model.onnx").write_bytes(b"not a model")
    (folder / "tokenizer.json").write_text("{}")


def test_find_export_checks_model_name_format_and_files(tmp_path: Path) -> None:
    assert find_export(tmp_path, DEFAULT_MODEL) is None
    folder = export_dir(tmp_path, DEFAULT_MODEL)
    _fake_export(folder, DEFAULT_MODEL)
    assert find_export(tmp_path, DEFAULT_MODEL) == folder
    assert find_export(tmp_path, "another/model") is None
    (folder / "encoder.json").write_text(json.dumps({"format": EXPORT_FORMAT + 1, "model_name": DEFAULT_MODEL}))
    assert find_export(tmp_path, DEFAULT_MODEL) is None
    (folder / "encoder.json").write_text("{ truncated")
    assert find_export(tmp_path, DEFAULT_MODEL) is None


def test_encoder_refuses_an_export_of_another_model(tmp_path: Path) -> None:
    _fake_export(tmp_path / "x", "some/other-model")
    with pytest.raises(ModelError, match="some/other-model"):
        OnnxQueryEncoder(tmp_path / "x", model_name=DEFAULT_MODEL)


def test_damaged_export_is_a_model_error_naming_the_way_out(tmp_path: Path) -> None:
    _fake_export(tmp_path / "x", DEFAULT_MODEL)
    encoder = OnnxQueryEncoder(tmp_path / "x")
    with pytest.raises(ModelError, match="rag ingest"):
        encoder.embed_query("hello")


def test_onnx_setting_without_export_says_how_to_build_it(tmp_path: Path) -> None:
    settings = Settings(index_dir=tmp_path, query_encoder="onnx")
    with pytest.raises(ModelError, match="rag ingest"):
        load_query_encoder(settings)


def test_auto_and_torch_fall_back_to_the_model_without_export(tmp_path: Path) -> None:
    from rag.embed import SentenceTransformerEmbedder

    for choice in ("auto", "torch"):
        encoder = load_query_encoder(Settings(index_dir=tmp_path, query_encoder=choice))
        assert isinstance(encoder, SentenceTransformerEmbedder)  # not loaded: the weights load on first use


# ---------------------------------------------------------------- slow tests (real model)
@pytest.fixture(scope="module")
def torch_embedder():
    from rag.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(DEFAULT_MODEL)


@pytest.fixture(scope="module")
def exported(tmp_path_factory: pytest.TempPathFactory, torch_embedder) -> Path:
    index_dir = tmp_path_factory.mktemp("index")
    return export_onnx(DEFAULT_MODEL, index_dir, model=torch_embedder._load())


def _seed_texts() -> list[str]:
    text = SEED.read_text(encoding="utf-8")
    return [text[:400], text[2000:5000], text[:12000]]  # a paragraph, ~500 tokens, several windows


@pytest.mark.slow
def test_onnx_vectors_match_sentence_transformers(exported: Path, torch_embedder) -> None:
    encoder = OnnxQueryEncoder(exported)
    texts = VARIED_TEXTS + _seed_texts()
    expected = torch_embedder.embed_passages(texts)
    got = encoder.embed_passages(texts)
    assert got.shape == expected.shape and got.dtype == np.float32
    cosines = (got * expected).sum(axis=1)
    max_abs = float(np.abs(got - expected).max())
    print(f"ONNX parity over {len(texts)} texts: min cosine {cosines.min():.7f}, max abs diff {max_abs:.2e}")
    assert cosines.min() > 0.9999
    assert max_abs < 1e-4
    np.testing.assert_allclose(np.linalg.norm(got, axis=1), 1.0, atol=1e-5)


@pytest.mark.slow
def test_query_vectors_match_one_by_one(exported: Path, torch_embedder) -> None:
    encoder = OnnxQueryEncoder(exported, model_name=DEFAULT_MODEL)
    assert encoder.name == torch_embedder.name and encoder.dimension == torch_embedder.dimension
    for text in ["Which compendium on biometrics is welcomed?", _seed_texts()[1]]:
        assert float(np.abs(encoder.embed_query(text) - torch_embedder.embed_query(text)).max()) < 1e-4


@pytest.mark.slow
def test_export_is_found_and_selected_by_settings(exported: Path) -> None:
    index_dir = exported.parent.parent
    assert find_export(index_dir, DEFAULT_MODEL) == exported
    for choice in ("auto", "onnx"):
        assert isinstance(load_query_encoder(Settings(index_dir=index_dir, query_encoder=choice)), OnnxQueryEncoder)
    assert not isinstance(load_query_encoder(Settings(index_dir=index_dir, query_encoder="torch")), OnnxQueryEncoder)


@pytest.mark.slow
def test_query_path_never_imports_torch(exported: Path) -> None:
    code = (
        "import sys\n"
        "from rag.onnx_encoder import OnnxQueryEncoder\n"
        f"vector = OnnxQueryEncoder({str(exported)!r}).embed_query('What is UNODC asked to do?')\n"
        "assert vector.shape == (384,), vector.shape\n"
        "heavy = [m for m in ('torch', 'sentence_transformers', 'transformers') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
