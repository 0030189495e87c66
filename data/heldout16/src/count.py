#!/usr/bin/env python3
"""Print count tables for README (read-only: never creates or alters rows)."""
import json, os, collections as C
H = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
q = [json.loads(l) for l in open(os.path.join(H, "classifier_queries.jsonl"), encoding="utf-8")]
p = [json.loads(l) for l in open(os.path.join(H, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## Queries per tier x traffic\n\n| tier | support | general | total | share | borderline |\n|---|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for r in q if r["tier"] == t and r["traffic"] == "support")
    g = sum(1 for r in q if r["tier"] == t and r["traffic"] == "general")
    b = sum(1 for r in q if r["tier"] == t and r["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(q):.1f}% | {b} |")
print(f"| total | {sum(r['traffic']=='support' for r in q)} | {sum(r['traffic']=='general' for r in q)} | {len(q)} | 100% | {sum(r['borderline'] for r in q)} |")
print("\n## Query styles\n\n| style | n |\n|---|---|")
for k, v in sorted(C.Counter(r["style"] for r in q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n## Pairs per label x kind\n\n| label | kind | n |\n|---|---|---|")
for (l, k), v in sorted(C.Counter((r["label"], r["kind"]) for r in p).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"| 1 | all positive | {sum(r['label']==1 for r in p)} |\n| 0 | all negative | {sum(r['label']==0 for r in p)} |")
print("\n## Pairs per domain\n\n| domain | pos | neg | total |\n|---|---|---|---|")
dom = sorted(set(r["domain"] for r in p))
for d in dom:
    a = sum(1 for r in p if r["domain"] == d and r["label"] == 1)
    b = sum(1 for r in p if r["domain"] == d and r["label"] == 0)
    print(f"| {d} | {a} | {b} | {a+b} |")
print("\n## Pairs per source file (support-style p_s_*, general p_g_*)\n\n| file | pos | neg |\n|---|---|---|")
src = os.path.join(H, "src")
tot = C.Counter()
for n in sorted(os.listdir(src)):
    if n.startswith("p_") and n.endswith(".txt"):
        c = C.Counter(l.split()[0] for l in open(os.path.join(src, n), encoding="utf-8") if l.strip() and not l.startswith("#"))
        print(f"| {n} | {c['1']} | {c['0']} |")
        tr = "support" if n.startswith("p_s_") else "general"
        tot[(tr, "1")] += c["1"]; tot[(tr, "0")] += c["0"]
        if "neg_free" in n: tot["free"] += c["0"]
        if "neg_close" in n: tot["close"] += c["0"]
print(f"\nsupport-style pairs: {tot[('support','1')]} pos + {tot[('support','0')]} neg = {tot[('support','1')]+tot[('support','0')]}")
print(f"general pairs: {tot[('general','1')]} pos + {tot[('general','0')]} neg = {tot[('general','1')]+tot[('general','0')]}")
print(f"negatives freely reworded with a changed ask (p_*_neg_free.txt): {tot['free']}; close edits (p_*_neg_close.txt): {tot['close']}")
