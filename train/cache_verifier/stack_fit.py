"""Does a fitted combination of the lookup's scores beat the fixed sum? (issue 13, session 11)

    OMP_NUM_THREADS=1 .venv/bin/python -m train.cache_verifier.stack_fit          # dump + fit
    OMP_NUM_THREADS=1 .venv/bin/python -m train.cache_verifier.stack_fit --reuse  # fit only

The shipped verdict is ``cache.cross.stack``: sigmoid(logit p_cross + logit p_nets), no
fitted weight, cut 0.874. Neither model was trained on heldout9..13 (the decision sets), so
their per-pair scores there are honest inputs for a small second-stage fit. Step 1 (the
dump) runs every pair of those sets through the shipped lookup at the loosest setting, as
``bench/cache_losses.py`` does (``probe``: which stage decides it), and keeps, for the
pairs the model judges at the shipped floor, logit p_cross, logit p_nets (checked against
the lookup's own stacked probability), the cosine, cheap pair features and the
cross-encoder's pooled [CLS]+mean vector (the 768 numbers its head reads). Step 2 fits
logistic regressions of growing richness, each scored leave-one-set-out: fit on four sets,
cut chosen on those four so that their pooled false hits through the whole lookup (the
respelling check's false hits included) are <= ``LIMIT``, then the fifth set scored
through the whole lookup at that cut. The fixed sum is scored the same way (its cut also
chosen on the four). Support-style pairs are those written in a ``src/p_s_*`` file.
Writes ``bench/results/stack-fit-session11.json``; the per-pair dump stays in
``bench/results/local/`` (gitignored).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from llm_router.cache.fitted_stack import FEATURES, pair_row
from train.cache_verifier.pairs import read_jsonl

ROOT = Path(__file__).resolve().parents[2]
SETS = tuple(f"heldout{n}" for n in range(9, 14))
DUMP = ROOT / "bench" / "results" / "local" / "stack-fit-pairs.npz"
PUBLIC = "pairs"  # bench/cache_pairs/heldout.jsonl: a measurement only, never fitted on
PUBLIC_DUMP = ROOT / "bench" / "results" / "local" / "stack-fit-public.npz"
OUT = ROOT / "bench" / "results" / "stack-fit-session11.json"
LIMIT = 0.0075  # pooled false hits allowed on the four fitting sets
FLOOR = 0.5  # ``CacheConfig.verifier_floor``
F64 = npt.NDArray[np.float64]


def traffic(folder: Path) -> list[str]:
    """Each pair's traffic ("support" / "general") in the set's order, read the way its
    ``src/build.py`` numbers them: ``p_*.txt`` sorted by name, blank and # lines skipped."""
    out = []
    for file in sorted((folder / "src").glob("p_*.txt")):
        kind = "support" if file.name.startswith("p_s_") else "general"
        out += [kind for line in file.read_text(encoding="utf-8").splitlines()
                if line.strip() and not line.lstrip().startswith("#")]
    return out


def load_pairs(names: tuple[str, ...]) -> list[dict[str, Any]]:
    pairs = []
    for name in names:
        if name == PUBLIC:  # Quora's held-out components and the support file (by source)
            rows = read_jsonl(ROOT / "bench" / "cache_pairs" / "heldout.jsonl")
            pairs += [{"set": f"pairs:{r['source']}", "id": str(n),
                       "traffic": "support" if r["source"].startswith("support") else "general",
                       **r} for n, r in enumerate(rows)]
            continue
        folder = ROOT / "data" / name
        rows = read_jsonl(folder / "cache_pairs.jsonl")
        kinds = traffic(folder)
        if len(kinds) != len(rows):
            raise SystemExit(f"{folder}: {len(kinds)} source lines for {len(rows)} pairs")
        pairs += [{"set": name, "traffic": t, **r} for r, t in zip(rows, kinds, strict=True)]
    return pairs


def logit(p: Any) -> Any:
    p = np.clip(np.asarray(p, np.float64), 1e-6, 1 - 1e-6)
    return np.log(p) - np.log1p(-p)


