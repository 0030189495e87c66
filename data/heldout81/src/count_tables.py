#!/usr/bin/env python3
"""Print the README count tables from the built jsonl files. Reads only; creates or alters no rows."""
import collections, json, os
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"))]
p = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"))]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("### Queries per tier x traffic\n\n| tier | support | general | total | share | borderline |\n|---|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for r in q if r["tier"] == t and r["traffic"] == "support")
    g = sum(1 for r in q if r["tier"] == t and r["traffic"] == "general")
    b = sum(1 for r in q if r["tier"] == t and r["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(q):.1f}% | {b} |")
S = sum(r["traffic"] == "support" for r in q)
print(f"| all | {S} | {len(q)-S} | {len(q)} | 100% | {sum(r['borderline'] for r in q)} |\n")
print("### Query styles\n\n| style | n |\n|---|---|")
for k, v in sorted(collections.Counter(r["style"] for r in q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n### Pairs per label x kind\n\n| label | kind | n |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((r["label"], r["kind"]) for r in p).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"| 1 | all | {sum(r['label'] for r in p)} |\n| 0 | all | {sum(1-r['label'] for r in p)} |\n")
print("### Pairs per domain\n\n| domain | pos | neg |\n|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for r in p:
    dom[r["domain"]][0 if r["label"] else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} |")
# support vs general and freely reworded negatives, from the source file names
src = os.path.join(here, "src")
cnt = collections.Counter()
for n in sorted(os.listdir(src)):
    if n.startswith("p_") and n.endswith(".txt"):
        for line in open(os.path.join(src, n)):
            if line.strip() and not line.startswith("#"):
                lab = line.split()[0]
                cnt[(n[2], lab)] += 1
                if "negfree" in n:
                    cnt[("free", n[2])] += 1
print("\n### Support-style vs general pairs\n\n| traffic | pos | neg | total |\n|---|---|---|---|")
for t, name in (("s", "support"), ("g", "general")):
    print(f"| {name} | {cnt[(t,'1')]} | {cnt[(t,'0')]} | {cnt[(t,'1')]+cnt[(t,'0')]} |")
print(f"\nFreely reworded negatives (p_*_negfree.txt): support {cnt[('free','s')]}, general {cnt[('free','g')]}, total {cnt[('free','s')]+cnt[('free','g')]}")
