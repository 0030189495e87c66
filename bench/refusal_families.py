"""What S5 refuses, by the pair's shape (session 27, i12's third job; exploration, decides nothing).

Joins S5's bench/cache_losses.py rows on seen sets (verdicts by ``cache_losses.stage`` at floor
0.5 and cut 0.916959) with each pair's shape and counts, per shape bucket, the positives S5
finds, the ones it refuses (at the verifier, at the floor, at another check) and the negatives
it scores p >= 0.5; then counts the training pairs of S6's bundle (prepare --rule session26,
the texts S6 trained on) in the same buckets, with their labels.

A pair's shape: the writer's kind; words of each text (the longer's band) and their ratio
(longer / shorter); the MiniLM cosine (a row's ``similarity``; for the bundle, a seeded sample's
cosine from ``bundle-cosine``); word overlap (Jaccard of the two texts' content words: lower-case
word tokens less a stop-word list); numbers (a digit in either text), names (a capitalised word
not first in its sentence, not "I", in either), codes (a token with letters and digits, or
``x.y`` / ``x_y`` / ``x/y`` / ``x:y`` / ``f()`` / a backtick, in either); support or general
(the writer's ``p_s_`` / ``p_g_`` source file in the set's ``src/``).

    labels   S6's bundle's labels: cross_continue.collect as prepare --rule session26 ran it
             (seed 12, --qqp-replay 12000, no hard negatives), checked text for text against
             bundle-probe.jsonl's prefix; the rest of the probe is the Quora hard negatives then
             the 4,500 mined negatives (label 0, prepare's order)
    cosine   MiniLM cosine of a random.Random(27) sample of the bundle's pairs
    run      the tables, the families and the examples (one JSON)
"""

from __future__ import annotations

import argparse
import json
import random
import re
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from cache_losses import stage
from run_record import run_record

FLOOR, CUT = 0.5, 0.916959
SEED = 27
HELDOUT = Path("/work")  # /work/heldout<n>/src/p_<s|g>_<theme>.txt
STOP = frozenset(re.split(r"\s+", """a an the and or but if then so of to in on at by for with
from into onto about as is are was were be been being am do does did doing have has had having
i me my mine we us our
you your yours he she it its they them their this that these those there here what which who whom
whose when where why how can could would should will shall may might must not no yes any some all
each every one ones just only also too very more most less than again out up down over under off
s t d ll m re ve get got please pls i'm it's don't what's how's can't there's i'd i've""".strip()))
WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
CODE = re.compile(r"\b(?=[\w-]*[A-Za-z])(?=[\w-]*\d)[\w-]{2,}\b|\w[_./:]\w|\w\(\)|`")
SENTENCE = re.compile(r"(?:^|[.!?]\s+)(\S+)")

COSINE = (0.5, 0.6, 0.7, 0.8, 0.9)
OVERLAP = (0.2, 0.4, 0.6, 0.8)
RATIO = (1.5, 2.0, 3.0)
LONGER = (8, 15, 30)


def band(x: float, edges: tuple[float, ...], fmt: str = "{:g}") -> str:
    """The band of ``x`` among ``edges`` ("<e0", "e0-e1", ..., ">=en")."""
    if x < edges[0]:
        return "<" + fmt.format(edges[0])
    for lo, hi in zip(edges, edges[1:], strict=False):
        if x < hi:
            return fmt.format(lo) + "-" + fmt.format(hi)
    return ">=" + fmt.format(edges[-1])


def content(text: str) -> set[str]:
    return {w for w in WORD.findall(text.lower()) if w not in STOP}


def overlap(a: str, b: str) -> float:
    """Jaccard of the two texts' content words (0 when neither has one)."""
    ca, cb = content(a), content(b)
    return len(ca & cb) / len(ca | cb) if ca | cb else 0.0


def has_name(text: str) -> bool:
    firsts = {m.start(1) for m in SENTENCE.finditer(text)}
    for m in re.finditer(r"\S+", text):
        word = m.group().strip("\"'([{")
        if (m.start() not in firsts and word[:1].isupper() and word != "I"
                and not word.startswith("I'")):
            return True
    return False


