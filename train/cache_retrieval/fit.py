"""Fit a linear map of MiniLM sentence vectors for the cache's retrieval cosine (numpy).

    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python -m train.cache_retrieval.fit \\
        --shape lowrank --loss mnr --out .cache/cache_retrieval/lowrank-mnr.npz
    # session 30's M3: full-mnr's recipe on more writers, measured on ten later sets
    OMP_NUM_THREADS=1 nice -n 10 .venv/bin/python -m train.cache_retrieval.fit \\
        --shape full --loss mnr --train-sets 9-11,14-61 --measured-sets 62-69,72-73 \\
        --out .cache/cache_retrieval/m3.npz

The mapped vector of a unit vector x is W x, renormalised (``RetrievalMap`` in the layer:
llm_router/cache/retrieval_map.py); the cache's retrieval cosine is the dot product of two
mapped vectors, while the classifier and the verifier's checks keep the raw ones. Shapes:
``full`` (W, 384 x 384, initialised at the identity), ``lowrank`` (W = I + U V^T, rank
``--rank``), ``diag`` (W = diag(d), d at one). Every shape is held near the identity
(``--decay``: an L2 penalty on W - I). Losses, on batches of ``--batch`` paraphrase pairs
(label 1) and as many labelled negative pairs (label 0; ``data.train_pairs``):

- ``mnr``: multiple-negatives ranking, both ways: each side of a paraphrase pair picks its
  partner out of every text of the batch (the other pairs' texts and the labelled negatives'),
  texts the labels make one question (``pair_sets.PairGroups``-like groups over the training
  pairs) left out, at scale ``--scale``; and a labelled negative pair may not come closer
  than its raw cosine (a hinge, weight ``--neg-weight``).
- ``margin``: margins at the floor: a paraphrase pair's cosine over FLOOR + ``--margin``,
  a labelled negative pair's and every other pair of the batch's under FLOOR - ``--margin``
  (hinges; labelled negatives weighted ``--neg-weight``).

Numpy with hand-written gradients and Adam, one thread: a few minutes on a shared core.
Writes the map (``weight``: W as float32) and its record (``meta``: JSON, the sources and
licences of every training row, the guards, the recipe, the loss per epoch).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

from train.cache_retrieval.data import sets_named, train_pairs
from train.cache_verifier.pairs import REPO, Components

FLOOR = 0.5  # cache.verifier_floor
DIM = 384
OUT = REPO / ".cache" / "cache_retrieval"
SETS_ARGS = ("train_sets", "measured_sets")


def vectors_of(texts: list[str]) -> np.ndarray:
    """MiniLM rows of ``texts`` through bench/embed_cache.py's cache (filled if needed)."""
    sys.path.insert(0, str(REPO / "bench"))
    from embed_cache import embed_cached

    from llm_router.embedding.minilm import MiniLMEmbedder

    return np.asarray(embed_cached(MiniLMEmbedder.load(), texts), np.float32)


class Shape:
    """W and its parameters; ``grads`` turns dL/dW into the parameters' gradients."""

    def __init__(self, kind: str, rank: int, seed: int):
        self.kind = kind
        rng = np.random.default_rng(seed)
        if kind == "full":
            self.params = {"w": np.eye(DIM, dtype=np.float64)}
        elif kind == "lowrank":
            self.params = {"u": np.zeros((DIM, rank)),
                           "v": rng.normal(0, 1 / np.sqrt(DIM), (DIM, rank))}
        elif kind == "diag":
            self.params = {"d": np.ones(DIM)}
        else:
            raise SystemExit(f"unknown shape {kind!r}")

    def weight(self) -> np.ndarray:
        p = self.params
        if self.kind == "full":
            return p["w"]
        if self.kind == "lowrank":
            return np.eye(DIM) + p["u"] @ p["v"].T
        return np.diag(p["d"])

    def grads(self, dw: np.ndarray) -> dict[str, np.ndarray]:
        p = self.params
        if self.kind == "full":
            return {"w": dw}
        if self.kind == "lowrank":
            return {"u": dw @ p["v"], "v": dw.T @ p["u"]}
        return {"d": np.diag(dw).copy()}


