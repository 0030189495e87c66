#!/usr/bin/env python3
"""Print count tables (markdown) for README from the built jsonl files. Reads only; creates no rows."""
import collections, json, os
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print(f"Queries: {len(Q)}\n")
print("| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% |")
s = sum(q["traffic"] == "support" for q in Q); g = len(Q) - s
print(f"| all | {s} | {g} | {len(Q)} | |\n")
print("Borderline (b) per tier:\n\n| tier | borderline | of |\n|---|---|---|")
for t in tiers:
    print(f"| {t} | {sum(q['borderline'] for q in Q if q['tier']==t)} | {sum(q['tier']==t for q in Q)} |")
print(f"| all | {sum(q['borderline'] for q in Q)} | {len(Q)} |\n")
print("Styles:\n\n| style | count |\n|---|---|")
for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print(f"\nPairs: {len(P)}\n")
print("| label | kind | count |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
lc = collections.Counter(p["label"] for p in P)
print(f"| 1 | all positive | {lc[1]} |\n| 0 | all negative | {lc[0]} |\n")
print("Per domain:\n\n| domain | pos | neg |\n|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for p in P:
    dom[p["domain"]][0 if p["label"] == 1 else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} |")
