"""Which pair verifier a cache benchmark runs, and getting it ready for a batch of pairs.

``--verifier-model cross|nets|stacked`` (default: the router's, ``default_model``: the
cross-encoder where ``data/cache_verifier/cross.npz`` is shipped, else the nets) and
``--cross-dir`` (a directory holding another ``cross.npz`` + ``cross.json``, to score a
candidate artefact before it is committed); ``--order-band W``: the cross-encoder reads a
pair both ways near its operating point (``cache.verifier_order_band``, off by default).
``ready`` does ahead of a batch of probes what the lookup does per lookup, so the probes
then pay no model pass of their own: the nets get every text's MiniLM token states in
batched passes, the cross-encoder scores every pair in batched passes.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path

from llm_router.cache.context import MAX_TOKENS
from llm_router.cache.cross import load_cross_verifier
from llm_router.cache.verifier import PairVerifier, Verifier, default_model, load_verifier
from llm_router.catalog import CacheConfig
from llm_router.embedding.minilm import MiniLMEmbedder, shared_embedder

FUSION = Path(__file__).resolve().parent.parent / "data" / "cache_verifier" / "fusion.npz"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--verifier-model", "--model", default=None,
                        choices=("cross", "nets", "stacked"),
                        help="the pair verifier (default: the router's: cross where its "
                             "artefact is shipped, else nets)")
    parser.add_argument("--cross-dir", type=Path, default=None,
                        help="directory of the cross.npz + cross.json to run (default: the "
                             "shipped one)")
    parser.add_argument("--fusion", type=Path, default=FUSION,
                        help="the fusion model's npz, for --verifier-model stacked")
    parser.add_argument("--order-band", type=float, default=None,
                        help="the cross-encoder reads a pair both ways where its logit is "
                             "within this of its operating point's (cache.verifier_order_band;"
                             " default: the catalog's, off)")


def load_chosen(args: argparse.Namespace) -> tuple[str, Verifier]:
    """(the model's name, the verifier) the arguments ask for."""
    model = args.verifier_model or ("cross" if args.cross_dir else default_model())
    band = getattr(args, "order_band", None)
    if band is None:
        band = CacheConfig().verifier_order_band
    if model == "cross":
        cross = load_cross_verifier(shared_embedder(), args.cross_dir, band)
        if cross.combines_nets:  # stacked on the nets, as the router loads it
            cross.stack_on(load_verifier())
        return model, cross
    if band is not None:
        raise SystemExit("--order-band (cache.verifier_order_band) needs the cross-encoder")
    return model, load_verifier(model_kind=model, fusion_path=args.fusion)


def ready(verifier: Verifier, embedder: MiniLMEmbedder,
          pairs: Sequence[tuple[str, str]]) -> None:
    """Ready ``verifier`` for these (cached, query) pairs in batched passes."""
    if not isinstance(verifier, PairVerifier):
        verifier.score_pairs([(query, cached) for cached, query in pairs])
        return
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    _, states = embedder.embed_with_states(texts, MAX_TOKENS, verifier.state_layers)
    for text, rows in zip(texts, states, strict=True):
        if rows is not None:
            verifier.prepare(text, rows)
