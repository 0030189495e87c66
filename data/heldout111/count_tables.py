#!/usr/bin/env python3
"""Print the README count tables. Reads the built jsonl files and src/p_*.txt; writes nothing, changes no row."""
import collections, glob, json, os
os.chdir(os.path.dirname(os.path.abspath(__file__)))
Q = [json.loads(l) for l in open('classifier_queries.jsonl')]
P = [json.loads(l) for l in open('cache_pairs.jsonl')]
T = ['simple', 'moderate', 'complex', 'reasoning']
print("### Queries per tier x traffic\n\n| tier | support | general | total | share |\n|---|---|---|---|---|")
c = collections.Counter((q['tier'], q['traffic']) for q in Q)
for t in T:
    s, g = c[(t, 'support')], c[(t, 'general')]
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% |")
ns = sum(1 for q in Q if q['traffic'] == 'support')
print(f"| total | {ns} | {len(Q)-ns} | {len(Q)} | |\n")
print("### Borderline (b) per tier\n\n| tier | borderline | not |\n|---|---|---|")
for t in T:
    b = sum(1 for q in Q if q['tier'] == t and q['borderline']); n = sum(1 for q in Q if q['tier'] == t)
    print(f"| {t} | {b} | {n-b} |")
print(f"| total | {sum(q['borderline'] for q in Q)} | {sum(not q['borderline'] for q in Q)} |\n")
print("### Query styles\n\n| style | count |\n|---|---|")
for k, v in collections.Counter(q['style'] for q in Q).most_common():
    print(f"| {k} | {v} |")
print("\n### Pairs per label x kind\n\n| label | kind | count |\n|---|---|---|")
for (l, k), v in sorted(collections.Counter((p['label'], p['kind']) for p in P).items(), key=lambda x: (-x[0][0], x[0][1])):
    print(f"| {l} | {k} | {v} |")
print(f"| 1 | all | {sum(p['label'] for p in P)} |\n| 0 | all | {sum(1-p['label'] for p in P)} |\n")
print("### Pairs per domain\n\n| domain | pos | neg | total |\n|---|---|---|---|")
d = collections.defaultdict(lambda: [0, 0])
for p in P:
    d[p['domain']][1 - p['label']] += 1
for k in sorted(d):
    print(f"| {k} | {d[k][0]} | {d[k][1]} | {sum(d[k])} |")
sup = gen = far = 0; farby = collections.Counter(); tl = collections.Counter()
for f in sorted(glob.glob('src/p_*.txt')):
    sec = ''
    tr = 'support' if os.path.basename(f).startswith('p_s_') else 'general'
    for line in open(f):
        line = line.strip()
        if not line:
            continue
        if line.startswith('#'):
            sec = line; continue
        tl[(tr, line.split()[0])] += 1
        if 'reworded with a changed ask' in sec:
            far += 1; farby[(tr, line.split()[1])] += 1
print("\n### Support-style vs general pairs\n\n| traffic | pos | neg | total |\n|---|---|---|---|")
for tr in ('support', 'general'):
    print(f"| {tr} (p_{tr[0]}_*) | {tl[(tr,'1')]} | {tl[(tr,'0')]} | {tl[(tr,'1')]+tl[(tr,'0')]} |")
print(f"\n### Negatives that are not a one-word/one-number edit\n\n{far} of {sum(1-p['label'] for p in P)} negatives "
      "(the rows under '# negatives, reworded with a changed ask' in the p_*.txt files).\n\n| traffic | kind | count |\n|---|---|---|")
for (t, k), v in sorted(farby.items()):
    print(f"| {t} | {k} | {v} |")