def pooled(encoder: Any, pairs: list[tuple[str, str]]) -> tuple[F64, F64, F64]:
    """The cross-encoder's head input ([CLS] row and mean of the last layer), its logit and
    the word pieces it reads of each side (cached, query; at most ``max_side_tokens``) for
    each (query, cached) pair: ``CrossEncoder.probabilities`` up to the head."""
    from llm_router.cache.cross import shared_numbers

    if encoder.order != "query_first":  # the head input of one reading only
        raise SystemExit(f"cross.json order {encoder.order!r}: the dump reads query_first only")
    if encoder.numbers == "shared":
        pairs = [shared_numbers(q, c) for q, c in pairs]
    texts = list(dict.fromkeys(t for pair in pairs for t in pair))
    side = dict(zip(texts, encoder.side_ids(texts), strict=True))
    encoded = [encoder.pair_ids(side[q], side[c]) for q, c in pairs]
    vectors = np.zeros((len(pairs), 2 * encoder._embedder.dim))
    for start in range(0, len(pairs), 32):
        chunk = encoded[start:start + 32]
        length = max(len(ids) for ids, _ in chunk)
        ids = np.zeros((len(chunk), length), np.int64)
        types = np.zeros_like(ids)
        mask = np.zeros((len(chunk), length), np.float32)
        for row, (i, t) in enumerate(chunk):
            ids[row, :len(i)], types[row, :len(t)], mask[row, :len(i)] = i, t, 1.0
        h = encoder.hidden(ids, types, mask)
        mean = np.einsum("btd,bt->bd", h, mask) / mask.sum(axis=1, keepdims=True)
        vectors[start:start + len(chunk)] = np.concatenate([h[:, 0], mean], axis=1)
    sides = np.asarray([[len(side[c]), len(side[q])] for q, c in pairs], np.float64)
    return vectors, vectors @ encoder._head_w + encoder._head_b, sides


def dump(names: tuple[str, ...], path: Path) -> None:
    """Every pair's stage through the shipped lookup and, where the model judges it,
    its scores and features (see the module's docstring)."""
    from llm_router.cache.cross import CrossVerifier
    from llm_router.cache.fitted_stack import word_jaccard
    from llm_router.cache.policy import MatchPolicy
    from llm_router.cache.probe import probe
    from llm_router.cache.verifier import shared_verifier
    from llm_router.embedding.minilm import shared_embedder

    pairs = load_pairs(names)
    embedder = shared_embedder()
    verifier = shared_verifier("cross")
    if not isinstance(verifier, CrossVerifier) or verifier.nets is None:
        raise SystemExit("the shipped verifier is not the cross-encoder stacked on the nets")
    texts = list(dict.fromkeys(t for p in pairs for t in (p["a"], p["b"])))
    print(f"embedding {len(texts)} texts", flush=True)
    vec = dict(zip(texts, embedder.embed(texts), strict=True))
    loose = MatchPolicy(0.0, True, verifier, 0.0, spelling=True)
    n = len(pairs)
    stage = np.empty(n, "U10")
    similarity, p_lookup, p_nets = np.zeros(n), np.full(n, np.nan), np.full(n, np.nan)
    for i, pair in enumerate(pairs):
        if i % 500 == 0:
            print(f"  probed {i}/{n}", flush=True)
            verifier.score_pairs([(p["b"], p["a"]) for p in pairs[i:i + 500]])
        r = probe(pair["a"], vec[pair["a"]], pair["b"], vec[pair["b"]], loose)
        similarity[i] = r.similarity
        if r.respelling is not None:
            stage[i] = "respelling"
        elif r.refused_by in ("numbers", "one_word"):
            stage[i] = r.refused_by
        elif r.similarity < FLOOR:
            stage[i] = "floor"
        else:
            stage[i] = "model"
        if stage[i] in ("model", "floor"):
            p_lookup[i] = r.probability
            p_nets[i] = verifier.nets.probability(pair["a"], pair["b"], r.similarity)
    print("pooled vectors", flush=True)
    vectors, logit_c, sides = pooled(verifier.encoder, [(p["b"], p["a"]) for p in pairs])
    judged = ~np.isnan(p_lookup)
    # The lookup's own probability must be the fixed sum of the two logits read here.
    again = 1 / (1 + np.exp(-(logit(1 / (1 + np.exp(-logit_c))) + logit(p_nets))))
    worst = float(np.max(np.abs(again[judged] - p_lookup[judged])))
    if worst > 2e-3:
        raise SystemExit(f"the dumped logits do not give the lookup's probability ({worst})")
    overlap = np.asarray([word_jaccard(p["a"], p["b"]) for p in pairs])
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(
        path, set=np.asarray([p["set"] for p in pairs]), id=np.asarray([p["id"] for p in pairs]),
        kind=np.asarray([p["kind"] for p in pairs]), label=np.asarray([p["label"] for p in pairs]),
        traffic=np.asarray([p["traffic"] for p in pairs]), stage=stage, similarity=similarity,
        logit_c=logit_c, logit_n=logit(p_nets), p_lookup=p_lookup,
        sides=sides, overlap=overlap, pooled=vectors.astype(np.float32),
        max_side=np.asarray(verifier.encoder.max_side_tokens))
    print(f"wrote {path} ({n} pairs, {int(judged.sum())} judged; worst |dp| {worst:.1e})")


