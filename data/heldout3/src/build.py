#!/usr/bin/env python3
"""Parse the hand-typed src files, validate, shuffle with a fixed seed, write jsonl.

Query files src/q*.txt:
    @ <tier> <traffic>          sets tier and traffic for following rows
    <style> | <text>            one row; literal \\n in text becomes a newline
    # comment / blank lines ignored
Pair files src/p*.txt:
    @ <domain>                  sets domain for following rows
    <kind-abbrev> | <a> || <b>  one row; label follows from the kind
Standard library only. Deterministic.
"""
import glob
import hashlib
import json
import os
import random
import sys
from collections import Counter

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TIERS = ["simple", "moderate", "complex", "reasoning"]
TRAFFIC = ["support", "general"]
POS = {
    "rw": "paraphrase_reword", "ty": "paraphrase_typo", "un": "paraphrase_units",
    "ab": "paraphrase_abbrev", "ca": "paraphrase_casual", "fo": "paraphrase_formal",
    "ro": "paraphrase_reorder", "sy": "paraphrase_synonym", "sl": "paraphrase_short_long",
    "nn": "paraphrase_non_native", "im": "paraphrase_imperative",
}
NEG = {
    "ent": "entity_swap", "num": "number_swap", "int": "intent_shift", "near": "near_topic",
    "dir": "direction_swap", "neg": "negation", "time": "time_swap",
    "qty": "quantity_or_unit", "unr": "unrelated",
}
SUPPORT_DOMAINS = {
    "banking", "telecom", "saas", "ecommerce", "travel", "insurance", "health_admin",
    "utilities", "education", "government", "hr", "real_estate", "auto", "logistics",
    "gaming", "devtools",
}
GENERAL_DOMAINS = {
    "general_facts", "coding", "writing", "math", "science", "history", "cooking",
    "fitness", "personal_finance", "language", "planning", "logic", "geography", "health_info",
}
errors = []


def unescape(s):
    return s.replace("\\n", "\n").replace("\\t", "\t").strip()


def parse_queries():
    rows = []
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "q*.txt"))):
        tier = traffic = None
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                where = f"{os.path.basename(path)}:{n}"
                if not line.strip() or line.startswith("#"):
                    continue
                if line.startswith("@ "):
                    parts = line[2:].split()
                    if len(parts) != 2 or parts[0] not in TIERS or parts[1] not in TRAFFIC:
                        errors.append(f"{where}: bad directive {line!r}")
                    tier, traffic = parts[0], parts[1]
                    continue
                if " | " not in line:
                    errors.append(f"{where}: no ' | ' separator")
                    continue
                style, text = line.split(" | ", 1)
                style, text = style.strip(), unescape(text)
                if tier is None:
                    errors.append(f"{where}: row before directive")
                    continue
                if not style or not style.replace("_", "").replace(",", "").isalnum():
                    errors.append(f"{where}: bad style {style!r}")
                if len(text) < 2:
                    errors.append(f"{where}: empty text")
                rows.append({"text": text, "tier": tier, "traffic": traffic,
                             "style": style, "_where": where})
    return rows