def shape(a: str, b: str, cosine: float | None) -> dict[str, Any]:
    wa, wb = len(a.split()), len(b.split())
    ratio = max(wa, wb) / max(1, min(wa, wb))
    ov = overlap(a, b)
    ta, tb = Counter(WORD.findall(a.lower())), Counter(WORD.findall(b.lower()))
    swap = sum(((ta - tb) + (tb - ta)).values())
    return {
        "longer": band(max(wa, wb), LONGER), "ratio": band(ratio, RATIO),
        "cosine": None if cosine is None else band(cosine, COSINE),
        "overlap": band(ov, OVERLAP), "swap": band(swap, SWAP, "{:d}"),
        "numbers": bool(re.search(r"\d", a + " " + b)),
        "names": has_name(a) or has_name(b),
        "codes": bool(CODE.search(a) or CODE.search(b)),
        "_ratio": round(ratio, 3), "_overlap": round(ov, 3)}


def traffic_of(sets: set[str], root: Path | None = None) -> dict[tuple[str, str, str], str]:
    """(set, a, b) -> "support" / "general", from each set's p_<s|g>_ source files."""
    root = HELDOUT if root is None else root
    out: dict[tuple[str, str, str], str] = {}
    for s in sorted(sets):
        for f in sorted((root / s / "src").glob("p_*.txt")):
            traffic = "support" if f.name.startswith("p_s_") else "general"
            for line in f.read_text(encoding="utf-8").splitlines():
                if not line.strip() or line.lstrip().startswith("#"):
                    continue
                parts = line.split(" || ")
                if len(parts) == 3:
                    a, b = (p.strip().replace("\\n", "\n") for p in parts[1:])
                    out[(s, a, b)] = traffic
    return out


def read_jsonl(path: Path | str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in Path(path).read_text(encoding="utf-8").splitlines()
            if line.strip()]


def outcome(row: dict[str, Any]) -> str | None:
    """found / refused:<stage> for a positive, false_hit / near (p >= 0.5) for a negative,
    None for any other negative."""
    where, hit = stage(row, FLOOR, CUT)
    if row["label"]:
        return "found" if hit else f"refused:{where}"
    if hit:
        return "false_hit"
    return "near" if row["p"] is not None and row["p"] >= 0.5 else None


DIMENSIONS = ("set", "kind", "traffic", "longer", "ratio", "cosine", "overlap", "swap", "numbers",
              "names", "codes")
SWAP = (1, 2, 3, 5, 9)


def seen_table(rows: list[dict[str, Any]], dim: str) -> list[dict[str, Any]]:
    cells: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        c = cells[str(r[dim])]
        if r["label"]:
            c["positives"] += 1
            c[r["outcome"]] += 1
            c["refused"] += r["outcome"] != "found"
        else:
            c["negatives"] += 1
            if r["outcome"]:
                c[r["outcome"]] += 1
    out = []
    for key, c in cells.items():
        pos = c["positives"]
        out.append({dim: key, "positives": pos, "found": c["found"], "refused": c["refused"],
                    "refused_verifier": c["refused:verifier"], "refused_floor": c["refused:floor"],
                    "refused_other": c["refused"] - c["refused:verifier"] - c["refused:floor"],
                    "refusal_rate": round(c["refused"] / pos, 4) if pos else None,
                    "negatives": c["negatives"], "near": c["near"], "false_hits": c["false_hit"]})
    return sorted(out, key=lambda x: -x["refused"])


def bundle_table(rows: list[dict[str, Any]], dim: str, scale: float = 1.0) -> dict[str, Any]:
    cells: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        cells[str(r[dim])]["pos" if r["label"] else "neg"] += 1
    return {k: {"pos": round(v["pos"] * scale), "neg": round(v["neg"] * scale),
                "pos_share": round(v["pos"] / (v["pos"] + v["neg"]), 4)}
            for k, v in sorted(cells.items())}


def family(r: dict[str, Any]) -> str:
    return f"{r['kind']} | cos {r['cosine']} | overlap {r['overlap']}"


def shapekey(r: dict[str, Any]) -> str:
    return f"cos {r['cosine']} | overlap {r['overlap']}"


