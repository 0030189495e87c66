#!/usr/bin/env python3
"""Print README count tables from the built jsonl files (read-only; creates or alters no rows)."""
import collections, glob, json, os
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## Queries per tier x traffic\n\n| tier | support | general | total | % | borderline |\n|---|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "support")
    g = sum(1 for q in Q if q["tier"] == t and q["traffic"] == "general")
    b = sum(1 for q in Q if q["tier"] == t and q["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f} | {b} |")
print(f"| all | {sum(q['traffic']=='support' for q in Q)} | {sum(q['traffic']=='general' for q in Q)} | {len(Q)} | 100 | {sum(q['borderline'] for q in Q)} |")
print("\n## Query styles\n\n| style | n |\n|---|---|")
for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
long_simple = sum(1 for q in Q if q["tier"] == "simple" and len(q["text"]) > 200)
short_reason = sum(1 for q in Q if q["tier"] == "reasoning" and len(q["text"]) < 70)
print(f"\nLength-misleading rows: simple with > 200 characters: {long_simple}; reasoning with < 70 characters: {short_reason}")
print("\n## Pairs per label x kind\n\n| label | kind | n |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"\nlabel 1: {sum(p['label']==1 for p in P)}, label 0: {sum(p['label']==0 for p in P)}, total {len(P)}")
print("\n## Pairs per domain\n\n| domain | pos | neg |\n|---|---|---|")
dom = collections.defaultdict(lambda: [0, 0])
for p in P:
    dom[p["domain"]][0 if p["label"] == 1 else 1] += 1
for d in sorted(dom):
    print(f"| {d} | {dom[d][0]} | {dom[d][1]} |")
def nrows(pattern):
    n = 0
    for f in glob.glob(os.path.join(here, "src", pattern)):
        n += sum(1 for l in open(f, encoding="utf-8") if l.strip() and not l.lstrip().startswith("#"))
    return n
sup, gen = nrows("p_s_*.txt"), nrows("p_g_*.txt")
wide = nrows("p_*wide*.txt")
print(f"\nSupport-style pairs (p_s_*): {sup}; general-assistant pairs (p_g_*): {gen}")
print(f"Negatives in *wide* files (freely reworded, ask changed): {wide} of {sum(p['label']==0 for p in P)}")
