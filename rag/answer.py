"""Extractive answers: verbatim excerpts of the retrieved paragraphs, each cited.

:class:`Answerer` turns a question and the retrieval hits into an
:class:`rag.types.Answer`:

* **excerpts**: for each chosen paragraph, the clause or sentence most relevant
  to the question (UN paragraphs are often one long sentence: they are split on
  semicolons and at the clause boundaries of resolution drafting, "..., and
  requests ...", "..., recognizing that ..."), followed by its label, e.g.
  ``[OP 9]``. The whole paragraph stays in :attr:`Citation.text`; the excerpt in
  :attr:`Citation.excerpt` is always a verbatim substring of it;
* **several paragraphs** when the question asks for a list, or when several
  hits are about as relevant as the best one;
* **footnotes** shown under the paragraph that cites them, when relevant;
* **questions about the document itself** (symbol, title, issuing body, date,
  formal editing, reissue, meeting, agenda item, session, report of a Main Committee)
  answered from the line of its heading that states it and its ``*`` footnotes; when
  the heading has no such line the answer says so (a draft has no date of adoption:
  the dates it does give are quoted, each said for what it is);
* **label questions** ("OP 9", "operative paragraph 9 of E/CN.15/2019/L.8/Rev.1",
  "first preambular paragraph") show that paragraph;
* **mandate questions** ("What is UNODC requested to do?") list every matching
  paragraph of the mandate map (``rag.mandates``), not a top-k sample;
* **abstention**: when nothing retrieved is relevant enough (see
  :class:`AbstentionPolicy`), the answer says so, with no citations.

What kind of question it is (a label, the document itself, a list, the present state, another
language) is read by :mod:`rag.question`; what type of answer it expects (a number, a date, a place
...) by :mod:`rag.answer_types`. How a paragraph is cut into excerpts is :mod:`rag.excerpts`; the
answers read from a document's structure (labels, heading facts, the catalogue) are
:mod:`rag.document_answers`.

Nothing here knows a particular document: rules follow UN drafting
conventions, thresholds were calibrated on the ``dev`` split of the eval suites.
"""

from __future__ import annotations

import copy
import dataclasses
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from rag.answer_types import describe, expected_types, missing_types
from rag.document_answers import CATALOGUE_QUESTION, DocumentAnswers, Library, candidate_documents, unindexed_in
from rag.excerpts import (
    MIN_EXCERPT_WORDS,
    AnswerItem,
    excerpt_of,
    excerpt_spans,
    passage_context,
    quoted,
    sub_paragraphs,
    widen,
)
from rag.lexical import stem, tokenize
from rag.question import (
    acronym_like,
    asks_about_present,
    asks_for_documents,
    asks_for_mentions,
    countries_of,
    foreign_language,
    metadata_intent,
    number_spellings,
    numbered_events,
    parse_label_requests,
    question_names,
    question_terms,
    slips,
    spells_out,
    wants_list,
)
from rag.types import Answer, Citation, Hit, Passage

# --------------------------------------------------------------------------- the answerer

@dataclass(frozen=True)
class _Profile:
    """A question's content terms, their weights, and for each term the token sets of its aliases."""

    terms: list[str]
    weights: dict[str, float]
    alternatives: dict[str, list[frozenset[str]]]

    @property
    def total(self) -> float:
        return sum(self.weights.values()) or 1.0

    def covered(self, term: str, tokens: set[str]) -> bool:
        return term in tokens or any(form <= tokens for form in self.alternatives.get(term, ()))

    def coverage(self, tokens: set[str]) -> float:
        """Weighted share of the terms found in ``tokens`` (directly or through an alias)."""
        if not self.terms:
            return 0.0
        return sum(w for t, w in self.weights.items() if self.covered(t, tokens)) / self.total


@dataclass(frozen=True)
class AbstentionPolicy:
    """When retrieved passages are not relevant enough to answer.

    ``relevance`` of the best hit is ``dense_weight * dense + (1 - dense_weight) * coverage``, where
    ``dense`` is the cosine similarity of question and passage, and ``coverage`` the share of the
    question's content terms (weighted by rarity) found in the best passages. The answerer abstains
    below ``min_relevance``, and also when the question's rarest terms appear nowhere in the corpus
    (``max_unknown_share``) unless the dense match is strong (``confident_dense``).
    """

    dense_weight: float = 0.5
    min_relevance: float = 0.33
    max_unknown_share: float = 0.8
    confident_dense: float = 0.6


DEFAULT_POLICY = AbstentionPolicy()


@dataclass(frozen=True)
class SelectionPolicy:
    """Which retrieved paragraphs join the best one in an answer.

    Each candidate's *relevance* to the question is ``dense_weight * cosine + (1 - dense_weight) * coverage``,
    ``coverage`` being the rarity-weighted share of the question's content terms found in the paragraph (its
    chapeau included, an alias counting for its other forms). A paragraph joins the best one when

    * its fused retrieval score is at least ``score_share`` of the best's (``list_score_share`` when the question
      asks for several items, :func:`wants_list`),
    * its relevance is at least ``min_relevance_share`` of the best's: it is about what the question is about,
      so that a paragraph sharing only a frequent word ("Recalling ... resolutions on ... terrorism") does not
      join those on the question's rarer terms ("financing"), however close its score,
    * and either its score is within ``close_share`` of the best's, or its relevance is at least
      ``relevance_share`` of the best's (farther down the ranking, only a paragraph as much on topic joins).

    At most ``max_items`` paragraphs (``MAX_LIST_ITEMS`` for a list; ``k`` when smaller). Calibrated on the
    ``dev`` split of the eval suites (key phrases quoted, expected paragraphs of list questions cited, share of
    cited paragraphs that are expected).
    """

    score_share: float = 0.7
    list_score_share: float = 0.5
    close_share: float = 0.85
    min_relevance_share: float = 0.6
    relevance_share: float = 0.85
    dense_weight: float = 0.3
    max_items: int = 3


