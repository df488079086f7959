"""Every evaluation suite is valid against the parsed corpus it names.

Catches a parser change that renumbers or relabels paragraphs, a typo in a
label, and a key phrase that the cleaned text no longer contains (e.g. after a
change to word repair). Parsing only: no model is loaded.
"""

from __future__ import annotations

from collections import Counter
from functools import cache

import pytest

from rag.evaluate import ROOT, Suite, discover_suites, load_suite, normalise_for_match, passage_key
from rag.parse import parse_file
from rag.types import Passage

SUITES = [path.stem for path in discover_suites(ROOT)]


@cache
def suite(name: str) -> Suite:
    return load_suite(name, ROOT)


@cache
def corpus_passages(name: str) -> dict[str, Passage]:
    """Every passage of the suite's corpus, by ``passage_key``; fails on duplicate symbols or labels."""
    passages: dict[str, Passage] = {}
    symbols: Counter[str] = Counter()
    for path in suite(name).corpus:
        document = parse_file(path)
        symbols[document.symbol] += 1
        for passage in document.passages:
            key = passage_key(passage.doc, passage.label)
            assert key not in passages, f"{path}: two passages labelled {passage.label!r}"
            passages[key] = passage
    assert max(symbols.values()) == 1, f"two corpus files parse to the same symbol: {symbols}"
    return passages


def test_the_suites_exist() -> None:
    assert {"seed", "multi"} <= set(SUITES)


@pytest.mark.parametrize("name", SUITES)
def test_suite_is_valid_and_large_enough(name: str) -> None:
    questions = suite(name).questions  # load_suite validates every line and the corpus list
    unanswerable = [q for q in questions if not q.answerable]
    assert len(unanswerable) >= 5
    dev_share = sum(q.split == "dev" for q in questions) / len(questions)
    assert dev_share == 0 or 0.2 <= dev_share <= 0.5  # 0: a held-out suite (evals/README.md)
    assert len({q.question.casefold() for q in questions}) == len(questions), "a question is repeated"


def test_seed_and_multi_meet_the_brief() -> None:
    seed, multi = suite("seed").questions, suite("multi").questions
    assert len(seed) >= 120 and sum(not q.answerable for q in seed) >= 15
    assert len(multi) >= 60 and all("multi-document" in q.tags for q in multi)
    assert len({e.doc for q in multi for e in q.expected}) >= 6, "multi must spread over several documents"


@pytest.mark.parametrize("name", SUITES)
def test_every_expected_passage_exists_in_the_parsed_corpus(name: str) -> None:
    passages = corpus_passages(name)
    missing = [f"{q.id}: {e}" for q in suite(name).questions for e in q.expected if e.key not in passages]
    assert not missing, f"expected passages the parser does not produce: {missing}"


@pytest.mark.parametrize("name", SUITES)
def test_every_key_phrase_is_quoted_from_an_expected_passage(name: str) -> None:
    passages = corpus_passages(name)
    wrong = []
    for question in suite(name).questions:
        texts = [normalise_for_match(passages[e.key].text) for e in question.expected if e.key in passages]
        for phrase in question.key_phrases:
            if not any(normalise_for_match(phrase) in text for text in texts):
                wrong.append(f"{question.id}: {phrase!r}")
    assert not wrong, f"key phrases not found verbatim in an expected passage: {wrong}"


def test_seed_covers_every_operative_paragraph() -> None:
    passages = corpus_passages("seed")
    expected = {e.key for q in suite("seed").questions for e in q.expected}
    operative = [p.label for key, p in passages.items() if p.kind == "operative" and key not in expected]
    assert not operative, f"operative paragraphs no question is about: {operative}"
