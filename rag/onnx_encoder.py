"""A fast query encoder: the embedding model's transformer exported to ONNX.

``import sentence_transformers`` alone costs about 6 s, far too long for a
cold ``rag ask`` in a meeting. At ingest time :func:`export_onnx` exports the
sentence-transformers model's transformer to ONNX, next to the index, with its
tokenizer and pooling settings. At query time :class:`OnnxQueryEncoder` needs
only ``onnxruntime``, ``tokenizers`` and ``numpy``, and gives the same vectors
(checked by the export itself, and by ``tests/test_onnx_encoder.py``):

* the same tokenisation (the model's own ``tokenizer.json``, truncated to the
  model's ``max_seq_length``);
* the same pooling as the model's ``Pooling`` module (mean over the attention
  mask for all-MiniLM-L6-v2), and L2 normalisation;
* the same handling of texts longer than the model's window as
  :class:`rag.embed.SentenceTransformerEmbedder`: overlapping token windows whose
  vectors are averaged.

The export lives in ``<index_dir>/onnx/<model slug>/`` (``model.onnx``,
``tokenizer.json``, ``encoder.json``); ``encoder.json`` records the model name
and a format version, so an export made for another model is never used.

>>> model_slug("sentence-transformers/all-MiniLM-L6-v2")
'sentence-transformers__all-MiniLM-L6-v2'
>>> pool(np.array([[[1.0, 2.0], [3.0, 4.0], [9.0, 9.0]]]), np.array([[1, 1, 0]]), "mean").tolist()
[[2.0, 3.0]]
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from rag.errors import ModelError
from rag.settings import Settings

#: Bumped whenever the layout or meaning of an export changes.
EXPORT_FORMAT = 1
#: Pooling modes of sentence-transformers that :func:`pool` reproduces.
SUPPORTED_POOLING = ("mean", "cls", "max", "mean_sqrt_len_tokens")
#: An export whose vectors differ from the torch model's by more than this is refused.
PARITY_TOLERANCE = 1e-4
#: Texts the export is checked on (short, punctuated, non-ASCII, long enough to be truncated).
_PROBE_TEXTS = (
    "What is UNODC requested to do?",
    "Recalling its resolution 72/194 of 19 December 2017, the Office on Drugs and Crime (UNODC) …",
    "Résolution adoptée par l'Assemblée générale — « lutte contre le terrorisme »",
    "technical assistance " * 200,
)


def model_slug(model_name: str) -> str:
    """A folder name for a model name or path (``/`` and other separators become ``_``)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", model_name.replace("/", "__")).strip("_") or "model"


def export_dir(index_dir: Path | str, model_name: str) -> Path:
    """Where the ONNX export of ``model_name`` lives inside an index folder."""
    return Path(index_dir) / "onnx" / model_slug(model_name)


def find_export(index_dir: Path | str, model_name: str) -> Path | None:
    """The export folder for ``model_name`` when a complete, matching export exists, else ``None``."""
    folder = export_dir(index_dir, model_name)
    try:
        meta = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if meta.get("model_name") != model_name or meta.get("format") != EXPORT_FORMAT:
        return None
    if not (folder / "model.onnx").is_file() or not (folder / "tokenizer.json").is_file():
        return None
    if "model_bytes" in meta and (folder / "model.onnx").stat().st_size != meta["model_bytes"]:
        return None  # truncated or overwritten
    return folder


def _sha256(path: Path) -> str:
    from rag.pipeline import file_hash

    return file_hash(path)


def export_is_intact(folder: Path) -> bool:
    """True when ``model.onnx`` has the checksum its export recorded (an export that recorded none,
    made by an older version, counts as damaged: ``rag ingest`` then makes it again)."""
    try:
        meta = json.loads((folder / "encoder.json").read_text(encoding="utf-8"))
        return bool(meta.get("model_sha256")) and _sha256(folder / "model.onnx") == meta["model_sha256"]
    except (OSError, ValueError):
        return False


def pool(token_embeddings: np.ndarray, attention_mask: np.ndarray, mode: str) -> np.ndarray:
    """Sentence vectors from token vectors, as sentence-transformers' ``Pooling`` does.

    ``token_embeddings`` is ``(batch, tokens, dim)``, ``attention_mask`` ``(batch, tokens)``.

    >>> tokens = np.array([[[1.0, 0.0], [3.0, 2.0], [0.0, 0.0]]])
    >>> pool(tokens, np.array([[1, 1, 0]]), "cls").tolist()
    [[1.0, 0.0]]
    >>> pool(tokens, np.array([[1, 1, 0]]), "max").tolist()
    [[3.0, 2.0]]
    """
    mask = attention_mask.astype(np.float32)[..., None]
    if mode == "cls":
        return token_embeddings[:, 0, :]
    if mode == "max":
        return np.where(mask > 0, token_embeddings, -1e9).max(axis=1)
    summed = (token_embeddings * mask).sum(axis=1)
    counts = np.clip(mask.sum(axis=1), 1e-9, None)
    if mode == "mean":
        return summed / counts
    if mode == "mean_sqrt_len_tokens":
        return summed / np.sqrt(counts)
    raise ValueError(f"unsupported pooling mode {mode!r}")


