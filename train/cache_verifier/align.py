"""Train the verifier's alignment model in JAX (``make verifier``, after ``train``).

    .venv/bin/python -m train.cache_verifier.align

The MLP of ``train`` reads summary features of the two texts' token alignment. This
model reads the alignment itself (ESIM-style, over MiniLM's last-layer token states the
lookup already has): each text's tokens, projected to a small space, attend to the other
text's; each token is composed with what it aligned to (the pair, their difference and
product, its best raw cosine) through a small ReLU layer; both texts' tokens are pooled
(mean and max) and the two pooled vectors combined symmetrically (sum, absolute
difference) with the standardised hand features of ``pair_features`` and
``context_features`` into an MLP and a logistic output. Trained on the same pairs as
the MLP (weighted the same way), chosen and given its operating point on the tune set
by the same rule; numpy inference in ``llm_router.cache.align``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

import numpy as np
import numpy.typing as npt

from train.cache_verifier.build import CACHE, NETS_DIR, TRAIN_FILE
from train.cache_verifier.train import CUT_RULES

F32 = npt.NDArray[np.float32]
LENGTH = 38  # MAX_TOKENS without [CLS] and [SEP]


def padded_states(texts: list[str], states: dict[str, F32]) -> tuple[npt.NDArray[np.float16],
                                                                     F32]:
    out = np.zeros((len(texts), LENGTH, 384), np.float16)
    mask = np.zeros((len(texts), LENGTH), np.float32)
    for i, t in enumerate(texts):
        rows = states[t][:LENGTH]
        out[i, :len(rows)] = rows
        mask[i, :len(rows)] = 1
    return out, mask


def align_data(support_weight: float) -> dict[str, Any]:
    """``train.training_data`` as arrays: every text's padded token states (float16), each
    pair's two text rows, the hand features standardised on the training pairs. Cached
    in .cache/cache_verifier/align-data.npz while train.jsonl and tune.jsonl are unchanged."""
    import hashlib

    from train.cache_verifier.train import TUNE, training_data

    key = hashlib.sha256(TRAIN_FILE.read_bytes() + TUNE.read_bytes()
                         + str(support_weight).encode()).hexdigest()[:16]
    path = CACHE / f"align-data-{key}.npz"
    if path.exists():
        with np.load(path, allow_pickle=False) as npz:
            return {k: npz[k] for k in npz.files}
    d = training_data(support_weight)
    row = {t: i for i, t in enumerate(d["texts"])}
    states, masks = padded_states(d["texts"], d["states"])
    mean = d["x_train"].mean(axis=0)
    scale = np.maximum(d["x_train"].std(axis=0), 1e-6)
    out = {"states": states, "masks": masks, "mean": mean.astype(np.float32),
           "scale": scale.astype(np.float32), "idf": d["idf"],
           "refused": d["refused"], "sources": np.asarray(d["sources"]),
           "w_train": d["w_train"], "y_train": d["y_train"], "y_tune": d["y_tune"]}
    for split in ("train", "tune"):
        pairs = d[f"{split}_pairs"]
        out[f"ia_{split}"] = np.asarray([row[p["a"]] for p in pairs])
        out[f"ib_{split}"] = np.asarray([row[p["b"]] for p in pairs])
        out[f"x_{split}"] = ((d[f"x_{split}"] - mean) / scale).astype(np.float32)
    np.savez(path, **out)
    return out


def init(rng: np.random.Generator, n_features: int, d: int, h: int, top: int
         ) -> dict[str, F32]:
    def glorot(i: int, o: int) -> F32:
        return (rng.normal(0, np.sqrt(2.0 / (i + o)), (i, o))).astype(np.float32)

    return {"proj": glorot(384, d), "comp_w": glorot(4 * d + 1, h),
            "comp_b": np.zeros(h, np.float32), "top_w": glorot(4 * h + n_features, top),
            "top_b": np.zeros(top, np.float32), "out_w": glorot(top, 1),
            "out_b": np.zeros(1, np.float32)}


def make_forward() -> Any:
    import jax
    import jax.numpy as jnp

    def side(p: Any, pa: Any, ma: Any, aligned: Any, cover: Any) -> Any:
        comp = jnp.concatenate([pa, aligned, pa - aligned, pa * aligned, cover[..., None]],
                               axis=-1)
        hid = jax.nn.relu(comp @ p["comp_w"] + p["comp_b"])
        m = ma[..., None]
        mean = (hid * m).sum(axis=1) / jnp.maximum(m.sum(axis=1), 1.0)
        mx = jnp.where(m > 0, hid, 0.0).max(axis=1)  # ReLU output >= 0: 0 is neutral
        return jnp.concatenate([mean, mx], axis=-1)

    def forward(p: Any, a: Any, ma: Any, b: Any, mb: Any, x: Any) -> Any:
        pa, pb = a @ p["proj"], b @ p["proj"]
        scale = 1.0 / np.sqrt(p["proj"].shape[1])
        e = jnp.einsum("nid,njd->nij", pa, pb) * scale
        pair_mask = ma[:, :, None] * mb[:, None, :]
        e = jnp.where(pair_mask > 0, e, -1e9)
        att_a = jax.nn.softmax(e, axis=2)
        att_b = jax.nn.softmax(e, axis=1)
        aligned_a = jnp.einsum("nij,njd->nid", att_a, pb)
        aligned_b = jnp.einsum("nij,nid->njd", att_b, pa)
        sims = jnp.where(pair_mask > 0, jnp.einsum("nid,njd->nij", a, b), -1.0)
        va = side(p, pa, ma, aligned_a, sims.max(axis=2))
        vb = side(p, pb, mb, aligned_b, sims.max(axis=1))
        v = jnp.concatenate([va + vb, jnp.abs(va - vb), x], axis=-1)
        top = jax.nn.relu(v @ p["top_w"] + p["top_b"])
        return (top @ p["out_w"] + p["out_b"])[:, 0]

    return forward


def fit(data: dict[str, Any], args: argparse.Namespace, seed: int) -> tuple[dict[str, F32], Any]:
    import jax
    import jax.numpy as jnp

    jax.config.update("jax_platforms", "cpu")
    forward = make_forward()
    rng = np.random.default_rng(seed)
    params = {k: jnp.asarray(v) for k, v in init(rng, data["x_train"].shape[1], args.dim,
                                                   args.hidden, args.top).items()}

    def loss(p: Any, a: Any, ma: Any, b: Any, mb: Any, x: Any, y: Any) -> Any:
        logit = forward(p, a, ma, b, mb, x)
        nll = jnp.mean(jnp.logaddexp(0.0, logit) - y * logit)
        return nll + args.l2 * sum(jnp.sum(v * v) for k, v in p.items() if k.endswith("w")
                                   or k == "proj")

    grad = jax.jit(jax.value_and_grad(loss))
    predict = jax.jit(forward)
    m = {k: jnp.zeros_like(v) for k, v in params.items()}
    s = {k: jnp.zeros_like(v) for k, v in params.items()}
    states, masks = data["states"], data["masks"]
    ia, ib, x, y = data["ia_train"], data["ib_train"], data["x_train"], data["y_train"]
    weight = data["w_train"] / data["w_train"].sum()
    steps = args.epochs * len(y) // args.batch
    started = time.monotonic()
    for step in range(steps):
        idx = rng.choice(len(y), args.batch, p=weight)
        batch = (states[ia[idx]].astype(np.float32), masks[ia[idx]],
                 states[ib[idx]].astype(np.float32), masks[ib[idx]], x[idx],
                 y[idx].astype(np.float32))
        value, g = grad(params, *batch)
        t = step + 1
        for k in params:  # Adam
            m[k] = 0.9 * m[k] + 0.1 * g[k]
            s[k] = 0.999 * s[k] + 0.001 * g[k] * g[k]
            params[k] = params[k] - args.lr * (m[k] / (1 - 0.9 ** t)) / (
                jnp.sqrt(s[k] / (1 - 0.999 ** t)) + 1e-8)
        if step % 200 == 199:
            print(f"    step {step + 1}/{steps} loss {float(value):.4f} "
                  f"({time.monotonic() - started:.0f} s)", flush=True)
    return {k: np.asarray(v, np.float32) for k, v in params.items()}, predict


def predict_all(predict: Any, params: dict[str, F32], data: dict[str, Any], ia: Any, ib: Any,
                x: F32) -> F32:
    out = []
    for start in range(0, len(ia), 512):
        sl = slice(start, start + 512)
        out.append(np.asarray(predict(params, data["states"][ia[sl]].astype(np.float32),
                                      data["masks"][ia[sl]],
                                      data["states"][ib[sl]].astype(np.float32),
                                      data["masks"][ib[sl]], x[sl])))
    logit = np.concatenate(out)
    return (1.0 / (1.0 + np.exp(-np.clip(logit, -30, 30)))).astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--dim", type=int, default=64)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--top", type=int, default=64)
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--batch", type=int, default=128)
    parser.add_argument("--lr", type=float, default=1e-3)
    parser.add_argument("--l2", type=float, default=1e-5)
    parser.add_argument("--seeds", type=int, default=3, help="nets averaged")
    parser.add_argument("--support-weight", type=float, default=3.0)
    parser.add_argument("--cut-rule", choices=sorted(CUT_RULES), default="all",
                        help="which tune negatives set the operating point "
                             "(train.CUT_RULES); the other rule's cut is printed too")
    parser.add_argument("--reuse", action="store_true",
                        help="the nets of an earlier run (.cache/cache_verifier/align-<seed>.npz)")
    args = parser.parse_args()
    from sklearn.metrics import roc_auc_score

    from llm_router.cache.align import AlignEnsemble, AlignNet
    from train.cache_verifier.pairs import read_jsonl
    from train.cache_verifier.train import TUNE, operating_point, rates, write_artefact

    data = align_data(args.support_weight)
    print(f"train {len(data['y_train'])} pairs, tune {len(data['y_tune'])}", flush=True)
    nets, probs = [], []
    for seed in range(args.seeds):
        path = NETS_DIR / f"align-{seed}.npz"
        if args.reuse and path.exists():
            with np.load(path) as npz:
                params, prob = {k: npz[k] for k in npz.files if k != "tune_prob"}, npz["tune_prob"]
        else:
            params, predict = fit(data, args, seed)
            prob = predict_all(predict, params, data, data["ia_tune"], data["ib_tune"],
                               data["x_tune"])
            np.savez(path, **params, tune_prob=prob)
        print(f"  seed {seed}: tune AUC {roc_auc_score(data['y_tune'], prob):.4f}", flush=True)
        nets.append(AlignNet.from_arrays({**params, "mean": data["mean"],
                                          "scale": data["scale"]}))
        probs.append(prob)
    prob = np.mean(probs, axis=0).astype(np.float32)
    auc = float(roc_auc_score(data["y_tune"], prob))
    prob = np.where(data["refused"], np.float32(0.0), prob)
    cuts = {rule: operating_point(prob, data["y_tune"], list(data["sources"]), limits)
            for rule, limits in CUT_RULES.items()}
    for rule, cut in cuts.items():
        print(f"  {args.seeds} nets: tune AUC {auc:.4f}, cut by rule {rule!r} ({cut:.4f}) "
              f"{rates(prob, data['y_tune'], cut)}", flush=True)
    threshold = cuts[args.cut_rule]
    info = {"kind": "alignment nets (ESIM-style over MiniLM token states, mean probability)",
            "dim": args.dim, "hidden": args.hidden, "top": args.top, "members": args.seeds,
            "epochs": args.epochs, "tune_auc": round(auc, 4)}
    write_artefact(AlignEnsemble(tuple(nets)), data["idf"], threshold, info, prob,
                   read_jsonl(TUNE), len(data["y_train"]), CUT_RULES[args.cut_rule])


if __name__ == "__main__":
    main()
