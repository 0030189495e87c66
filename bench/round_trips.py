"""Storage round trips per request kind, from the router's own Server-Timing header.

    .venv/bin/python bench/round_trips.py [--requests 50]

Starts the loopback upstream and ``llm-router serve`` on its embedded store with the
cache on, then for each kind sends ``--requests`` requests and prints, per kind, the
DynamoDB calls (``ddb-N`` entries) most requests made and the median of each:

- miss: a new question (explicit model), answered upstream and cached in the settle;
- exact hit: the same question again;
- no cache: ``"cache": false`` (the explicit-model path with the cache bypassed).

Calls that only happen now and then (the key lookup once a minute, the cache journal
and breaker reads every few seconds) show up as the less common sequences.
"""

from __future__ import annotations

import argparse
from collections import Counter

import httpx
from peer.gateways import start_router, start_upstream
from peer.load import median, server_timing


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=50)
    args = parser.parse_args()
    upstream = start_upstream()
    router = start_router(upstream, cache=True)
    kinds: dict[str, list[list[tuple[str, float]]]] = {"miss": [], "exact hit": [],
                                                       "no cache": []}
    try:
        with httpx.Client(base_url=router.url, timeout=60,
                          headers={"authorization": f"Bearer {router.key}"}) as client:
            def ask(text: str, **extra: object) -> list[tuple[str, float]]:
                resp = client.post("/chat/completions", json={
                    "model": router.model, "messages": [{"role": "user", "content": text}],
                    **extra})
                resp.raise_for_status()
                return server_timing(resp.headers.get("server-timing", ""))[1]

            ask("warm up: load the key and the cache index")
            for i in range(args.requests):
                question = f"Question {i}: what are your opening hours on day {i}?"
                kinds["miss"].append(ask(question))
                kinds["exact hit"].append(ask(question))
                kinds["no cache"].append(ask(f"Uncached question {i}", cache=False))
    finally:
        router.stop()
        upstream.stop()
    print(f"Storage calls per request on the embedded store ({args.requests} per kind):")
    for kind, samples in kinds.items():
        shapes = Counter(tuple(op for op, _ in s) for s in samples)
        for shape, count in shapes.most_common(2):
            picked = [s for s in samples if tuple(op for op, _ in s) == shape]
            timed = ", ".join(f"{op} {median([s[i][1] for s in picked]):.1f} ms"
                              for i, op in enumerate(shape))
            print(f"  {kind:>9}: {count:>3} of {len(samples)}: {len(shape)} calls: {timed}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
