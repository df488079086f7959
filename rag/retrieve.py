"""Hybrid retrieval over paragraphs: dense (FAISS) + lexical (BM25), fused.

``Retriever.search`` does, for one question:

1. *Normalise* it (:func:`analyse_query`): paragraph labels ("OP 9", "operative
   paragraph 5 (a)", "footnote 2") for direct lookup; indexed documents named by
   symbol ("A/RES/77/236", "resolution 2730 (2024)") or by title ("the organ
   trafficking resolution", :func:`find_title_mentions`: favoured, their words left
   out of the lexical query); ISO dates rewritten the way UN texts print them;
   acronyms and aliases expanded through ``rag.aliases``.
2. Take candidates from both retrievers (top ``candidates`` of each), score
   every candidate by both, and *fuse*: a weighted sum of normalised scores
   (dense min-max over the candidates, BM25 divided by its maximum), or a
   weighted reciprocal-rank fusion; the method and weight were chosen on the dev
   split of the eval suites.
3. Put a passage the question names by label first; favour the documents of a body
   the question names as their author (:func:`find_issuers`), operative paragraphs
   when it asks what is requested or decided (:func:`asks_for_action`), and passages
   holding the kind of expression it asks for (``rag.answer_types``); apply the
   optional cross-encoder re-ranker (only when ``reranker_model`` is configured).

``Hit.score`` is the fused score (relative to the other candidates of the same
question); ``Hit.dense`` (cosine) and ``Hit.lexical`` (BM25) are the raw
component scores, comparable across questions (use those for abstention).
"""

from __future__ import annotations

import functools
import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np

from rag.aliases import capitalised_names, is_acronym
from rag.answer_types import expected_types, gives
from rag.embed import Embedder, load_offline
from rag.errors import InputError
from rag.index import IndexSnapshot
from rag.lexical import tokenize
from rag.question import (
    DOCUMENT_NUMBER,
    ORDINAL_LABEL,
    asks_for_documents,
    bare_resolution_numbers,
    find_label_mentions,
    metadata_intent,
    referenced_numbers,
)
from rag.store import symbol_key
from rag.types import MONTHS, PART_PREFIX, PASSAGE_KINDS, Hit, Passage, format_label

SearchMode = Literal["hybrid", "dense", "lexical"]
SEARCH_MODES: tuple[str, ...] = ("hybrid", "dense", "lexical")


@dataclass(frozen=True)
class FusionConfig:
    """How dense and lexical scores are combined (tuned on the dev split; see the closing note of issue 3).

    ``expansion_weight``: how much one alias expansion (all its words together)
    counts in BM25 next to the question's own words (each 1.0), so that a long form
    such as "United Nations Organization Mission in the Democratic Republic of the
    Congo" does not outweigh the question it was added to. ``name_weight``: likewise, a name of three words
    or more written in the question ("the Fifteenth United Nations Congress on Crime Prevention and Criminal
    Justice") is one concept: its words share this weight instead of counting one each, so that the name
    does not drown the words that say what is asked ("Which country offered to host ...?"). Measured on the
    dev split of seed, multi and fresh: recall@1 0.908 -> 0.918, the same for any weight from 1 to 4.

    ``doc_boost``: added to passages of a document the question names by number only ("resolution 2730 (2024)")
    or by its title ("the organ trafficking resolution", :func:`find_title_mentions`); measured on the dev split
    of seed, multi, fresh, blind3 and blind4 with title mentions: recall@1 0.905 for any boost from 0.1 to 1.0,
    MRR 0.934 at 0.1 and 0.936 from 0.2 to 1.0 (0.3 sits inside that plateau);
    ``issuer_boost``: to passages of documents adopted by a body the question names as their author ("What
    does the Security Council ask ...?", :func:`find_issuers`); ``action_boost``: to operative paragraphs when
    the question asks what is requested, urged, decided ... (:func:`asks_for_action`): in a resolution the
    preamble states reasons and background, the operative part asks and decides. ``answer_type_boost``: to
    the best candidates holding the kind of expression the question wants (a session or date for "when", a
    number for "how many", a frequency for "how often": ``rag.answer_types``).

    ``method``: ``weighted`` (sum of scores normalised to [0, 1]), ``zscore`` (sum of
    standardised scores) or ``rrf`` (weighted
    reciprocal-rank fusion with constant ``rrf_k``). ``dense_weight`` is the
    share of the dense side, the lexical side gets ``1 - dense_weight``.
    """

    method: Literal["weighted", "zscore", "rrf"] = "weighted"
    dense_weight: float = 0.3
    rrf_k: int = 60
    candidates: int = 100
    label_boost: float = 1.0
    doc_boost: float = 0.3
    issuer_boost: float = 0.1
    action_boost: float = 0.15
    answer_type_boost: float = 0.1
    expand_dense: bool = True
    expand_lexical: bool = True
    expansion_weight: float = 0.5
    name_weight: float = 2.0


DEFAULT_FUSION = FusionConfig()


class Reranker(Protocol):
    """Re-scores (question, passage text) pairs; higher is better."""

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray: ...


class QueryExpander(Protocol):
    """Gives extra phrasings of a question (the long form of an acronym, and back): ``rag.aliases.AliasTable``."""

    def expand(self, query: str) -> list[str]: ...


class CrossEncoderReranker:
    """A sentence-transformers cross-encoder loaded offline on first use (none is bundled)."""

    def __init__(self, model: str) -> None:
        self.model = model
        self._encoder: Any = None
        self._lock = threading.Lock()

    def score(self, query: str, texts: Sequence[str]) -> np.ndarray:
        if self._encoder is None:
            with self._lock:
                if self._encoder is None:

                    def load() -> Any:
                        from sentence_transformers import CrossEncoder

                        return CrossEncoder(self.model, device="cpu", local_files_only=True)

                    self._encoder = load_offline(
                        load, f"re-ranker {self.model!r}",
                        "set RAG_RERANKER_MODEL to a local cross-encoder folder, or to an empty value to switch "
                        "re-ranking off",
                    )
        scores = self._encoder.predict([(query, t) for t in texts], show_progress_bar=False)
        return np.asarray(scores, dtype=np.float32)


# --------------------------------------------------------------------------- query analysis
@dataclass
class QueryAnalysis:
    """What :func:`analyse_query` found in a question. ``mentioned``: documents it names by number only or by
    title (``titled``: those named by title); ``content``: the question without the words that only say which
    documents it is about (an issuing body, a title), for the lexical query."""

    text: str
    labels: list[str] = field(default_factory=list)
    symbols: list[str] = field(default_factory=list)
    mentioned: list[str] = field(default_factory=list)
    expansions: list[str] = field(default_factory=list)
    rest: str = ""
    edges: list[tuple[str, bool]] = field(default_factory=list)
    issuers: list[str] = field(default_factory=list)
    content: str = ""
    titled: list[str] = field(default_factory=list)
    numbered: list[str] = field(default_factory=list)

    @property
    def named(self) -> list[str]:
        """The documents the question names: by symbol or number, else by title (a looser match: "meet to adopt
        resolution 2730" also matches a title on a "high-level meeting")."""
        return list(dict.fromkeys(self.symbols + self.numbered)) or self.titled

    @property
    def label_only(self) -> bool:
        """The question is nothing but a label (and maybe a symbol): "OP 9", "A/RES/77/236 PP 2"."""
        return bool(self.labels or self.edges) and not tokenize(self.rest)

    def search_text(self, expand: bool = True) -> str:
        """The question plus, when ``expand``, the alias expansions."""
        return " ".join([self.text, *self.expansions]) if expand else self.text


