#!/usr/bin/env python3
"""Print the count tables for README.md. Reads only; creates or alters no rows."""
import collections, json, os, glob
HERE = os.path.dirname(os.path.abspath(__file__)); OUT = os.path.dirname(HERE)
Q = [json.loads(l) for l in open(os.path.join(OUT, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(OUT, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## queries:", len(Q))
print("| tier | support | general | total | % |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f} |")
s = sum(q["traffic"] == "support" for q in Q); print(f"| total | {s} | {len(Q)-s} | {len(Q)} | |")
print("\nborderline (b):", sum(q["borderline"] for q in Q), dict(collections.Counter(q["tier"] for q in Q if q["borderline"])))
print("\n| style | n |\n|---|---|")
for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n## pairs:", len(P), dict(collections.Counter(p["label"] for p in P)))
print("| label | kind | n |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print("\n| domain | pos | neg |\n|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for p in P:
    dom[p["domain"]][0 if p["label"] == 1 else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} |")
# support-style vs general: by source file prefix
def rows(pattern):
    n = collections.Counter()
    for f in glob.glob(os.path.join(HERE, pattern)):
        for line in open(f, encoding="utf-8"):
            if line.strip() and not line.lstrip().startswith("#"):
                n[line.split()[0]] += 1
    return n
s, g = rows("p_s_*.txt"), rows("p_g_*.txt")
print(f"\nsupport-style pairs: {sum(s.values())} (pos {s['1']}, neg {s['0']}); general pairs: {sum(g.values())} (pos {g['1']}, neg {g['0']})")
b = rows("p_*_broad*.txt")
print(f"broad-rewrite negatives (p_s_broad1.txt + p_g_broad.txt): {b['0']} of {sum(1 for p in P if p['label']==0)} negatives")
