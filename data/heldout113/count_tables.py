#!/usr/bin/env python3
"""Print the README count tables from the built jsonl files and src/ (reads only; creates or alters no rows)."""
import collections, json, os, re
here = os.path.dirname(os.path.abspath(__file__))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("### Queries per tier x traffic\n\n| tier | support | general | total | share |\n|---|---|---|---|---|")
c = collections.Counter((q["tier"], q["traffic"]) for q in Q)
for t in tiers:
    s, g = c[(t, "support")], c[(t, "general")]
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% |")
print(f"| total | {sum(q['traffic']=='support' for q in Q)} | {sum(q['traffic']=='general' for q in Q)} | {len(Q)} | |")
print("\n### Borderline (b) per tier\n\n| tier | borderline | of |\n|---|---|---|")
for t in tiers:
    print(f"| {t} | {sum(q['borderline'] for q in Q if q['tier']==t)} | {sum(q['tier']==t for q in Q)} |")
print(f"| total | {sum(q['borderline'] for q in Q)} | {len(Q)} |")
print("\n### Styles\n\n| style | rows |\n|---|---|")
for s, n in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {s} | {n} |")
print("\n### Pairs per label x kind\n\n| label | kind | pairs |\n|---|---|---|")
for (l, k), n in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {n} |")
print(f"| 1 | all | {sum(p['label']==1 for p in P)} |\n| 0 | all | {sum(p['label']==0 for p in P)} |")
print("\n### Pairs per domain\n\n| domain | pos | neg | total |\n|---|---|---|---|")
d = collections.Counter((p["domain"], p["label"]) for p in P)
for dom in sorted({p["domain"] for p in P}):
    print(f"| {dom} | {d[(dom,1)]} | {d[(dom,0)]} | {d[(dom,1)]+d[(dom,0)]} |")
print("\n### Pairs per source traffic (from src file names)\n\n| source | pos | neg | total |\n|---|---|---|---|")
rows = collections.Counter(); free = 0
for name in sorted(os.listdir(os.path.join(here, "src"))):
    m = re.match(r"^p_([sg])_.*\.txt$", name)
    if not m: continue
    for line in open(os.path.join(here, "src", name), encoding="utf-8"):
        if not line.strip() or line.lstrip().startswith("#"): continue
        lab = line.split()[0]
        rows[(m.group(1), lab)] += 1
        if "shifted" in name and lab == "0": free += 1
for tr, label in (("s", "support-style (p_s_*)"), ("g", "general (p_g_*)")):
    print(f"| {label} | {rows[(tr,'1')]} | {rows[(tr,'0')]} | {rows[(tr,'1')]+rows[(tr,'0')]} |")
neg = sum(p['label']==0 for p in P)
print(f"\nFreely reworded negatives (p_*_shifted.txt): {free} of {neg} ({100*free/neg:.1f}%); close-edit negatives: {neg-free}")