_ISO_DATE = re.compile(r"\b((?:19|20)\d\d)-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])\b")
_US_DATE = re.compile(r"\b(" + "|".join(MONTHS) + r")\s+(\d{1,2}),\s*((?:19|20)\d\d)\b", re.IGNORECASE)


def find_edges(text: str) -> list[tuple[tuple[str, bool], tuple[int, int]]]:
    """The first or last paragraph of a kind a question names ("the first preambular paragraph", "the final
    operative paragraph", "the last paragraph": operative): ((kind, last?), span), read as
    ``rag.question.ORDINAL_LABEL`` reads them.

    >>> [edge for edge, _ in find_edges("What is in the last operative paragraph and the first preambular one?")]
    [('operative', True)]
    >>> [(edge, text[a:b]) for text in ["Is it in the final paragraph?"] for edge, (a, b) in find_edges(text)]
    [(('operative', True), 'final paragraph')]
    """
    found = []
    for match in ORDINAL_LABEL.finditer(text):
        place = "last" if match.group("last") else match.group("ordinal").lower()
        if place in ("first", "last", "final"):
            found.append((((match.group("kind") or "operative").lower(), place != "first"), match.span()))
    return found


def normalise_dates(text: str) -> str:
    """Write dates the way UN documents print them (``28 May 2019``).

    >>> normalise_dates("adopted on 2019-05-28 or May 28, 2019?")
    'adopted on 28 May 2019 or 28 May 2019?'
    """
    text = _ISO_DATE.sub(lambda m: f"{int(m.group(3))} {MONTHS[int(m.group(2)) - 1]} {m.group(1)}", text)
    return _US_DATE.sub(lambda m: f"{int(m.group(2))} {m.group(1).title()} {m.group(3)}", text)


def find_labels(text: str) -> list[tuple[str, tuple[int, int]]]:
    """Passage labels named in a question, with the character span of the words naming them (several labels
    may share one: "paragraphs 5 to 7"). Read by ``rag.question.find_label_mentions``, as the answerer reads
    them; a paragraph of no said kind ("paragraph 9", "¶ 9") is looked up as an operative one (and as a plain
    numbered one, ``Retriever._label_rows``), the last paragraph of a kind by :func:`find_edges`.

    >>> [label for label, _ in find_labels("What do OP 5 (a) and preambular paragraph 3 say? And footnote *?")]
    ['OP 5 (a)', 'PP 3', 'Footnote *']
    >>> [label for label, _ in find_labels("paragraph 9 of resolution 72/194")]
    ['OP 9']
    >>> [label for label, _ in find_labels("What do paragraphs 5 to 7 and OP 16 (a)-(b) say?")]
    ['OP 5', 'OP 6', 'OP 7', 'OP 16 (a)', 'OP 16 (b)']

    A part of the document named before or after the label is part of it (``rag.types.PART_PREFIX``):

    >>> [label for label, _ in find_labels("Annex OP 49, draft paragraph 3 and PP 2 of the draft resolution")]
    ['Annex OP 49', 'Draft OP 3', 'Draft PP 2']
    """
    return [(format_label(request.kind or "operative", request.number, request.part), (mention.start, mention.end))
            for mention in find_label_mentions(text) for request in mention.requests if request.number != "last"]


def _symbol_regex(key: str) -> str:
    """Regex for a compact symbol key that tolerates spaces and ``_`` for ``/``.

    >>> bool(re.search(_symbol_regex("S/RES/2730(2024)"), "s_res_2730 (2024)", re.I))
    True
    """
    return r"\s*".join("[/_]" if c == "/" else re.escape(c) for c in key)


_SYMBOL_LIKE = re.compile(r"(?<![\w./])[A-Za-z]{1,8}(?:\s?[/_]\s?[A-Za-z0-9.\-]+)+(?:\s*\(\d{4}\))?")
#: The end of a symbol from a lettered part: "L.8/Rev.1", "CRP.2", "L.8".
_SYMBOL_TAIL = re.compile(r"(?<![\w./])[A-Za-z]{1,5}\.\d+(?:/[A-Za-z]{1,5}\.\d+)*(?![\w/])")


class SymbolMatcher:
    """Finds indexed document symbols in questions with two regex scans and dictionary lookups
    (a regex per symbol would cost seconds per question over thousands of documents)."""

    def __init__(self, known: Sequence[str]) -> None:
        self.full = {symbol_key(symbol): symbol for symbol in known}
        self.short: dict[str, list[str]] = {}
        for symbol in known:
            key = symbol_key(symbol)
            number = re.sub(r"^[A-Z]+/(?:RES/)?", "", key)  # A/RES/77/236 -> 77/236; S/RES/2730(2024) -> 2730(2024)
            if number != key and re.search(r"\d", number):
                self.short.setdefault(number, []).append(symbol)
            bare = re.fullmatch(r"(\d+)\(\d{4}\)", number)
            if bare:
                self.short.setdefault(bare.group(1), []).append(symbol)
        # a Security Council symbol without its year ("S/RES/787") is still that document, when only one has it
        undated: dict[str, list[str]] = {}
        for symbol in known:
            key = symbol_key(symbol)
            if re.search(r"\(\d{4}\)$", key):
                undated.setdefault(re.sub(r"\(\d{4}\)$", "", key), []).append(symbol)
        self.full.update({key: symbols[0] for key, symbols in undated.items()
                          if len(symbols) == 1 and key not in self.full})
        # the end of a symbol from its first lettered part ("L.8/Rev.1" of "E/CN.15/2019/L.8/Rev.1"), as delegates
        # write a draft's symbol: that document, when only one ends so
        tails: dict[str, list[str]] = {}
        for symbol in known:
            parts = symbol_key(symbol).split("/")
            for at in range(2, len(parts)):  # after the session or year: "CN.15" names the Commission
                if re.fullmatch(r"[A-Z]+\.\d+", parts[at]) and parts[at - 1].isdigit():
                    tails.setdefault("/".join(parts[at:]), []).append(symbol)
                    break
        self.tails = {key: symbols[0] for key, symbols in tails.items() if len(symbols) == 1}

    def resolve(self, value: str) -> str | None:
        """The indexed symbol a user's ``--doc`` value stands for: the symbol in any case or spacing, without its
        year, or the document's number alone when only one document has it; ``None`` when none or several.

        >>> matcher = SymbolMatcher(["S/RES/787 (1992)", "A/RES/79/172", "E/CN.15/2019/L.8/Rev.1"])
        >>> [matcher.resolve(v) for v in ("s/res/787 (1992)", "S/RES/787", "787", "79/172", "E/CN.15/2019/L.8")]
        ['S/RES/787 (1992)', 'S/RES/787 (1992)', 'S/RES/787 (1992)', 'A/RES/79/172', None]
        """
        key = symbol_key(value)
        by_number = self.short.get(key, [])
        return self.full.get(key) or (by_number[0] if len(set(by_number)) == 1 else None)

    def close_to(self, value: str) -> list[str]:
        """Indexed symbols that begin with ``value`` (a revision or corrigendum left out): what it may mean.

        >>> SymbolMatcher(["E/CN.15/2019/L.8/Rev.1", "A/RES/79/172"]).close_to("E/CN.15/2019/L.8")
        ['E/CN.15/2019/L.8/Rev.1']
        """
        key = symbol_key(value)
        return sorted({symbol for full, symbol in self.full.items() if full.startswith(key + "/")})

    def find(self, text: str) -> tuple[list[str], list[str]]:
        """The indexed documents ``text`` names: (by full symbol, by number only)."""
        references = self.references(text)
        full = list(dict.fromkeys(symbol for _, _, symbol, by_symbol in references if by_symbol))
        short = list(dict.fromkeys(symbol for _, _, symbol, by_symbol in references
                                   if not by_symbol and symbol not in full))
        return full, short

    def references(self, text: str) -> list[tuple[int, int, str, bool]]:
        """Where ``text`` names an indexed document: (start, end, symbol, named by its full symbol?)."""
        found = []
        for match in _SYMBOL_LIKE.finditer(text):
            symbol = self.full.get(symbol_key(match.group(0)).rstrip(".,;:"))
            if symbol is not None:
                found.append((match.start(), match.end(), symbol, True))
        for match in _SYMBOL_TAIL.finditer(text):
            symbol = self.tails.get(symbol_key(match.group(0)).rstrip(".,;:"))
            if symbol is not None and not any(s <= match.start() < e for s, e, _, _ in found):
                found.append((match.start(), match.end(), symbol, True))
        numbers = [(match.start(), match.end(), match.group(0)) for match in DOCUMENT_NUMBER.finditer(text)]
        numbers += bare_resolution_numbers(text)
        numbers += [(start, end, number) for start, end, number in _standalone_numbers(text)
                    if not any(s < end and start < e for s, e, _ in numbers)]
        for start, end, number in numbers:
            found += [(start, end, symbol, False) for symbol in self.short.get(symbol_key(number), [])]
        return found