RICH = FEATURES
# Feature groups left out of ``b`` one at a time (exploratory: what carries the gain).
ABLATIONS = {"cosine": ("cosine",), "lengths": RICH[3:8], "overlap": ("word_jaccard",)}


def rich(d: dict[str, Any]) -> F64:
    """Each pair's ``FEATURES`` row as the runtime builds it (``fitted_stack.pair_row``):
    the cross-encoder's probability as float32, as its pass returns it; zeros for the
    pairs the model does not judge."""
    out = np.zeros((len(d["label"]), len(RICH)))
    p_cross = (1 / (1 + np.exp(-np.clip(d["logit_c"], -30, 30)))).astype(np.float32)
    p_nets = 1 / (1 + np.exp(-d["logit_n"]))
    max_side = int(d["max_side"])
    for i in np.flatnonzero(~np.isnan(d["logit_n"])):
        out[i] = pair_row(float(p_cross[i]), float(p_nets[i]), float(d["similarity"][i]),
                          int(d["sides"][i, 0]), int(d["sides"][i, 1]), max_side,
                          float(d["overlap"][i]))
    return out


def features(d: dict[str, Any], variant: str) -> F64:
    """The design matrix of a variant (no intercept column; ``fit`` adds it): ``sum`` and
    ``a`` the two logits, ``b`` the ``RICH`` columns (``b-<group>``: without an
    ``ABLATIONS`` group), ``c`` those and the pooled vector."""
    x = d["rich"]
    base, _, dropped = variant.partition("-")
    keep = [i for i, n in enumerate(RICH) if base in ("b", "c") and n not in
            ABLATIONS.get(dropped, ()) or n in RICH[:2]]
    return np.column_stack([x[:, keep], d["pooled"]]) if base == "c" else x[:, keep]


def fit(x: F64, y: F64, l2: float, iterations: int = 50) -> tuple[F64, F64, F64]:
    """L2-penalised logistic regression by Newton's method on standardised columns (the
    intercept not penalised). Returns (weights on the raw columns, bias, -)."""
    mu, sd = x.mean(0), x.std(0) + 1e-9
    z = np.column_stack([np.ones(len(x)), (x - mu) / sd])
    w = np.zeros(z.shape[1])
    pen = np.full(z.shape[1], l2)
    pen[0] = 0.0
    for _ in range(iterations):
        p = 1 / (1 + np.exp(-np.clip(z @ w, -30, 30)))
        grad = z.T @ (p - y) + pen * w
        hess = (z * (p * (1 - p))[:, None]).T @ z + np.diag(pen) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.max(np.abs(step)) < 1e-8:
            break
    raw = w[1:] / sd
    return raw, np.asarray(w[0] - raw @ mu), mu


def operating(score: F64, d: dict[str, Any], rows: npt.NDArray[np.bool_],
              limit: float = LIMIT) -> float:
    """The lowest cut at which the rows' pooled false hits through the whole lookup
    (respelled negatives always hit) stay <= ``limit``."""
    neg = rows & (d["label"] == 0)
    allowed = int(np.floor(limit * neg.sum())) - int((neg & (d["stage"] == "respelling")).sum())
    judged = np.sort(score[neg & (d["stage"] == "model")])[::-1]
    if allowed < 0:
        return float("inf")
    if allowed >= len(judged):
        return float("-inf")
    return float(np.nextafter(judged[allowed], np.inf))