def mapped(x: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(unit rows of x W^T, the rows before normalising, their norms)."""
    m = x @ w.T
    r = np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)
    return m / r, m, r


def back(dn: np.ndarray, n: np.ndarray, r: np.ndarray, x: np.ndarray) -> np.ndarray:
    """dL/dW from dL/d(unit rows)."""
    dm = (dn - n * np.sum(dn * n, axis=1, keepdims=True)) / r
    return dm.T @ x


def mnr(n: np.ndarray, anchors: np.ndarray, targets: np.ndarray, group: np.ndarray,
        scale: float) -> tuple[float, np.ndarray]:
    """Multiple-negatives ranking: each anchor row picks its target among every row of
    ``n``, itself and its group's other rows left out. (loss, dL/dn)."""
    s = scale * n[anchors] @ n.T
    masked = (group[anchors][:, None] == group[None, :])
    masked[np.arange(len(anchors)), targets] = False
    s = np.where(masked, -1e9, s)
    s -= s.max(axis=1, keepdims=True)
    p = np.exp(s)
    p /= p.sum(axis=1, keepdims=True)
    loss = float(-np.mean(np.log(p[np.arange(len(anchors)), targets] + 1e-30)))
    ds = p
    ds[np.arange(len(anchors)), targets] -= 1
    ds *= scale / len(anchors)
    dn = ds.T @ n[anchors]
    np.add.at(dn, anchors, ds @ n)
    return loss, dn


def hinge(n: np.ndarray, i: np.ndarray, j: np.ndarray, bound: np.ndarray, sign: float,
          weight: float) -> tuple[float, np.ndarray]:
    """weight * mean(relu(sign * (cos(i, j) - bound))): sign +1 holds a pair under its
    bound, -1 over it. (loss, dL/dn)."""
    c = np.sum(n[i] * n[j], axis=1)
    over = sign * (c - bound)
    active = (over > 0).astype(np.float64) * sign * weight / max(len(i), 1)
    dn = np.zeros_like(n)
    np.add.at(dn, i, active[:, None] * n[j])
    np.add.at(dn, j, active[:, None] * n[i])
    return float(weight * np.mean(np.maximum(over, 0))) if len(i) else 0.0, dn


def groups_of(texts: list[str], rows: list[dict[str, Any]]) -> np.ndarray:
    """A group id per text: texts joined by a label-1 pair share one."""
    joined = Components()
    for p in rows:
        joined.find(p["a"]), joined.find(p["b"])
        if p["label"]:
            joined.join(p["a"], p["b"])
    ids: dict[str, int] = {}
    return np.asarray([ids.setdefault(joined.find(t), len(ids)) for t in texts])


def fit(args: argparse.Namespace) -> None:
    started = time.process_time()
    rows, record = train_pairs(
        train_sets=None if args.train_sets is None else sets_named(args.train_sets),
        eval_sets=None if args.measured_sets is None else sets_named(args.measured_sets))
    texts = list(dict.fromkeys(t for p in rows for t in (p["a"], p["b"])))
    at = {t: i for i, t in enumerate(texts)}
    x = vectors_of(texts).astype(np.float64)
    group = groups_of(texts, rows)
    pos = np.asarray([(at[p["a"]], at[p["b"]]) for p in rows if p["label"]])
    neg = np.asarray([(at[p["a"]], at[p["b"]]) for p in rows if not p["label"]])
    raw_neg = np.sum(x[neg[:, 0]] * x[neg[:, 1]], axis=1)
    shape = Shape(args.shape, args.rank, args.seed)
    moments = {k: (np.zeros_like(v), np.zeros_like(v)) for k, v in shape.params.items()}
    rng = np.random.default_rng(args.seed)
    steps, log = 0, []
    per_epoch = max(1, len(pos) // args.batch)
    for epoch in range(args.epochs):
        order, neg_order = rng.permutation(len(pos)), rng.permutation(len(neg))
        total = 0.0
        for b in range(per_epoch):
            bp = pos[order[b * args.batch:(b + 1) * args.batch]]
            bn_rows = neg_order[(b * args.batch) % len(neg):][:args.batch]
            bn = neg[bn_rows]
            ids = np.unique(np.concatenate([bp.ravel(), bn.ravel()]))
            local = {int(t): k for k, t in enumerate(ids)}
            lp = np.vectorize(local.get)(bp)
            ln = np.vectorize(local.get)(bn)
            w = shape.weight()
            n, _, r = mapped(x[ids], w)
            if args.loss == "mnr":
                loss_a, dn_a = mnr(n, lp[:, 0], lp[:, 1], group[ids], args.scale)
                loss_b, dn_b = mnr(n, lp[:, 1], lp[:, 0], group[ids], args.scale)
                loss_n, dn_n = hinge(n, ln[:, 0], ln[:, 1], raw_neg[bn_rows], 1.0,
                                     args.neg_weight)
                loss, dn = loss_a + loss_b + loss_n, dn_a + dn_b + dn_n
            else:
                loss_p, dn_p = hinge(n, lp[:, 0], lp[:, 1],
                                     np.full(len(lp), FLOOR + args.margin), -1.0, 1.0)
                loss_n, dn_n = hinge(n, ln[:, 0], ln[:, 1],
                                     np.full(len(ln), FLOOR - args.margin), 1.0, args.neg_weight)
                # every other pair of the batch: anchor a of each paraphrase pair against the
                # other pairs' b (different groups only)
                ai, bj = np.meshgrid(lp[:, 0], lp[:, 1], indexing="ij")
                apart = group[ids][ai] != group[ids][bj]
                loss_o, dn_o = hinge(n, ai[apart], bj[apart],
                                     np.full(int(apart.sum()), FLOOR - args.margin), 1.0, 1.0)
                loss, dn = loss_p + loss_n + loss_o, dn_p + dn_n + dn_o
            dw = back(dn, n, r, x[ids]) + 2 * args.decay * (w - np.eye(DIM))
            steps += 1
            for k, g in shape.grads(dw).items():
                m1, m2 = moments[k]
                m1[:] = 0.9 * m1 + 0.1 * g
                m2[:] = 0.999 * m2 + 0.001 * g * g
                shape.params[k] -= args.lr * (m1 / (1 - 0.9 ** steps)) / (
                    np.sqrt(m2 / (1 - 0.999 ** steps)) + 1e-8)
            total += loss
        log.append(round(total / per_epoch, 5))
        print(f"epoch {epoch + 1}: loss {log[-1]:.4f} ({time.process_time() - started:.0f} s)",
              flush=True)
    weight = shape.weight().astype(np.float32)
    # the sets' names enter the recipe only when given (the defaults' meta is the shipped
    # map's); the record's "sources" and "measured_on" name them either way
    meta = {"recipe": {k: v for k, v in vars(args).items()
                       if k != "out" and (v is not None or k not in SETS_ARGS)},
            "command": " ".join(sys.argv), "pairs": {"paraphrases": len(pos),
                                                     "negatives": len(neg)},
            "texts": len(texts), "loss_per_epoch": log, **record,
            "cpu_s": round(time.process_time() - started, 1),
            "weight_sha256": hashlib.sha256(weight.tobytes()).hexdigest()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(args.out, weight=weight, meta=np.asarray(json.dumps(meta)))
    print(f"wrote {args.out} ({meta['cpu_s']} s CPU)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shape", choices=("full", "lowrank", "diag"), default="lowrank")
    parser.add_argument("--loss", choices=("mnr", "margin"), default="mnr")
    parser.add_argument("--rank", type=int, default=32)
    parser.add_argument("--epochs", type=int, default=4)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--scale", type=float, default=20.0)
    parser.add_argument("--margin", type=float, default=0.1)
    parser.add_argument("--neg-weight", type=float, default=1.0)
    parser.add_argument("--decay", type=float, default=1e-3)
    parser.add_argument("--seed", type=int, default=27)
    parser.add_argument("--train-sets", default=None, metavar="NUMBERS",
                        help="the writers' sets to train on, as heldout numbers and ranges "
                             "(\"9-11,14-61\"; default the shipped map's, heldout9-11 and 14-47)")
    parser.add_argument("--measured-sets", default=None, metavar="NUMBERS",
                        help="the sets it is measured on: no training pair may share a text "
                             "with one (\"62-69,72-73\"; default heldout48-57)")
    parser.add_argument("--out", type=Path, required=True)
    fit(parser.parse_args())


if __name__ == "__main__":
    main()
