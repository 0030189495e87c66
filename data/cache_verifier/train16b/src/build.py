#!/usr/bin/env python3
"""Build the train16b jsonl files from the hand-typed sources in this folder.

Standard library only. Usage: python3 src/build.py  (run from anywhere)
Writes ../classifier_queries.jsonl and ../cache_pairs.jsonl next to src/.
Exits non-zero on any malformed line or duplicate.
"""
import json
import os
import re
import sys

SRC = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(SRC)

TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
TRAFFIC = {"s": "support", "g": "general"}
POS_KINDS = {"abbreviation", "reworded", "typo", "formality", "short_long", "reorder", "synonym", "added_context"}
NEG_KINDS = {"entity_swap", "specific_case", "added_request", "number_swap", "near_topic", "intent_shift", "time_swap",
             "negation", "direction_swap", "unit_swap"}
WORD = re.compile(r"^[a-z]+$")
DOMAIN = re.compile(r"^[a-z][a-z_]*$")
FILE = re.compile(r"^([qp])_([sg])_([a-z0-9_]+)\.txt$")

errors = []


def err(where, msg):
    errors.append(f"{where}: {msg}")


def norm(text):
    return " ".join(text.lower().split())


def unescape(text):
    return text.replace("\\n", "\n")


def lines_of(name):
    with open(os.path.join(SRC, name), encoding="utf-8") as fh:
        for i, raw in enumerate(fh, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield i, line


def main():
    names = sorted(n for n in os.listdir(SRC) if n.endswith(".txt"))
    queries, pairs = [], []
    seen_q, seen_p, seen_texts_pairs = {}, {}, {}
    for name in names:
        m = FILE.match(name)
        if not m:
            err(name, "unexpected source file name")
            continue
        kind, traffic = m.group(1), TRAFFIC[m.group(2)]
        for ln, line in lines_of(name):
            where = f"{name}:{ln}"
            if kind == "q":
                parts = line.split(" ", 3)
                if len(parts) != 4:
                    err(where, "expected '<tier> <style> <b|-> <text>'")
                    continue
                tier, style, bflag, text = parts
                text = text.strip()
                if tier not in TIERS:
                    err(where, f"bad tier {tier!r}")
                if not WORD.match(style):
                    err(where, f"bad style {style!r}")
                if bflag not in ("b", "-"):
                    err(where, f"bad borderline flag {bflag!r}")
                if not text:
                    err(where, "empty text")
                if "||" in text:
                    err(where, "query text contains '||'")
                key = norm(unescape(text))
                if key in seen_q:
                    err(where, f"duplicate query (first at {seen_q[key]})")
                    continue
                seen_q[key] = where
                queries.append({
                    "text": unescape(text),
                    "tier": TIERS.get(tier, tier),
                    "traffic": traffic,
                    "style": style,
                    "borderline": bflag == "b",
                })
            else:
                fields = [f.strip() for f in line.split("||")]
                if len(fields) != 3:
                    err(where, "expected '<label> <kind> <domain> || <a> || <b>'")
                    continue
                head, a, b = fields
                hp = head.split()
                if len(hp) != 3:
                    err(where, "head must be '<label> <kind> <domain>'")
                    continue
                label, pkind, domain = hp
                if label not in ("0", "1"):
                    err(where, f"bad label {label!r}")
                    continue
                label = int(label)
                if label == 1 and pkind not in POS_KINDS:
                    err(where, f"kind {pkind!r} is not a positive kind")
                if label == 0 and pkind not in NEG_KINDS:
                    err(where, f"kind {pkind!r} is not a negative kind")
                if not DOMAIN.match(domain):
                    err(where, f"bad domain {domain!r}")
                if not a or not b:
                    err(where, "empty text")
                    continue
                a, b = unescape(a), unescape(b)
                if a == b:
                    err(where, "a and b are identical")
                    continue
                na, nb = norm(a), norm(b)
                if na == nb:
                    err(where, "a and b differ only in case/whitespace")
                    continue
                key = tuple(sorted((na, nb)))
                if key in seen_p:
                    err(where, f"duplicate pair (first at {seen_p[key]})")
                    continue
                seen_p[key] = where
                pairs.append({"a": a, "b": b, "label": label, "kind": pkind, "domain": domain})
    if errors:
        for e in errors:
            print("ERROR", e, file=sys.stderr)
        print(f"{len(errors)} error(s); nothing written", file=sys.stderr)
        return 1
    with open(os.path.join(OUT, "classifier_queries.jsonl"), "w", encoding="utf-8", newline="\n") as fh:
        for i, q in enumerate(queries, 1):
            row = {"id": f"q{i:04d}", **q}
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
    with open(os.path.join(OUT, "cache_pairs.jsonl"), "w", encoding="utf-8", newline="\n") as fh:
        for i, p in enumerate(pairs, 1):
            row = {"id": f"p{i:04d}", **p}
            fh.write(json.dumps(row, ensure_ascii=False, sort_keys=False) + "\n")
    print(f"queries: {len(queries)}  pairs: {len(pairs)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
