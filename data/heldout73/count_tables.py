import json, collections, os, glob
base=__import__('os').path.dirname(__import__('os').path.abspath(__file__))
q=[json.loads(l) for l in open(base+'/classifier_queries.jsonl')]
p=[json.loads(l) for l in open(base+'/cache_pairs.jsonl')]
T=['simple','moderate','complex','reasoning']
print('## queries', len(q))
print('| traffic | '+' | '.join(T)+' | total |'); print('|---|---|---|---|---|---|')
for tr in ['support','general']:
    row=[sum(1 for r in q if r['traffic']==tr and r['tier']==t) for t in T]
    print(f'| {tr} | '+' | '.join(map(str,row))+f' | {sum(row)} |')
row=[sum(1 for r in q if r['tier']==t) for t in T]
print('| all | '+' | '.join(f'{x} ({100*x/len(q):.1f}%)' for x in row)+f' | {len(q)} |')
print('borderline by tier:', {t:sum(1 for r in q if r['tier']==t and r['borderline']) for t in T}, 'total', sum(r['borderline'] for r in q))
print('styles:', dict(sorted(collections.Counter(r['style'] for r in q).items(), key=lambda x:-x[1])))
print('multi-line queries:', sum('\n' in r['text'] for r in q))
print('## pairs', len(p), collections.Counter(r['label'] for r in p))
for lab in (1,0):
    print('label',lab, dict(sorted(collections.Counter(r['kind'] for r in p if r['label']==lab).items())))
print('| domain | pos | neg |'); print('|---|---|---|')
for d,_ in sorted(collections.Counter(r['domain'] for r in p).items()):
    print(f"| {d} | {sum(1 for r in p if r['domain']==d and r['label']==1)} | {sum(1 for r in p if r['domain']==d and r['label']==0)} |")
# traffic split and far negatives from the source files (section comments)
sup=gen=far=close=0; farkinds=collections.Counter()
for f in sorted(glob.glob(base+'/src/p_*.txt')):
    sec=None; g=os.path.basename(f)[2]
    for line in open(f):
        if line.startswith('#'):
            sec='far' if 'far negatives' in line else ('close' if 'close negatives' in line else 'pos'); continue
        if not line.strip(): continue
        if g=='s': sup+=1
        else: gen+=1
        if line[0]=='0':
            if sec=='far': far+=1; farkinds[line.split()[1]]+=1
            else: close+=1
print('support-style pairs', sup, 'general pairs', gen)
print('negatives: far (reworded + different ask)', far, 'close edits', close, dict(farkinds))
