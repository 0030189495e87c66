#!/usr/bin/env python3
"""Print markdown count tables for the built jsonl files (reads only; never writes rows)."""
import collections, json, os
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
p = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print(f"Queries: {len(q)}\n\n| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for r in q if r["tier"] == t and r["traffic"] == "support")
    g = sum(1 for r in q if r["tier"] == t and r["traffic"] == "general")
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(q):.1f}% |")
s = sum(r["traffic"] == "support" for r in q)
print(f"| all | {s} | {len(q)-s} | {len(q)} | |\n")
print("| tier | borderline (b) | not borderline |\n|---|---|---|")
for t in tiers:
    b = sum(1 for r in q if r["tier"] == t and r["borderline"])
    n = sum(1 for r in q if r["tier"] == t and not r["borderline"])
    print(f"| {t} | {b} | {n} |")
print(f"| all | {sum(r['borderline'] for r in q)} | {sum(not r['borderline'] for r in q)} |\n")
print("| style | rows |\n|---|---|")
for k, v in sorted(collections.Counter(r["style"] for r in q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print(f"\nPairs: {len(p)}\n\n| label | kind | pairs |\n|---|---|---|")
for (lab, k), v in sorted(collections.Counter((r["label"], r["kind"]) for r in p).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {lab} | {k} | {v} |")
print(f"| 1 | all positive | {sum(r['label']==1 for r in p)} |\n| 0 | all negative | {sum(r['label']==0 for r in p)} |\n")
print("| domain | positive | negative | total |\n|---|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for r in p:
    dom[r["domain"]][1 - r["label"]] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} | {sum(dom[d])} |")
