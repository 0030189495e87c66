#!/usr/bin/env python3
"""Print the count tables for README.md from the built jsonl files (reads only; creates and alters no rows)."""
import collections, json, os
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
p = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("queries:", len(q))
print("| tier | support | general | total | % | borderline |")
print("|---|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for x in q if x["tier"] == t and x["traffic"] == "support")
    g = sum(1 for x in q if x["tier"] == t and x["traffic"] == "general")
    b = sum(1 for x in q if x["tier"] == t and x["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(q):.1f} | {b} |")
ts = sum(1 for x in q if x["traffic"] == "support")
print(f"| total | {ts} | {len(q)-ts} | {len(q)} | 100 | {sum(x['borderline'] for x in q)} |")
print("\nstyles:", ", ".join(f"{k} {v}" for k, v in sorted(collections.Counter(x["style"] for x in q).items(), key=lambda kv: (-kv[1], kv[0]))))
print("\npairs:", len(p), " positive:", sum(x["label"] for x in p), " negative:", sum(1 - x["label"] for x in p))
print("| label | kind | count |")
print("|---|---|---|")
for (l, k), n in sorted(collections.Counter((x["label"], x["kind"]) for x in p).items(), key=lambda kv: (-kv[0][0], kv[0][1])):
    print(f"| {l} | {k} | {n} |")
print("\n| domain | pos | neg |")
print("|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for x in p:
    dom[x["domain"]][0 if x["label"] else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} |")
