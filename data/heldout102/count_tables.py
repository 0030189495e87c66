#!/usr/bin/env python3
"""Count tables for README from the built jsonl files. Reads only; never writes rows."""
import json, collections
q = [json.loads(l) for l in open("classifier_queries.jsonl", encoding="utf-8")]
p = [json.loads(l) for l in open("cache_pairs.jsonl", encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## queries:", len(q))
c = collections.Counter((r["tier"], r["traffic"]) for r in q)
print("| tier | support | general | total | share |"); print("|---|---|---|---|---|")
for t in tiers:
    s, g = c[(t, "support")], c[(t, "general")]
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(q):.1f}% |")
ts = sum(1 for r in q if r["traffic"] == "support")
print(f"| total | {ts} | {len(q)-ts} | {len(q)} | |")
b = collections.Counter(r["tier"] for r in q if r["borderline"])
print("\nborderline:", sum(b.values()), dict((t, b[t]) for t in tiers))
st = collections.Counter(r["style"] for r in q)
print("styles:", ", ".join(f"{k} {v}" for k, v in st.most_common()))
print("\n## pairs:", len(p))
lk = collections.Counter((r["label"], r["kind"]) for r in p)
print("| label | kind | count |"); print("|---|---|---|")
for (l, k), n in sorted(lk.items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {n} |")
lab = collections.Counter(r["label"] for r in p)
print(f"positives {lab[1]}, negatives {lab[0]}")
dom = collections.defaultdict(lambda: [0, 0])
for r in p:
    dom[r["domain"]][r["label"]] += 1
print("\n| domain | pos | neg |"); print("|---|---|---|")
for d in sorted(dom):
    print(f"| {d} | {dom[d][1]} | {dom[d][0]} |")
