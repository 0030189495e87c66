#!/usr/bin/env python3
"""Build classifier_queries.jsonl and cache_pairs.jsonl from the hand-written
source files in this folder. Python stdlib only, deterministic.

Query files  q_*.txt : header line 'traffic: support|general', then lines
    TIER ## STYLE ## TEXT      TIER in s,m,c,r (suffix '?' = borderline)
Pair files   p_*.txt : header line 'domain: NAME' (may repeat), then lines
    KIND ## A ## B
In TEXT / A / B a literal backslash-n means a newline. Lines starting '#' are
comments; blank lines are ignored.
"""
import glob, json, os, sys, collections

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
POS = {"reworded", "typo", "abbreviation", "short_long", "reorder", "formality", "synonym"}
NEG = {"entity_swap", "number_swap", "negation", "direction_swap", "intent_shift",
       "near_topic", "unit_swap", "time_swap"}


def unesc(s):
    return s.strip().replace("\\n", "\n")


def build_queries():
    rows, borderline, seen = [], 0, set()
    for path in sorted(glob.glob(os.path.join(HERE, "q_*.txt"))):
        traffic = None
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("traffic:"):
                traffic = line.split(":", 1)[1].strip()
                assert traffic in ("support", "general"), (path, n)
                continue
            parts = line.split(" ## ")
            if len(parts) != 3:
                sys.exit(f"{path}:{n}: expected 3 fields, got {len(parts)}")
            t, style, text = parts
            t = t.strip()
            if t.endswith("?"):
                borderline += 1
                t = t[:-1]
            if t not in TIERS or traffic is None:
                sys.exit(f"{path}:{n}: bad tier/traffic")
            text = unesc(text)
            key = text.lower()
            if key in seen:
                sys.exit(f"{path}:{n}: duplicate query")
            seen.add(key)
            rows.append({"text": text, "tier": TIERS[t], "traffic": traffic,
                         "style": style.strip()})
    out = []
    for i, r in enumerate(rows, 1):
        out.append({"id": f"q{i:04d}", **r})
    return out, borderline


def build_pairs():
    rows, seen = [], set()
    for path in sorted(glob.glob(os.path.join(HERE, "p_*.txt"))):
        domain = None
        for n, line in enumerate(open(path, encoding="utf-8"), 1):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            if line.startswith("domain:"):
                domain = line.split(":", 1)[1].strip()
                continue
            parts = line.split(" ## ")
            if len(parts) != 3:
                sys.exit(f"{path}:{n}: expected 3 fields, got {len(parts)}")
            kind, a, b = (p.strip() for p in parts)
            if kind in POS:
                label = 1
            elif kind in NEG:
                label = 0
            else:
                sys.exit(f"{path}:{n}: unknown kind {kind}")
            a, b = unesc(a), unesc(b)
            if a == b:
                sys.exit(f"{path}:{n}: identical a and b")
            key = (a.lower(), b.lower())
            if key in seen:
                sys.exit(f"{path}:{n}: duplicate pair")
            seen.add(key)
            if domain is None:
                sys.exit(f"{path}:{n}: no domain")
            rows.append({"a": a, "b": b, "label": label, "kind": kind, "domain": domain})
    return [{"id": f"p{i:04d}", **r} for i, r in enumerate(rows, 1)]


def write(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write(json.dumps(r, ensure_ascii=False) + "\n")


def main():
    q, borderline = build_queries()
    p = build_pairs()
    write(os.path.join(OUT, "classifier_queries.jsonl"), q)
    write(os.path.join(OUT, "cache_pairs.jsonl"), p)
    print("queries", len(q), "borderline", borderline)
    print(" tier", dict(sorted(collections.Counter(r["tier"] for r in q).items())))
    print(" traffic", dict(sorted(collections.Counter(r["traffic"] for r in q).items())))
    print(" tier x traffic", dict(sorted(collections.Counter((r["traffic"], r["tier"]) for r in q).items())))
    print(" style", dict(sorted(collections.Counter(r["style"] for r in q).items())))
    print("pairs", len(p))
    print(" label", dict(sorted(collections.Counter(r["label"] for r in p).items())))
    print(" kind", dict(sorted(collections.Counter(r["kind"] for r in p).items())))
    sup = sum(1 for r in p if not r["domain"].startswith("general"))
    print(" support-style", sup, "general", len(p) - sup)
    print(" domain", dict(sorted(collections.Counter(r["domain"] for r in p).items())))


if __name__ == "__main__":
    main()
