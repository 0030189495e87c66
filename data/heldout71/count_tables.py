#!/usr/bin/env python3
"""Print the count tables for README.md. Reads only; creates or alters no rows."""
import collections, glob, json, os
here = os.path.dirname(os.path.abspath(__file__))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## queries: tier x traffic")
print("| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% |")
print(f"| total | {sum(q['traffic']=='support' for q in Q)} | {sum(q['traffic']=='general' for q in Q)} | {len(Q)} | |")
print("\n## borderline (b) per tier")
print("| tier | borderline | not |\n|---|---|---|")
for t in tiers:
    b = sum(1 for q in Q if q["tier"] == t and q["borderline"])
    n = sum(1 for q in Q if q["tier"] == t and not q["borderline"])
    print(f"| {t} | {b} | {n} |")
print(f"| total | {sum(q['borderline'] for q in Q)} | {sum(not q['borderline'] for q in Q)} |")
print("\n## styles")
print("| style | rows |\n|---|---|")
for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n## pairs: label x kind")
print("| label | kind | pairs |\n|---|---|---|")
for (lab, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {lab} | {k} | {v} |")
print(f"| 1 | all | {sum(p['label']==1 for p in P)} |\n| 0 | all | {sum(p['label']==0 for p in P)} |")
print("\n## pairs per domain")
print("| domain | positive | negative |\n|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for p in P:
    dom[p["domain"]][0 if p["label"] == 1 else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} |")
# support vs general comes from the source file prefix; also count the rewritten negatives section
print("\n## pairs by source (support p_s_* vs general p_g_*)")
print("| source | positive | negative | negatives in 'reworded and changed ask' sections |\n|---|---|---|---|")
for pre in ("p_s_", "p_g_"):
    pos = neg = sub = 0
    for fn in sorted(glob.glob(os.path.join(here, "src", pre + "*.txt"))):
        section = ""
        for line in open(fn, encoding="utf-8"):
            if line.startswith("#"):
                section = line
                continue
            if not line.strip():
                continue
            if line.startswith("1 "):
                pos += 1
            elif line.startswith("0 "):
                neg += 1
                if "reworded and changed ask" in section:
                    sub += 1
    print(f"| {'support' if pre=='p_s_' else 'general'} | {pos} | {neg} | {sub} |")
