"""Counts for README tables. Reads the built jsonl files only; creates or alters no rows."""
import json, collections, difflib, re, os
ROOT=os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
Q=[json.loads(l) for l in open(os.path.join(ROOT,'classifier_queries.jsonl'))]
P=[json.loads(l) for l in open(os.path.join(ROOT,'cache_pairs.jsonl'))]
print("queries",len(Q))
tiers=["simple","moderate","complex","reasoning"]
c=collections.Counter((q['tier'],q['traffic']) for q in Q)
print("| tier | support | general | total | borderline |")
print("|---|---|---|---|---|")
for t in tiers:
    print(f"| {t} | {c[(t,'support')]} | {c[(t,'general')]} | {c[(t,'support')]+c[(t,'general')]} | {sum(1 for q in Q if q['tier']==t and q['borderline'])} |")
print(f"| total | {sum(1 for q in Q if q['traffic']=='support')} | {sum(1 for q in Q if q['traffic']=='general')} | {len(Q)} | {sum(q['borderline'] for q in Q)} |")
s=collections.Counter(q['style'] for q in Q)
print("styles:", ", ".join(f"{k} {v}" for k,v in s.most_common()))
print("pairs",len(P))
k=collections.Counter((p['label'],p['kind']) for p in P)
print("| label | kind | count |"); print("|---|---|---|")
for (l,kk),v in sorted(k.items()): print(f"| {l} | {kk} | {v} |")
print("labels", collections.Counter(p['label'] for p in P))
d=collections.defaultdict(lambda:[0,0])
for p in P: d[p['domain']][p['label']]+=1
print("| domain | pos | neg |"); print("|---|---|---|")
for dom in sorted(d): print(f"| {dom} | {d[dom][1]} | {d[dom][0]} |")
sup={'vet','petpharm','marina','hottub','bridal','piano','pest','chimney','sports','party','invented'}
ns=sum(1 for p in P if p['domain'] in sup); print("support-style",ns,"general",len(P)-ns)
def toks(t): return re.findall(r"[a-z0-9']+|[^a-z0-9'\s]", t.lower())
far=0; close=0
for p in P:
    if p['label']!=0: continue
    a,b=toks(p['a']),toks(p['b'])
    sm=difflib.SequenceMatcher(None,a,b)
    changed=sum(max(i2-i1,j2-j1) for op,i1,i2,j1,j2 in sm.get_opcodes() if op!='equal')
    ops=sum(1 for op,*_ in sm.get_opcodes() if op!='equal')
    if ops<=1 and changed<=2: close+=1
    else: far+=1
print("negatives: close edit (one changed span of <=2 tokens)",close,"; freer rewrites",far)