def _load_sentence_transformer(model_name_or_path: str) -> Any:
    from rag.embed import SentenceTransformerEmbedder

    return SentenceTransformerEmbedder(model_name_or_path)._load()


def _describe(model: Any) -> dict[str, Any]:
    """The parts of a sentence-transformers model the export needs; ``ModelError`` when unsupported."""
    modules = list(model)
    names = [type(m).__name__ for m in modules]
    if len(modules) < 2 or names[0] != "Transformer" or names[1] != "Pooling" or names[2:] not in ([], ["Normalize"]):
        raise ModelError(
            f"the embedding model's modules {names} cannot be exported to ONNX (expected Transformer, Pooling "
            "and optionally Normalize); set RAG_QUERY_ENCODER=torch"
        )
    pooling = modules[1].get_config_dict()
    mode = pooling.get("pooling_mode", "mean")
    if mode not in SUPPORTED_POOLING:
        raise ModelError(f"pooling mode {mode!r} is not supported by the ONNX encoder; set RAG_QUERY_ENCODER=torch")
    tokenizer = modules[0].tokenizer
    backend = getattr(tokenizer, "backend_tokenizer", None)
    if backend is None:
        raise ModelError("the embedding model has no fast tokenizer to export; set RAG_QUERY_ENCODER=torch")
    sample = model.preprocess(["probe"])
    inputs = [k for k in ("input_ids", "attention_mask", "token_type_ids") if k in sample]
    return {
        "transformer": modules[0].auto_model,
        "backend_tokenizer": backend,
        "inputs": inputs,
        "meta": {
            "max_seq_length": int(model.max_seq_length or 512),
            "do_lower_case": bool(getattr(modules[0], "do_lower_case", False)),
            "pooling": mode,
            "normalize": names[2:] == ["Normalize"],
            "dimension": int(model.get_embedding_dimension()),
            "pad_token_id": int(tokenizer.pad_token_id or 0),
            "pad_token": str(tokenizer.pad_token or "[PAD]"),
            "inputs": inputs,
        },
    }


def export_onnx(model_name_or_path: str, out_dir: Path | str, *, model: Any = None) -> Path:
    """Export ``model_name_or_path`` (a sentence-transformers model) for :class:`OnnxQueryEncoder`.

    ``out_dir`` is the index folder; the export goes to :func:`export_dir` inside
    it, written to a temporary folder and renamed into place, so a half-written
    export is never used. ``model`` may pass an already loaded
    ``SentenceTransformer`` to save loading it again. The export is checked
    against the torch model on a few texts and refused when they disagree.
    Needs ``torch`` and ``onnx`` (ingest-time only). Returns the export folder.
    """
    import warnings

    import torch

    model = model if model is not None else _load_sentence_transformer(model_name_or_path)
    parts = _describe(model)
    target = export_dir(out_dir, model_name_or_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}.", dir=target.parent))
    try:
        transformer = parts["transformer"].eval()
        names: list[str] = parts["inputs"]

        class _Wrapper(torch.nn.Module):
            def __init__(self) -> None:
                super().__init__()
                self.transformer = transformer

            def forward(self, *tensors: torch.Tensor) -> torch.Tensor:
                return self.transformer(**dict(zip(names, tensors, strict=True))).last_hidden_state

        example = tuple(torch.ones((2, 8), dtype=torch.long) for _ in names)
        axes = {name: {0: "batch", 1: "tokens"} for name in [*names, "token_embeddings"]}
        with warnings.catch_warnings(), torch.no_grad():
            warnings.simplefilter("ignore")
            try:
                torch.onnx.export(
                    _Wrapper(),
                    example,
                    str(staging / "model.onnx"),
                    dynamo=False,
                    input_names=names,
                    output_names=["token_embeddings"],
                    dynamic_axes=axes,
                    opset_version=17,
                    external_data=False,
                )
            except Exception as error:  # the exporter raises many kinds; all mean "no export"
                raise ModelError(
                    f"cannot export {model_name_or_path!r} to ONNX ({type(error).__name__}: {str(error)[:200]}); "
                    "install `onnx` or set RAG_QUERY_ENCODER=torch"
                ) from error
        parts["backend_tokenizer"].save(str(staging / "tokenizer.json"))
        meta = {"format": EXPORT_FORMAT, "model_name": model_name_or_path, **parts["meta"],
                "model_bytes": (staging / "model.onnx").stat().st_size, "model_sha256": _sha256(staging / "model.onnx")}
        (staging / "encoder.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
        encoder = OnnxQueryEncoder(staging, model_name=model_name_or_path)
        reference = np.asarray(model.encode(list(_PROBE_TEXTS), normalize_embeddings=meta["normalize"]))
        difference = float(np.abs(encoder._encode(list(_PROBE_TEXTS)) - reference).max())
        if difference > PARITY_TOLERANCE:
            raise ModelError(
                f"the ONNX export of {model_name_or_path!r} differs from the model by {difference:.2g}; "
                "set RAG_QUERY_ENCODER=torch"
            )
        staging.chmod(0o755)
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging, target)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return target