def rates(hit: npt.NDArray[np.bool_], d: dict[str, Any], rows: npt.NDArray[np.bool_]
          ) -> dict[str, Any]:
    pos, neg = rows & (d["label"] == 1), rows & (d["label"] == 0)
    return {"recall": round(float(hit[pos].mean()), 4), "hits": int(hit[pos].sum()),
            "positives": int(pos.sum()), "false_hits": round(float(hit[neg].mean()), 4),
            "passed": int(hit[neg].sum()), "negatives": int(neg.sum())}


def loso(d: dict[str, Any], variant: str, l2: float, limit: float = LIMIT) -> dict[str, Any]:
    """Leave one set out: fit (not for ``sum``) and cut on four, score the fifth."""
    x = features(d, variant)
    hit = d["stage"] == "respelling"
    cuts = {}
    for held in SETS:
        train = d["set"] != held
        if variant.startswith("sum"):
            score = x.sum(1)
        else:
            fitted = train & (d["stage"] == "model")
            w, b, _ = fit(x[fitted], d["label"][fitted].astype(np.float64), l2)
            score = x @ w + b
        cut = operating(score, d, train, limit)
        cuts[held] = round(cut, 4)
        rows = d["set"] == held
        hit = np.where(rows, (d["stage"] == "respelling")
                       | ((d["stage"] == "model") & (score >= cut)), hit)
    every = np.ones(len(hit), bool)
    support = d["traffic"] == "support"
    return {"cuts": cuts, "pooled": rates(hit, d, every),
            "support": rates(hit, d, support), "general": rates(hit, d, ~support),
            "by_set": {s: rates(hit, d, d["set"] == s) for s in SETS},
            "by_set_support": {s: rates(hit, d, (d["set"] == s) & support) for s in SETS},
            "lost_by_kind": _kinds(hit, d)}


def _kinds(hit: npt.NDArray[np.bool_], d: dict[str, Any]) -> dict[str, str]:
    return {k: f"{int(hit[d['kind'] == k].sum())}/{int((d['kind'] == k).sum())}"
            for k in sorted(set(d["kind"].tolist()))}


# name: (variant, L2 weight on standardised columns). ``b`` is the one to adopt or not;
# ``c`` (the pooled vector) at three strengths; ``b-*`` are ablations (exploratory).
VARIANTS = {"sum": ("sum", 0.0), "a": ("a", 1.0), "b": ("b", 1.0),
            **{f"b-{g}": (f"b-{g}", 1.0) for g in ABLATIONS},
            "c_l2_100": ("c", 100.0), "c_l2_1000": ("c", 1000.0), "c_l2_10000": ("c", 10000.0)}
SWEEP = (0.005, 0.0075, 0.01, 0.0125)  # pooled false-hit limits on the four (a curve)


def final(d: dict[str, Any], variant: str, l2: float) -> dict[str, Any]:
    """The variant fitted on all five sets, its cut chosen on all five (what would ship)."""
    x = features(d, variant)
    fitted = d["stage"] == "model"
    w, b, _ = fit(x[fitted], d["label"][fitted].astype(np.float64), l2)
    score = x @ w + b
    every = np.ones(len(score), bool)
    cut = operating(score, d, every)
    hit = (d["stage"] == "respelling") | ((d["stage"] == "model") & (score >= cut))
    return {"features": list(RICH), "weights": [round(float(v), 6) for v in w],
            "bias": round(float(b), 6), "cut_logit": round(cut, 6),
            "threshold": round(float(1 / (1 + np.exp(-cut))), 6),
            "fitted_on_all_five_seen": rates(hit, d, every)}


def shipped(d: dict[str, Any], cut: float) -> dict[str, Any]:
    """The fixed sum at the shipped cut (no refit, no LOSO): the reference."""
    score = d["logit_c"] + d["logit_n"]
    hit = (d["stage"] == "respelling") | ((d["stage"] == "model") & (score >= cut))
    support = d["traffic"] == "support"
    return {"cut_logit": round(cut, 4), "pooled": rates(hit, d, np.ones(len(hit), bool)),
            "support": rates(hit, d, support),
            "by_set": {s: rates(hit, d, d["set"] == s) for s in SETS}}


