import json, collections, re, difflib
Q=[json.loads(l) for l in open('classifier_queries.jsonl')]
P=[json.loads(l) for l in open('cache_pairs.jsonl')]
print("queries", len(Q))
tiers=["simple","moderate","complex","reasoning"]
c=collections.Counter((q['tier'],q['traffic']) for q in Q)
print("| tier | support | general | total | share |\n|---|---|---|---|---|")
for t in tiers:
    s,g=c[(t,'support')],c[(t,'general')]
    print(f"| {t} | {s} | {g} | {s+g} | {100*(s+g)/len(Q):.1f}% |")
ts=sum(1 for q in Q if q['traffic']=='support'); print(f"| all | {ts} | {len(Q)-ts} | {len(Q)} | |")
b=collections.Counter((q['tier']) for q in Q if q['borderline'])
print("borderline:", sum(b.values()), dict(b))
print("styles:", dict(sorted(collections.Counter(q['style'] for q in Q).items(), key=lambda x:-x[1])))
print("pairs", len(P))
pk=collections.Counter((p['label'],p['kind']) for p in P)
print("| label | kind | count |\n|---|---|---|")
for k,v in sorted(pk.items()): print(f"| {k[0]} | {k[1]} | {v} |")
print("labels", dict(collections.Counter(p['label'] for p in P)))
d=collections.defaultdict(lambda:[0,0])
for p in P: d[p['domain']][p['label']]+=1
print("| domain | pos | neg |\n|---|---|---|")
for k in sorted(d): print(f"| {k} | {d[k][1]} | {d[k][0]} |")
def toks(s): return re.findall(r"[a-z0-9%']+|[^\sa-z0-9]", s.lower())
close=0; far=0
for p in P:
    if p['label']!=0: continue
    a,b=toks(p['a']),toks(p['b'])
    ops=[o for o in difflib.SequenceMatcher(None,a,b).get_opcodes() if o[0]!='equal']
    ch=sum(max(o[2]-o[1],o[4]-o[3]) for o in ops)
    if len(ops)<=2 and ch<=4: close+=1
    else: far+=1
print("negatives close-edit (<=2 edit spans, <=4 tokens changed):", close, "freer rewrites:", far)
