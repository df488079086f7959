"""Embedders: the fake one used by fast tests, and the real bundled model (slow)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest

from rag.embed import (
    Embedder,
    FakeEmbedder,
    SentenceTransformerEmbedder,
    make_embedder,
    normalise_rows,
    token_windows,
)
from rag.errors import ModelError
from rag.settings import DEFAULT_MODEL, Settings


def test_fake_embedder_is_deterministic_normalised_and_meaningful() -> None:
    fake = FakeEmbedder(dimension=64)
    assert isinstance(fake, Embedder)
    first = fake.embed_passages(["Requests the Office to assist States", "weather report"])
    again = FakeEmbedder(dimension=64).embed_passages(["Requests the Office to assist States", "weather report"])
    assert first.dtype == np.float32 and first.shape == (2, 64)
    np.testing.assert_array_equal(first, again)
    np.testing.assert_allclose(np.linalg.norm(first, axis=1), 1.0, rtol=1e-5)
    query = fake.embed_query("request assistance for States")
    assert query.shape == (64,)
    assert query @ first[0] > query @ first[1]
    assert fake.embed_passages([]).shape == (0, 64)


def test_make_embedder_names_the_fake_or_the_real_model() -> None:
    assert isinstance(make_embedder(Settings(embedding_model="fake-hash-16")), FakeEmbedder)
    real = make_embedder(Settings())
    assert isinstance(real, SentenceTransformerEmbedder) and real.name == DEFAULT_MODEL


def test_dimension_is_read_without_loading_the_model() -> None:
    embedder = SentenceTransformerEmbedder()
    assert embedder.dimension == 384
    assert embedder._model is None


def test_token_windows_cover_everything_with_overlap() -> None:
    offsets = [(i * 3, i * 3 + 2) for i in range(25)]
    spans = token_windows(offsets, window=10, overlap=3)
    assert spans[0][0] == 0 and spans[-1][1] == offsets[-1][1]
    for (_, end), (start, _) in itertools.pairwise(spans):
        assert start < end  # consecutive windows overlap
    with pytest.raises(ValueError):
        token_windows(offsets, window=4, overlap=4)


def test_normalise_rows_keeps_zero_rows() -> None:
    rows = normalise_rows(np.array([[0.0, 2.0], [0.0, 0.0]]))
    assert rows.tolist() == [[0.0, 1.0], [0.0, 0.0]]


@pytest.mark.slow
def test_missing_model_is_a_clear_model_error(tmp_path) -> None:  # type: ignore[no-untyped-def]
    embedder = SentenceTransformerEmbedder(str(tmp_path / "no-such-model"))
    with pytest.raises(ModelError, match="RAG_EMBEDDING_MODEL"):
        embedder.embed_query("hello")


@pytest.mark.slow
def test_real_model_embeds_long_passages_in_windows(real_embedder: SentenceTransformerEmbedder) -> None:
    short = "Requests the United Nations Office on Drugs and Crime to provide technical assistance."
    tail = "The Office shall in particular collect, record and share biometric data on terrorists."
    long = " ".join([short] * 40) + " " + tail
    pieces = real_embedder.split_long(long)
    assert len(pieces) > 1
    assert pieces[-1].endswith(tail)  # the end of the passage is embedded, not truncated away
    vectors = real_embedder.embed_passages([short, long, tail])
    assert vectors.shape == (3, 384)
    np.testing.assert_allclose(np.linalg.norm(vectors, axis=1), 1.0, rtol=1e-4)
    truncated = real_embedder.embed_passages([pieces[0]])[0]
    query = real_embedder.embed_query("sharing biometric data")
    assert query @ vectors[1] > query @ truncated  # the tail counts in the pooled vector


@pytest.mark.slow
def test_real_model_ranks_related_text_first(real_embedder: SentenceTransformerEmbedder) -> None:
    passages = real_embedder.embed_passages([
        "Encourages the Office to collect, record and share biometric data in order to identify terrorists.",
        "Invites Member States to protect cultural property from trafficking.",
    ])
    query = real_embedder.embed_query("fingerprints and facial recognition of terrorist suspects")
    assert query @ passages[0] > query @ passages[1]