#: A body by its short name ("the Council", "the Assembly"); in a question naming a document, the body that adopted it.
_SHORT_BODY = re.compile(r"\bthe\s+(?:Council|Assembly)\b(?!\s+(?:on|of|for)\b)")


def document_reference_spans(text: str, known: Sequence[str]) -> list[tuple[int, int]]:
    """Where a question says which indexed document it is about: its number or symbol and, in a question that
    names one, a body's short name ("What does the Council demand in resolution 2730?"). Those words say which
    document, not what its paragraphs say.

    >>> text = "What does the Council demand in resolution 2730?"
    >>> [text[a:b] for a, b in document_reference_spans(text, ["S/RES/2730 (2024)"])]
    ['2730', 'the Council']
    >>> document_reference_spans("What does the Council demand?", ["S/RES/2730 (2024)"])
    []
    """
    spans = [(start, end) for start, end, _, _ in matcher_for(known).references(text)]
    if spans:
        spans += [match.span() for match in _SHORT_BODY.finditer(text)]
    return spans


def find_symbols(text: str, known: Sequence[str]) -> tuple[list[str], list[str]]:
    """Indexed documents a question names: (by full symbol, by short number only).

    >>> find_symbols("What does A/RES/77/236 say?", ["A/RES/77/236", "S/RES/2730 (2024)"])
    (['A/RES/77/236'], [])
    >>> find_symbols("In resolution 2730 (2024), what ...", ["A/RES/77/236", "S/RES/2730 (2024)"])
    ([], ['S/RES/2730 (2024)'])
    >>> find_symbols("resolution 77/2360 or A/RES/77/23", ["A/RES/77/236"])
    ([], [])
    """
    return matcher_for(known).find(text)


#: A resolution's symbol: "A/RES/78/1", "S/RES/2000 (2011)", "E/RES/2023/23" (number: "78/1", "2000", "2023/23").
_RESOLUTION_SYMBOL = re.compile(r"\b[A-Z]{1,2}/RES/(?P<number>\d{1,5}(?:/\d{1,5})*)(?:\s*\(\d{4}\))?(?![\w/])")


def unindexed_references(text: str, known: Sequence[str]) -> list[tuple[str, str]]:
    """The resolutions and decisions a question names by number that are not indexed, as (noun, number) (the
    indexed documents may still mention them: "Recalling its resolution 757 (1992) of 30 May 1992").

    >>> unindexed_references("When were resolutions 757 (1992) and 787 adopted?", ["S/RES/787 (1992)"])
    [('resolution', '757')]
    >>> unindexed_references("What does decision 29/101 say? And resolution 79/172?", ["A/RES/79/172"])
    [('decision', '29/101')]
    >>> unindexed_references("What do A/RES/78/1, S/RES/2000 (2011) and A/RES/79/172 say?", ["A/RES/79/172"])
    [('resolution', '78/1'), ('resolution', '2000')]
    """
    found: dict[str, str] = {}
    for _, _, noun, number in referenced_numbers(text):
        found.setdefault(number, noun)
    full = matcher_for(known).full
    for match in _RESOLUTION_SYMBOL.finditer(text):  # "A/RES/78/1", "S/RES/2000 (2011)"
        if symbol_key(match.group(0)) not in full:
            found.setdefault(match.group("number"), "resolution")
    return [(noun, n) for n, noun in found.items() if not any(find_symbols(f"resolution {n}", known))]


def mentions_number(text: str, number: str) -> bool:
    """Does ``text`` cite the document numbered ``number``? A number without a slash counts as cited with its
    year ("1325 (2000)") or after "resolution" ("resolution 1325", "S/RES/1325"): alone it may be a year or a count.

    >>> [mentions_number(t, "70/1") for t in ["resolution 70/1 of 2015", "A/RES/70/1", "resolution 70/17", "2070/1"]]
    [True, True, False, False]
    >>> [mentions_number(t, "2000") for t in ["resolutions 1296 (2000) and 2000 (2011)", "in 2000", "1296 (2000)"]]
    [True, False, False]
    """
    if "/" in number:
        return re.search(rf"(?<![\d.]){re.escape(number)}(?!\d|/\d)", text) is not None
    cited = rf"(?<![\d.(]){re.escape(number)}\s*\(\d{{4}}\)|(?:\bresolutions?\s+|RES/){re.escape(number)}(?!\d)"
    return re.search(cited, text, re.IGNORECASE) is not None


#: A number standing alone that may be an indexed document's ("OP 3 of 2730", "What about 787?").
_BARE_NUMBER = re.compile(r"(?<![\w/.(])\d{3,5}(?![\w/)]|\s*\()")
#: A number that is an amount, a share or a count, not a document: "$787", "787 million", "1445 per cent", "the
#: 2730 aid workers", "about 787 troops".
_AMOUNT_AROUND = re.compile(
    r"(?:[$€£]|\b(?:USD|EUR|US\$|the|these|those|some|about|around|over|than|nearly|almost|approximately|only|all|"
    r"of|its|their))\s*$|^\s*(?:%|per\s*cent|percent|thousand|million|billion|dollars|euros)\b",
    re.IGNORECASE)


def _standalone_numbers(text: str) -> list[tuple[int, int, str]]:
    """Numbers written alone that may be a resolution's ("what are the terms of the no-fly zone 787 sets?", "does
    2730 say ..."): not a year (1900 to 2099, which only "resolution" before it makes a number) nor an amount.

    >>> _standalone_numbers("does 2730 say more than 787 or $1445 or 2024 or 1445 per cent? And 1445 on MONUC?")
    [(5, 9, '2730'), (67, 71, '1445')]
    """
    found = []
    for match in _BARE_NUMBER.finditer(text):
        number = match.group(0)
        if 1900 <= int(number) <= 2099 or _AMOUNT_AROUND.search(text[: match.start()]) \
                or _AMOUNT_AROUND.search(text[match.end() :]):
            continue
        found.append((match.start(), match.end(), number))
    return found