def measure(d: dict[str, Any], public: dict[str, Any], cut: float) -> dict[str, Any]:
    """The public pairs (``PUBLIC``) through the lookup with the shipped sum at its cut and
    with ``b`` as fitted on the five sets at its cut: a measurement, nothing chosen on it."""
    w, b, _ = fit(features(d, "b")[d["stage"] == "model"],
                  d["label"][d["stage"] == "model"].astype(np.float64), 1.0)
    cut_b = operating(features(d, "b") @ w + b, d, np.ones(len(d["label"]), bool))
    out = {}
    for name, score, at in (("sum", public["rich"][:, :2].sum(1), cut),
                            ("b", public["rich"] @ w + b, cut_b)):
        hit = (public["stage"] == "respelling") | ((public["stage"] == "model") & (score >= at))
        out[name] = {s: rates(hit, public, public["set"] == s)
                     for s in sorted(set(public["set"].tolist()))}
    return out


def write_candidate(directory: Path, fitted: dict[str, Any]) -> None:
    """The shipped cross-encoder with ``fitted`` as its combination (``--candidate``)."""
    import shutil

    from llm_router.cache.cross import ARTEFACT_DIR, META, WEIGHTS

    directory.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(ARTEFACT_DIR / WEIGHTS, directory / WEIGHTS)
    meta = json.loads((ARTEFACT_DIR / META).read_text(encoding="utf-8"))
    meta["combine"] = "fitted"
    meta["stack"] = {k: fitted[k] for k in ("features", "weights", "bias", "threshold")}
    (directory / META).write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    print(f"wrote the candidate into {directory}")


# A check written after b's weights were read (not a score, nothing fitted on it): a
# question and the same question asking more, a kind of negative the five sets lack.
ASKS_MORE = (
    ("how do I reset my password",
     "how do I reset my password and also change the email address on my account"),
    ("what is your refund policy",
     "what is your refund policy for items bought on sale during the black friday event"),
    ("how do I cancel my subscription",
     "how do I cancel my subscription and get a refund for the months I did not use"),
    ("can I change my flight",
     "can I change my flight to a different airline partner and keep my seat upgrade"),
    ("what are your opening hours", "what are your opening hours on public holidays in Scotland"),
    ("how do I export my data",
     "how do I export my data to CSV and schedule it to run every night automatically"),
    ("is there a monthly fee",
     "is there a monthly fee if my balance drops under the minimum for two months in a row"),
    ("how do I add a user", "how do I add a user with admin rights who can only see billing"),
    ("what does error 502 mean",
     "what does error 502 mean when it only happens behind our load balancer after a deploy"),
    ("how long does delivery take",
     "how long does delivery take to the Canary Islands, and are customs duties included"),
    ("explain recursion",
     "explain recursion in Python with an example that computes a factorial and show its stack"),
    ("what is a Roth IRA",
     "what is a Roth IRA and how does it compare to a 401k for someone earning over the limit"),
)


