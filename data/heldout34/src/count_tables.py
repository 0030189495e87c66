#!/usr/bin/env python3
"""Print count tables (markdown) from the built jsonl files. Reads only; writes nothing."""
import collections, json, os
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
q = [json.loads(l) for l in open(os.path.join(OUT, "classifier_queries.jsonl"), encoding="utf-8")]
p = [json.loads(l) for l in open(os.path.join(OUT, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print(f"Queries: {len(q)}\n")
print("| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for x in q if x["tier"] == t and x["traffic"] == "support")
    g = sum(1 for x in q if x["tier"] == t and x["traffic"] == "general")
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(q):.1f}% |")
s = sum(1 for x in q if x["traffic"] == "support"); g = len(q) - s
print(f"| all | {s} | {g} | {len(q)} | |\n")
print("Borderline (b) per tier x traffic:\n\n| tier | support | general | total |\n|---|---|---|---|")
for t in tiers:
    a = sum(1 for x in q if x["tier"] == t and x["traffic"] == "support" and x["borderline"])
    b = sum(1 for x in q if x["tier"] == t and x["traffic"] == "general" and x["borderline"])
    print(f"| {t} | {a} | {b} | {a+b} |")
print(f"| all | | | {sum(1 for x in q if x['borderline'])} |\n")
print("Styles:\n\n| style | count |\n|---|---|")
for k, v in sorted(collections.Counter(x["style"] for x in q).items(), key=lambda kv: (-kv[1], kv[0])):
    print(f"| {k} | {v} |")
print(f"\nPairs: {len(p)}\n")
print("| label | kind | count |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((x["label"], x["kind"]) for x in p).items(), key=lambda kv: (-kv[0][0], kv[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"| 1 | all positive | {sum(1 for x in p if x['label']==1)} |")
print(f"| 0 | all negative | {sum(1 for x in p if x['label']==0)} |\n")
print("| domain | pos | neg | total |\n|---|---|---|---|")
for d in sorted({x["domain"] for x in p}):
    a = sum(1 for x in p if x["domain"] == d and x["label"] == 1)
    b = sum(1 for x in p if x["domain"] == d and x["label"] == 0)
    print(f"| {d} | {a} | {b} | {a+b} |")
