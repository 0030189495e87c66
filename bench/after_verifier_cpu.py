"""CPU of the checks after the verifier on long queries: ``extra_ask``'s ``asks_more`` and
``own_case``, as ``MatchPolicy._verify`` runs them once the verifier passed a pair, for a
query of each length against a short cached question. The query tells a case (the
long-message soak's filler: "the account was opened ...") and then asks the cached
question with more words after it, so neither refuses it and both read it to the end,
each cutting it into clauses (``narrowing.clauses``), up to ~200 content words: past
``codes.MAX_ALIGNED`` the extra-ask check aligns nothing and stops before the clauses, so
at 20,000 characters only ``own_case`` cuts the query (both shapes read). The views are
built first (a lookup has them from the hard check). Process time, the median over
several queries, each judged once (a new text each time: nothing kept of one query serves
the next). A lookup judges its candidates in turn, each through both checks while they
refuse none; ``--candidates N``: N candidates the verifier passed.

    .venv/bin/python bench/after_verifier_cpu.py [--sizes 200 2000 20000] [--candidates 1]

Run it with another tree's library by ``PYTHONPATH`` to compare two versions.
"""

from __future__ import annotations

import argparse
import statistics
import time

from soak import FILLER

from llm_router.cache.extra_ask import asks_more
from llm_router.cache.narrowing import own_case
from llm_router.cache.verifier import shared_verifier

# The cached questions a lookup's candidates hold (``--candidates``: the first N): each
# passed by the verifier, each judged by both checks.
CACHED = ("How do I cancel my subscription?", "How can I cancel my subscription?",
          "How do I cancel a subscription?")
ASK = " How do I cancel my subscription before the renewal date next month?"
# The pair's cosine: under own_case's PLAN_COSINE, so its second shape is read too.
COSINE = 0.6
QUERIES = {200: 300, 2000: 60, 20000: 12}  # queries judged at each length (default: 10)


def query(i: int, chars: int) -> str:
    """A query of about ``chars`` characters: a ticket number, filler, the ask."""
    head = f"Ticket {i}. "
    room = max(chars - len(head) - len(ASK), 0)
    filler = (FILLER * (room // len(FILLER) + 1))[:room].rsplit(" ", 1)[0]
    return head + filler.rstrip(" ,;.") + "." + ASK


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[200, 2000, 20000])
    parser.add_argument("--candidates", type=int, default=1, choices=range(1, len(CACHED) + 1),
                        help="candidates the verifier passed in each lookup (default 1)")
    args = parser.parse_args()
    view = shared_verifier().vocabulary.view
    candidates = [(text, view(text)) for text in CACHED[:args.candidates]]
    for chars in args.sizes:
        texts = [query(i, chars) for i in range(QUERIES.get(chars, 10))]
        views = [view(text) for text in texts]
        spent, refused = [], set()
        for text, asked in zip(texts, views, strict=True):
            started = time.process_time()
            for cached_text, cached in candidates:
                refused.add((asks_more(cached, asked, text),
                             own_case(cached, asked, cached_text, text, COSINE)))
            spent.append(time.process_time() - started)
        print(f"{chars:>6} characters ({len(texts[0]):,}): {len(texts)} queries, "
              f"{len(candidates)} candidate(s) each, median "
              f"{1000 * statistics.median(spent):.3f} ms CPU (extra_ask, own_case refuse: "
              f"{sorted(refused)})", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
