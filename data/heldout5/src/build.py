#!/usr/bin/env python3
"""Parse hand-typed source files in this folder and write the two jsonl outputs.

Query files: q_s_<theme>.txt (support traffic) and q_g_<theme>.txt (general traffic).
  line:  <tier> <style> <b|-> <text>
  tier is one of s, m, c, r (simple, moderate, complex, reasoning);
  b marks a borderline query, - a non-borderline one; a literal \\n in text is a newline.
Pair files: p_s_<theme>.txt (support style) and p_g_<theme>.txt (general assistant).
  line:  <label> <kind> <domain> || <text a> || <text b>
Lines that are blank or start with # are ignored.
Standard library only; output is deterministic.
"""
import json, os, re, sys, collections

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
TIERS = {"s": "simple", "m": "moderate", "c": "complex", "r": "reasoning"}
POS_KINDS = {"reworded", "abbreviation", "short_long", "typo", "synonym", "reorder", "formality"}
NEG_KINDS = {"entity_swap", "number_swap", "intent_shift", "direction_swap", "near_topic",
             "time_swap", "negation", "unit_swap"}
STYLE_RE = re.compile(r"^[a-z][a-z-]{1,20}$")
DOMAIN_RE = re.compile(r"^[a-z][a-z0-9_-]{1,30}$")


def fail(msg):
    sys.exit("build.py: " + msg)


def lines_of(path):
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n").rstrip("\r")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            yield n, line


def unescape(t):
    return t.replace("\\n", "\n").strip()


def main():
    files = sorted(os.listdir(HERE))
    queries, pairs = [], []
    qseen, pseen = {}, {}
    for fn in files:
        path = os.path.join(HERE, fn)
        if fn.startswith("q_") and fn.endswith(".txt"):
            traffic = {"q_s_": "support", "q_g_": "general"}.get(fn[:4])
            if traffic is None:
                fail(f"{fn}: query file must start with q_s_ or q_g_")
            for n, line in lines_of(path):
                parts = line.split(" ", 3)
                if len(parts) != 4:
                    fail(f"{fn}:{n}: expected '<tier> <style> <b|-> <text>'")
                t, style, b, text = parts
                if t not in TIERS:
                    fail(f"{fn}:{n}: bad tier {t!r}")
                if not STYLE_RE.match(style):
                    fail(f"{fn}:{n}: bad style {style!r}")
                if b not in ("b", "-"):
                    fail(f"{fn}:{n}: bad borderline flag {b!r}")
                text = unescape(text)
                if len(text) < 2:
                    fail(f"{fn}:{n}: empty text")
                k = " ".join(text.lower().split())
                if k in qseen:
                    fail(f"{fn}:{n}: duplicate query (case-insensitive) of {qseen[k]}")
                qseen[k] = f"{fn}:{n}"
                queries.append({"text": text, "tier": TIERS[t], "traffic": traffic,
                                "style": style, "borderline": b == "b"})
        elif fn.startswith("p_") and fn.endswith(".txt"):
            if fn[:4] not in ("p_s_", "p_g_"):
                fail(f"{fn}: pair file must start with p_s_ or p_g_")
            for n, line in lines_of(path):
                parts = line.split(" || ")
                if len(parts) != 3:
                    fail(f"{fn}:{n}: expected '<label> <kind> <domain> || a || b'")
                head = parts[0].split()
                if len(head) != 3:
                    fail(f"{fn}:{n}: bad head {parts[0]!r}")
                label, kind, domain = head
                if label not in ("0", "1"):
                    fail(f"{fn}:{n}: bad label")
                label = int(label)
                if label == 1 and kind not in POS_KINDS:
                    fail(f"{fn}:{n}: kind {kind!r} not a positive kind")
                if label == 0 and kind not in NEG_KINDS:
                    fail(f"{fn}:{n}: kind {kind!r} not a negative kind")
                if not DOMAIN_RE.match(domain):
                    fail(f"{fn}:{n}: bad domain {domain!r}")
                a, b = unescape(parts[1]), unescape(parts[2])
                if not a or not b:
                    fail(f"{fn}:{n}: empty side")
                if a == b:
                    fail(f"{fn}:{n}: a and b identical")
                if label == 0 and a.lower() == b.lower():
                    fail(f"{fn}:{n}: negative differs only in case")
                k = (" ".join(a.lower().split()), " ".join(b.lower().split()))
                k2 = (k[1], k[0])
                if k in pseen or k2 in pseen:
                    fail(f"{fn}:{n}: duplicate pair (case-insensitive) of {pseen.get(k) or pseen.get(k2)}")
                pseen[k] = f"{fn}:{n}"
                pairs.append({"a": a, "b": b, "label": label, "kind": kind, "domain": domain,
                              "_traffic": "support" if fn.startswith("p_s_") else "general"})
    with open(os.path.join(OUT, "classifier_queries.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for i, q in enumerate(queries, 1):
            row = {"id": f"q{i:04d}", **q}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    with open(os.path.join(OUT, "cache_pairs.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for i, p in enumerate(pairs, 1):
            row = {"id": f"p{i:04d}", "a": p["a"], "b": p["b"], "label": p["label"],
                   "kind": p["kind"], "domain": p["domain"]}
            f.write(json.dumps(row, ensure_ascii=False) + "\n")
    # summary on stdout (deterministic)
    print(f"queries {len(queries)}  pairs {len(pairs)}")
    c = collections.Counter((q["tier"], q["traffic"]) for q in queries)
    for t in TIERS.values():
        print(f"  {t:10s} support {c[(t,'support')]:4d}  general {c[(t,'general')]:4d}")
    print("  traffic", dict(sorted(collections.Counter(q["traffic"] for q in queries).items())))
    print("  borderline", sum(q["borderline"] for q in queries))
    print("  styles", dict(sorted(collections.Counter(q["style"] for q in queries).items())))
    print("  labels", dict(sorted(collections.Counter(p["label"] for p in pairs).items())))
    print("  pair traffic", dict(sorted(collections.Counter(p["_traffic"] for p in pairs).items())))
    print("  kinds", dict(sorted(collections.Counter((p["kind"]) for p in pairs).items())))
    print("  domains", dict(sorted(collections.Counter((p["domain"]) for p in pairs).items())))


if __name__ == "__main__":
    main()
