#!/usr/bin/env python3
"""Print count tables for README (reads the built jsonl and the src section comments; creates or alters no rows)."""
import collections, json, os, glob
here = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"))]
p = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"))]
T = ["simple", "moderate", "complex", "reasoning"]
print("## queries per tier x traffic\n\n| tier | support | general | total | borderline |\n|---|---|---|---|---|")
for t in T:
    s = sum(1 for r in q if r["tier"] == t and r["traffic"] == "support")
    g = sum(1 for r in q if r["tier"] == t and r["traffic"] == "general")
    b = sum(1 for r in q if r["tier"] == t and r["borderline"])
    print(f"| {t} | {s} | {g} | {s+g} ({100*(s+g)/len(q):.1f}%) | {b} |")
print(f"| total | {sum(r['traffic']=='support' for r in q)} | {sum(r['traffic']=='general' for r in q)} | {len(q)} | {sum(r['borderline'] for r in q)} |")
print("\n## query styles\n\n| style | n |\n|---|---|")
for k, v in sorted(collections.Counter(r["style"] for r in q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n## pairs per label x kind\n\n| label | kind | n |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((r["label"], r["kind"]) for r in p).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"\nlabel 1: {sum(r['label']==1 for r in p)}, label 0: {sum(r['label']==0 for r in p)}")
print("\n## pairs per domain\n\n| domain | pos | neg |\n|---|---|---|")
for d in sorted({r["domain"] for r in p}):
    print(f"| {d} | {sum(1 for r in p if r['domain']==d and r['label']==1)} | {sum(1 for r in p if r['domain']==d and r['label']==0)} |")
# traffic of pairs and negative sections from the source files
sec = collections.Counter()
traf = collections.Counter()
for f in sorted(glob.glob(os.path.join(here, "src", "p_*.txt"))):
    tr = "support" if os.path.basename(f).startswith("p_s_") else "general"
    cur = None
    for line in open(f, encoding="utf-8"):
        line = line.strip()
        if line.startswith("# section:"):
            cur = line.split(":", 1)[1].strip(); continue
        if not line or line.startswith("#"):
            continue
        traf[(tr, int(line[0]))] += 1
        sec[cur] += 1
print("\n## pairs per traffic\n\n| traffic | pos | neg | total |\n|---|---|---|---|")
for tr in ("support", "general"):
    print(f"| {tr} | {traf[(tr,1)]} | {traf[(tr,0)]} | {traf[(tr,1)]+traf[(tr,0)]} |")
print("\n## source sections\n\n| section | n |\n|---|---|")
for k, v in sorted(sec.items()):
    print(f"| {k} | {v} |")
