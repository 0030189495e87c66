"""Where the verifier's CPU goes in one lookup, stage by stage: the lookups of
``bench/stack_cost.py`` (a query against 1 or 5 candidates, data/heldout5's pairs) with
each stage's CPU time (``time.process_time``) summed while it runs (the policy's
``before_judging`` and ``judge``: what stack_cost times), and every encoder layer's
steps.

    .venv/bin/python bench/stack_profile.py                          # texts new, 1 candidate
    .venv/bin/python bench/stack_profile.py --state warm --candidates 5
    .venv/bin/python bench/stack_profile.py --cross-dir C3           # a stacked artefact: the stack
    .venv/bin/python bench/stack_profile.py --verifier cross --cross-dir DIR  # a model's pass alone

With no ``--verifier`` the artefact (``--cross-dir``, default the shipped one) is profiled
as it decides (``stack_cost.decides_as``): the cross-encoder alone since session 21, the
stack for a stacked artefact such as C3.

Stages are inclusive and nested as printed; a layer's steps (which sum to the layer's
time) are timed through a copy of ``minilm.encoder_layer`` cut at each step: keep the
two in step. Timing each stage costs a few microseconds a call: the
total is a little over ``stack_cost.py``'s for the same lookups.
"""

from __future__ import annotations

import argparse
import functools
import os
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

from stack_cost import PAIRS, STATES, build, decides_as, lookup_cost  # noqa: E402

import llm_router.cache.align as align  # noqa: E402
import llm_router.cache.context as context  # noqa: E402
import llm_router.cache.cross as cross  # noqa: E402
import llm_router.cache.pair_features as pair_features  # noqa: E402
import llm_router.cache.policy as policy  # noqa: E402
import llm_router.cache.verifier as verifier  # noqa: E402
import llm_router.embedding.minilm as minilm  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # train.cache_verifier
from train.cache_verifier.pairs import read_jsonl  # noqa: E402

SPENT: dict[str, float] = defaultdict(float)
ACTIVE = [False]  # timing only inside the lookup's own calls, as stack_cost's clock
CALLS: dict[str, int] = defaultdict(int)
_STACK: list[str] = []