def documents_by_bare_number(text: str, known: Sequence[str]) -> list[str]:
    """The indexed documents whose number stands alone in ``text``, without "resolution" before it: in a label
    question ("OP 3 and OP 4 of 2730") or a follow-up ("And 1445?"), where a number has no other meaning.

    >>> documents_by_bare_number("OP 3 of 2730, OP 1 of 787, paragraph 12", ["S/RES/2730 (2024)", "S/RES/787 (1992)"])
    ['S/RES/2730 (2024)', 'S/RES/787 (1992)']
    """
    matcher = matcher_for(known)
    return list(dict.fromkeys(symbol for number in _BARE_NUMBER.findall(text) if (symbol := matcher.resolve(number))))


def resolve_document(value: str, known: Sequence[str]) -> str:
    """The indexed symbol ``value`` stands for (see :meth:`SymbolMatcher.resolve`); ``InputError`` naming what it
    may mean, or the indexed documents, when it stands for none.

    >>> resolve_document("S/RES/787", ["S/RES/787 (1992)"])
    'S/RES/787 (1992)'
    >>> resolve_document("E/CN.15/2019/L.8", ["E/CN.15/2019/L.8/Rev.1"])
    Traceback (most recent call last):
    rag.errors.InputError: no indexed document 'E/CN.15/2019/L.8': did you mean E/CN.15/2019/L.8/Rev.1?
    """
    matcher = matcher_for(known)
    symbol = matcher.resolve(value)
    if symbol is not None:
        return symbol
    close = matcher.close_to(value)
    if close:
        raise InputError(f"no indexed document {value!r}: did you mean {' or '.join(close)}?")
    listed = ", ".join(known[:10]) + (" ..." if len(known) > 10 else "")
    raise InputError(f"no indexed document {value!r}; indexed: {listed or 'none'} (see `rag list`)")


def matcher_for(known: Sequence[str]) -> SymbolMatcher:
    """The matcher of a list of symbols, built once per distinct list (the last 16 are kept)."""
    return _matcher(tuple(known))


@functools.lru_cache(maxsize=16)
def _matcher(known: tuple[str, ...]) -> SymbolMatcher:
    return SymbolMatcher(known)


