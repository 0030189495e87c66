import json, collections, os, glob
q=[json.loads(l) for l in open('classifier_queries.jsonl')]
p=[json.loads(l) for l in open('cache_pairs.jsonl')]
print("QUERIES", len(q))
c=collections.Counter((r['tier'],r['traffic']) for r in q)
print("| tier | support | general | total | share |"); print("|---|---|---|---|---|")
for t in ['simple','moderate','complex','reasoning']:
    tot=c[(t,'support')]+c[(t,'general')]
    print(f"| {t} | {c[(t,'support')]} | {c[(t,'general')]} | {tot} | {100*tot/len(q):.1f}% |")
ts=collections.Counter(r['traffic'] for r in q)
print(f"| all | {ts['support']} | {ts['general']} | {len(q)} | |")
b=collections.Counter((r['tier'],r['borderline']) for r in q)
print("\nborderline per tier:", {t:b[(t,True)] for t in ['simple','moderate','complex','reasoning']}, "total", sum(r['borderline'] for r in q))
print("\nstyles:", dict(sorted(collections.Counter(r['style'] for r in q).items(), key=lambda x:-x[1])))
print("\nPAIRS", len(p))
k=collections.Counter((r['label'],r['kind']) for r in p)
print("| label | kind | count |"); print("|---|---|---|")
for (l,kk),n in sorted(k.items()): print(f"| {l} | {kk} | {n} |")
lab=collections.Counter(r['label'] for r in p); print("labels:", dict(lab))
d=collections.defaultdict(lambda:[0,0])
for r in p: d[r['domain']][r['label']]+=1
print("| domain | pos | neg |"); print("|---|---|---|")
for dom in sorted(d): print(f"| {dom} | {d[dom][1]} | {d[dom][0]} |")
# support vs general by source file
sup=gen=0; wide=0; negs=0
for f in sorted(glob.glob('src/p_*.txt')):
    sec=None
    for line in open(f):
        s=line.strip()
        if not s: continue
        if s.startswith('#'):
            sec='wide' if 'wide' in s else 'other'; continue
        if os.path.basename(f).startswith('p_s_'): sup+=1
        else: gen+=1
        if s.startswith('0 '):
            negs+=1
            if sec=='wide': wide+=1
print("support-style pairs", sup, "general pairs", gen)
print("negatives", negs, "wide (reworded + different ask) negatives", wide, f"{100*wide/negs:.1f}%")
