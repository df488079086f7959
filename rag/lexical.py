"""Lexical (BM25) side of the index: a tokenizer fit for UN texts and a bm25s index.

The tokenizer keeps what matters in resolutions as single tokens: resolution
numbers (``72/194``), Security Council style numbers (``2178(2014)``), and
splits words glued to numbers by PDF extraction (``resolutions72/194``).
Words are lower-cased, English stop words dropped and the rest stemmed
(Snowball), so ``requests`` matches ``requested``.

>>> tokenize("Recalling resolutions72/194 and Security Council resolution 2178 (2014)")
['recal', 'resolut', '72/194', 'secur', 'council', 'resolut', '2178', '2014', '2178(2014)']

The index is saved with bm25s's own ``.npy``/JSON files (no pickle).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from functools import lru_cache
from pathlib import Path

import numpy as np

#: English function words, plus the words every resolution repeats (they carry
#: no signal about which paragraph answers a question).
STOP_WORDS = frozenset(
    {
        "a", "an", "and", "are", "as", "at", "be", "but", "by", "for", "if", "in", "into", "is", "it", "no", "not",
        "of", "on", "or", "such", "that", "the", "their", "then", "there", "these", "they", "this", "to", "was",
        "will", "with", "its", "which", "what", "who", "whom", "how", "does", "do", "did", "has", "have", "had",
        "been", "being", "were", "would", "should", "can", "could", "may", "might", "shall", "about", "any", "all",
        "also", "than", "those", "from", "our", "your", "we", "you", "i", "me", "my", "he", "she", "his", "her",
        "them", "so", "very", "whether",
    }
)

_TOKEN = re.compile(
    r"(?P<sc>\d{1,5})\s*\((?P<year>(?:19|20)\d\d)\)"  # 2178 (2014)
    r"|(?P<res>\d+(?:/\d+)+)"  # 72/194, 2019/17
    r"|(?P<word>[^\W\d_]+(?:'[^\W\d_]+)?)"  # words (any script)
    r"|(?P<num>\d+)"
)


@lru_cache(maxsize=1)
def _stemmer() -> object:
    import Stemmer  # PyStemmer

    return Stemmer.Stemmer("english")


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Snowball stem of one lower-case word.

    >>> stem("requests"), stem("requested"), stem("assistance")
    ('request', 'request', 'assist')
    """
    return str(_stemmer().stemWord(word))  # type: ignore[attr-defined]


def tokenize(text: str) -> list[str]:
    """Lexical tokens of ``text`` (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text).lower()
    tokens: list[str] = []
    for match in _TOKEN.finditer(text):
        if match.group("sc"):
            number, year = match.group("sc"), match.group("year")
            tokens += [number, year, f"{number}({year})"]
        elif match.group("word"):
            word = match.group("word").replace("'", "")
            if word not in STOP_WORDS and len(word) > 1:
                tokens.append(stem(word))
        else:
            tokens.append(match.group(0))
    return tokens


class SavedBM25:
    """A saved bm25s index (``method="lucene"``: scores precomputed per token), read with numpy alone.

    Same scores as ``bm25s.BM25.load(folder).get_scores_from_ids`` (the sum of each query token's
    column of the sparse score matrix), without importing bm25s and scipy on the query path.
    """

    def __init__(self, folder: Path) -> None:
        import json

        params = json.loads((folder / "params.index.json").read_text(encoding="utf-8"))
        if params.get("method", "lucene") not in ("lucene", "robertson", "atire"):
            raise ValueError(f"unsupported bm25s method {params.get('method')!r} in {folder}")
        self.vocab_dict: dict[str, int] = json.loads((folder / "vocab.index.json").read_text(encoding="utf-8"))
        self.scores = {
            "data": np.load(folder / "data.csc.index.npy", allow_pickle=False),
            "indices": np.load(folder / "indices.csc.index.npy", allow_pickle=False),
            "indptr": np.load(folder / "indptr.csc.index.npy", allow_pickle=False),
            "num_docs": int(params["num_docs"]),
        }

    def get_tokens_ids(self, query_tokens: list[str]) -> list[int]:
        return [self.vocab_dict[token] for token in query_tokens if token in self.vocab_dict]

    def get_scores_from_ids(self, query_tokens_ids: list[int]) -> np.ndarray:
        data, indices, indptr = self.scores["data"], self.scores["indices"], self.scores["indptr"]
        scores = np.zeros(int(self.scores["num_docs"]), dtype=np.float32)
        for token in query_tokens_ids:
            if token + 1 >= len(indptr):
                raise ValueError(f"token id {token} is outside the lexical index")
            start, end = int(indptr[token]), int(indptr[token + 1])
            np.add.at(scores, indices[start:end], data[start:end])
        return scores


class LexicalIndex:
    """BM25 over passage texts (bm25s, Lucene variant). Row ``i`` is passage row ``i`` of the index."""

    FILES = ("params.index.json", "vocab.index.json", "data.csc.index.npy", "indices.csc.index.npy",
             "indptr.csc.index.npy")

    def __init__(self, model: object | None, size: int) -> None:
        self._model = model
        self.size = size

    @classmethod
    def build(cls, texts: Sequence[str], *, k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        import bm25s

        if not texts:
            return cls(None, 0)
        model = bm25s.BM25(k1=k1, b=b, method="lucene")
        model.index([tokenize(t) for t in texts], show_progress=False)
        return cls(model, len(texts))

    def save(self, folder: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "size.txt").write_text(str(self.size))
        if self._model is not None:
            self._model.save(str(folder), show_progress=False)  # type: ignore[attr-defined]

    @classmethod
    def load(cls, folder: Path) -> LexicalIndex:
        """Load a saved index; raises ``OSError``/``ValueError`` when files are missing or damaged."""
        size = int((folder / "size.txt").read_text().strip())
        if size == 0:
            return cls(None, 0)
        model = SavedBM25(folder)  # numpy only: importing bm25s (scipy) would cost ~0.5 s of a cold `rag ask`
        num_docs = int(model.scores["num_docs"])
        if num_docs != size:
            raise ValueError(f"lexical index holds {num_docs} rows, expected {size}")
        return cls(model, size)

    def scores(self, query_tokens: Sequence[str]) -> np.ndarray:
        """BM25 score of every row for the query tokens (zeros when no token is known)."""
        if self._model is None:
            return np.zeros(self.size, dtype=np.float32)
        ids = self._model.get_tokens_ids(list(query_tokens))  # type: ignore[attr-defined]
        if not ids:
            return np.zeros(self.size, dtype=np.float32)
        return np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)  # type: ignore[attr-defined]

    def weighted_scores(self, weights: Mapping[str, float]) -> np.ndarray:
        """Sum over tokens of ``weight * BM25 contribution``: lets alias expansions count less than the question.

        >>> index = LexicalIndex.build(["technical assistance", "organized crime convention", "weather"])
        >>> plain = index.scores(["assistance", "convention"])
        >>> bool(np.allclose(index.weighted_scores({"assistance": 1.0, "convention": 1.0}), plain))
        True
        >>> index.weighted_scores({"convention": 0.5}).round(3).tolist() == (plain * [0, 0.5, 0]).round(3).tolist()
        True
        """
        total = np.zeros(self.size, dtype=np.float32)
        if self._model is None:
            return total
        for token, weight in weights.items():
            ids = self._model.get_tokens_ids([token])  # type: ignore[attr-defined]
            if ids and weight:
                total += weight * np.asarray(self._model.get_scores_from_ids(ids), dtype=np.float32)  # type: ignore[attr-defined]
        return total