#: Bodies that adopt resolutions (canonical names of the alias table). Named as the author of a text
#: ("What does the General Assembly ask ...?", "Security Council resolutions on ..."), they say which documents a
#: question is about, not which words the paragraph holds; named otherwise ("report to the General Assembly")
#: they are content like any other words.
ISSUING_BODIES = frozenset({"General Assembly", "Security Council", "ECOSOC", "Human Rights Council", "CCPCJ", "CND"})
_ISSUER_BEFORE = re.compile(
    r"(?:\bresolutions?\s+(?:of|by|from)|\b(?:adopted|issued|passed|taken|decided)\s+by|\baccording\s+to)"
    r"\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_TEXT_NOUNS = r"(?:resolutions?|texts?|drafts?|decisions?|documents?|declarations?)"
#: "... Council resolutions", "... Assembly's texts": texts of a body, which the paragraphs may recall; only a body
#: that acts ("What does the Council ask ...?") is surely their author.
TEXTS_OF_BODY = re.compile(rf"(?:['’]s)?\s+{_TEXT_NOUNS}\b", re.IGNORECASE)
_ISSUER_AFTER = re.compile(
    rf"^(?:['’]s\b|\s+{_TEXT_NOUNS}\b|\s+(?:(?:also|further)\s+)?"
    r"(?:says?|said|asks?|asked|requests?|requested|calls?|called|urges?|urged|encourages?|encouraged|decides?|"
    r"decided|wants?|thinks?|demands?|demanded|adopts?|adopted|recommends?|recommended|invites?|invited)\b)",
    re.IGNORECASE,
)


_ASKS_ACTION = re.compile(
    r"\b(?:ask|asks|asked|asking|request|requests|requested|calls?\s+(?:up)?on|called\s+(?:up)?on|urges?|urged|"
    r"encourages?|encouraged|invites?|invited|decides?|decided|demands?|demanded|requires?|required|authori[sz]es?|"
    r"authori[sz]ed|mandated?|tasked|instructs?|instructed|directs?|directed|recommends?|recommended|expected|"
    r"supposed|must|should|shall)\b",
    re.IGNORECASE,
)


def asks_for_action(question: str) -> bool:
    """Whether a question asks what someone is requested, urged, called upon ... to do.

    >>> asks_for_action("What does the General Assembly ask on artificial intelligence?")
    True
    >>> asks_for_action("Is the Secretary-General required to report?"), asks_for_action("What is SHERLOC?")
    (True, False)
    """
    return bool(_ASKS_ACTION.search(question))


def find_issuers(text: str, aliases: Any) -> list[tuple[int, int, str]]:
    """Bodies a question names as the *author* of the texts it asks about: ``(start, end, canonical)``.

    >>> from rag.aliases import AliasTable
    >>> table = AliasTable.builtin()
    >>> [c for _, _, c in find_issuers("What does the General Assembly ask on artificial intelligence?", table)]
    ['General Assembly']
    >>> [c for _, _, c in find_issuers("Which Security Council resolutions are recalled?", table)]
    ['Security Council']
    >>> find_issuers("When must the Secretary-General report to the General Assembly?", table)
    []
    >>> find_issuers("What role does the Human Rights Council play in this resolution?", table)
    []
    """
    mentions = getattr(aliases, "mentions", None)
    if mentions is None:
        return []
    found = []
    for mention in mentions(text, query=True):
        if mention.canonical not in ISSUING_BODIES:
            continue
        if _ISSUER_BEFORE.search(text[: mention.start]) or _ISSUER_AFTER.match(text[mention.end :]):
            found.append((mention.start, mention.end, mention.canonical))
    return found


def bodies_in(text: str, aliases: Any) -> list[tuple[int, int, str]]:
    """Every issuing body a text names (a document heading)."""
    # the opening lines say who adopts it; a short text is matched with the question-sized pattern (fast)
    return [(m.start, m.end, m.canonical) for m in aliases.mentions(text[:500], query=True)
            if m.canonical in ISSUING_BODIES]


# --------------------------------------------------------------------------- documents named by their title
#: Words that say which kind of text, or whose, a question names ("the draft resolution", "the UN declaration"),
#: not what it is about: they never identify a document by its title (stemmed, as ``tokenize`` gives them).
GENERIC_TITLE_WORDS = frozenset(tokenize(
    "resolution draft text document declaration decision United Nations UN General Assembly Security Council "
    "ECOSOC adopted present current latest recent previous same said above following new"
))
_DOCUMENT_NOUN = re.compile(r"\b(?:draft\s+)?(?:resolution|declaration)\b(?![\w'’\-])", re.IGNORECASE)
_TITLE_CONNECTOR = re.compile(r"\s+(?:on|about|concerning|regarding|entitled|titled|called)\s+[\"“‘']?",
                              re.IGNORECASE)
_TITLE_WORD = re.compile(r"[^\W_][\w'’+\-]*")
_CLAUSE_BREAK = re.compile(r"[,;:?!.()\[\]\"“”]")


@dataclass(frozen=True)
class TitleMention:
    """A document named by its title in a question: ``text[start:end]`` ("the organ trafficking resolution",
    "resolution on UNODC counter-terrorism assistance") and the document(s) whose title it matches."""

    start: int
    end: int
    symbols: tuple[str, ...]


class TitleMatcher:
    """Matches the words of a question against the titles of the indexed documents (built once per index).

    A title's *terms* are its tokens (``rag.lexical.tokenize``) plus those of every surface form of the actors
    and terms it mentions (through the alias table: a title saying "UNODC" also holds "Office on Drugs and
    Crime"). A word of a question matches a title when all its tokens are among the title's terms; an acronym
    also when a surface form the alias table gives it does, or when it abbreviates one title word ("TB",
    "tuberculosis": its first letter starts the word, the others follow in order).
    """

    def __init__(self, titles: Mapping[str, str], aliases: Any = None) -> None:
        self.aliases = aliases
        self.symbols = list(titles)
        self.terms: list[frozenset[str]] = []
        self.sequences: list[tuple[str, ...]] = []
        self.by_term: dict[str, set[int]] = {}
        self.by_word: dict[str, set[int]] = {}  # lower-case title words, for abbreviations
        for index, title in enumerate(titles.values()):
            sequence = tuple(tokenize(title))
            terms = set(sequence)
            if aliases is not None and hasattr(aliases, "mentions"):
                for mention in aliases.mentions(title):
                    for surface in aliases.surfaces(mention.canonical):
                        terms.update(tokenize(surface))
            if not _topical(terms):
                terms = set()  # "Resolution 2730 (2024)": a title that names no topic
            self.terms.append(frozenset(terms))
            self.sequences.append(sequence)
            for term in terms:
                self.by_term.setdefault(term, set()).add(index)
            for word in re.findall(r"[^\W\d_]{3,}", title.lower()):
                self.by_word.setdefault(word, set()).add(index)

    def _with_tokens(self, tokens: Sequence[str]) -> set[int]:
        found: set[int] | None = None
        for token in tokens:
            docs = self.by_term.get(token, set())
            found = set(docs) if found is None else found & docs
            if not found:
                return set()
        return found if found is not None else set()

    def documents_matching(self, word: str, aliases: Any = None) -> set[int]:
        """Indices of the documents whose title a (content) word of a question matches."""
        found = self._with_tokens(tokenize(word))
        if found or not is_acronym(word):
            return found
        aliases = aliases if aliases is not None else self.aliases
        canonical = aliases.canonical(word) if aliases is not None and hasattr(aliases, "canonical") else None
        for surface in aliases.surfaces(canonical) if canonical is not None else ():
            found |= self._with_tokens(tokenize(surface))
        if not found and 2 <= len(word) <= 4 and word.isalpha():
            letters = word.lower()
            for title_word, docs in self.by_word.items():
                if len(title_word) > len(letters) + 2 and _abbreviates(letters, title_word):
                    found |= docs
        return found

    def find(self, text: str, aliases: Any = None) -> list[TitleMention]:
        """Documents ``text`` names by their title (see :func:`find_title_mentions`)."""
        if not self.by_term:
            return []
        words = [(m.start(), m.end(), m.group(0)) for m in _TITLE_WORD.finditer(text)]
        found: list[TitleMention] = []
        for noun in _DOCUMENT_NOUN.finditer(text):
            if noun.group(0).endswith("Declaration"):
                continue  # "the Kyoto Declaration", "the Declaration on ...": the name of an instrument
            connector = _TITLE_CONNECTOR.match(text, noun.end())
            runs = [([w for w in reversed(words) if w[1] <= noun.start()], noun.start(), noun.end())]
            if connector:
                runs.append(([w for w in words if w[0] >= connector.end()], connector.end(), noun.start()))
            best: tuple[_Run, int, int] | None = None
            for words_out, edge, noun_edge in runs:
                run = self._longest_run(text, words_out, edge, aliases)
                if run.count and (best is None or run.count > best[0].count):
                    best = (run, min(run.far, noun_edge), max(run.far, noun_edge))
            chosen = self._best_documents(best[0]) if best else []
            if best and chosen:
                found.append(TitleMention(best[1], best[2], tuple(self.symbols[i] for i in chosen)))
        return found

    def _longest_run(self, text: str, words: Sequence[tuple[int, int, str]], edge: int, aliases: Any) -> _Run:
        """Walk the words next to a document noun, outwards from ``edge``, while every content word matches the
        title of at least one document (the same for all of them), and not past the end of the clause."""
        run = _Run(0, edge, set(), [])
        docs: set[int] | None = None
        for start, end, word in words:
            forward = start >= edge
            if _CLAUSE_BREAK.search(text[run.far : start] if forward else text[end : run.far]):
                break
            tokens = tokenize(word)
            if not _topical(tokens):
                continue  # a stop word, a number or a generic word ("the UN organ trafficking resolution") passes
            narrowed = self.documents_matching(word, aliases)
            if docs is not None:
                narrowed &= docs
            if not narrowed:
                break
            docs = narrowed
            run = _Run(run.count + 1, end if forward else start, narrowed,
                       run.tokens + tokens if forward else tokens + run.tokens)
        return run

    def _best_documents(self, run: _Run) -> list[int]:
        """The document whose title the words fit: the only one, or the only one holding them in the same order
        ("administration of justice"); several only when their titles are the same (the yearly resolutions of
        one series); none when different titles fit as well."""
        docs = sorted(run.docs)
        if len(docs) > 1:
            in_order = [i for i in docs if _contains_sequence(self.sequences[i], run.tokens)]
            docs = in_order if in_order else docs
        return docs if len({self.terms[i] for i in docs}) == 1 else []


@dataclass
class _Run:
    """Words next to a document noun that match titles: how many content words, the far edge of the last one,
    the documents whose title holds them all, their tokens in the order of the question."""

    count: int
    far: int
    docs: set[int]
    tokens: list[str]


def _contains_sequence(sequence: Sequence[str], part: Sequence[str]) -> bool:
    """Whether ``part`` occurs in ``sequence`` as a contiguous run.

    >>> _contains_sequence(["human", "right", "administr", "justic"], ["administr", "justic"])
    True
    """
    size = len(part)
    return size > 0 and any(list(sequence[i : i + size]) == list(part) for i in range(len(sequence) - size + 1))


def _topical(tokens: Iterable[str]) -> bool:
    """Whether any of ``tokens`` says what a text is about: a word, not a number nor a generic word.

    >>> _topical(["resolut", "2730", "2024"]), _topical(["draft", "justic"])
    (False, True)
    """
    return any(token[:1].isalpha() and token not in GENERIC_TITLE_WORDS for token in tokens)


def _abbreviates(letters: str, word: str) -> bool:
    """Whether ``letters`` abbreviate one ``word``: the first starts it, the others follow in order.

    >>> _abbreviates("tb", "tuberculosis"), _abbreviates("tb", "betting")
    (True, False)
    """
    if not word.startswith(letters[0]):
        return False
    position = 1
    for letter in letters[1:]:
        position = word.find(letter, position) + 1
        if position == 0:
            return False
    return True


def find_title_mentions(text: str, titles: Mapping[str, str] | TitleMatcher, aliases: Any = None
                        ) -> list[TitleMention]:
    """Documents a question names by their title: "the <X> (draft) resolution|declaration" or "(draft)
    resolution|declaration on|about|concerning <X>", where every content word of X matches the title of one
    document (the best-matching one when several do; see :class:`TitleMatcher`). X is the longest run of words
    next to the noun that does: "resolution on UNODC counter-terrorism assistance link terrorism ..." stops
    before "link". Stop words, numbers and generic words ("draft", "UN") pass; at least one other word must
    match. A capitalised "Declaration" is the name of an instrument ("the Kyoto Declaration"), not a title.

    >>> titles = {"A/RES/73/3": "Political declaration of the high-level meeting on the fight against tuberculosis",
    ...           "A/RES/79/172": "Human rights in the administration of justice",
    ...           "E/RES/2023/23": "Follow-up to the Fourteenth Congress on Crime Prevention and Criminal Justice"}
    >>> question = "According to the administration of justice resolution, where did the Crime Congress meet?"
    >>> [(question[m.start:m.end], m.symbols) for m in find_title_mentions(question, titles)]
    [('administration of justice resolution', ('A/RES/79/172',))]
    >>> question = "In the TB political declaration, what is the target?"
    >>> [(question[m.start:m.end], m.symbols) for m in find_title_mentions(question, titles)]
    [('TB political declaration', ('A/RES/73/3',))]
    >>> find_title_mentions("Does the justice resolution cover juveniles?", titles)  # two titles say "justice"
    []
    >>> find_title_mentions("Does the resolution cover juveniles?", titles)
    []
    """
    matcher = titles if isinstance(titles, TitleMatcher) else TitleMatcher(titles, aliases)
    return matcher.find(text, aliases)


def without_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with each of the (possibly overlapping) ``spans`` replaced by a space.

    >>> without_spans("What does the General Assembly ask on piracy?", [(14, 30), (10, 18)])
    'What does   ask on piracy?'
    """
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(end, merged[-1][1])
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + " " + text[end:]
    return text


def analyse_query(query: str, known_symbols: Sequence[str] = (), expander: QueryExpander | None = None,
                  titles: TitleMatcher | None = None) -> QueryAnalysis:
    """Normalise a question and find the labels, documents and expansions in it. With ``titles`` (the indexed
    documents' titles), a document named by its title (:func:`find_title_mentions`) counts as ``mentioned``
    like one named by number, and the words naming it leave ``content`` (the lexical query).

    >>> a = analyse_query("OP 9", ["E/CN.15/2019/L.8/Rev.1"])
    >>> a.labels, a.label_only
    (['OP 9'], True)
    >>> a = analyse_query("What does E/CN.15/2019/L.8/Rev.1 say in operative paragraph 9 about biometrics?",
    ...                   ["E/CN.15/2019/L.8/Rev.1"])
    >>> a.labels, a.symbols, a.label_only
    (['OP 9'], ['E/CN.15/2019/L.8/Rev.1'], False)
    """
    text = normalise_dates(" ".join(query.split()))
    labels = find_labels(text)
    edges = find_edges(text)
    rest = without_spans(text, [span for _, span in labels] + [span for _, span in edges])  # a range: one span
    matcher = matcher_for(known_symbols)
    full, short = matcher.find(text)
    for symbol in full:
        rest = re.sub(_symbol_regex(symbol_key(symbol)), " ", rest, flags=re.IGNORECASE)
    rest = re.sub(r"\b(show|give|display|print|quote|text of|what (?:does|do|is)|say|says)\b", " ", rest, flags=re.I)
    issuers = find_issuers(text, expander)
    spans = [(start, end) for start, end, _ in issuers]
    # an indexed document's symbol or number, like its title or its author, says which document, not which
    # paragraph: "What does resolution 2730 condemn?" looks for "condemn", not for the paragraphs citing 2730
    # (a question about the document itself, "When was resolution 2730 adopted?", looks for its heading, which
    # has the number)
    if metadata_intent(text) is None:
        spans += document_reference_spans(text, known_symbols)
    content = without_spans(text, spans)
    if not tokenize(content):  # nothing but the document's number: it is what to look for
        content = without_spans(text, spans[: len(issuers)])
    named = titles.find(text, expander) if titles is not None else []
    without_titles = without_spans(text, spans + [(m.start, m.end) for m in named])
    if named and tokenize(without_titles):  # a title's words say which document, not which paragraph
        content = without_titles
    titled = [symbol for mention in named for symbol in mention.symbols]
    expansions = [e for e in (expander.expand(content) if expander else []) if e and e not in text]
    return QueryAnalysis(
        text=text,
        labels=list(dict.fromkeys(label for label, _ in labels)),
        symbols=full,
        mentioned=list(dict.fromkeys(short + titled)),
        titled=list(dict.fromkeys(titled)),
        numbered=short,
        expansions=expansions,
        rest=rest,
        edges=[edge for edge, _ in edges],
        issuers=list(dict.fromkeys(canonical for _, _, canonical in issuers)),
        content=content,
    )


# --------------------------------------------------------------------------- fusion
def fuse(dense: np.ndarray, lexical: np.ndarray, config: FusionConfig) -> np.ndarray:
    """Fused scores of candidates given their dense (cosine) and lexical (BM25) scores.

    >>> fuse(np.array([0.9, 0.5, 0.1]), np.array([0.0, 10.0, 5.0]), FusionConfig(dense_weight=0.5)).round(3).tolist()
    [0.5, 0.75, 0.25]
    >>> rrf = FusionConfig(method="rrf", rrf_k=1, dense_weight=0.5)
    >>> bool(np.allclose(fuse(np.array([0.9, 0.5]), np.array([1.0, 3.0]), rrf), [5 / 12, 5 / 12]))
    True
    """
    weight = config.dense_weight
    if len(dense) == 0:
        return np.zeros(0, dtype=np.float32)
    if config.method == "rrf":
        dense_rank = _ranks(dense)
        lex_rank = _ranks(lexical)
        lexical_part = np.where(lexical > 0, 1.0 / (config.rrf_k + lex_rank), 0.0)
        return (weight / (config.rrf_k + dense_rank) + (1 - weight) * lexical_part).astype(np.float32)
    if config.method == "zscore":
        return (weight * _standardise(dense) + (1 - weight) * _standardise(lexical)).astype(np.float32)
    low, high = float(dense.min()), float(dense.max())
    dense_norm = (dense - low) / (high - low) if high > low else np.ones_like(dense)
    top = float(lexical.max())
    lexical_norm = lexical / top if top > 0 else np.zeros_like(lexical)
    return (weight * dense_norm + (1 - weight) * lexical_norm).astype(np.float32)


def _standardise(scores: np.ndarray) -> np.ndarray:
    """(score - mean) / standard deviation; zeros when all scores are equal.

    >>> _standardise(np.array([1.0, 2.0, 3.0])).round(3).tolist()
    [-1.225, 0.0, 1.225]
    """
    spread = float(scores.std())
    return (scores - scores.mean()) / spread if spread > 0 else np.zeros_like(scores)


def _ranks(scores: np.ndarray) -> np.ndarray:
    """1-based rank of each score, best first (ties keep their order).

    >>> _ranks(np.array([0.2, 0.9, 0.5])).tolist()
    [3.0, 1.0, 2.0]
    """
    ranks = np.empty(len(scores))
    ranks[np.argsort(-scores, kind="stable")] = np.arange(1, len(scores) + 1)
    return ranks


# --------------------------------------------------------------------------- retriever
class Retriever:
    """Searches one loaded index snapshot; holds no per-question state (thread-safe)."""

    def __init__(self, embedder: Embedder, *, fusion: FusionConfig = DEFAULT_FUSION,
                 reranker: Reranker | None = None, expander: QueryExpander | None = None,
                 rerank_depth: int = 30) -> None:
        self.embedder = embedder
        self.fusion = fusion
        self.reranker = reranker
        self.expander = expander
        self.rerank_depth = rerank_depth
        self._bodies: tuple[IndexSnapshot, dict[str, set[str]]] | None = None
        self._headings: tuple[IndexSnapshot, dict[str, Passage]] | None = None
        self._title_matcher: tuple[IndexSnapshot, TitleMatcher] | None = None

    def search(self, snapshot: IndexSnapshot, query: str, k: int = 10, *, doc: str | Sequence[str] | None = None,
               kind: str | Sequence[str] | None = None, page: int | None = None, mode: str = "hybrid",
               expander: QueryExpander | None = None) -> list[Hit]:
        """The ``k`` best passages for ``query`` (see the module docstring)."""
        if mode not in SEARCH_MODES:
            raise InputError(f"unknown search mode {mode!r}: use one of {', '.join(SEARCH_MODES)}")
        if not isinstance(query, str) or not query.strip():
            raise InputError("the question is empty: type a question, e.g. \"What is UNODC asked to do?\"")
        if k < 1:
            raise InputError(f"k must be at least 1 (got {k})")
        symbols = self._resolve_docs(snapshot, doc)
        kinds = _as_list(kind)
        for value in kinds:
            if value not in PASSAGE_KINDS:
                raise InputError(f"unknown passage kind {value!r}: use one of {', '.join(PASSAGE_KINDS)}")
        if page is not None and page < 0:
            raise InputError(f"page must be a positive number (got {page})")
        analysis = analyse_query(query, snapshot.symbols, expander or self.expander or snapshot.aliases,
                                 self.title_matcher(snapshot) if self.fusion.doc_boost and mode == "hybrid" else None)
        if not symbols and analysis.symbols:
            symbols = analysis.symbols
        mask = snapshot.mask(symbols, kinds, page)
        if snapshot.size == 0 or (mask is not None and not mask.any()):
            return []

        label_rows = self._label_rows(snapshot, analysis, symbols, mask)
        if analysis.label_only:
            return self._hits(snapshot, label_rows[:k], np.ones(len(label_rows[:k])), None, None)

        vector = None if mode == "lexical" else self._query_vector(analysis)
        rows, fused, dense, lexical = self._candidates(snapshot, analysis, vector, mask, mode, k)
        named = np.zeros(len(rows), dtype=bool)
        if label_rows:
            missing = np.asarray([r for r in label_rows if r not in set(rows.tolist())], dtype=np.int64)
            if len(missing):
                rows = np.concatenate([rows, missing])
                fused = np.concatenate([fused, np.zeros(len(missing), dtype=np.float32)])
                extra = snapshot.dense_scores(vector, missing) if vector is not None else np.zeros(len(missing))
                dense = np.concatenate([dense, extra.astype(np.float32)])
                lexical = np.concatenate([lexical, np.zeros(len(missing), dtype=np.float32)])
            named = np.isin(rows, np.asarray(label_rows, dtype=np.int64))
            fused = (fused + self.fusion.label_boost * named).astype(np.float32)
        if analysis.mentioned and mode == "hybrid":
            mentioned = [snapshot.symbols.index(s) for s in analysis.mentioned]
            fused = fused + self.fusion.doc_boost * np.isin(snapshot.doc_of_row[rows], mentioned)
        if mode == "hybrid" and self.fusion.action_boost and asks_for_action(analysis.text):
            fused = fused + self.fusion.action_boost * (snapshot.kind_of_row[rows] == PASSAGE_KINDS.index("operative"))
        if analysis.issuers and mode == "hybrid" and len(snapshot.symbols) > 1:
            issued = np.flatnonzero(self._issued_by(snapshot, analysis.issuers))
            fused = fused + self.fusion.issuer_boost * np.isin(snapshot.doc_of_row[rows], issued)
        boost_types = mode == "hybrid" and self.fusion.answer_type_boost
        wanted = expected_types(analysis.text, every_part=True) if boost_types else ()
        if wanted and len(rows):
            top = np.argsort(-fused, kind="stable")[: max(self.rerank_depth, k)]
            fused = fused.copy()
            for index, passage in zip(top, snapshot.passages(rows[top].tolist()), strict=True):
                if all(gives(kind, passage.text) for kind in wanted):
                    fused[index] += self.fusion.answer_type_boost
        order = np.argsort(-fused, kind="stable")
        several = analysis.named
        if mode == "hybrid" and len(several) > 1:  # "What do resolutions 787 and 1445 decide?": each one's best first
            order = documents_first(order, snapshot.doc_of_row[rows], [snapshot.symbols.index(s) for s in several])
        elif mode == "hybrid" and asks_for_documents(analysis.text):  # "Which resolutions ...?": likewise
            order = documents_first(order, snapshot.doc_of_row[rows])
        if self.reranker is not None:
            depth = order[: max(k, self.rerank_depth)]
            passages = snapshot.passages(rows[depth].tolist())
            scores = self.reranker.score(analysis.text, [p.text for p in passages])
            order = depth[np.lexsort((-scores, ~named[depth]))]  # passages named by label stay first
            fused = fused.copy()
            fused[depth] = scores
        top = order[:k]
        return self._hits(snapshot, rows[top].tolist(), fused[top], dense[top], lexical[top])

    # --- pieces
    def _issued_by(self, snapshot: IndexSnapshot, bodies: Sequence[str]) -> np.ndarray:
        """Documents (a mask over ``snapshot.symbols``) whose heading names one of ``bodies``."""
        named = self.heading_bodies(snapshot)
        return np.array([bool(named.get(symbol, set()) & set(bodies)) for symbol in snapshot.symbols])

    def documents_named(self, snapshot: IndexSnapshot, question: str) -> tuple[list[str], list[str]]:
        """The indexed documents ``question`` names: (by symbol or number, "resolution 79/172", "resolutions 787
        and 1445"; by title, "the TB political declaration", a looser match). ``QueryAnalysis.named`` ranks them."""
        analysis = analyse_query(question, snapshot.symbols, snapshot.aliases, self.title_matcher(snapshot))
        return list(dict.fromkeys(analysis.symbols + analysis.numbered)), analysis.titled

    def heading_bodies(self, snapshot: IndexSnapshot) -> dict[str, set[str]]:
        """The issuing bodies each document's heading names (symbol to canonical names): the body that adopted
        it, or for a draft the one it is submitted to. Read once per loaded index."""
        cached = self._bodies
        if cached is None or cached[0] is not snapshot:
            named: dict[str, set[str]] = {}
            for passage in self.headings(snapshot).values():
                for _, _, canonical in bodies_in(passage.text, snapshot.aliases):
                    named.setdefault(passage.doc, set()).add(canonical)
            cached = self._bodies = (snapshot, named)
        return cached[1]

    def headings(self, snapshot: IndexSnapshot) -> dict[str, Passage]:
        """The heading of every indexed document (symbol to passage), read by label, not by reading every
        document; once per loaded index."""
        cached = self._headings
        if cached is None or cached[0] is not snapshot:
            store = snapshot.store
            found: dict[str, Passage] = {}
            for passage in store.passages_by_id(store.passage_ids_by_label("Heading")).values():
                found.setdefault(passage.doc, passage)
            cached = self._headings = (snapshot, found)
        return cached[1]

    def title_matcher(self, snapshot: IndexSnapshot) -> TitleMatcher | None:
        """The titles of the indexed documents, for :func:`find_title_mentions` (read once per loaded index);
        ``None`` for an index of one document (which every question is about)."""
        if len(snapshot.symbols) < 2:
            return None
        cached = self._title_matcher
        if cached is None or cached[0] is not snapshot:
            titles = {info.symbol: info.title for info in snapshot.store.documents()}
            cached = self._title_matcher = (snapshot, TitleMatcher(titles, snapshot.aliases))
        return cached[1]

    @staticmethod
    def _resolve_docs(snapshot: IndexSnapshot, doc: str | Sequence[str] | None) -> list[str]:
        wanted = _as_list(doc)
        return [resolve_document(value, snapshot.symbols) for value in wanted]

    @staticmethod
    def _label_rows(snapshot: IndexSnapshot, analysis: QueryAnalysis, symbols: Sequence[str],
                    mask: np.ndarray | None) -> list[int]:
        rows: list[int] = []
        found: list[list[int]] = []

        def document(pid: int) -> int:
            row = snapshot.row_of_id.get(pid)
            return -1 if row is None else int(snapshot.doc_of_row[row])

        prefixes = [prefix for prefix in PART_PREFIX.values() if prefix]
        for label in analysis.labels:
            ids = snapshot.store.passage_ids_by_label(label, symbols or None)
            if not ids and label.startswith("OP "):  # "paragraph 3" in a text of plain numbered paragraphs
                ids = snapshot.store.passage_ids_by_label("Para " + label[3:], symbols or None)
            if label.startswith(("OP ", "PP ")):  # a document without it in its own text: its draft's, its annex's
                covered = {document(pid) for pid in ids}
                for prefix in prefixes:
                    extra = [pid for pid in snapshot.store.passage_ids_by_label(prefix + label, symbols or None)
                             if document(pid) not in covered]
                    ids = [*ids, *extra]
                    covered |= {document(pid) for pid in extra}
            elif not ids and label.startswith(tuple(prefixes)):  # "OP 3 of the draft resolution E/CN.15/...": itself
                ids = snapshot.store.passage_ids_by_label(label.split(" ", 1)[1], symbols or None)
            found.append(ids)
        for kind, last in analysis.edges:
            found.append(snapshot.store.edge_passage_ids(kind, last=last, symbols=symbols or None))
        for ids in found:
            for pid in ids:
                row = snapshot.row_of_id.get(pid)
                if row is not None and (mask is None or mask[row]) and row not in rows:
                    rows.append(row)
        return rows

    def _lexical_weights(self, analysis: QueryAnalysis) -> dict[str, float]:
        """Query token weights: 1 per occurrence in the question, the words of a long name sharing ``name_weight``;
        each expansion shares ``expansion_weight``."""
        weights: dict[str, float] = {}
        text = analysis.content or analysis.text  # an issuing body names documents, not words
        for token in tokenize(text):
            weights[token] = weights.get(token, 0.0) + 1.0
        for _, _, name in capitalised_names(text):  # a long name is one concept (``FusionConfig.name_weight``)
            tokens = tokenize(name)
            if len(name.split()) >= 3 and len(tokens) >= 2:
                for token in tokens:
                    weights[token] = weights.get(token, 1.0) - 1.0 + self.fusion.name_weight / len(tokens)
        if self.fusion.expand_lexical:
            for expansion in analysis.expansions:
                tokens = tokenize(expansion)
                for token in tokens:
                    weights[token] = weights.get(token, 0.0) + self.fusion.expansion_weight / len(tokens)
        return weights

    def _query_vector(self, analysis: QueryAnalysis) -> np.ndarray:
        return np.asarray(self.embedder.embed_query(analysis.search_text(self.fusion.expand_dense)), dtype=np.float32)

    def _candidates(self, snapshot: IndexSnapshot, analysis: QueryAnalysis, vector: np.ndarray | None,
                    mask: np.ndarray | None, mode: str, k: int
                    ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """Candidate rows with (fused, dense, lexical) scores, unsorted; ``vector`` is the query's (None in
        lexical mode)."""
        depth = max(self.fusion.candidates, 3 * k)
        parts: list[np.ndarray] = []
        if vector is not None:
            dense_rows, _ = snapshot.dense_search(vector, depth, mask)
            parts.append(dense_rows)
        all_lexical = None
        if mode in ("hybrid", "lexical"):
            all_lexical = snapshot.lexical.weighted_scores(self._lexical_weights(analysis))
            if mask is not None:
                all_lexical = np.where(mask, all_lexical, 0.0).astype(np.float32)
            positive = np.flatnonzero(all_lexical > 0)
            if len(positive) > depth:
                positive = positive[np.argpartition(-all_lexical[positive], depth)[:depth]]
            parts.append(positive.astype(np.int64))
        rows = np.unique(np.concatenate(parts)) if parts else np.zeros(0, dtype=np.int64)
        dense = snapshot.dense_scores(vector, rows) if vector is not None else np.zeros(len(rows), np.float32)
        lexical = all_lexical[rows] if all_lexical is not None else np.zeros(len(rows), np.float32)
        if mode == "dense":
            fused = dense.copy()
        elif mode == "lexical":
            fused = lexical.copy()
        else:
            fused = fuse(dense, lexical, self.fusion)
        return rows, fused, dense, lexical

    @staticmethod
    def _hits(snapshot: IndexSnapshot, rows: Sequence[int], scores: np.ndarray, dense: np.ndarray | None,
              lexical: np.ndarray | None) -> list[Hit]:
        passages = snapshot.passages(list(rows))
        return [
            Hit(passage=p, score=float(scores[i]), dense=float(dense[i]) if dense is not None else 0.0,
                lexical=float(lexical[i]) if lexical is not None else 0.0, rank=i + 1)
            for i, p in enumerate(passages)
        ]


def documents_first(order: np.ndarray, doc_of: np.ndarray, only: Sequence[int] | None = None) -> np.ndarray:
    """``order`` (candidate indices, best first) with the best candidate of each document first (of each document
    in ``only``, when given), the documents in the order of their best candidates, then the others as they were.

    >>> documents_first(np.array([3, 1, 0, 2]), np.array([7, 8, 8, 7])).tolist()
    [3, 1, 0, 2]
    >>> documents_first(np.array([0, 1, 2, 3]), np.array([5, 5, 5, 6])).tolist()
    [0, 3, 1, 2]
    >>> documents_first(np.array([0, 1, 2, 3]), np.array([5, 4, 5, 6]), only=[5, 6]).tolist()
    [0, 3, 1, 2]
    """
    seen: set[int] = set()
    firsts: list[int] = []
    others: list[int] = []
    for index in order.tolist():
        doc = int(doc_of[index])
        (others if doc in seen or (only is not None and doc not in only) else firsts).append(index)
        seen.add(doc)
    return np.asarray(firsts + others, dtype=order.dtype)


def _as_list(value: str | Sequence[str] | None) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        return [value]
    return [v for v in value if v]
