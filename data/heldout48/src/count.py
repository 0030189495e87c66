#!/usr/bin/env python3
"""Print count tables for README (read-only: it never creates or alters rows)."""
import collections, glob, json, os
here = os.path.dirname(os.path.abspath(__file__))
root = os.path.dirname(here)
q = [json.loads(l) for l in open(os.path.join(root, "classifier_queries.jsonl"), encoding="utf-8")]
p = [json.loads(l) for l in open(os.path.join(root, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("queries", len(q))
print("| tier | support | general | total | borderline |")
print("|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for r in q if r["tier"] == t and r["traffic"] == "support")
    g = sum(1 for r in q if r["tier"] == t and r["traffic"] == "general")
    b = sum(1 for r in q if r["tier"] == t and r["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} ({100*(s+g)/len(q):.1f} %) | {b} |")
print(f"| all | {sum(r['traffic']=='support' for r in q)} | {sum(r['traffic']=='general' for r in q)} | {len(q)} | {sum(r['borderline'] for r in q)} |")
print("styles:", ", ".join(f"{k} {v}" for k, v in collections.Counter(r["style"] for r in q).most_common()))
print()
print("pairs", len(p), "label1", sum(r["label"] for r in p), "label0", sum(1 - r["label"] for r in p))
print("| label | kind | count |")
print("|---|---|---|")
for (lab, k), v in sorted(collections.Counter((r["label"], r["kind"]) for r in p).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {lab} | {k} | {v} |")
print()
print("| domain | pos | neg |")
print("|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for r in p:
    dom[r["domain"]][0 if r["label"] else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} |")
# support vs general and free vs close negatives come from the source files
sup = gen = 0
sec = collections.Counter()
for f in sorted(glob.glob(os.path.join(here, "p_*.txt"))):
    mode = None
    for line in open(f, encoding="utf-8"):
        if line.startswith("# close"):
            mode = "close"
        elif line.startswith("# free"):
            mode = "free"
        if not line.strip() or line.startswith("#"):
            continue
        if os.path.basename(f).startswith("p_s_"):
            sup += 1
        else:
            gen += 1
        if line.startswith("0 "):
            sec[mode] += 1
print()
print("support-style pairs", sup, "general pairs", gen)
print("negatives in 'close edit' sections", sec["close"], "in 'free' (reworded + different request) sections", sec["free"])
