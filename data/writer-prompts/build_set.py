#!/usr/bin/env python3
"""Build a hand-written set's jsonl files from the hand-typed sources in its src/ folder.

Standard library only. Usage (run from anywhere):
    python3 src/build.py                 a set's src/build.py (this file, or a stub that runs it)
    python3 build_set.py SET_FOLDER      any set: reads SET_FOLDER/src/*.txt
Writes classifier_queries.jsonl and cache_pairs.jsonl next to src/ (the set's folder; its name is the set's name).
Exits non-zero on any malformed line or duplicate, and then writes nothing.

Sources, one row a line (blank lines and lines starting with '#' are skipped; a literal \\n stands for a newline):
    q_<s|g>_<theme>.txt   <tier s|m|c|r> <style> <b|-> <text>      (s: support traffic, g: general)
    p_<s|g>_<theme>.txt   <label 0|1> <kind> <domain> || <a> || <b>
A label-1 kind is one of POS_KINDS, a label-0 kind one of NEG_KINDS.
"""
import json
import os
import re
import sys

TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
TRAFFIC = {"s": "support", "g": "general"}
POS_KINDS = {"abbreviation", "reworded", "typo", "formality", "short_long", "reorder", "synonym",
             "added_context"}
NEG_KINDS = {"entity_swap", "specific_case", "added_request", "number_swap", "near_topic", "intent_shift",
             "time_swap", "negation", "direction_swap", "unit_swap"}
WORD = re.compile(r"^[a-z]+$")
DOMAIN = re.compile(r"^[a-z][a-z_]*$")
FILE = re.compile(r"^([qp])_([sg])_([a-z0-9_]+)\.txt$")


def norm(text):
    return " ".join(text.lower().split())


def unescape(text):
    return text.replace("\\n", "\n")


def lines_of(src, name):
    with open(os.path.join(src, name), encoding="utf-8") as fh:
        for i, raw in enumerate(fh, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield i, line


def read(src):
    """(queries, pairs, errors) from the source files in the folder src."""
    errors = []

    def err(where, msg):
        errors.append(f"{where}: {msg}")

    names = sorted(n for n in os.listdir(src) if n.endswith(".txt"))
    queries, pairs = [], []
    seen_q, seen_p = {}, {}
    for name in names:
        m = FILE.match(name)
        if not m:
            err(name, "unexpected source file name")
            continue
        kind, traffic = m.group(1), TRAFFIC[m.group(2)]
        for ln, line in lines_of(src, name):
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
    return queries, pairs, errors


def write_jsonl(path, prefix, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        for i, row in enumerate(rows, 1):
            fh.write(json.dumps({"id": f"{prefix}{i:04d}", **row}, ensure_ascii=False) + "\n")


def build(folder):
    """Build the set in folder (it holds src/); 0 when written, 1 on any error (nothing written)."""
    folder = os.path.abspath(folder)
    name = os.path.basename(folder)
    queries, pairs, errors = read(os.path.join(folder, "src"))
    if errors:
        for e in errors:
            print("ERROR", e, file=sys.stderr)
        print(f"{name}: {len(errors)} error(s); nothing written", file=sys.stderr)
        return 1
    write_jsonl(os.path.join(folder, "classifier_queries.jsonl"), "q", queries)
    write_jsonl(os.path.join(folder, "cache_pairs.jsonl"), "p", pairs)
    print(f"{name}: queries: {len(queries)}  pairs: {len(pairs)}")
    return 0


def main(argv):
    """argv is sys.argv: [script, SET_FOLDER], or [script] where this file is a copy saved as SET/src/build.py."""
    if len(argv) == 2:
        return build(argv[1])
    here = os.path.dirname(os.path.abspath(__file__))
    if len(argv) == 1 and os.path.basename(here) == "src":
        return build(os.path.dirname(here))
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
