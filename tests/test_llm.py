"""The LLM interface: the fake, the settings that pick a model, the LangChain adapter, lazy imports."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from rag.errors import ModelError
from rag.llm import LLM, ChatMessage, FakeLLM, LangChainLLM, llm_from_settings, openai_compatible_llm
from rag.settings import Settings

MESSAGES = [ChatMessage("system", "Be brief."), ChatMessage("user", "What is asked?")]


def test_fake_llm_replies_in_order_and_records_prompts() -> None:
    fake = FakeLLM(["first reply", "second"], chunk_chars=3)
    assert isinstance(fake, LLM)
    pieces = list(fake.stream(MESSAGES))
    assert pieces == ["fir", "st ", "rep", "ly"]
    assert fake.complete([ChatMessage("user", "again")]) == "second"
    assert fake.prompts == [MESSAGES, [ChatMessage("user", "again")]]
    with pytest.raises(ModelError, match="no reply queued"):
        fake.complete(MESSAGES)
    fake.queue("third")
    assert fake.complete(MESSAGES) == "third"


def test_nothing_configured_means_no_llm() -> None:
    assert llm_from_settings(Settings(llm_base_url="", llm_model="")) is None


@pytest.mark.parametrize(
    ("base_url", "model", "message"),
    [
        ("http://127.0.0.1:9/v1", "", "RAG_LLM_MODEL is empty"),
        ("127.0.0.1:8080", "m", r"not an http\(s\) URL"),
        ("", "gpt-4o", "neither a .gguf file"),
        ("", "/nowhere/model.gguf", "no such GGUF file"),
    ],
)
def test_bad_configuration_is_a_clear_model_error(base_url: str, model: str, message: str) -> None:
    with pytest.raises(ModelError, match=message):
        llm_from_settings(Settings(llm_base_url=base_url, llm_model=model))


def test_openai_endpoint_from_settings() -> None:
    settings = Settings(llm_base_url="http://127.0.0.1:9/v1", llm_model="gemma", llm_answer_tokens=77)
    llm = llm_from_settings(settings)
    assert isinstance(llm, LangChainLLM) and isinstance(llm, LLM)
    assert llm.name == "openai:gemma@http://127.0.0.1:9/v1"
    assert llm.chat_model.extra_body == {"max_tokens": 77} and llm.chat_model.temperature == 0.0


def test_environment_variables_configure_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_LLM_BASE_URL", "http://127.0.0.1:9/v1")
    monkeypatch.setenv("RAG_LLM_MODEL", "served-model")
    llm = llm_from_settings(Settings())
    assert llm is not None and llm.name.startswith("openai:served-model@")


def test_missing_extra_is_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "langchain_openai", None)  # as if not installed
    with pytest.raises(ModelError, match=r"unres-rag\[llm\]"):
        openai_compatible_llm("http://127.0.0.1:9/v1", "m")


def test_missing_llama_cpp_is_named(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    model = tmp_path / "tiny.gguf"
    model.write_bytes(b"GGUF")
    monkeypatch.setitem(sys.modules, "llama_cpp", None)
    with pytest.raises(ModelError, match="llama-cpp-python"):
        llm_from_settings(Settings(llm_model=str(model)))


def test_langchain_adapter_streams_and_wraps_errors() -> None:
    from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
    from langchain_core.messages import AIMessage

    chat = GenericFakeChatModel(messages=iter([AIMessage(content="Member States act [OP 2]."), AIMessage(content="x")]))
    llm = LangChainLLM(chat, name="fake-chat", where="the test")
    pieces = list(llm.stream(MESSAGES))
    assert len(pieces) > 1 and "".join(pieces) == "Member States act [OP 2]."
    assert llm.complete(MESSAGES) == "x"

    class Broken:
        def stream(self, messages: Any) -> Any:
            raise ConnectionError("connection refused")

        def invoke(self, messages: Any) -> Any:
            raise TimeoutError("timed out")

    broken = LangChainLLM(Broken(), name="broken", where="RAG_LLM_BASE_URL")
    expected = r"broken failed \(ConnectionError: connection refused\); check RAG_LLM_BASE_URL"
    with pytest.raises(ModelError, match=expected):
        list(broken.stream(MESSAGES))
    with pytest.raises(ModelError, match="TimeoutError"):
        broken.complete(MESSAGES)


def test_base_install_does_not_import_the_llm_extras() -> None:
    """Importing the generator (and building no model) must not load the optional packages."""
    code = (
        "import sys, rag.llm, rag.generate; from rag.settings import Settings;"
        "assert rag.llm.llm_from_settings(Settings(llm_base_url='', llm_model='')) is None;"
        "print(sorted(m for m in ('langchain_openai', 'openai', 'tiktoken', 'llama_cpp') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