DEFAULT_SELECTION = SelectionPolicy()
#: Cap on the paragraphs quoted for a list question (``k`` caps it further when smaller).
MAX_LIST_ITEMS = 8
#: Words without which a question cannot be about mandates (a cheap test before ``rag.mandates`` loads).
_MANDATE_CUE = re.compile(
    r"\b(request|ask|call|urg|encourag|invit|authori|demand|direct|instruct|mandat|task|requir|expect|recommend|"
    r"entrust|remind|want|told|suppos|obligation|responsibilit|dut|assignment|must|should|shall|ha(?:s|ve) to|"
    r"do\b)",
    re.IGNORECASE,
)
#: Footnotes of the best paragraph up to this length are always shown under it.
SHORT_FOOTNOTE_CHARS = 200
#: Segment scores: weight of the dense similarity against lexical overlap.
SEGMENT_DENSE_WEIGHT = 0.5
#: Clauses scored by the model per answer (those of the first paragraphs; later ones by lexical coverage
#: alone): each clause is one more model input, the main cost of an answer quoting many paragraphs.
#: 4 leaves the key phrases quoted on the eval suites unchanged (dev and test) and bounds a cold answer's cost.
SEGMENT_DENSE_BUDGET = 4


class Answerer(DocumentAnswers):
    """Builds extractive answers. ``embedder`` (optional) scores clauses by meaning too;
    ``term_weight`` gives a stem's rarity in the corpus (IDF), ``vocabulary`` the stems
    the corpus contains; both are optional (uniform weights, no unknown-term check)."""

    def __init__(
        self,
        *,
        embedder: Any = None,
        term_weight: Callable[[str], float] | None = None,
        vocabulary: Callable[[str], bool] | None = None,
        policy: AbstentionPolicy = DEFAULT_POLICY,
        aliases: Any = None,
        selection: SelectionPolicy = DEFAULT_SELECTION,
        symbols: Sequence[str] = (),
        titles: Any = None,
    ) -> None:
        self.embedder = embedder
        self.symbols = list(symbols)  # the indexed documents: a question naming one by number is about it
        self.titles = titles  # their titles (``rag.retrieve.TitleMatcher``): "the TB declaration" names one too
        self.selection = selection
        self.term_weight = term_weight or (lambda term: 1.0)
        self.vocabulary = vocabulary
        self.policy = policy
        self.aliases = aliases
        self._clauses: dict[str, list[Any]] = {}

    def with_aliases(self, aliases: Any) -> Answerer:
        """This answerer with another alias table (one extended for a question); caches are shared."""
        twin = copy.copy(self)
        twin.aliases = aliases
        return twin

    # ---- public entry point
    def answer(
        self,
        question: str,
        hits: Sequence[Hit],
        library: Library | None = None,
        *,
        k: int = 5,
        doc: str | None = None,
        query_vector: np.ndarray | None = None,
        kinds: Sequence[str] | None = None,
    ) -> Answer:
        """Answer ``question`` from ``hits`` (best first); ``library`` serves labels, metadata and footnotes.
        ``kinds`` (``rag ask --kind``): the only passage kinds the answer may cite (the hits are limited to them
        already; a footnote may still be shown under the paragraph that cites it)."""
        language = foreign_language(question)
        if language is not None:
            return self._abstain(
                question,
                f"The question seems to be in {language}. The indexed documents and the search model are in "
                "English: please ask in English.",
            )
        # a question naming its documents ("resolution 2730", "A/RES/79/172", "the TB declaration") is answered from
        # them: the search only favoured them
        precise, titled = library.documents_named(question) if library is not None else ([], [])
        if doc and precise and doc not in precise:  # "When was resolution 2730 adopted?" with --doc 787: which one?
            return self._abstain(question, f"The question names {' and '.join(precise)}, but it is limited to {doc} "
                                 f"(--doc): ask it of all documents, or of {doc} without naming another.")
        if doc:
            precise, titled = [], []
        requests = parse_label_requests(question)
        if requests and library is not None and not doc and not precise:  # "OP 3 of 2730": a number, a document
            from rag.retrieve import documents_by_bare_number

            precise = documents_by_bare_number(question, self.symbols)
        named = precise or titled
        # never another document's paragraphs (a title is looser: a search that found nothing in it keeps its hits)
        hits = [h for h in hits if h.passage.doc in precise] if precise else \
            [h for h in hits if h.passage.doc in titled] or hits
        if library is not None and not doc and not precise and not requests:
            # "When was resolution 757 adopted?" with 757 not indexed: only what the indexed documents say of it
            # ("Recalling its resolution 757 (1992) of 30 May 1992") answers, never another document's own facts
            answer = self._answer_unindexed(question, hits, library, k=k, query_vector=query_vector, kinds=kinds)
            if answer is not None:
                return answer
        if requests and library is not None:
            answer = self._answer_labels(question, requests, hits, library, doc=doc, named=named, k=k,
                                         query_vector=query_vector, kinds=kinds)
            if answer is not None:
                return answer
        if library is not None and not doc and CATALOGUE_QUESTION.match(question):
            return self._answer_catalogue(question, library, kinds=kinds)
        intent = metadata_intent(question)
        if intent is not None and kinds and not {"heading", "footnote"} & set(kinds):
            limited = " and ".join(kinds)
            return self._abstain(question, "This question is about the document itself, which its heading and "
                                 f"footnotes state; the question is limited to {limited} passages (--kind).")
        if intent is not None and library is not None:
            answer = self._answer_metadata(question, intent, hits, library, doc=doc, named=named,
                                           query_vector=query_vector, kinds=kinds)
            if answer is not None:
                return answer
        if library is not None:
            answer = self._answer_mandates(question, hits, library, doc=doc, named=named, kinds=kinds)
            if answer is not None:
                return answer
        answer = self._answer_search(question, hits, library, k=k, named=named, query_vector=query_vector, kinds=kinds)
        silent = [symbol for symbol in precise if symbol not in {c.doc for c in answer.citations}]
        if len(precise) > 1 and silent and not answer.abstained:
            # "Compare what resolutions 787 and 1445 ask of all States": say that one of them has nothing as close
            answer.answer += f"\n(No paragraph of {' or '.join(silent)} answers this question as closely.)"
        return answer

    def profile(self, question: str) -> _Profile:
        """The question's content terms with their weights and alias alternatives (a body named as the author
        of the texts, "What does the General Assembly ask ...", is not a term: see ``rag.retrieve.find_issuers``)."""
        from rag.retrieve import document_reference_spans, find_issuers, find_title_mentions, without_spans

        content = question
        for start, end, _ in reversed(find_issuers(question, self.aliases) if self.aliases is not None else []):
            content = content[:start] + " " + content[end:]
        # an indexed document's number, symbol or title says which document, not what its paragraphs must say
        # (the search leaves it out too); the number of a resolution that is not indexed is what the paragraphs cite
        spans = document_reference_spans(content, self.symbols)
        if self.titles is not None:
            spans += [(m.start, m.end) for m in find_title_mentions(content, self.titles, self.aliases)]
        topical = without_spans(content, spans)
        terms = question_terms(topical) or question_terms(content)
        alternatives: dict[str, list[frozenset[str]]] = {t: [] for t in terms}
        for written, other in number_spellings(topical):  # "6 months" is found as "six months" too
            for term in tokenize(written):
                if term in alternatives:
                    alternatives[term].append(frozenset(tokenize(other)))
        if self.aliases is not None:
            for mention in self.aliases.mentions(question, query=True):
                forms = [frozenset(tokenize(s)) for s in self.aliases.surfaces(mention.canonical)]
                for term in tokenize(mention.surface):
                    if term in alternatives:
                        alternatives[term].extend(f for f in forms if f)
        return _Profile(terms, {t: self.term_weight(t) for t in terms}, alternatives)

    def relevance(self, question: str, hits: Sequence[Hit]) -> dict[str, float]:
        """The abstention features of the best hits (see :class:`AbstentionPolicy`)."""
        profile = self.profile(question)
        found: set[str] = set()
        for hit in hits[:3]:
            found.update(tokenize(passage_context(hit.passage)))
        unknown = 0.0
        if self.vocabulary is not None and profile.terms:
            vocabulary = self.vocabulary
            unknown = sum(
                w for t, w in profile.weights.items()
                if not vocabulary(t) and not any(all(vocabulary(x) for x in f) for f in profile.alternatives[t])
            ) / profile.total
        dense = max((h.dense for h in hits[:3]), default=0.0)
        coverage = profile.coverage(found)
        policy = self.policy
        return {
            "dense": float(dense),
            "coverage": float(coverage),
            "unknown": float(unknown),
            "names": float(len(self.unknown_names(question, hits))),
            "relevance": float(policy.dense_weight * dense + (1 - policy.dense_weight) * coverage),
        }

    def unknown_names(self, question: str, hits: Sequence[Hit]) -> list[str]:
        """Names in the question (acronyms, capitalised names) that the corpus does not contain.

        A single word must be in the corpus vocabulary (or have an alias that is); a name of several
        words must have all its words in one of the retrieved passages (or an alias that does). A body named
        as the author of the texts ("What does the General Assembly ask ...?") names documents, not a topic of
        the paragraphs: its words need only be in the corpus.
        """
        if self.vocabulary is None:
            return []
        from rag.retrieve import find_issuers

        vocabulary = self.vocabulary
        passages = [set(tokenize(passage_context(h.passage))) for h in hits]
        issuers = {question[start:end] for start, end, _ in find_issuers(question, self.aliases)} \
            if self.aliases is not None else set()
        missing = []
        for name in question_names(question):
            forms = [set(tokenize(name))]
            if self.aliases is not None:
                canonical = self.aliases.canonical(name)
                if canonical is not None:
                    forms += [set(tokenize(s)) for s in self.aliases.surfaces(canonical)]
            forms = [f for f in forms if f]
            if not forms:
                continue
            if name in issuers:  # "ECOSOC resolution": any of its forms in the corpus will do
                if not any(all(vocabulary(t) for t in f) for f in forms):
                    missing.append(name)
                continue
            if len(forms[0]) == 1 and len(name.split()) == 1:
                known = any(all(vocabulary(t) for t in f) for f in forms) or (
                    acronym_like(name) and any(spells_out(name, passage_context(h.passage)) for h in hits)
                ) or any(vocabulary(t) for t in variants(name))
            else:  # each word as it is, or a variant: "Japanese Government" is the "Government of Japan"
                word_forms = _word_forms(name)
                known = any(f <= tokens for f in forms for tokens in passages) or (bool(word_forms) and any(
                    all(alternatives & tokens for alternatives in word_forms) for tokens in passages))
            if not known:
                missing.append(name)
        return missing

    @staticmethod
    def on_events(question: str, hits: Sequence[Hit]) -> list[Hit]:
        """The hits that do not speak only of another event of a series than the one the question names (the
        Fifteenth Congress is not the Fourteenth), those naming it first; all of them when it names none.

        >>> from rag.types import Passage
        >>> def hit(text): return Hit(Passage(doc="E/RES/1", kind="operative", number="1", text=text), 1.0)
        >>> hits = [hit("the offer of Qatar to host the Fifteenth Congress"), hit("Welcoming the outcome"),
        ...         hit("Praising Japan for the Fourteenth Congress")]
        >>> [h.passage.text[:12] for h in Answerer.on_events("Which country hosted the Fourteenth Congress?", hits)]
        ['Praising Jap', 'Welcoming th']
        """
        asked = numbered_events(question)
        if not asked:
            return list(hits)
        kinds = {kind for _, kind in asked}
        named = [(hit, numbered_events(passage_context(hit.passage))) for hit in hits]
        return [hit for hit, events in named if events & asked] + [
            hit for hit, events in named if not events & asked and not any(kind in kinds for _, kind in events)]

    def on_countries(self, question: str, hits: Sequence[Hit], library: Library | None = None
                     ) -> tuple[list[Hit], list[str]]:
        """The hits whose paragraph names every country the question names (by name, adjective or alias:
        "Burundi", "Ugandan", "the DRC"), and the countries none of them names: a paragraph on the withdrawals of
        Rwanda and Uganda says nothing of Burundi's. A country that a fifth or more of the paragraphs of a document
        name (``library``) is what the document is about: its other paragraphs speak of it without naming it.

        >>> from rag.types import Passage
        >>> text = "Welcomes the withdrawal of Rwandan troops and the withdrawals by Uganda;"
        >>> hits = [Hit(Passage(doc="S/RES/1", kind="operative", number="2", text=text), 1.0)]
        >>> Answerer().on_countries("When did Burundi pull its troops out?", hits)
        ([], ['Burundi'])
        >>> len(Answerer().on_countries("When did the Ugandan troops leave?", hits)[0])
        1
        """
        from rag.countries import countries_in, country_named_by

        asked: dict[str, set[str]] = {}  # country: the words that name it
        for name in countries_in(question):
            asked.setdefault(name, set()).add(name)
        for word in re.findall(r"\b[A-Z][a-z]+\b", question):
            country = country_named_by(word)
            if country:
                asked.setdefault(country, {country}).add(word)
        if self.aliases is not None:
            for mention in self.aliases.mentions(question, query=True):
                for surface in self.aliases.surfaces(mention.canonical):
                    for name in countries_in(surface):
                        asked.setdefault(name, {name}).add(mention.surface)
        if not asked:
            return list(hits), []

        def names(country: str, text: str) -> bool:
            return any(re.search(rf"\b{re.escape(word)}", text) for word in asked[country])

        subjects: dict[str, set[str]] = {}  # document: the asked countries it is about

        def subject_of(doc: str) -> set[str]:
            if doc not in subjects:
                texts = [p.text for p in library.passages(doc)] if library is not None else []
                subjects[doc] = {country for country in asked
                                 if texts and sum(names(country, text) for text in texts) >= len(texts) / 5}
            return subjects[doc]

        def speaks_of(country: str, hit: Hit) -> bool:
            return names(country, passage_context(hit.passage)) or country in subject_of(hit.passage.doc)

        kept = [hit for hit in hits if all(speaks_of(country, hit) for country in asked)]
        if kept:
            return kept, []
        # none speaks of them all: those none speaks of (or all, when each is spoken of by some paragraph)
        return [], [country for country in asked if not any(speaks_of(country, hit) for hit in hits)] or list(asked)

    def absent_issuers(self, question: str, hits: Sequence[Hit], library: Library | None) -> list[str]:
        """Bodies the question names as the author of the texts ("What does the Human Rights Council ask ...?")
        that adopted none of the documents of ``hits`` (their headings do not name them). Retrieval favours
        the documents of a body so named, so when none of them comes up, the corpus holds no text of it."""
        if self.aliases is None or library is None or not hits:
            return []
        from rag.retrieve import TEXTS_OF_BODY, find_issuers

        # "Security Council resolutions" may be texts the paragraphs recall: only a body that acts is an author
        wanted = list(dict.fromkeys(canonical for _, end, canonical in find_issuers(question, self.aliases)
                                    if not TEXTS_OF_BODY.match(question[end:])))
        if not wanted:
            return []
        named: set[str] = set()
        for symbol in dict.fromkeys(h.passage.doc for h in hits):
            named |= library.heading_bodies(symbol)
        return [body for body in wanted if body not in named]

    @staticmethod
    def unanswered(question: str, passages: Sequence[Passage]) -> str | None:
        """Why ``passages`` cannot answer ``question`` although they are close to it, or ``None``: they state
        no expression of the type the question asks for (``rag.answer_types``: a number, an amount, a time
        limit ...)."""
        missing = missing_types(question, (passage_context(p) for p in passages))
        return f"state no {describe(missing)}" if missing else None

    def should_abstain(self, features: dict[str, float]) -> bool:
        policy = self.policy
        if features.get("names", 0.0) > 0:
            return True
        if features["relevance"] < policy.min_relevance:
            return True
        return features["unknown"] > policy.max_unknown_share and features["dense"] < policy.confident_dense

    # ---- the general case
    def _answer_unindexed(self, question: str, hits: Sequence[Hit], library: Library, *, k: int,
                          query_vector: np.ndarray | None, kinds: Sequence[str] | None) -> Answer | None:
        """The answer to a question naming resolutions by number that are not indexed, from the paragraphs that
        mention them; ``None`` when it names none."""
        from rag.retrieve import mentions_number

        references = unindexed_in(question, library)
        if not references:
            return None
        numbers = [number for _, number in references]
        one = len(references) == 1
        named = " and ".join(f"{noun} {number}" for noun, number in references)
        named = f"{named[0].upper()}{named[1:]} {'is' if one else 'are'}"
        mentioning = [h for h in hits if any(mentions_number(h.passage.text, n) for n in numbers)]
        if not mentioning:
            return self._abstain(question, f"{named} not among the indexed documents, and no indexed paragraph close "
                                 f"to this question mentions {'it' if one else 'them'}.")
        # "When did the Human Rights Council adopt resolution 37/22?": the Council wrote 37/22, not the indexed texts
        answer = self._answer_search(question, mentioning, library, k=k, query_vector=query_vector, kinds=kinds,
                                     check_issuers=False)
        if not answer.abstained:
            answer.answer = f"({named} not indexed; what the indexed documents say of {'it' if one else 'them'}:)\n" \
                + answer.answer
        return answer

    def _answer_search(
        self, question: str, hits: Sequence[Hit], library: Library | None, *, k: int,
        named: Sequence[str] = (), query_vector: np.ndarray | None, kinds: Sequence[str] | None = None,
        check_issuers: bool = True,
    ) -> Answer:
        if not hits:
            return self._abstain(question, "Nothing in the indexed documents matches this question.")
        if asks_about_present(question):
            return self._abstain(
                question,
                "The indexed documents are texts adopted on a given date: they cannot tell the present state of "
                "affairs (who holds a post now, what has happened since). Ask what the documents say instead.",
            )
        features = self.relevance(question, hits)
        names = self.unknown_names(question, hits) if features.get("names") else []
        if names:  # a question naming its documents was searched in them alone
            listed = ", ".join(f"“{n}”" for n in names)
            one = len(named) == 1
            where = f"{' and '.join(named)} {'does' if one else 'do'}" if named else "The indexed documents do"
            return self._abstain(question, f"{where} not mention {listed}: {'it does' if one else 'they do'} not "
                                 "answer this question.")
        absent = self.absent_issuers(question, hits, library) if check_issuers else []
        if absent:
            return self._abstain(
                question,
                f"None of the indexed documents close to this question was adopted by the {' or the '.join(absent)}: "
                "they do not answer it.",
            )
        if self.should_abstain(features):
            return self._abstain(
                question,
                "The indexed documents do not seem to answer this question: no paragraph is close enough to it.",
            )
        chosen, left_out = self._choose(question, hits, k, named)
        on_country, elsewhere = self.on_countries(question, chosen, library)
        if not on_country:
            return self._abstain(
                question,
                f"The indexed documents do not seem to answer this question: the paragraphs closest to it do not "
                f"mention {' or '.join(elsewhere)}.",
            )
        chosen = self.on_events(question, on_country)
        if not chosen:
            return self._abstain(
                question,
                "The indexed documents do not seem to answer this question: the paragraphs closest to it speak of "
                "another session, meeting or congress than the one it names.",
            )
        answering = [h for h in chosen if not self.unanswered(question, [h.passage])]
        if not answering:
            reason = self.unanswered(question, [h.passage for h in chosen])
            return self._abstain(
                question,
                f"The indexed documents do not seem to answer this question: the paragraphs closest to it {reason}.",
            )
        lead = answering[0]
        if lead is not chosen[0]:  # lead with the paragraph that gives what the question asks for
            chosen = [dataclasses.replace(lead, score=chosen[0].score), *(h for h in chosen if h is not lead)]
        groups = self._group(question, chosen, hits, library, query_vector=query_vector, kinds=kinds)
        answer = self._compose(question, groups)
        if left_out:  # "Which resolutions mention X?" with more of them than ``k`` cites: name the others
            wanted = len({c.doc for c in answer.citations}) + len(left_out)
            answer.answer += f"\n(These documents say so too: {', '.join(left_out)}; with k = {wanted} all are cited.)"
        return answer

    def _choose(self, question: str, hits: Sequence[Hit], k: int,
                named: Sequence[str] = ()) -> tuple[list[Hit], list[str]]:
        """The best hit, plus the others that answer about as well (see :class:`SelectionPolicy`); for a question
        on several documents (it asks which ones, or names several), the best of each on the topic. Also the
        documents that answer too but are left out by the cap (``k``)."""
        policy = self.selection
        listing = wants_list(question) or len(named) > 1
        share = policy.list_score_share if listing else policy.score_share
        documents = asks_for_documents(question) or len(named) > 1
        # one paragraph per document: as many documents as ``k``
        cap = k if documents else min(k, MAX_LIST_ITEMS) if listing else min(k, policy.max_items)
        # a heading answers questions about the document itself (handled apart), not about its content
        content = [h for h in hits if h.passage.kind != "heading"] or list(hits)
        profile = self.profile(question)

        def relevance(hit: Hit) -> float:
            coverage = profile.coverage(set(tokenize(passage_context(hit.passage)))) if profile.terms else 1.0
            return policy.dense_weight * hit.dense + (1 - policy.dense_weight) * coverage

        best = content[0]
        chosen = [best]
        best_relevance = relevance(best)
        # "Which paragraphs mention X?": every paragraph that does, however low the search ranked it (unless the
        # question wants a place, a date, a number ...: then the paragraph that gives it must stay in); "Which
        # resolutions ...?": the best paragraph of each document on the topic (the search ranks those first)
        mentions = asks_for_mentions(question) and bool(profile.terms) and not expected_types(question)
        left_out: list[str] = []  # documents that answer too, beyond the cap
        for hit in content[1:]:
            if len(chosen) >= cap and not documents:
                break
            if documents and hit.passage.doc in {c.passage.doc for c in chosen} | set(left_out):
                continue
            if mentions or documents:
                if mentions:
                    answers = profile.coverage(set(tokenize(passage_context(hit.passage)))) >= 1.0
                else:
                    answers = relevance(hit) >= policy.min_relevance_share * best_relevance
                if answers and len(chosen) < cap:
                    chosen.append(hit)
                elif answers:
                    left_out.append(hit.passage.doc)
                continue
            if best.score <= 0 or hit.score < share * best.score:
                continue
            own = relevance(hit)
            if own < policy.min_relevance_share * best_relevance:
                continue
            if hit.score >= policy.close_share * best.score or own >= policy.relevance_share * best_relevance:
                chosen.append(hit)
        return chosen, left_out

    def _group(
        self, question: str, chosen: Sequence[Hit], hits: Sequence[Hit], library: Library | None, *,
        query_vector: np.ndarray | None, kinds: Sequence[str] | None = None,
    ) -> list[AnswerItem]:
        """Paragraph groups with their excerpts; a footnote hit joins the paragraph that cites it (unless ``kinds``
        leaves out that paragraph's kind: then it stands alone)."""
        by_key: dict[tuple[str, str], Passage] = {}
        if library is not None:
            docs = {h.passage.doc for h in chosen}
            for symbol in docs:
                for passage in library.passages(symbol):
                    by_key[(passage.doc, passage.label)] = passage
        groups: dict[tuple[str, str], AnswerItem] = {}
        order: list[tuple[str, str]] = []
        hit_scores = {(h.passage.doc, h.passage.label): h.score for h in hits}

        def add_group(passage: Passage, score: float) -> AnswerItem:
            key = (passage.doc, passage.label)
            if key not in groups:
                groups[key] = AnswerItem(passage, score, "")
                order.append(key)
            return groups[key]

        for hit in chosen:
            passage = hit.passage
            if passage.kind == "footnote" and passage.cited_by:
                parent = by_key.get((passage.doc, passage.cited_by[0]))
                if parent is not None and (not kinds or parent.kind in kinds):
                    group = add_group(parent, max(hit.score, hit_scores.get((parent.doc, parent.label), 0.0)))
                    if all(f.label != passage.label for f, _ in group.footnotes):
                        group.footnotes.append((passage, hit.score))
                    continue
            add_group(passage, hit.score)
            # a chapeau ("Urges Member States: ...") says what its sub-paragraphs are about, they say the rest
            for offset, child in enumerate(sub_paragraphs(passage, by_key.values()), 1):
                if (child.doc, child.label) not in groups:
                    add_group(child, min(hit.score, hit_scores.get((child.doc, child.label), hit.score))
                              - 1e-6 * offset)
        # footnotes of chosen paragraphs that the question is about
        terms = set(question_terms(question))
        for position, key in enumerate(order):
            group = groups[key]
            for number in group.passage.footnotes:
                note = by_key.get((group.passage.doc, f"Footnote {number}"))
                if note is None or any(f.label == note.label for f, _ in group.footnotes):
                    continue
                note_terms = set(tokenize(note.text)) - set(tokenize(group.passage.text))
                in_hits = (note.doc, note.label) in hit_scores
                # a short reference note of the best paragraph is shown as the reader of the document sees it
                short_reference = (position == 0 and len(note.text) <= SHORT_FOOTNOTE_CHARS
                                   and len(group.passage.footnotes) <= 2)
                if short_reference or (terms & note_terms) or (in_hits and terms & set(tokenize(note.text))):
                    group.footnotes.append((note, hit_scores.get((note.doc, note.label), group.score * 0.99)))
        result = [groups[key] for key in order]
        self._set_excerpts(question, result, query_vector=query_vector)
        return result

    # ---- excerpts
    def _segment_scores(self, question: str, texts: Sequence[str], query_vector: np.ndarray | None,
                        dense_upto: int | None = None) -> np.ndarray:
        """Relevance of each segment: lexical coverage of the question's terms, blended with the cosine
        similarity for the first ``dense_upto`` segments (all by default; the rest by coverage alone)."""
        profile = self.profile(question)
        scores = np.array([profile.coverage(set(tokenize(text))) for text in texts], dtype=np.float32)
        embedded = list(texts[: len(texts) if dense_upto is None else dense_upto])
        if self.embedder is None or not embedded:
            return scores
        if query_vector is None:  # one batch for the question and its segments: a single model run
            vectors = np.asarray(self.embedder.embed_passages([question, *embedded]), dtype=np.float32)
            query, segments = vectors[0], vectors[1:]
        else:
            query, segments = query_vector, np.asarray(self.embedder.embed_passages(embedded), dtype=np.float32)
        dense = segments @ np.asarray(query)
        scores[: len(embedded)] = SEGMENT_DENSE_WEIGHT * dense + (1 - SEGMENT_DENSE_WEIGHT) * scores[: len(embedded)]
        return scores

    def _set_excerpts(self, question: str, groups: Sequence[AnswerItem], *, query_vector: np.ndarray | None,
                      whole: bool = False, lines: re.Pattern[str] | None = None) -> None:
        """Pick each group's excerpt: the best clause, widened by close neighbours (one scoring batch); with
        ``lines``, only among the clauses or heading lines it matches (all when it matches none)."""
        plans: list[tuple[AnswerItem, str, list[tuple[int, int]]]] = []
        texts: list[str] = []
        dense_upto: int | None = None  # the model scores the clauses of the first paragraphs, within a budget
        for group in groups:
            text = group.passage.text
            spans = [(0, len(text))] if whole else excerpt_spans(group.passage)
            if lines is not None:
                spans = [(a, b) for a, b in spans if lines.search(text[a:b])] or spans
            plans.append((group, text, spans))
            if len(spans) > 1:
                if dense_upto is None and texts and len(texts) + len(spans) > SEGMENT_DENSE_BUDGET:
                    dense_upto = len(texts)
                texts.extend(text[a:b] for a, b in spans)
        scores = self._segment_scores(question, texts, query_vector, dense_upto) if texts else np.zeros(0)
        position = 0
        for group, text, spans in plans:
            if len(spans) <= 1:
                group.excerpt = excerpt_of(text, spans[0] if spans else (0, len(text)))
                continue
            own = scores[position : position + len(spans)]
            position += len(spans)
            # a heading's line reads alone ("Resolution adopted by the General Assembly on 17 December 2024")
            min_words = 0 if group.passage.kind == "heading" else MIN_EXCERPT_WORDS
            group.excerpt = excerpt_of(text, widen(spans, own, text, min_words=min_words))

    # ---- mandate questions
    def _mandate_clauses(self, library: Library, symbol: str) -> list[Any]:
        """The action clauses of one document: stored with the index (``library.mandates``, the pipeline),
        else extracted here once (a library without a stored mandate map, as in tests)."""
        stored = getattr(library, "mandates", None)
        if stored is not None:
            return list(stored(symbol))
        if symbol not in self._clauses:
            from rag.mandates import extract_mandates

            self._clauses[symbol] = extract_mandates(library.passages(symbol), self.aliases)
        return self._clauses[symbol]

    def _answer_mandates(self, question: str, hits: Sequence[Hit], library: Library, *,
                         doc: str | None, named: Sequence[str] = (), kinds: Sequence[str] | None = None,
                         ) -> Answer | None:
        """Every paragraph addressing the actor the question names (those on its topic, when it has one).

        ``None`` (the search answers instead) when the question is not about an actor's mandates,
        or when none of the actor's clauses is on the question's topic.
        """
        if re.match(r"\s*who\b", question, re.IGNORECASE) or not _MANDATE_CUE.search(question):
            return None  # "Who is asked to ...?": the actor is what is asked for
        from rag.mandate_query import parse_mandate_question

        query = parse_mandate_question(question, self.aliases)
        if query is None or self.absent_issuers(question, hits, library):
            return None  # not about mandates; or "What does the Human Rights Council ask ...?" and it adopted none
        symbols = candidate_documents(library, doc, hits, named)
        clauses = [c for symbol in symbols for c in query.select(self._mandate_clauses(library, symbol), self.aliases)]
        if not clauses:
            return self._addressed_nowhere(question, query, library, symbols)
        passages = {(p.doc, p.label): p for symbol in {c.doc for c in clauses} for p in library.passages(symbol)}
        hit_scores = {(h.passage.doc, h.passage.label): h.score for h in hits}
        order = {key: index for index, key in enumerate(passages)}
        spans: dict[tuple[str, str], tuple[int, int]] = {}
        for clause in clauses:
            key = (clause.doc, clause.label)
            start, end = clause.text_span
            old = spans.get(key)
            spans[key] = (min(start, old[0]), max(end, old[1])) if old else (start, end)
        keys = [key for key in spans if key in passages and (not kinds or passages[key].kind in kinds)]
        if not keys:
            return None
        topic_terms = question_terms(query.topic) if query.topic else []
        if topic_terms:
            weights = {t: self.term_weight(t) for t in topic_terms}
            total = sum(weights.values()) or 1.0
            coverage = {
                key: sum(w for t, w in weights.items() if t in set(tokenize(passages[key].text))) / total
                for key in keys
            }
            best = max(coverage.values(), default=0.0)
            if best < 0.34:
                return None
            keys = [key for key in keys if coverage[key] >= 0.75 * best]
        keys.sort(key=lambda key: (-hit_scores.get(key, 0.0), order[key]))
        if self.unanswered(question, [passages[key] for key in keys]):
            return None  # "When must X report?": no clause found gives a time; the search decides
        groups: list[AnswerItem] = []
        for key in keys:
            groups.append(AnswerItem(passages[key], hit_scores.get(key, 0.0), ""))
            # "Urges Member States to consider the following measures:": the measures are the answer
            groups += [AnswerItem(child, hit_scores.get(key, 0.0), "")
                       for child in sub_paragraphs(passages[key], passages.values())
                       if (child.doc, child.label) not in keys]
        if topic_terms:  # quote what the paragraph says on the topic; every clause addresses the actor, whose name
            # in a clause ("information provided by the Secretary-General") says nothing of the topic
            focus = question.replace(query.surface, " ", 1) if query.surface else question
            self._set_excerpts(focus, groups, query_vector=None)
        else:  # the complete list: quote each mandate clause (a sub-paragraph whole)
            for group in groups:
                span = spans.get((group.passage.doc, group.passage.label), (0, len(group.passage.text)))
                group.excerpt = excerpt_of(group.passage.text, span)
        return self._compose(question, groups)

    def _addressed_nowhere(self, question: str, query: Any, library: Library, symbols: Sequence[str]) -> Answer | None:
        """The abstention for a question on what an actor is asked to do when no paragraph of the documents
        looked in (``symbols``) addresses it at all, by any verb: a paragraph that only mentions it ("Taking note
        of the report of the Special Rapporteur") gives it no task. ``None`` when one does (with another verb
        than the question's: the search answers)."""
        from rag.mandate_query import MandateQuery

        anyhow = MandateQuery(query.actor, surface=query.surface)
        if any(anyhow.select(self._mandate_clauses(library, symbol), self.aliases) for symbol in symbols):
            return None
        where = " or ".join(symbols) if len(symbols) <= 2 else "the indexed documents"
        return self._abstain(question, f"No paragraph of {where} asks anything of {query.surface or query.actor} "
                                       "(none requests, calls upon, urges, encourages, invites or authorizes it).")

    # ---- output
    def _compose(self, question: str, groups: Sequence[AnswerItem], *, lead: str = "") -> Answer:
        lines: list[str] = [lead] if lead else []
        citations: list[tuple[float, int, Citation]] = []
        # a label says which document too when the answer or the index has several ("[S/RES/2730 (2024), OP 3]")
        several_docs = len({g.passage.doc for g in groups} | set(self.symbols)) > 1
        for index, group in enumerate(groups):
            label = f"{group.passage.doc}, {group.passage.label}" if several_docs else group.passage.label
            lines.append(f"{quoted(group.passage.text, group.excerpt)} [{label}]")
            citations.append((group.score, 2 * index, Citation.from_passage(group.passage, group.score,
                                                                            group.excerpt)))
            for note, score in group.footnotes:
                lines.append(f"    Footnote {note.number}: {note.text} [{note.label}]")
                # shown under its paragraph, but cited first when it matched the question best
                rank = 2 * index - 1 if score >= group.score else 2 * index + 1
                citations.append((score, rank, Citation.from_passage(note, score, note.text)))
        ordered = [c for _, _, c in sorted(citations, key=lambda item: (-item[0], item[1]))]
        return Answer(question=question, answer="\n".join(lines), abstained=False, citations=ordered)

    @staticmethod
    def _abstain(question: str, message: str) -> Answer:
        return Answer(question=question, answer=message, abstained=True, citations=[])


