"""CPU time of the pair verification per candidate on one core, the shipped verifier (the
cross-encoder that decides alone since session 21, ``cross.json`` ``"combine": null``; a
stacked artefact's cross-encoder logit plus the nets', ``"combine": "nets"``) against the
nets alone and the cross-encoder's pass alone: a lookup's query judged against 1 and
against 5 candidates, everything a lookup does after the index found them
(``MatchPolicy.before_judging``, then ``judge`` on each: the amounts check, the batched
passes, the verdicts).

    .venv/bin/python bench/stack_cost.py                    # shipped, nets; alternated twice
    .venv/bin/python bench/stack_cost.py --cross-dir C3     # stacked artefact: stack, nets, cross
    .venv/bin/python bench/stack_cost.py --verifiers stacked nets --rounds 3 --cross-dir C3
    .venv/bin/python bench/stack_cost.py --verifiers stacked-query-first stacked-both --cross-dir C3
    .venv/bin/python bench/stack_cost.py --verifiers cross --cross-dir DIR  # another artefact

With no ``--verifiers`` the artefact (``--cross-dir``, default the shipped one) is timed
as it decides (``decides_as``: ``stacked`` where its cross.json combines the nets, else
``cross``), then the nets and the cross-encoder's pass alone (``default_kinds``). The
stacked kinds need a stacked artefact (C3's: ``git show d304b9a:layers/core/llm_router/
data/cache_verifier/cross.npz`` and its ``cross.json`` in one folder).

Three states of the texts (the pair itself is always new: a lookup's query is):
- ``cold``: no text seen before (the nets run MiniLM over the query and the candidates
  in one batched pass; the cross-encoder builds the texts' word views);
- ``request``: the query's token states come from its own embedding pass (untimed: the
  lookup needs that pass anyway), the candidates' texts never seen (an instance that
  loaded the entries from a snapshot and has not judged them yet);
- ``warm``: every text kept (the entries judged or stored on this instance before, the
  query's states from its embedding pass): only the pair's own work is left;
- ``learnt``: as ``request``, but the candidates' texts were prepared ahead by
  ``cache/preparer.py`` (entries learnt from a snapshot or the journal, ``cache.
  prepare_ahead``), untimed, in its background batches.

Texts: data/heldout5's pairs (seen; only their lengths matter here). CPU time
(``time.process_time``): what load on a shared machine inflates least. Target (issue 13):
<= 10 ms per candidate on one core.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from llm_router.cache.context import MAX_TOKENS  # noqa: E402
from llm_router.cache.cross import CrossVerifier, load_cross_verifier  # noqa: E402
from llm_router.cache.policy import MatchPolicy  # noqa: E402
from llm_router.cache.preparer import Preparer  # noqa: E402
from llm_router.cache.verifier import Verifier, load_verifier, nets_of  # noqa: E402
from llm_router.embedding.minilm import shared_embedder  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

REPO = Path(__file__).resolve().parent.parent
PAIRS = REPO / "data" / "heldout5" / "cache_pairs.jsonl"
STATES = ("cold", "request", "warm", "learnt")
KINDS = ("stacked", "nets", "cross", "stacked-query-first", "stacked-cached-first",
         "stacked-both")


def decides_as(cross_dir: Path | None = None) -> str:
    """The kind the artefact ``cross_dir`` (default the shipped one) decides as, what a
    bench times with no kind given: ``stacked`` where its cross.json combines the nets
    (C3's and those before it), ``cross`` where it decides alone (shipped since session 21)."""
    return "stacked" if load_cross_verifier(shared_embedder(), cross_dir).combines_nets \
        else "cross"


def default_kinds(cross_dir: Path | None = None) -> list[str]:
    """``--verifiers``' default: the artefact as it decides, then the nets alone and the
    cross-encoder's pass alone (the latter already timed where it decides alone)."""
    return list(dict.fromkeys((decides_as(cross_dir), "nets", "cross")))


def build(kind: str, cross_dir: Path | None = None) -> Verifier:
    """The nets alone, the cross-encoder alone, or the stack as the router loads it
    (``stacked-query-first``, ``stacked-cached-first``, ``stacked-both``: the pair read
    in that ``order``, whatever cross.json says); the cross-encoder ``cross_dir``'s
    (default the shipped one, which decides alone: ``cross``)."""
    if kind == "nets":
        return load_verifier(model_kind="nets")
    cross = load_cross_verifier(shared_embedder(), cross_dir)
    if kind.startswith("stacked-"):
        cross.encoder.order = kind.removeprefix("stacked-").replace("-", "_")
    if kind.startswith("stacked"):
        if not cross.combines_nets:
            raise SystemExit(f"{kind}: this cross.json decides alone (\"combine\": null, as "
                             "the shipped one since session 21), so it has no stack to time: "
                             "time it as cross, or give --cross-dir a stacked artefact")
        cross.stack_on(load_verifier(model_kind="nets"))
    else:  # its pass alone: the cut is the stack's, but only the cost is read here
        cross.meta = {k: v for k, v in cross.meta.items() if k != "combine"}
    return cross


def forget(verifier: Verifier, keep_texts: bool) -> None:
    """Drop what the last lookup left: every pair score (a new query's pairs are new), and
    unless ``keep_texts`` every text's view and token states."""
    if isinstance(verifier, CrossVerifier):
        verifier._scores.clear()
        if not keep_texts:  # the word views are the texts', not the pairs'
            verifier._views.clear()
    nets = nets_of(verifier)
    if not keep_texts and nets is not None:
        nets.forget()


def ready_query(verifier: Verifier, query: str) -> None:
    """The query's token states from its own embedding pass, as ``embed_query`` does."""
    nets = nets_of(verifier)
    if nets is not None:
        _, states = nets.embedder.embed_with_states([query], MAX_TOKENS, nets.state_layers)
        if states[0] is not None:
            nets.prepare(query, states[0])


PREPARERS: dict[int, Preparer] = {}  # one background thread per verifier's nets


def ready_ahead(verifier: Verifier, texts: list[str]) -> None:
    """The texts prepared as the preparer does once a snapshot or the journal brought them."""
    nets = nets_of(verifier)
    if nets is not None:
        preparer = PREPARERS.setdefault(id(nets), Preparer(lambda: nets, ahead=1000))
        preparer.offer(texts)
        preparer.drain(600)


def ready_all(verifier: Verifier, texts: list[str]) -> None:
    nets = nets_of(verifier)
    if nets is not None:
        for text in texts:
            nets.prepare(text)
    if isinstance(verifier, CrossVerifier):
        for text in texts:
            verifier.view(text)


def lookup_cost(verifier: Verifier, pairs: list[dict[str, str]], candidates: int,
                state: str, clock: Callable[[], float] = time.process_time) -> list[float]:
    """CPU ms per candidate of each lookup: query ``pairs[i]["b"]``, candidates the next
    ``candidates`` pairs' cached texts (judged at similarity 1: every one over the floor)."""
    policy = MatchPolicy(0.0, True, verifier, verifier.threshold, spelling=False)
    per: list[float] = []
    for i in range(len(pairs) - candidates):
        query = pairs[i]["b"]
        cached = [pairs[i + j]["a"] for j in range(candidates)]
        forget(verifier, keep_texts=state == "warm")
        if state in ("request", "learnt"):
            ready_query(verifier, query)
        if state == "learnt":
            ready_ahead(verifier, cached)
        elif state == "warm":
            ready_all(verifier, [query, *cached])
        started = clock()
        policy.before_judging([(query, text) for text in cached])
        for text in cached:
            policy.judge(1.0, None, None, text, query)
        per.append((clock() - started) * 1000 / candidates)
    return per


def summary(per: list[float]) -> str:
    ordered = sorted(per)
    return (f"{ordered[len(ordered) // 2]:.2f} / {sum(ordered) / len(ordered):.2f} / "
            f"{ordered[int(len(ordered) * 0.99) - 1]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--verifiers", nargs="+", default=None, choices=KINDS,
                        help="default: the artefact as it decides (stacked or cross), nets, "
                             "cross (default_kinds)")
    parser.add_argument("--rounds", type=int, default=2, help="alternations of the list")
    parser.add_argument("--pairs", type=int, default=120)
    parser.add_argument("--states", nargs="+", default=list(STATES), choices=STATES)
    parser.add_argument("--cross-dir", type=Path, default=None,
                        help="directory of the cross.npz + cross.json to run (default: the "
                             "shipped one)")
    args = parser.parse_args()
    pairs = read_jsonl(PAIRS)[: args.pairs]
    kinds = args.verifiers or default_kinds(args.cross_dir)
    verifiers = {kind: build(kind, args.cross_dir) for kind in kinds}
    for verifier in verifiers.values():  # first-call costs out of the timing
        lookup_cost(verifier, pairs[:8], 2, "cold")
    print("CPU ms per candidate, median / mean / p99 over the lookups", flush=True)
    for _ in range(args.rounds):
        for kind, verifier in verifiers.items():
            for state in args.states:
                for k in (1, 5):
                    per = lookup_cost(verifier, pairs, k, state)
                    print(f"{kind:19s} {state:8s} {k} candidate{'s' if k > 1 else ' '}: "
                          f"{summary(per)} (load average {os.getloadavg()[0]:.1f})",
                          flush=True)


if __name__ == "__main__":
    main()