def parse_pairs():
    rows = []
    for path in sorted(glob.glob(os.path.join(ROOT, "src", "p*.txt"))):
        domain = None
        with open(path, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                line = line.rstrip("\n")
                where = f"{os.path.basename(path)}:{n}"
                if not line.strip() or line.startswith("#"):
                    continue
                if line.startswith("@ "):
                    domain = line[2:].strip()
                    if domain not in SUPPORT_DOMAINS | GENERAL_DOMAINS:
                        errors.append(f"{where}: unknown domain {domain!r}")
                    continue
                if " | " not in line or " || " not in line:
                    errors.append(f"{where}: bad pair line")
                    continue
                k, rest = line.split(" | ", 1)
                k = k.strip()
                a, b = rest.split(" || ", 1)
                a, b = unescape(a), unescape(b)
                if k in POS:
                    kind, label = POS[k], 1
                elif k in NEG:
                    kind, label = NEG[k], 0
                else:
                    errors.append(f"{where}: unknown kind {k!r}")
                    continue
                if domain is None:
                    errors.append(f"{where}: row before domain")
                    continue
                if not a or not b:
                    errors.append(f"{where}: empty side")
                if a == b:
                    errors.append(f"{where}: a == b")
                rows.append({"a": a, "b": b, "label": label, "kind": kind,
                             "domain": domain, "_where": where})
    return rows


def main():
    qs = parse_queries()
    ps = parse_pairs()
    seen = {}
    for r in qs:
        key = " ".join(r["text"].lower().split())
        if key in seen:
            errors.append(f"{r['_where']}: duplicate query text (also {seen[key]})")
        seen[key] = r["_where"]
    seenp = {}
    for r in ps:
        key = (r["a"], r["b"])
        if key in seenp:
            errors.append(f"{r['_where']}: duplicate pair (also {seenp[key]})")
        seenp[key] = r["_where"]
        if " ".join(r["a"].lower().split()) == " ".join(r["b"].lower().split()):
            errors.append(f"{r['_where']}: a and b equal ignoring case/space")
    if errors:
        for e in errors:
            print("ERROR", e, file=sys.stderr)
        sys.exit(1)

    rng = random.Random(20261203)
    rng.shuffle(qs)
    rng.shuffle(ps)
    qout = []
    for i, r in enumerate(qs, 1):
        qout.append({"id": f"q{i:04d}", "text": r["text"], "tier": r["tier"],
                     "traffic": r["traffic"], "style": r["style"]})
    pout = []
    for i, r in enumerate(ps, 1):
        pout.append({"id": f"p{i:04d}", "a": r["a"], "b": r["b"], "label": r["label"],
                     "kind": r["kind"], "domain": r["domain"]})
    # final validation of written rows
    ids = [r["id"] for r in qout] + [r["id"] for r in pout]
    assert len(ids) == len(set(ids))
    for r in qout:
        assert list(r) == ["id", "text", "tier", "traffic", "style"]
        assert r["tier"] in TIERS and r["traffic"] in TRAFFIC
    for r in pout:
        assert list(r) == ["id", "a", "b", "label", "kind", "domain"]
        assert r["label"] in (0, 1) and r["a"] != r["b"]
        assert (r["kind"] in POS.values()) == (r["label"] == 1)

    for name, rows in (("classifier_queries.jsonl", qout), ("cache_pairs.jsonl", pout)):
        with open(os.path.join(ROOT, name), "w", encoding="utf-8", newline="\n") as f:
            for r in rows:
                f.write(json.dumps(r, ensure_ascii=False) + "\n")

    print(f"queries: {len(qout)}")
    c = Counter((r["tier"], r["traffic"]) for r in qout)
    print(f"{'tier':10s} {'support':>8s} {'general':>8s} {'total':>6s}")
    for t in TIERS:
        print(f"{t:10s} {c[(t, 'support')]:8d} {c[(t, 'general')]:8d} "
              f"{c[(t, 'support')] + c[(t, 'general')]:6d}")
    print(f"{'total':10s} {sum(c[(t, 'support')] for t in TIERS):8d} "
          f"{sum(c[(t, 'general')] for t in TIERS):8d} {len(qout):6d}")
    lengths = [len(r["text"]) for r in qout]
    print(f"long queries (>=300 chars): {sum(l >= 300 for l in lengths)}; "
          f"max {max(lengths)}; <=40 chars: {sum(l <= 40 for l in lengths)}")
    print("styles:", dict(Counter(s for r in qout for s in r["style"].split(",")).most_common()))
    print()
    print(f"pairs: {len(pout)}  positives {sum(r['label'] for r in pout)}  "
          f"negatives {sum(1 - r['label'] for r in pout)}")
    kc = Counter((r["kind"], r["label"]) for r in pout)
    for (k, l), v in sorted(kc.items(), key=lambda x: (-x[0][1], x[0][0])):
        print(f"  {k:24s} label={l} {v:4d}")
    sup = sum(r["domain"] in SUPPORT_DOMAINS for r in pout)
    print(f"support-domain pairs {sup}, general-domain pairs {len(pout) - sup}")
    print("domains:", dict(Counter(r["domain"] for r in pout).most_common()))
    for name in ("classifier_queries.jsonl", "cache_pairs.jsonl"):
        with open(os.path.join(ROOT, name), "rb") as f:
            print(f"sha256 {name} {hashlib.sha256(f.read()).hexdigest()}")


if __name__ == "__main__":
    main()
