"""The hard amounts check's reads on long, adversarial texts: a semantic lookup reads up
to 20,000 characters of a question, and a pattern that backtracks can turn that into
seconds (session 11's sides pattern: 37 s on 20,000 digits). For each shape, 20,000
characters of it, read as ``Vocabulary.view`` and ``number_codes`` read a text
(``amounts`` hard and every other reading, ``ids``, ``currencies``, ``periods``,
``measures``, ``ranks``), in CPU
seconds (process time: load does not inflate it); exits 1 if any shape takes over
``--limit`` seconds. A timing check kept out of the unit tests (they run under load).

``--sizes 200 2000 20000``: instead, what ordinary messages of those lengths cost, in CPU
ms (the median of several texts, each read once): ``number_codes`` (what a lookup reads of
the query, and of each entry the first time it is a candidate) and the view's hard reads
(``read_all``), for the long-message soak's text (a prompt and filler, one number:
``bench/soak.py --query-chars``) and one with amounts, dates, times and ids throughout.

    .venv/bin/python bench/amounts_worst_case.py [--chars 20000] [--limit 2.0]
    .venv/bin/python bench/amounts_worst_case.py --sizes 200 2000 20000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time

from peer.load import PROMPTS
from soak import padding

from llm_router.cache.pair_features import normalise, number_codes
from llm_router.cache.quantities import (
    amounts,
    currencies,
    ids,
    measures,
    other_readings,
    periods,
    ranks,
)

# Runs of the forms each pattern reads, and of what comes closest to them without
# being one (digits, separators, prefixes of a form), one shape per line.
SHAPES = [
    "1", "1,1", "1.1.", "1 x 1 x ", "1x1x..1cm ", "1 by 2.5 ", "r1k ", "5l ", "5'", "2m ",
    "r900 ", "paid r900 ", "i paid about r", "pay ", "at 7.15 ", "at 7.", "until 23.59 and ",
    "25% ", "33.3% of ", "1 percent ", "half of ", "a third of ", "three quarters ",
    "50mm f2 ", "at f8 ", "f2 lens ", "f/1.8 ", "ayn rand ", "to rand ", "50k rand ",
    "rand's ", "7 cubed ", "2^10 ", "1/4 of ", "r2.5m ", "rs 5l ", "n64k ", "£650 pcm ",
    "p/w ", "1.000.000 ", "€1.000 ", "105 x 105 cm ", "5'10\" ", "ww2 ", "24/7 ",
    "401(k) ", "12/24 ", "december 24th ", "3 pm ", "'95 ",
    "at 7 ", "after 7 days ", "at eight ", "seven o'clock ", "6-week-old ", "6-", "1-day-",
    "4,800 m ", "1,1 m", "two and a half ", "2br ", "0.5bar ", "12 euro cents ", "pkr ",
    "at 7.15 25% 2m 5l paid r900 50mm f2 ayn rand after 7 ",  # every other reading at once
    "in km ", "1 km ", "in miles per hour ", "100 degrees ° c ", "kcal kj ", "a a a mile ",
    "in c ", "to ° f ", "25c in ", "temperature in k ", "in fl oz ", "per square foot ",
    "top 3 ", "3rd ", "second to last ", "2nd-", "the 3 largest ", "twenty-first ", "first 1",
]


def read_all(lowered: str) -> None:
    amounts(lowered, hard=True)
    other_readings(lowered)
    ids(lowered, hard=True)
    currencies(lowered)
    periods(lowered)
    measures(lowered)
    ranks(lowered)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--chars", type=int, default=20_000)
    parser.add_argument("--limit", type=float, default=2.0, help="CPU seconds a shape may take")
    parser.add_argument("--sizes", type=int, nargs="+",
                        help="ordinary messages of these lengths instead (CPU ms)")
    args = parser.parse_args()
    if args.sizes:
        ordinary(args.sizes)
        return
    worst = 0.0
    for shape in SHAPES:
        text = (shape * (args.chars // len(shape) + 1))[:args.chars]
        started = time.process_time()
        read_all(normalise(text))
        number_codes(text)
        took = time.process_time() - started
        worst = max(worst, took)
        print(f"{took:7.3f} s  {shape!r}")
    print(f"worst {worst:.3f} s CPU over {len(SHAPES)} shapes of {args.chars} characters "
          f"(limit {args.limit} s)")
    sys.exit(1 if worst > args.limit else 0)


# A message with amounts, a date, times, sizes and ids all through it.
NUMBERS = "I paid $1,200 on 3/4 for 2 GB at 7.15am, order AB-1234, 5 kg and 20k rupees; "


def ordinary(sizes: list[int]) -> None:
    kinds = {"soak": lambda n, i: (PROMPTS["plain"].format(i=i) + padding(n))[:n],
             "numbers": lambda n, i: (f"Order {i}: " + NUMBERS * (n // len(NUMBERS) + 1))[:n]}
    for n in sizes:
        for kind, make in kinds.items():
            codes, reads = [], []
            for i in range(max(5, 200_000 // n)):
                text = make(n, 1000 + i)  # each text new: nothing read before is kept
                started = time.process_time()
                number_codes(text)
                codes.append(time.process_time() - started)
                text = make(n, 10**6 + i)
                started = time.process_time()
                read_all(normalise(text))
                reads.append(time.process_time() - started)
            print(f"{n:>6,} characters, {kind:7}: number_codes "
                  f"{statistics.median(codes) * 1000:6.2f} ms, the view's hard reads "
                  f"{statistics.median(reads) * 1000:6.2f} ms CPU (median of {len(codes)})")


if __name__ == "__main__":
    main()
