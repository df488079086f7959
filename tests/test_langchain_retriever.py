"""LangChain adapter over ``Pipeline.search``."""

from __future__ import annotations

from conftest import JsonPipeline
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever
from langchain_core.runnables import RunnableLambda

from rag.langchain_retriever import PassageRetriever


def test_retriever_returns_documents_with_passage_metadata(built_pipeline: JsonPipeline) -> None:
    retriever = PassageRetriever(pipeline=built_pipeline, k=2)
    assert isinstance(retriever, BaseRetriever)
    documents = retriever.invoke("collect and share biometric data")
    assert len(documents) == 2 and all(isinstance(d, LCDocument) for d in documents)
    top = documents[0]
    assert "biometric" in top.page_content
    assert top.metadata["doc"] == "E/CN.15/2019/L.8/Rev.1" and top.metadata["label"] == "OP 3"
    assert top.metadata["kind"] == "operative" and top.metadata["number"] == "3"
    assert top.metadata["citation"] == "E/CN.15/2019/L.8/Rev.1, OP 3"
    assert top.metadata["pages"] == [2] and top.metadata["rank"] == 1
    assert top.metadata["score"] >= documents[1].metadata["score"]


def test_retriever_filters_and_composes_in_a_chain(built_pipeline: JsonPipeline) -> None:
    retriever = PassageRetriever(pipeline=built_pipeline, k=5, doc="A/RES/77/236", kind="operative")
    chain = retriever | RunnableLambda(lambda docs: [d.metadata["citation"] for d in docs])
    citations = chain.invoke("Secretary-General report")
    assert citations and all(c.startswith("A/RES/77/236, OP ") for c in citations)