class OnnxQueryEncoder:
    """An :class:`rag.embed.Embedder` running an :func:`export_onnx` export with onnxruntime.

    Loads lazily on first use (thread-safe); ``name`` is the model name recorded
    in the export, so it matches the index manifest of the torch embedder.
    """

    def __init__(self, folder: Path | str, *, model_name: str | None = None, batch_size: int = 32,
                 window_overlap: int = 48) -> None:
        self.folder = Path(folder)
        try:
            self.meta: dict[str, Any] = json.loads((self.folder / "encoder.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ModelError(
                f"no usable ONNX export in {self.folder} ({error}); rebuild it with `rag ingest`"
            ) from error
        self.name: str = model_name or str(self.meta["model_name"])
        if self.meta.get("model_name") != self.name:
            raise ModelError(
                f"the ONNX export in {self.folder} was made for {self.meta.get('model_name')!r}, not {self.name!r}; "
                "rebuild it with `rag ingest`"
            )
        self.batch_size = batch_size
        self.window_overlap = window_overlap
        self._session: Any = None
        self._tokenizer: Any = None
        self._lock = threading.Lock()
        self._preloading: threading.Thread | None = None

    @property
    def dimension(self) -> int:
        return int(self.meta["dimension"])

    @property
    def max_tokens(self) -> int:
        """Content tokens per window (the model's window minus [CLS] and [SEP])."""
        return int(self.meta["max_seq_length"]) - 2

    def preload(self) -> None:
        """Start loading the model in a background thread (a cold ``rag ask`` overlaps it with loading
        the index); the first encoding waits for it. Errors surface at that first encoding."""
        if self._session is not None or self._preloading is not None:
            return

        def load_quietly() -> None:
            with contextlib.suppress(ModelError):  # raised again, to the caller, by the first real use
                self._load()

        # not a daemon: the interpreter waits for it at exit (killing onnxruntime mid-load aborts the process)
        self._preloading = threading.Thread(target=load_quietly, name="onnx-preload", daemon=False)
        self._preloading.start()

    def _load(self) -> None:
        if self._session is not None:
            return
        preloading = self._preloading
        if preloading is not None and preloading is not threading.current_thread():
            preloading.join()
            if self._session is not None:
                return
        with self._lock:
            if self._session is not None:
                return
            try:
                import onnxruntime
                from tokenizers import Tokenizer

                tokenizer = Tokenizer.from_file(str(self.folder / "tokenizer.json"))
                tokenizer.enable_truncation(int(self.meta["max_seq_length"]))
                tokenizer.enable_padding(pad_id=int(self.meta["pad_token_id"]), pad_token=str(self.meta["pad_token"]))
                options = onnxruntime.SessionOptions()
                options.log_severity_level = 3
                # One thread per run: a question is a few dozen tokens, and the app runs several at once.
                # On 2 shared cores this doubled `Pipeline.ask` throughput, one asker or eight.
                options.intra_op_num_threads = 1
                options.inter_op_num_threads = 1
                session = onnxruntime.InferenceSession(
                    str(self.folder / "model.onnx"), options, providers=["CPUExecutionProvider"]
                )
            except Exception as error:
                raise ModelError(
                    f"cannot load the ONNX query encoder from {self.folder} ({type(error).__name__}: "
                    f"{str(error)[:200]}); rebuild it with `rag ingest` or set RAG_QUERY_ENCODER=torch"
                ) from error
            self._tokenizer = tokenizer
            self._session = session

    def _prepare(self, text: str) -> str:
        return text.lower() if self.meta.get("do_lower_case") else text

    def _encode(self, texts: list[str]) -> np.ndarray:
        """Vectors of texts that fit the window (longer ones are truncated, as the model does)."""
        self._load()
        wanted = {i.name for i in self._session.get_inputs()}
        chunks = []
        for start in range(0, len(texts), self.batch_size):
            encodings = self._tokenizer.encode_batch([self._prepare(t) for t in texts[start : start + self.batch_size]])
            arrays = {
                "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
                "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
                "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
            }
            feeds = {name: value for name, value in arrays.items() if name in wanted}
            (tokens,) = self._session.run(["token_embeddings"], feeds)
            chunks.append(pool(tokens, arrays["attention_mask"], str(self.meta["pooling"])))
        vectors = np.concatenate(chunks).astype(np.float32)
        if self.meta.get("normalize", True):
            from rag.embed import normalise_rows

            vectors = normalise_rows(vectors)
        return vectors

    def split_long(self, text: str) -> list[str]:
        """The pieces of ``text`` each fitting the model window (one piece when it already fits)."""
        from rag.embed import token_windows

        self._load()
        offsets = self._tokenizer.encode(self._prepare(text), add_special_tokens=False).offsets
        # encode() above truncates: measure the untruncated length with truncation off.
        if len(offsets) >= self.max_tokens:
            self._tokenizer.no_truncation()
            try:
                offsets = self._tokenizer.encode(self._prepare(text), add_special_tokens=False).offsets
            finally:
                self._tokenizer.enable_truncation(int(self.meta["max_seq_length"]))
        if len(offsets) <= self.max_tokens:
            return [text]
        overlap = min(self.window_overlap, self.max_tokens // 4)
        return [text[start:end] for start, end in token_windows(offsets, self.max_tokens, overlap)]

    def embed_passages(self, texts: Sequence[str]) -> np.ndarray:
        from rag.embed import embed_in_windows

        return embed_in_windows(texts, self.split_long, self._encode, self.dimension)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed_passages([text])[0]


#: One encoder per export folder in a process: a session is read-only and thread-safe.
_ENCODERS: dict[tuple[str, str, float], OnnxQueryEncoder] = {}
_ENCODERS_LOCK = threading.Lock()
_WARNED: set[str] = set()  # export folders whose absence was already reported in this process


def load_query_encoder(settings: Settings, index_dir: Path | str | None = None) -> Any:
    """The embedder for questions that ``settings.query_encoder`` asks for.

    ``onnx`` requires the export (made by ``rag ingest``); ``torch`` is the
    sentence-transformers model; ``auto`` uses the export when it exists for
    ``settings.embedding_model`` and falls back to torch otherwise. ONNX encoders
    are shared within a process (see :func:`preload_query_encoder`).
    """
    folder = find_export(index_dir if index_dir is not None else settings.index_dir, settings.embedding_model)
    if settings.query_encoder != "torch" and folder is not None:
        model = folder / "model.onnx"
        key = (str(folder.resolve()), settings.embedding_model, model.stat().st_mtime if model.exists() else 0.0)
        with _ENCODERS_LOCK:
            if key not in _ENCODERS:
                _ENCODERS[key] = OnnxQueryEncoder(folder, model_name=settings.embedding_model)
            return _ENCODERS[key]
    if settings.query_encoder == "onnx":
        raise ModelError(
            f"no ONNX query encoder for {settings.embedding_model!r} in {settings.index_dir}; run `rag ingest` "
            "to build it, or set RAG_QUERY_ENCODER=auto"
        )
    from rag.embed import SentenceTransformerEmbedder, make_embedder

    embedder = make_embedder(settings)
    index_dir = Path(index_dir if index_dir is not None else settings.index_dir)
    where = export_dir(index_dir, settings.embedding_model)
    if settings.query_encoder == "auto" and isinstance(embedder, SentenceTransformerEmbedder) \
            and (index_dir / "CURRENT").exists() and str(where) not in _WARNED:
        _WARNED.add(str(where))
        state = "is incomplete or damaged" if where.exists() else "is missing"
        logging.getLogger("rag.onnx_encoder").warning(
            "the ONNX query encoder %s %s: questions are encoded with torch (same answers, slower start) until "
            "the next `rag ingest` makes it again (RAG_QUERY_ENCODER=torch uses torch on purpose)", where, state)
    return embedder


def preload_query_encoder(settings: Settings) -> None:
    """Start loading the ONNX query encoder in the background, if there is one; never raises.

    ``rag ask`` calls it first thing, so that the model loads while the index loads.
    """
    if settings.query_encoder == "torch":
        return
    try:
        encoder = load_query_encoder(settings)
    except Exception:  # whatever it is, the real use reports it
        return
    preload = getattr(encoder, "preload", None)
    if callable(preload):
        preload()
