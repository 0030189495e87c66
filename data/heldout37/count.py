#!/usr/bin/env python3
"""Print count tables for README (reads the built jsonl and the src section comments; writes nothing)."""
import collections, json, os
here = os.path.dirname(os.path.abspath(__file__))
q = [json.loads(l) for l in open(os.path.join(here, "classifier_queries.jsonl"), encoding="utf-8")]
p = [json.loads(l) for l in open(os.path.join(here, "cache_pairs.jsonl"), encoding="utf-8")]
tiers = ["simple", "moderate", "complex", "reasoning"]
print("## queries per tier x traffic\n\n| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s = sum(1 for r in q if r["tier"] == t and r["traffic"] == "support")
    g = sum(1 for r in q if r["tier"] == t and r["traffic"] == "general")
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(q):.1f}% |")
s = sum(1 for r in q if r["traffic"] == "support")
print(f"| total | {s} | {len(q)-s} | {len(q)} | |\n")
print("## borderline per tier\n\n| tier | borderline | not |\n|---|---|---|")
for t in tiers:
    b = sum(1 for r in q if r["tier"] == t and r["borderline"])
    n = sum(1 for r in q if r["tier"] == t and not r["borderline"])
    print(f"| {t} | {b} | {n} |")
print(f"| total | {sum(r['borderline'] for r in q)} | {sum(not r['borderline'] for r in q)} |\n")
print("## styles\n\n| style | count |\n|---|---|")
for k, v in sorted(collections.Counter(r["style"] for r in q).items(), key=lambda x: (-x[1], x[0])):
    print(f"| {k} | {v} |")
print("\n## pairs per label x kind\n\n| label | kind | count |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((r["label"], r["kind"]) for r in p).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"\nlabel 1: {sum(r['label'] == 1 for r in p)}, label 0: {sum(r['label'] == 0 for r in p)}, total {len(p)}\n")
print("## pairs per domain\n\n| domain | pos | neg | total |\n|---|---|---|---|")
for d in sorted({r["domain"] for r in p}):
    a = sum(1 for r in p if r["domain"] == d and r["label"] == 1)
    b = sum(1 for r in p if r["domain"] == d and r["label"] == 0)
    print(f"| {d} | {a} | {b} | {a+b} |")
# support-style vs general, and free vs close negatives, from the source files and their section comments
src = os.path.join(here, "src")
cnt = collections.Counter()
for name in sorted(os.listdir(src)):
    if not name.startswith("p_") or not name.endswith(".txt"):
        continue
    traffic = "support" if name.startswith("p_s_") else "general"
    section = None
    for line in open(os.path.join(src, name), encoding="utf-8"):
        line = line.strip()
        if line.startswith("#"):
            section = line.lstrip("# ").strip()
            continue
        if not line:
            continue
        lab = line.split()[0]
        cnt[(traffic, lab)] += 1
        if lab == "0":
            cnt[("neg_section", section)] += 1
print("\n## pairs support-style vs general\n\n| traffic | pos | neg | total |\n|---|---|---|---|")
for t in ("support", "general"):
    print(f"| {t} | {cnt[(t, '1')]} | {cnt[(t, '0')]} | {cnt[(t, '1')] + cnt[(t, '0')]} |")
print("\n## negatives by source section\n")
for k, v in sorted(cnt.items()):
    if k[0] == "neg_section":
        print(f"- {k[1]}: {v}")
