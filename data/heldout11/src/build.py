#!/usr/bin/env python3
"""Build the heldout11 test set from the hand-written sources in this folder.

Standard library only. Reads src/q_[sg]_<theme>.txt and src/p_[sg]_<theme>.txt
(files sorted by name, rows numbered in file order), validates every field,
rejects duplicates, and writes ../classifier_queries.jsonl and ../cache_pairs.jsonl.
Exits non-zero, listing every problem, if anything is invalid.

Usage: python3 build.py [--check]   (--check: validate and print counts, write nothing)
"""
import json
import os
import re
import sys
from collections import Counter

SRC = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(SRC)

TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
TRAFFIC = {"s": "support", "g": "general"}
POSITIVE_KINDS = {"abbreviation", "reworded", "typo", "formality", "short_long", "reorder", "synonym"}
NEGATIVE_KINDS = {"entity_swap", "number_swap", "near_topic", "intent_shift", "time_swap",
                  "negation", "direction_swap", "unit_swap"}
FILE_RE = re.compile(r"^([qp])_([sg])_([a-z0-9_]+)\.txt$")
WORD_RE = re.compile(r"^[a-z]+$")
DOMAIN_RE = re.compile(r"^[a-z][a-z_]*$")
SEP = " || "


def norm(text):
    """Case-insensitive, whitespace-normalised form used for duplicate checks."""
    return " ".join(text.lower().split())


def unescape(text):
    return text.replace("\\n", "\n")


def source_files():
    files = []
    for name in sorted(os.listdir(SRC)):
        if name.endswith(".txt"):
            m = FILE_RE.match(name)
            if not m:
                raise SystemExit(f"build.py: unexpected source file name {name!r}")
            files.append((name, m.group(1), m.group(2)))
    return files


