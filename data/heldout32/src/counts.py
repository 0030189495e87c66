#!/usr/bin/env python3
"""Read-only counting of the built jsonl files for README tables. Creates or alters no rows."""
import collections, json, os
OUT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
q = [json.loads(l) for l in open(os.path.join(OUT, "classifier_queries.jsonl"), encoding="utf-8")]
p = [json.loads(l) for l in open(os.path.join(OUT, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("### Queries per tier x traffic\n\n| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for x in q if x["tier"] == t and x["traffic"] == "support")
    g = sum(1 for x in q if x["tier"] == t and x["traffic"] == "general")
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(q):.1f}% |")
s = sum(1 for x in q if x["traffic"] == "support"); g = len(q) - s
print(f"| total | {s} | {g} | {len(q)} | |\n")
print("### Borderline (b) queries per tier\n\n| tier | borderline | not |\n|---|---|---|")
for t in tiers:
    b = sum(1 for x in q if x["tier"] == t and x["borderline"])
    n = sum(1 for x in q if x["tier"] == t and not x["borderline"])
    print(f"| {t} | {b} | {n} |")
print(f"| total | {sum(x['borderline'] for x in q)} | {sum(not x['borderline'] for x in q)} |\n")
print("### Styles\n\n| style | count |\n|---|---|")
for k, v in sorted(collections.Counter(x["style"] for x in q).items(), key=lambda kv: (-kv[1], kv[0])):
    print(f"| {k} | {v} |")
print("\n### Pairs per label x kind\n\n| label | kind | count |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((x["label"], x["kind"]) for x in p).items(), key=lambda kv: (-kv[0][0], kv[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"| 1 | all positive | {sum(x['label'] for x in p)} |\n| 0 | all negative | {sum(1-x['label'] for x in p)} |\n")
print("### Pairs per domain\n\n| domain | pos | neg | total |\n|---|---|---|---|")
for d in sorted({x["domain"] for x in p}):
    pos = sum(1 for x in p if x["domain"] == d and x["label"] == 1)
    neg = sum(1 for x in p if x["domain"] == d and x["label"] == 0)
    print(f"| {d} | {pos} | {neg} | {pos+neg} |")