def timed(label: str, fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with its CPU time added to ``SPENT[label]`` (prefixed by the stage it runs
    in, so a layer of the cross-encoder and one of the nets' pass are told apart)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not ACTIVE[0]:
            return fn(*args, **kwargs)
        name = f"{_STACK[-1]} > {label}" if _STACK else label
        _STACK.append(name)
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            SPENT[name] += time.process_time() - started
            CALLS[name] += 1
            _STACK.pop()

    return wrapper


def active(fn: Callable[..., Any]) -> Callable[..., Any]:
    """``fn`` with the stages timed while it runs (the policy's calls a lookup times)."""

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        ACTIVE[0] = True
        try:
            return fn(*args, **kwargs)
        finally:
            ACTIVE[0] = False

    return wrapper


STEPS = ("qkv GEMM", "attention", "out GEMM", "layer norm", "up GEMM", "GELU", "down GEMM",
         "layer norm")


def _steps(t: list[float]) -> None:
    base = _STACK[-1] if _STACK else "layer"
    for step, (a, b) in zip(STEPS, zip(t, t[1:], strict=False), strict=True):
        SPENT[f"{base} > {step}"] += b - a


def layer_in_steps(x: Any, p: Any, heads: int, eps: float, batch: int, length: int,
                   key_bias: Any) -> Any:
    """``minilm.encoder_layer`` (states as rows), each step timed: the same operations."""
    if not ACTIVE[0]:
        return LAYERS["encoder_layer"](x, p, heads, eps, batch, length, key_bias)
    clock = time.process_time
    t = [clock()]
    tokens, dim = x.shape
    head_dim = dim // heads
    qkv = x @ p.w_qkv
    qkv += p.b_qkv
    t.append(clock())
    qkv = qkv.reshape(batch, length, 3, heads, head_dim)
    q = qkv[:, :, 0].transpose(0, 2, 1, 3)
    k = qkv[:, :, 1].transpose(0, 2, 3, 1)
    v = qkv[:, :, 2].transpose(0, 2, 1, 3)
    scores = minilm.attention_weights(q @ k, head_dim, key_bias)
    context_ = (scores @ v).transpose(0, 2, 1, 3).reshape(tokens, dim)
    t.append(clock())
    h = context_ @ p.w_out
    h += x
    h += p.b_out
    t.append(clock())
    x = minilm.layer_norm(h, p.ln1_w, p.ln1_b, eps)
    t.append(clock())
    up = x @ p.w_up
    up += p.b_up
    t.append(clock())
    g = minilm.gelu(up)
    t.append(clock())
    h = g @ p.w_down
    h += x
    h += p.b_down
    t.append(clock())
    out = minilm.layer_norm(h, p.ln2_w, p.ln2_b, eps)
    t.append(clock())
    _steps(t)
    return out


LAYERS: dict[str, Callable[..., Any]] = {}


def instrument(steps: bool) -> None:
    """Wrap the stages (module attributes, as the call sites look them up)."""
    LAYERS["encoder_layer"] = minilm.encoder_layer
    layer = timed("layer", layer_in_steps if steps else minilm.encoder_layer)
    for module in (minilm, cross):
        setattr(module, "encoder_layer", layer)  # noqa: B010 (patched where it is looked up)
    for owner, names in (
            (cross.CrossVerifier, ("view", "score_pairs", "probability")),
            (cross.CrossEncoder, ("side_ids", "hidden", "_pass")),
            (verifier.PairVerifier, ("prepare", "prepare_many")),
            (minilm.MiniLMEmbedder, ("token_states", "_token_ids", "embed_with_states")),
            (pair_features.Vocabulary, ("view",)),
            (align.AlignEnsemble, ("score",))):
        for name in names:
            setattr(owner, name, timed(f"{owner.__name__}.{name}", getattr(owner, name)))
    for name in ("before_judging", "judge"):
        setattr(policy.MatchPolicy, name, active(getattr(policy.MatchPolicy, name)))
    cross.shared_numbers = timed("shared_numbers", cross.shared_numbers)
    verifier.pair_features = timed("pair_features", verifier.pair_features)
    verifier.context_features = timed("context_features", verifier.context_features)
    verifier.unit_rows = timed("unit_rows", context.unit_rows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--state", default="request", choices=STATES)
    parser.add_argument("--candidates", type=int, default=1)
    parser.add_argument("--pairs", type=int, default=120)
    parser.add_argument("--no-steps", action="store_true",
                        help="time each layer whole, not its steps")
    parser.add_argument("--verifier", default=None, choices=("stacked", "cross"),
                        help="the stack as the router loads it, or the cross-encoder's pass "
                             "alone (stack_cost.build; default: the artefact as it decides, "
                             "stack_cost.decides_as)")
    parser.add_argument("--cross-dir", type=Path, default=None,
                        help="directory of the cross.npz + cross.json to run (default: the "
                             "shipped one)")
    args = parser.parse_args()
    pairs = read_jsonl(PAIRS)[: args.pairs]
    chosen = build(args.verifier or decides_as(args.cross_dir), args.cross_dir)
    lookup_cost(chosen, pairs[:8], 2, "cold")
    instrument(not args.no_steps)
    SPENT.clear()
    CALLS.clear()
    per = lookup_cost(chosen, pairs, args.candidates, args.state)
    lookups = len(per)
    total = sum(per) * args.candidates / lookups
    print(f"{args.state}, {args.candidates} candidate(s): {lookups} lookups, CPU ms a lookup "
          f"{total:.2f} ({total / args.candidates:.2f} a candidate; load average "
          f"{os.getloadavg()[0]:.1f})")
    for name in sorted(SPENT):
        depth = name.count(" > ")
        print(f"{'  ' * depth}{name.rsplit(' > ', 1)[-1]:28s} {SPENT[name] * 1000 / lookups:7.3f}"
              f"  ({CALLS.get(name, 0) / lookups:.1f} calls)" if name in CALLS else
              f"{'  ' * depth}{name.rsplit(' > ', 1)[-1]:28s} {SPENT[name] * 1000 / lookups:7.3f}")


if __name__ == "__main__":
    main()
