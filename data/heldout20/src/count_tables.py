#!/usr/bin/env python3
"""Print count tables (markdown) from the built jsonl files. Reads only; never writes rows."""
import collections, json, os
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open(os.path.join(OUT, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(OUT, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print(f"### Queries ({len(Q)})\n")
print("| tier | support | general | total | share | borderline |")
print("|---|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    b = sum(1 for q in Q if q["tier"] == t and q["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% | {b} |")
s = sum(1 for q in Q if q["traffic"] == "support"); g = len(Q) - s
print(f"| all | {s} | {g} | {len(Q)} | 100% | {sum(q['borderline'] for q in Q)} |\n")
print("Styles: " + ", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(q['style'] for q in Q).items(), key=lambda x: (-x[1], x[0]))) + "\n")
print(f"### Pairs ({len(P)})\n")
print("| label | kind | count |")
print("|---|---|---|")
for (lab, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {lab} | {k} | {v} |")
print(f"| 1 | all positive | {sum(p['label'] == 1 for p in P)} |")
print(f"| 0 | all negative | {sum(p['label'] == 0 for p in P)} |\n")
print("| domain | pos | neg |")
print("|---|---|---|")
for d in sorted({p["domain"] for p in P}):
    print(f"| {d} | {sum(1 for p in P if p['domain']==d and p['label']==1)} | {sum(1 for p in P if p['domain']==d and p['label']==0)} |")
