#!/usr/bin/env python3
"""Print the README count tables. Reads only; never creates or alters rows."""
import collections, json, os, re
here = os.path.dirname(os.path.abspath(__file__))
Q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
P = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## queries per tier x traffic (borderline in brackets)")
print("| tier | support | general | total | % |\n|---|---|---|---|---|")
for t in tiers:
    s = [q for q in Q if q["tier"] == t and q["traffic"] == "support"]
    g = [q for q in Q if q["tier"] == t and q["traffic"] == "general"]
    bs = sum(q["borderline"] for q in s); bg = sum(q["borderline"] for q in g)
    print(f"| {t} | {len(s)} ({bs}) | {len(g)} ({bg}) | {len(s)+len(g)} ({bs+bg}) | {100*(len(s)+len(g))/len(Q):.1f} |")
ns = sum(q["traffic"] == "support" for q in Q)
print(f"| all | {ns} ({sum(q['borderline'] for q in Q if q['traffic']=='support')}) | {len(Q)-ns} ({sum(q['borderline'] for q in Q if q['traffic']=='general')}) | {len(Q)} ({sum(q['borderline'] for q in Q)}) | 100 |")
print("\n## query styles")
print("| style | n |\n|---|---|")
for k, v in sorted(collections.Counter(q["style"] for q in Q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n## pairs per label x kind")
print("| label | kind | n |\n|---|---|---|")
for (lab, k), v in sorted(collections.Counter((p["label"], p["kind"]) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {lab} | {k} | {v} |")
print(f"| 1 | all | {sum(p['label']==1 for p in P)} |\n| 0 | all | {sum(p['label']==0 for p in P)} |")
print("\n## pairs per domain")
print("| domain | pos | neg |\n|---|---|---|")
for d in sorted({p["domain"] for p in P}):
    print(f"| {d} | {sum(p['domain']==d and p['label']==1 for p in P)} | {sum(p['domain']==d and p['label']==0 for p in P)} |")
# support-style vs general, and close vs rewritten negatives, from the source files' section comments
src = os.path.join(here, "src")
tab = collections.Counter()
for name in sorted(os.listdir(src)):
    m = re.match(r"^p_([sg])_.*\.txt$", name)
    if not m:
        continue
    section = None
    for line in open(os.path.join(src, name), encoding="utf-8"):
        line = line.strip()
        if line.startswith("#"):
            if "close" in line: section = "close"
            elif "rewritten" in line: section = "rewritten"
            continue
        if not line:
            continue
        lab = line.split()[0]
        tab[(m.group(1), lab)] += 1
        if lab == "0":
            tab[("neg", section)] += 1
print("\n## support-style vs general pairs")
print("| source | pos | neg | total |\n|---|---|---|---|")
for t, nm in (("s", "support-style (p_s_*)"), ("g", "general (p_g_*)")):
    print(f"| {nm} | {tab[(t,'1')]} | {tab[(t,'0')]} | {tab[(t,'1')]+tab[(t,'0')]} |")
print("\n## negatives by construction (source section comments)")
print(f"| close edit (one entity/number/unit/direction/time/negation changed) | {tab[('neg','close')]} |")
print(f"| rewritten with a changed ask | {tab[('neg','rewritten')]} |")