def asks_more(candidate: Path) -> dict[str, Any]:
    """``ASKS_MORE`` both ways through the lookup with the shipped sum and the candidate."""
    from llm_router.cache.cross import load_cross_verifier
    from llm_router.cache.policy import MatchPolicy
    from llm_router.cache.probe import probe
    from llm_router.cache.verifier import load_verifier
    from llm_router.embedding.minilm import shared_embedder

    embedder = shared_embedder()
    nets = load_verifier(model_kind="nets")
    pairs = [pair for a, b in ASKS_MORE for pair in ((a, b), (b, a))]
    vectors = dict(zip([t for pair in pairs for t in pair],
                       embedder.embed([t for pair in pairs for t in pair]), strict=True))
    out = {}
    for name, directory in (("sum", None), ("b", candidate)):
        verifier = load_cross_verifier(embedder, directory)
        verifier.stack_on(nets)
        policy = MatchPolicy(FLOOR, True, verifier, verifier.threshold, spelling=True)
        found = [probe(c, vectors[c], q, vectors[q], policy) for c, q in pairs]
        out[name] = {"hits": sum(r.hit for r in found), "pairs": len(found),
                     "p": [None if r.probability is None else round(r.probability, 3)
                           for r in found]}
        print(f"asks more, {name}: {out[name]}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--reuse", action="store_true", help="fit on the dump already made")
    parser.add_argument("--dump", type=Path, default=DUMP)
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument("--candidate", type=Path, default=None,
                        help="write the shipped cross.npz and a cross.json selecting b as "
                             "fitted on the five sets (combine: fitted) into this directory, "
                             "for the benchmarks' --cross-dir")
    parser.add_argument("--public", action="store_true",
                        help="also measure the public pairs (bench/cache_pairs/heldout.jsonl) "
                             "with the sum and with b; nothing is fitted or chosen on them")
    args = parser.parse_args()
    if not args.reuse:
        dump(SETS, args.dump)
    with np.load(args.dump, allow_pickle=False) as npz:
        d = {k: npz[k] for k in npz.files}
    d["rich"] = rich(d)
    from llm_router.cache.cross import ARTEFACT_DIR, META

    cut = float(logit(json.loads((ARTEFACT_DIR / META).read_text())["threshold"]))
    report = {name: loso(d, v, l2) for name, (v, l2) in VARIANTS.items()}
    sweep = {name: {f"{limit:.4f}": loso(d, name, VARIANTS[name][1], limit)["pooled"]
                    for limit in SWEEP} for name in ("sum", "a", "b")}
    result: dict[str, Any] = {
        "command": "OMP_NUM_THREADS=1 .venv/bin/python -m train.cache_verifier.stack_fit",
        "sets": list(SETS), "limit": LIMIT, "floor": FLOOR,
        "judged_pairs": int((d["stage"] == "model").sum()),
        "stages": {s: int((d["stage"] == s).sum()) for s in sorted(set(d["stage"]))},
        "variants": {"sum": "logit_c + logit_n (the shipped combination), cut on four",
                     "a": "a*logit_c + b*logit_n + c",
                     "b": "fitted over " + ", ".join(RICH),
                     "b-<group>": f"b without a group ({ABLATIONS})",
                     "c": "b + the cross-encoder's pooled 768-d head input; the suffix "
                          "is the L2 weight on standardised columns"},
        "l2": {k: v[1] for k, v in VARIANTS.items()},
        "shipped_sum_at_shipped_cut": shipped(d, cut),
        "loso": report, "loso_sweep": sweep, "final_b": final(d, "b", 1.0)}
    if args.candidate is not None:
        write_candidate(args.candidate, result["final_b"])
        result["asks_more"] = asks_more(args.candidate)
    if args.public:
        if not (args.reuse and PUBLIC_DUMP.exists()):
            dump((PUBLIC,), PUBLIC_DUMP)
        with np.load(PUBLIC_DUMP, allow_pickle=False) as npz:
            public = {k: npz[k] for k in npz.files}
        public["rich"] = rich(public)
        result["public_measurement"] = measure(d, public, cut)
        for name, by in result["public_measurement"].items():
            print(name, {s: (r["recall"], r["false_hits"]) for s, r in by.items()})
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print("| variant | pooled recall / FH | support | general | " + " | ".join(SETS) + " |")
    print("|---" * (4 + len(SETS)) + "|")
    for name, r in report.items():
        cells = [f"{r[k]['recall']:.1%} / {r[k]['false_hits']:.2%} ({r[k]['passed']})"
                 for k in ("pooled", "support", "general")]
        cells += [f"{r['by_set'][s]['recall']:.1%} / {r['by_set'][s]['false_hits']:.2%}"
                  for s in SETS]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print("\nLOSO pooled recall / false hits as the limit on the four moves\n")
    print("| limit | " + " | ".join(sweep) + " |\n" + "|---" * (1 + len(sweep)) + "|")
    for limit in SWEEP:
        key = f"{limit:.4f}"
        print(f"| {limit:.2%} | " + " | ".join(
            f"{sweep[n][key]['recall']:.1%} / {sweep[n][key]['false_hits']:.2%} "
            f"({sweep[n][key]['passed']})" for n in sweep) + " |")
    print(f"\nfinal b: {json.dumps(result['final_b'])}\nwrote {args.out}")


if __name__ == "__main__":
    main()
