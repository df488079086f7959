"""Language models behind one small interface: ``LLM.stream`` and ``LLM.complete``.

Generation is optional. ``llm_from_settings`` returns ``None`` when no model is
configured, and the heavy client libraries (``langchain-openai``,
``llama-cpp-python``) are imported only when one is, so the base install never
needs them (they come with the ``llm`` extra).

* ``FakeLLM``: queued replies for tests; records every prompt it received.
* ``LangChainLLM``: wraps any LangChain chat model (streaming, errors as ``ModelError``).
* ``openai_compatible_llm``: any OpenAI-compatible endpoint (llama.cpp server,
  vLLM, Ollama, ...) through ``langchain_openai.ChatOpenAI``.
* ``llama_cpp_llm``: a local GGUF file through LangChain's ``ChatLlamaCpp``.

>>> llm = FakeLLM(["Member States are urged to act [OP 2]."])
>>> "".join(llm.stream([ChatMessage("user", "What are States urged to do?")]))
'Member States are urged to act [OP 2].'
>>> llm.prompts[0][0].content
'What are States urged to do?'
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, runtime_checkable

from rag.errors import ModelError

if TYPE_CHECKING:
    from rag.settings import Settings

Role = Literal["system", "user", "assistant"]


@dataclass(frozen=True)
class ChatMessage:
    """One chat turn sent to a model."""

    role: Role
    content: str


@runtime_checkable
class LLM(Protocol):
    """What the generator needs from a chat model."""

    #: Short description for output and logs, e.g. ``openai:gemma-3-270m@http://127.0.0.1:8080/v1``.
    name: str

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        """Yield the reply in pieces as the model produces them."""
        ...

    def complete(self, messages: Sequence[ChatMessage]) -> str:
        """The whole reply at once."""
        ...


class FakeLLM:
    """A deterministic model for tests: returns queued replies in order.

    Each reply is streamed in small pieces (``chunk_chars`` characters) so that
    streaming code paths are exercised. ``prompts`` records what it was sent.
    Running out of replies raises ``ModelError``, as a dead endpoint would.

    >>> fake = FakeLLM(["abc", "de"], chunk_chars=2)
    >>> list(fake.stream([]))
    ['ab', 'c']
    >>> fake.complete([])
    'de'
    >>> len(fake.prompts)
    2
    """

    name = "fake"

    def __init__(self, replies: Iterable[str] = (), chunk_chars: int = 7) -> None:
        self.replies: deque[str] = deque(replies)
        self.chunk_chars = max(1, chunk_chars)
        self.prompts: list[list[ChatMessage]] = []

    def queue(self, *replies: str) -> None:
        """Add replies at the end of the queue."""
        self.replies.extend(replies)

    def _next_reply(self, messages: Sequence[ChatMessage]) -> str:
        self.prompts.append(list(messages))
        if not self.replies:
            raise ModelError("FakeLLM has no reply queued (call FakeLLM.queue(...) in the test).")
        return self.replies.popleft()

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        reply = self._next_reply(messages)
        for start in range(0, len(reply), self.chunk_chars):
            yield reply[start : start + self.chunk_chars]

    def complete(self, messages: Sequence[ChatMessage]) -> str:
        return self._next_reply(messages)


def _to_langchain(messages: Sequence[ChatMessage]) -> list[Any]:
    from langchain_core.messages import AIMessage, HumanMessage, SystemMessage

    kinds = {"system": SystemMessage, "user": HumanMessage, "assistant": AIMessage}
    return [kinds[m.role](content=m.content) for m in messages]


def _content_text(content: Any) -> str:
    """Text of a LangChain message ``content`` (a string, or a list of content blocks)."""
    if isinstance(content, str):
        return content
    parts: list[str] = []
    for block in content or ():
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict) and block.get("type") == "text":
            parts.append(str(block.get("text", "")))
    return "".join(parts)


class LangChainLLM:
    """Adapter from a LangChain chat model to ``LLM``; any failure becomes ``ModelError``.

    ``where`` names the setting or file to check, for the error message.
    """

    def __init__(self, chat_model: Any, name: str, where: str) -> None:
        self.chat_model = chat_model
        self.name = name
        self.where = where

    def _error(self, error: Exception) -> ModelError:
        detail = re.sub(r"\s+", " ", str(error)).strip()[:300] or type(error).__name__
        kind = type(error).__name__
        return ModelError(f"the language model {self.name} failed ({kind}: {detail}); check {self.where}")

    def stream(self, messages: Sequence[ChatMessage]) -> Iterator[str]:
        try:
            for chunk in self.chat_model.stream(_to_langchain(messages)):
                text = _content_text(chunk.content)
                if text:
                    yield text
        except ModelError:
            raise
        except Exception as error:  # any client/transport error: the user sees one clear line
            raise self._error(error) from error

    def complete(self, messages: Sequence[ChatMessage]) -> str:
        try:
            return _content_text(self.chat_model.invoke(_to_langchain(messages)).content)
        except Exception as error:
            raise self._error(error) from error


def _missing_extra(package: str, what: str) -> ModelError:
    return ModelError(
        f"{what} needs the `{package}` package, which is not installed. "
        f"Install the optional extra: pip install 'unres-rag[llm]'"
        + (" and pip install 'llama-cpp-python'" if package == "llama-cpp-python" else "")
    )


def openai_compatible_llm(
    base_url: str,
    model: str,
    api_key: str = "not-needed",
    *,
    max_tokens: int = 512,
    temperature: float = 0.0,
    timeout_s: float = 120.0,
) -> LangChainLLM:
    """A model served at an OpenAI-compatible ``base_url`` (``http://127.0.0.1:8080/v1``)."""
    try:
        from langchain_openai import ChatOpenAI
    except ImportError as error:
        raise _missing_extra("langchain-openai", f"RAG_LLM_BASE_URL={base_url}") from error
    # ChatOpenAI sends its `max_tokens` as `max_completion_tokens`, which llama-cpp-python's server
    # and other local servers ignore (they would generate until the context is full); the classic
    # `max_tokens` field is understood by all of them, so it is sent as such.
    chat = ChatOpenAI(
        base_url=base_url,
        model=model,
        api_key=api_key or "not-needed",
        temperature=temperature,
        timeout=timeout_s,
        max_retries=1,
        extra_body={"max_tokens": max_tokens},
    )
    return LangChainLLM(chat, name=f"openai:{model}@{base_url}", where="RAG_LLM_BASE_URL and RAG_LLM_MODEL")


def llama_cpp_llm(
    model_path: str | Path,
    *,
    context_tokens: int = 4096,
    max_tokens: int = 512,
    temperature: float = 0.0,
) -> LangChainLLM:
    """A local GGUF model run in-process by llama-cpp-python (through LangChain's ``ChatLlamaCpp``)."""
    path = Path(model_path).expanduser()
    if not path.is_file():
        raise ModelError(f"RAG_LLM_MODEL={model_path}: no such GGUF file; give the path of a .gguf model file")
    try:
        import llama_cpp  # noqa: F401
    except ImportError as error:
        raise _missing_extra("llama-cpp-python", f"RAG_LLM_MODEL={model_path}") from error
    from langchain_community.chat_models import ChatLlamaCpp

    try:
        chat = ChatLlamaCpp(
            model_path=str(path),
            n_ctx=context_tokens,
            n_batch=256,
            max_tokens=max_tokens,
            temperature=temperature,
            seed=0,
            verbose=False,
        )
    except Exception as error:
        raise ModelError(f"cannot load the GGUF model {path}: {str(error)[:300]}") from error
    return LangChainLLM(chat, name=f"llama.cpp:{path.name}", where=f"the GGUF file {path}")


def llm_from_settings(settings: Settings) -> LLM | None:
    """The configured model, or ``None`` when generation is not configured.

    * ``RAG_LLM_BASE_URL`` set: an OpenAI-compatible endpoint serving ``RAG_LLM_MODEL``.
    * only ``RAG_LLM_MODEL`` set, naming a ``.gguf`` file: that file through llama-cpp-python.

    >>> from rag.settings import Settings
    >>> llm_from_settings(Settings(llm_base_url="", llm_model="")) is None
    True
    """
    base_url = settings.llm_base_url.strip()
    model = settings.llm_model.strip()
    if not base_url and not model:
        return None
    if base_url:
        if not re.match(r"^https?://", base_url):
            raise ModelError(f"RAG_LLM_BASE_URL={base_url} is not an http(s) URL, e.g. http://127.0.0.1:8080/v1")
        if not model:
            raise ModelError(
                f"RAG_LLM_BASE_URL={base_url} is set but RAG_LLM_MODEL is empty: "
                "set RAG_LLM_MODEL to the name of the model the endpoint serves"
            )
        return openai_compatible_llm(
            base_url,
            model,
            settings.llm_api_key,
            max_tokens=settings.llm_answer_tokens,
            temperature=settings.llm_temperature,
            timeout_s=settings.llm_timeout_s,
        )
    if model.lower().endswith(".gguf") or Path(model).expanduser().is_file():
        return llama_cpp_llm(
            model,
            context_tokens=settings.llm_context_tokens,
            max_tokens=settings.llm_answer_tokens,
            temperature=settings.llm_temperature,
        )
    raise ModelError(
        f"RAG_LLM_MODEL={model} is neither a .gguf file nor served anywhere: "
        "set RAG_LLM_BASE_URL to the OpenAI-compatible endpoint that serves it, or give a .gguf path"
    )