def run(args: argparse.Namespace) -> dict[str, Any]:
    started = time.process_time()
    rows = [r for p in args.rows for r in read_jsonl(p)]
    traffic = traffic_of({r["set"] for r in rows})
    seen = []
    for r in rows:
        o = outcome(r)
        seen.append({"set": r["set"], "id": r["id"], "kind": r["kind"], "label": r["label"],
                     "a": r["a"], "b": r["b"], "p": r["p"], "similarity": r["similarity"],
                     "outcome": o, "traffic": traffic.get((r["set"], r["a"], r["b"]), "unknown"),
                     **shape(r["a"], r["b"], r["similarity"])})
    bundle = read_jsonl(args.bundle)
    cos = {d["i"]: d["cosine"] for d in read_jsonl(args.bundle_cosine)}
    hand = re.compile(r"^(heldout|train)\d")
    btrain: list[dict[str, Any]] = []
    for i, b in enumerate(bundle):
        btrain.append({"label": b["label"], "source": b["source"], "set": b["source"],
                       "kind": b["kind"] if hand.match(b["source"]) else b["source"],
                       "hand": bool(hand.match(b["source"])), "i": i,
                       **shape(b["a"], b["b"], cos.get(i))})
    sample = [b for b in btrain if b["cosine"] is not None]
    scale = len(btrain) / len(sample)
    pos = [r for r in seen if r["label"]]
    refused = [r for r in pos if r["outcome"] != "found"]
    tables = {d: seen_table(seen, d) for d in DIMENSIONS}
    btables = {d: bundle_table(sample if d == "cosine" else btrain, d,
                               scale if d == "cosine" else 1.0)
               for d in DIMENSIONS if d not in ("traffic", "set")}
    # Families: kind x cosine band x overlap band, ranked by refusals.
    fam: dict[str, Counter[str]] = defaultdict(Counter)
    for r in seen:
        c = fam[family(r)]
        c["positives" if r["label"] else "negatives"] += 1
        if r["outcome"]:
            c[r["outcome"].split(":")[0]] += 1
            if r["outcome"].startswith("refused:"):
                c[r["outcome"]] += 1
    bfam: dict[str, Counter[str]] = defaultdict(Counter)
    bshape: dict[str, Counter[str]] = defaultdict(Counter)
    for b in sample:
        bfam[family(b)]["pos" if b["label"] else "neg"] += 1
        bshape[shapekey(b)]["pos" if b["label"] else "neg"] += 1
        if b["hand"]:
            bshape[shapekey(b)]["hand_pos" if b["label"] else "hand_neg"] += 1
    kov: Counter[tuple[str, str, int]] = Counter()
    for b in btrain:
        kov[(b["kind"], b["overlap"], b["label"])] += 1
    kinds = Counter((b["kind"], b["label"]) for b in btrain)
    sshape: dict[str, Counter[str]] = defaultdict(Counter)
    for r in seen:
        c = sshape[shapekey(r)]
        c["pos" if r["label"] else "neg"] += 1
        c["refused"] += r["label"] and r["outcome"] != "found"
    families = []
    for key, c in fam.items():
        if not c["refused"]:
            continue
        kind = key.split(" | ")[0]
        sk = key.split(" | ", 1)[1]
        bf, bs = bfam.get(key, Counter()), bshape.get(sk, Counter())
        families.append({
            "family": key, "positives": c["positives"], "found": c["found"],
            "refused": c["refused"], "refused_verifier": c["refused:verifier"],
            "refused_floor": c["refused:floor"],
            "refusal_rate": round(c["refused"] / c["positives"], 4),
            "share_of_refusals": round(c["refused"] / len(refused), 4),
            "bundle_kind_pos": kinds[(kind, 1)],
            "bundle_kind_overlap_pos": kov[(kind, key.split(" | ")[2][8:], 1)],
            "bundle_same_kind_pos_est": round(bf["pos"] * scale),
            "bundle_same_kind_pos_share_of_bundle_pos": round(
                bf["pos"] / max(1, sum(b["label"] for b in sample)), 4),
            "bundle_shape_pos_est": round(bs["pos"] * scale),
            "bundle_shape_neg_est": round(bs["neg"] * scale),
            "bundle_shape_hand_neg_est": round(bs["hand_neg"] * scale),
            "bundle_shape_pos_share": round(bs["pos"] / max(1, bs["pos"] + bs["neg"]), 4),
            "seen_shape_pos_share": round(sshape[sk]["pos"] / max(
                1, sshape[sk]["pos"] + sshape[sk]["neg"]), 4),
            "kind": kind})
    families.sort(key=lambda f: -f["refused"])
    shapes = []
    for sk in sorted(set(bshape) | set(sshape)):
        bs, ss = bshape.get(sk, Counter()), sshape.get(sk, Counter())
        shapes.append({"shape": sk, "seen_pos": ss["pos"], "seen_neg": ss["neg"],
                       "seen_refused": ss["refused"],
                       "bundle_pos_est": round(bs["pos"] * scale),
                       "bundle_neg_est": round(bs["neg"] * scale),
                       "bundle_hand_pos_est": round(bs["hand_pos"] * scale),
                       "bundle_hand_neg_est": round(bs["hand_neg"] * scale),
                       "bundle_sample_n": bs["pos"] + bs["neg"],
                       "bundle_pos_share": round(bs["pos"] / max(1, bs["pos"] + bs["neg"]), 4),
                       "seen_pos_share": round(ss["pos"] / max(1, ss["pos"] + ss["neg"]), 4)})
    # Twenty examples of the biggest family and of the biggest one the verifier refuses
    # (seeded draws), both texts and p.
    def draw(name: str | None) -> tuple[int, list[dict[str, Any]]]:
        pool = [r for r in refused if family(r) == name]
        ex = random.Random(SEED).sample(pool, min(args.examples, len(pool)))
        keep = ("set", "id", "kind", "traffic", "a", "b", "p", "similarity", "outcome",
                "_overlap", "_ratio")
        return len(pool), [{k: r[k] for k in keep}
                           for r in sorted(ex, key=lambda r: (r["set"], r["id"]))]

    top = families[0]["family"] if families else None
    top_v = next((f["family"] for f in families
                  if f["refused_verifier"] > f["refused_floor"]), None)
    pool_n, examples = draw(top)
    pool_v, examples_v = draw(top_v)
    return {
        "what": "S5's verdicts (cache_losses.stage at floor 0.5, cut 0.916959) on seen rows, "
                "by pair shape, against S6's bundle's training pairs in the same shapes; "
                "exploration, decides nothing",
        "rows": [str(p) for p in args.rows], "bundle": str(args.bundle),
        "bundle_cosine": str(args.bundle_cosine), "bundle_cosine_sample": len(sample),
        "bundle_pairs": len(btrain), "bundle_hand_pairs": sum(b["hand"] for b in btrain),
        "pairs": len(seen), "positives": len(pos), "found": len(pos) - len(refused),
        "refused": len(refused),
        "refused_by_stage": dict(Counter(r["outcome"] for r in refused).most_common()),
        "verifier_refused_by_p": verifier_p(refused), "floors": floors(rows),
        "near": sum(r["outcome"] == "near" for r in seen),
        "false_hits": sum(r["outcome"] == "false_hit" for r in seen),
        "traffic_unknown": sum(r["traffic"] == "unknown" for r in seen),
        "tables": tables, "bundle_tables": btables, "families": families[: args.families],
        "shapes": shapes, "examples_family": top, "examples_pool": pool_n,
        "examples": examples, "examples_verifier_family": top_v,
        "examples_verifier_pool": pool_v, "examples_verifier": examples_v,
        "cpu_s": round(time.process_time() - started, 1)}


