"""Print per-document agreement of the parser with the gold paragraph splits.

For each document with a ``gold/*.gold.json`` file: the share of gold paragraphs
whose kind, number and text (footnote markers removed, whitespace normalised)
the ``.txt`` rendering parses to, and whether the Akoma Ntoso XML loads to
exactly the gold (texts, numbers, leads, footnote links and texts, formulas).

    .venv/bin/python scripts/gold_agreement.py [--data tests/data/extra] [-v]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from rag.gold import compare, read_gold
from rag.parse import parse_file


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=Path(__file__).resolve().parents[1] / "tests/data/extra")
    parser.add_argument("-v", "--verbose", action="store_true", help="list the paragraphs that differ")
    args = parser.parse_args(argv)
    golds = sorted((args.data / "gold").glob("*.gold.json"))
    if not golds:
        print(f"no gold files in {args.data / 'gold'}", file=sys.stderr)
        return 1
    print(f"{'document':22} {'txt agreement':>18} {'xml exact':>10} {'txt ms':>7}")
    worst = 100.0
    all_exact = True
    for gold_path in golds:
        name = gold_path.name.removesuffix(".gold.json")
        gold = read_gold(gold_path)
        started = time.perf_counter()
        text_doc = parse_file(args.data / f"{name}.txt")
        elapsed = (time.perf_counter() - started) * 1000
        text_result = compare(text_doc, gold)
        xml_result = compare(parse_file(args.data / "akn" / f"{name}.akn.xml"), gold, strict=True)
        worst = min(worst, text_result.percent)
        all_exact = all_exact and xml_result.exact
        print(f"{gold.symbol:22} {text_result.matched:>4}/{text_result.total:<4} {text_result.percent:6.1f}% "
              f"{'yes' if xml_result.exact else 'NO':>10} {elapsed:7.1f}")
        if args.verbose:
            for problem in text_result.problems:
                print(f"    txt: {problem}")
            for problem in xml_result.problems:
                print(f"    xml: {problem}")
    print(f"lowest txt agreement {worst:.1f}%; XML exact for all: {'yes' if all_exact else 'no'}")
    return 0 if worst >= 98.0 and all_exact else 1


if __name__ == "__main__":
    raise SystemExit(main())
