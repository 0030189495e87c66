#!/usr/bin/env python3
"""Assemble hand-written held-out files into JSONL. No text is generated here:
every query and pair is typed in the .txt sources; this only parses, assigns ids,
shuffles order deterministically and validates."""
import json, glob, random, os, collections, sys
HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.dirname(HERE)
TIERS = {"simple", "moderate", "complex", "reasoning"}
NEG = {"entity_swap","number_swap","negation","direction_swap","intent_shift","near_topic",
       "time_swap","quantity_or_unit","unrelated"}

def records(path):
    cur = None
    for line in open(path, encoding="utf-8").read().split("\n"):
        if line.startswith("@@ "):
            if cur: yield cur
            cur = [line[3:].split(), []]
        else:
            cur[1].append(line)
    if cur: yield cur

qs = []
for f in sorted(glob.glob(os.path.join(HERE, "q*.txt"))):
    for hdr, body in records(f):
        tier, traffic, style = hdr
        text = "\n".join(body).strip()
        assert tier in TIERS and traffic in {"support","general"}, (f, hdr)
        assert text, (f, hdr)
        qs.append({"text": text, "tier": tier, "traffic": traffic, "style": style})
pairs = []
for f in sorted(glob.glob(os.path.join(HERE, "p*.txt"))):
    for hdr, body in records(f):
        label, kind, domain = hdr
        body = [b for b in body if b.strip()]
        assert len(body) == 2 and body[0].startswith("A: ") and body[1].startswith("B: "), (f, hdr, body)
        a, b = body[0][3:].strip(), body[1][3:].strip()
        label = int(label)
        assert label in (0, 1)
        assert (label == 1 and kind.startswith("paraphrase")) or (label == 0 and kind in NEG), (f, hdr)
        assert a != b
        pairs.append({"a": a, "b": b, "label": label, "kind": kind, "domain": domain})

texts = [q["text"].lower() for q in qs]
d = [t for t, c in collections.Counter(texts).items() if c > 1]
assert not d, d
pk = [(p["a"].lower(), p["b"].lower()) for p in pairs]
d = [t for t, c in collections.Counter(pk).items() if c > 1]
assert not d, d

rng = random.Random(20261203)
rng.shuffle(qs); rng.shuffle(pairs)
with open(os.path.join(OUT, "classifier_queries.jsonl"), "w", encoding="utf-8") as fh:
    for i, q in enumerate(qs, 1):
        fh.write(json.dumps({"id": f"hq-{i:04d}", **q}, ensure_ascii=False) + "\n")
with open(os.path.join(OUT, "cache_pairs.jsonl"), "w", encoding="utf-8") as fh:
    for i, p in enumerate(pairs, 1):
        fh.write(json.dumps({"id": f"hp-{i:04d}", **p}, ensure_ascii=False) + "\n")

# validate by re-reading
for name in ("classifier_queries.jsonl", "cache_pairs.jsonl"):
    rows = [json.loads(l) for l in open(os.path.join(OUT, name), encoding="utf-8")]
    assert len({r["id"] for r in rows}) == len(rows)
    print(name, len(rows))
c = collections.Counter((q["traffic"], q["tier"]) for q in qs)
for k in sorted(c): print(*k, c[k])
c = collections.Counter((p["kind"] if p["label"] == 0 else "paraphrase*", p["label"]) for p in pairs)
for k in sorted(c): print(*k, c[k])
print("pos", sum(p["label"] for p in pairs), "of", len(pairs))
gen = sum(p["domain"].startswith("general") for p in pairs); print("general pairs", gen)
print("query lens min/max", min(len(q["text"]) for q in qs), max(len(q["text"]) for q in qs))