# --------------------------------------------------------------------------- helpers


def variants(name: str) -> list[str]:
    """The stems a one-word name may stand for in the corpus: the country of an adjective ("Ugandan forces" are
    Uganda's) and, unless it is an English word, the words one typing slip away ("UNDOC" for "UNODC"; see
    ``rag.question.slips``).

    >>> "uganda" in variants("Ugandan"), "unodc" in variants("UNDOC"), "child" in variants("Chile")
    (True, True, False)
    """
    from rag.clean import is_word

    typed = slips(name)
    if typed and is_word(name):
        typed = []
    return list(dict.fromkeys(stem(v.lower()) for v in countries_of(name) + typed))


def _word_forms(name: str) -> list[set[str]]:
    """For each word of a name, its stems and their :func:`variants` ("Japanese Government": {"japanes", "japan",
    ...}, {"govern"}); stop words are left out."""
    words = [w for w in re.findall(r"[^\W\d_]+", name) if tokenize(w)]
    return [set(tokenize(w)) | set(variants(w)) for w in words]


def corpus_statistics(lexical: Any) -> tuple[Callable[[str], float], Callable[[str], bool]] | None:
    """``(term_weight, vocabulary)`` from a :class:`rag.lexical.LexicalIndex`: the IDF of a stem and
    whether the corpus contains it; ``None`` when the index does not expose its statistics."""
    model = getattr(lexical, "_model", None)
    try:
        vocab: dict[str, int] = dict(model.vocab_dict)  # type: ignore[union-attr]
        indptr = np.asarray(model.scores["indptr"])  # type: ignore[union-attr]
        documents = int(model.scores["num_docs"])  # type: ignore[union-attr]
    except (AttributeError, KeyError, TypeError):
        return None
    frequency = np.diff(indptr)

    def term_weight(term: str) -> float:
        index = vocab.get(term)
        df = int(frequency[index]) if index is not None and index < len(frequency) else 0
        return float(np.log(1.0 + (documents - df + 0.5) / (df + 0.5)))

    def vocabulary(term: str) -> bool:
        index = vocab.get(term)
        return index is not None and index < len(frequency) and frequency[index] > 0

    return term_weight, vocabulary