def floors(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """S5's positives found and false hits on ``rows`` were the floor lower (cache_losses.stage
    at each floor, the cut unchanged), per group of sets: what the floor's refusals hold."""
    out = []
    groups = {"heldout48-53": lambda s: s < "heldout54", "heldout54-59": lambda s: s >= "heldout54",
              "all": lambda s: True}
    for name, member in groups.items():
        part = [r for r in rows if member(r["set"])]
        for floor in (0.3, 0.35, 0.4, 0.45, FLOOR):
            hits = [r for r in part if stage(r, floor, CUT)[1]]
            out.append({"sets": name, "floor": floor,
                        "positives": sum(r["label"] for r in part),
                        "found": sum(r["label"] for r in hits),
                        "negatives": sum(not r["label"] for r in part),
                        "false_hits": sum(not r["label"] for r in hits)})
    return out


def verifier_p(refused: list[dict[str, Any]]) -> dict[str, int]:
    """The verifier's refused positives by p band: how near the cut they sit."""
    bands = ((0.9, CUT), (0.8, 0.9), (0.5, 0.8), (0.1, 0.5), (0.0, 0.1))
    ps = [r["p"] for r in refused if r["outcome"] == "refused:verifier"]
    return {f"{lo:g}-{hi:g}": sum(lo <= p < hi for p in ps) for lo, hi in bands}


def labels(args: argparse.Namespace) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
    from train.cache_verifier import cross_continue as cc

    rule = cc.RULES[args.rule]
    pairs, _ = cc.collect(cc.SEED, False, 12000, rule.sets, 0,
                          cc.first_sets(cc.held_sets(rule.held)), rule.share_all)
    probe = read_jsonl(args.probe)
    if any(p["a"] != q["cached"] or p["b"] != q["query"]
           for p, q in zip(pairs, probe, strict=False)):
        raise SystemExit("collect's pairs are not the probe's prefix")
    meta = json.loads(args.probe.with_name(args.probe.name.replace("-probe.jsonl", ".json"))
                      .read_text())
    mined = meta["mined"]
    with open(args.out, "w", encoding="utf-8") as fh:
        for i, q in enumerate(probe):
            if i < len(pairs):
                row = {"label": int(pairs[i]["label"]), "source": pairs[i]["source"],
                       "kind": pairs[i].get("kind")}
            else:
                row = {"label": 0, "kind": None,
                       "source": "qqp_hard" if i < len(probe) - mined else "mined"}
            fh.write(json.dumps({"a": q["cached"], "b": q["query"], **row}) + "\n")
    print(f"{args.out}: {len(probe):,} pairs ({len(pairs):,} from collect)")


def cosine(args: argparse.Namespace) -> None:
    import numpy as np

    from llm_router.embedding.minilm import shared_embedder

    rows = read_jsonl(args.bundle)
    idx = sorted(random.Random(SEED).sample(range(len(rows)), args.sample))
    texts = sorted({t for i in idx for t in (rows[i]["a"], rows[i]["b"])})
    v = np.asarray(shared_embedder().embed(texts), np.float32)
    v /= np.maximum(np.linalg.norm(v, axis=1, keepdims=True), 1e-12)
    at = {t: n for n, t in enumerate(texts)}
    with open(args.out, "w", encoding="utf-8") as fh:
        for i in idx:
            c = float(v[at[rows[i]["a"]]] @ v[at[rows[i]["b"]]])
            fh.write(json.dumps({"i": i, "cosine": round(c, 6)}) + "\n")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("labels")
    p.add_argument("--probe", type=Path, default=Path("/work/base/s6-fit/bundle-probe.jsonl"))
    p.add_argument("--rule", default="session26",
                   help="the prepare rule the probe's bundle was made by (S6: session26; S5: "
                        "session25, /work/i12/.cache/cross-s5/bundle-probe.jsonl)")
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("cosine")
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--sample", type=int, default=6000)
    p.add_argument("--out", type=Path, required=True)
    p = sub.add_parser("run")
    p.add_argument("--rows", type=Path, nargs="+", required=True)
    p.add_argument("--bundle", type=Path, required=True)
    p.add_argument("--bundle-cosine", type=Path, required=True)
    p.add_argument("--families", type=int, default=25)
    p.add_argument("--examples", type=int, default=20)
    p.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    if args.command == "labels":
        labels(args)
    elif args.command == "cosine":
        cosine(args)
    else:
        result = run(args)
        result["run_record"] = run_record()
        args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
        print(f"{args.out}: {result['refused']} refused of {result['positives']} positives")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