def rows(name):
    with open(os.path.join(SRC, name), encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield lineno, line


def parse_query(where, line, errors):
    parts = line.split(" ", 3)
    if len(parts) != 4:
        errors.append(f"{where}: expected '<tier> <style> <b|-> <text>'")
        return None
    tier, style, border, text = parts
    ok = True
    if tier not in TIERS:
        errors.append(f"{where}: bad tier {tier!r}")
        ok = False
    if not WORD_RE.match(style):
        errors.append(f"{where}: style must be one lowercase word, got {style!r}")
        ok = False
    if border not in ("b", "-"):
        errors.append(f"{where}: borderline flag must be 'b' or '-', got {border!r}")
        ok = False
    text = text.strip()
    if not text:
        errors.append(f"{where}: empty text")
        ok = False
    if SEP.strip() in text:
        errors.append(f"{where}: query text contains '||' (pair line in a query file?)")
        ok = False
    if not ok:
        return None
    return {"text": unescape(text), "tier": TIERS[tier], "style": style, "borderline": border == "b"}


def parse_pair(where, line, errors):
    parts = line.split(SEP)
    if len(parts) != 3:
        errors.append(f"{where}: expected '<label> <kind> <domain> || <a> || <b>'")
        return None
    head = parts[0].split()
    a, b = parts[1].strip(), parts[2].strip()
    if len(head) != 3:
        errors.append(f"{where}: head must be '<label> <kind> <domain>', got {parts[0]!r}")
        return None
    label, kind, domain = head
    ok = True
    if label not in ("0", "1"):
        errors.append(f"{where}: label must be 0 or 1, got {label!r}")
        ok = False
    elif label == "1" and kind not in POSITIVE_KINDS:
        errors.append(f"{where}: kind {kind!r} is not a positive kind")
        ok = False
    elif label == "0" and kind not in NEGATIVE_KINDS:
        errors.append(f"{where}: kind {kind!r} is not a negative kind")
        ok = False
    if not DOMAIN_RE.match(domain):
        errors.append(f"{where}: bad domain {domain!r}")
        ok = False
    if not a or not b:
        errors.append(f"{where}: empty text")
        ok = False
    elif norm(a) == norm(b):
        errors.append(f"{where}: the two texts are the same once case and spacing are normalised")
        ok = False
    if "||" in a or "||" in b:
        errors.append(f"{where}: stray '||' in a text")
        ok = False
    if not ok:
        return None
    return {"a": unescape(a), "b": unescape(b), "label": int(label), "kind": kind, "domain": domain}


def build():
    errors = []
    queries, pairs = [], []
    seen_q, seen_p = {}, {}
    for name, what, traffic in source_files():
        for lineno, line in rows(name):
            where = f"{name}:{lineno}"
            if what == "q":
                row = parse_query(where, line, errors)
                if row is None:
                    continue
                key = norm(row["text"])
                if key in seen_q:
                    errors.append(f"{where}: duplicate query (first at {seen_q[key]})")
                    continue
                seen_q[key] = where
                queries.append({"text": row["text"], "tier": row["tier"], "traffic": TRAFFIC[traffic],
                                "style": row["style"], "borderline": row["borderline"], "_src": name})
            else:
                row = parse_pair(where, line, errors)
                if row is None:
                    continue
                key = (norm(row["a"]), norm(row["b"]))
                rkey = (key[1], key[0])
                if key in seen_p or rkey in seen_p:
                    errors.append(f"{where}: duplicate pair (first at {seen_p.get(key) or seen_p.get(rkey)})")
                    continue
                seen_p[key] = where
                row["_src"] = name
                pairs.append(row)
    return queries, pairs, errors


def write_jsonl(path, records):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for rec in records:
            fh.write(json.dumps(rec, ensure_ascii=False) + "\n")


def summary(queries, pairs):
    out = []
    out.append(f"queries: {len(queries)}")
    tiers = ["simple", "moderate", "complex", "reasoning"]
    ct = Counter((q["tier"], q["traffic"]) for q in queries)
    out.append("  tier        support general total")
    for t in tiers:
        s, g = ct[(t, "support")], ct[(t, "general")]
        out.append(f"  {t:<11} {s:>7} {g:>7} {s + g:>5}")
    s = sum(ct[(t, "support")] for t in tiers)
    g = sum(ct[(t, "general")] for t in tiers)
    out.append(f"  {'total':<11} {s:>7} {g:>7} {s + g:>5}")
    out.append(f"  borderline: {sum(q['borderline'] for q in queries)}")
    out.append("  styles: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(q["style"] for q in queries).items())))
    out.append(f"pairs: {len(pairs)} (positive {sum(p['label'] for p in pairs)}, "
               f"negative {sum(1 - p['label'] for p in pairs)})")
    ps = Counter("support" if p["_src"].startswith("p_s_") else "general" for p in pairs)
    out.append(f"  support-style {ps['support']}, general {ps['general']}")
    out.append("  kinds: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(p["kind"] for p in pairs).items())))
    out.append("  domains: " + ", ".join(f"{k} {v}" for k, v in sorted(Counter(p["domain"] for p in pairs).items())))
    return "\n".join(out)


def main(argv):
    check_only = "--check" in argv[1:]
    queries, pairs, errors = build()
    if errors:
        for e in errors:
            print(e, file=sys.stderr)
        print(f"build.py: {len(errors)} problem(s); nothing written", file=sys.stderr)
        return 1
    print(summary(queries, pairs))
    if check_only:
        return 0
    q_out = [{"id": f"q{i:04d}", "text": q["text"], "tier": q["tier"], "traffic": q["traffic"],
              "style": q["style"], "borderline": q["borderline"]} for i, q in enumerate(queries, 1)]
    p_out = [{"id": f"p{i:04d}", "a": p["a"], "b": p["b"], "label": p["label"], "kind": p["kind"],
              "domain": p["domain"]} for i, p in enumerate(pairs, 1)]
    write_jsonl(os.path.join(OUT, "classifier_queries.jsonl"), q_out)
    write_jsonl(os.path.join(OUT, "cache_pairs.jsonl"), p_out)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
