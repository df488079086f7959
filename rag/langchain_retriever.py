"""LangChain adapter: the paragraph index as a ``BaseRetriever``.

>>> from rag.pipeline import Pipeline
>>> retriever = PassageRetriever(pipeline=Pipeline(), k=3, kind="operative")
>>> retriever.k, retriever.mode
(3, 'hybrid')

Each result is a ``langchain_core.documents.Document`` whose ``page_content`` is
the paragraph's text and whose ``metadata`` names it: ``doc``, ``label``,
``kind``, ``number``, ``pages``, ``footnotes``, ``citation``, ``score``,
``dense``, ``lexical`` and ``rank``. So the index plugs into any LangChain
chain (``retriever | format_docs | prompt | llm``) with paragraph-level citations.
"""

from __future__ import annotations

from typing import Any

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document as LCDocument
from langchain_core.retrievers import BaseRetriever

from rag.types import Hit


def hit_to_document(hit: Hit) -> LCDocument:
    """One retrieval hit as a LangChain document with the passage metadata."""
    passage = hit.passage
    return LCDocument(
        page_content=passage.text,
        metadata={
            "doc": passage.doc,
            "label": passage.label,
            "kind": passage.kind,
            "number": passage.number,
            "part": passage.part,
            "pages": list(passage.pages),
            "footnotes": list(passage.footnotes),
            "citation": passage.citation,
            "score": hit.score,
            "dense": hit.dense,
            "lexical": hit.lexical,
            "rank": hit.rank,
        },
    )


class PassageRetriever(BaseRetriever):
    """``Pipeline.search`` as a LangChain retriever (``k``, ``doc``, ``kind``, ``page``, ``mode`` as there)."""

    pipeline: Any
    k: int = 5
    doc: str | list[str] | None = None
    kind: str | list[str] | None = None
    page: int | None = None
    mode: str = "hybrid"

    def _get_relevant_documents(self, query: str, *, run_manager: CallbackManagerForRetrieverRun) -> list[LCDocument]:
        hits = self.pipeline.search(query, k=self.k, doc=self.doc, kind=self.kind, page=self.page, mode=self.mode)
        return [hit_to_document(hit) for hit in hits]
