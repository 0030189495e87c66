"""The pipeline's and the demo's workload prompts through the router's picker with two or
more classifier artefacts, offline: which prompts change tier, in which direction, and
which became under-routed and why (session 28: ``make bench-pipeline``'s under-routing
rose 0.9 % -> 2.5 % when ``2.142f8f8c`` replaced ``2.eb2f328f``).

The workload is what ``llm-router bench`` builds (``benchmark.workload.build_workload``,
seed 16: the repo's held-out split first, then training rows, shuffled, with repeats and
paraphrases drawn among them) from a ``data/classifier/queries.jsonl``: ``make
bench-pipeline`` asks for 1,000 requests, ``make demo``'s bench 100. The expected tier of
each request is its labelled query's label. The workload is rebuilt whenever the labelled
queries change (the training rows' shuffle and every later draw depend on how many there
are), so each ``--queries`` names a version of that file (a git revision, or a path) and
each ``--artefact`` a classifier (a git revision: its
``layers/core/llm_router/data/classifier/`` files; or a directory).

Every request is routed as ``TierPicker.pick(request, embedding, text=query)`` routes it
on the request path, with the two-asks override (TB) on as shipped, on ``embed_one``'s
vector of its text (kept in ``--vectors``). No server, no cache, no provider: a request
is under-routed here when its routed tier is below its label (the pipeline counts the
served model's strongest tier, after failovers and cache hits, so it can differ; a
recorded pipeline run given with ``--recorded`` is checked request by request on its
cache misses). For each prompt that one artefact under-routes and another does not, the
report gives both decisions (probabilities, expected costs, the margin by which the
label's tier lost) and its nearest training rows (``--neighbours``, cosine over the
training memo's vectors) with whether each row is in the other artefact's training data.

    OPENBLAS_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/classifier_workload_diff.py \\
        --queries eb2f328f=66c9ccc --queries 142f8f8c=21315bf \\
        --artefact 2.eb2f328f=66c9ccc --artefact 2.142f8f8c=21315bf \\
        --requests 1000 --requests 100 \\
        --recorded eb2f328f:1000:2.eb2f328f=bench/results/pipeline-session26.json \\
        --recorded 142f8f8c:1000:2.142f8f8c=bench/results/pipeline-session27.json \\
        --neighbours 142f8f8c --memo .cache/embeddings.npz \\
        --vectors .cache/workload-diff/vectors.npz --seeds 50 \\
        --out bench/results/classifier-workload-diff-session28.json
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import tempfile
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
from run_record import run_record

ROOT = Path(__file__).resolve().parents[1]
QUERIES_PATH = "data/classifier/queries.jsonl"
ARTEFACT_PATH = "layers/core/llm_router/data/classifier"
ARTEFACT_FILES = ("classifier.json", "classifier.npz")
TIER_NAMES = ("simple", "moderate", "complex", "reasoning")
NEIGHBOURS = 5


# --- reading versions of files -------------------------------------------------------

def _is_revision(source: str) -> bool:
    return not Path(source).exists()


def git_bytes(revision: str, path: str) -> bytes:
    return subprocess.run(["git", "show", f"{revision}:{path}"], cwd=ROOT,
                          capture_output=True, check=True, timeout=60).stdout


def read_queries(source: str) -> tuple[list[dict[str, Any]], str]:
    """The labelled rows of a queries.jsonl (a path, or a git revision's), and its sha256."""
    raw = Path(source).read_bytes() if not _is_revision(source) else git_bytes(
        source, QUERIES_PATH)
    rows = [json.loads(line) for line in raw.decode("utf-8").splitlines() if line.strip()]
    return rows, hashlib.sha256(raw).hexdigest()


def artefact_dir(source: str, scratch: Path) -> Path:
    """A directory holding the artefact: ``source`` itself, or a git revision's files
    written under ``scratch``."""
    if not _is_revision(source):
        return Path(source)
    out = scratch / f"artefact-{source}"
    out.mkdir(parents=True, exist_ok=True)
    for name in ARTEFACT_FILES:
        (out / name).write_bytes(git_bytes(source, f"{ARTEFACT_PATH}/{name}"))
    return out


# --- the workload ----------------------------------------------------------------------

@dataclass(frozen=True)
class Request:
    index: int
    query: str
    label: str
    variant: str
    split: str
    source: str  # the labelled row's source (a repeat or paraphrase: its original's)
    row_id: str


def workload(rows: list[dict[str, Any]], requests: int, seed: int = 16) -> list[Request]:
    """``llm-router bench``'s workload of ``requests`` from these labelled rows (its
    defaults: repeat 0.15, paraphrase 0.10, closed loop, seed 16), each request with the
    labelled row it came from. The workload's rows are what ``llm-router bench`` reads
    (``load_examples``), written to a scratch file."""
    from llm_router.classifier.dataset import load_examples
    from llm_router_local.benchmark.workload import WorkloadShape, build_workload

    with tempfile.TemporaryDirectory() as tmp:  # parsed as the bench parses its file
        path = Path(tmp) / "queries.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        examples = load_examples(path)
    by_text = {e.query: (e.source, e.id) for e in examples}
    items = build_workload(examples, WorkloadShape(requests, seed=seed))
    out: list[Request] = []
    for i, item in enumerate(items):
        origin = by_text.get(item.query)
        if origin is None:  # a paraphrase: of the latest earlier request whose text it rewords
            origin = next(by_text[o.query] for o in reversed(out)
                          if o.label == item.label and _rewords(item.query, o.query))
            by_text[item.query] = origin  # a repeat of the paraphrase finds it
        out.append(Request(i, item.query, item.label, item.variant, item.split, *origin))
    return out


def _rewords(paraphrase: str, query: str) -> bool:
    body = query.strip()
    if body[:1].isupper() and not body[1:2].isupper():
        body = body[0].lower() + body[1:]
    return body in paraphrase or query in paraphrase


# --- routing ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Decision:
    tier: str  # where the picker routes it (TB on)
    plain: str  # the expected-cost decision before TB
    label: str  # the classifier's most likely tier
    probabilities: tuple[float, ...]
    expected_costs: tuple[float, ...]
    under_cost: float


def decisions(classifier_dir: Path, texts: Sequence[str], vectors: np.ndarray,
              embedder: Any) -> tuple[list[Decision], dict[str, Any]]:
    """Each text through ``TierPicker.pick`` as the request path calls it (two-asks
    override on), with the decision's numbers beside it."""
    from llm_router.classifier.decision import expected_costs
    from llm_router.classifier.runtime import load_classifier
    from llm_router.complexity import TierPicker
    from llm_router.schema import ChatRequest

    classifier = load_classifier(classifier_dir, embedder_id=embedder.model_id)
    picker = TierPicker(embedder, classifier, two_asks=True)
    out = []
    for text, vector in zip(texts, vectors, strict=True):
        request = ChatRequest.model_validate(
            {"model": "auto", "messages": [{"role": "user", "content": text}]})
        choice = picker.pick(request, vector, text=text)
        probs = classifier.classify(text, vector).probabilities
        costs = expected_costs(np.asarray(probs, dtype=np.float32), picker.under_cost)[0]
        plain = "simple" if choice.two_asks else choice.tier  # TB moves simple only
        out.append(Decision(choice.tier, plain, choice.label,
                            tuple(round(float(p), 4) for p in probs),
                            tuple(round(float(c), 4) for c in costs), picker.under_cost))
    files = {name: hashlib.sha256((classifier_dir / name).read_bytes()).hexdigest()
             for name in ARTEFACT_FILES}
    meta = classifier.metadata
    info = {"version": meta["version"], "under_cost": picker.under_cost, "files": files,
            "training_sources": list(meta.get("training_data", {}).get("sources", [])),
            "training_sha256": meta.get("training_data", {}).get("sha256")}
    return out, info


def rank(tier: str) -> int:
    return TIER_NAMES.index(tier)


def vectors_for(texts: Sequence[str], path: Path | None, embed_one: Callable[[str], Any]
                ) -> np.ndarray:
    """``embed_one`` of each text (what ``pick`` computes when handed none), kept in
    ``path`` by the text's sha256 so a rerun reads the same vectors."""
    stored: dict[str, np.ndarray] = {}
    if path is not None and path.exists():
        with np.load(path) as f:
            stored = {k: f[k] for k in f.files}
    keys = [hashlib.sha256(t.encode("utf-8")).hexdigest() for t in texts]
    missing = False
    for key, text in zip(keys, texts, strict=True):
        if key not in stored:
            stored[key] = np.asarray(embed_one(text), dtype=np.float32)
            missing = True
    if path is not None and missing:
        path.parent.mkdir(parents=True, exist_ok=True)
        from llm_router.embedding.artefact import npz_bytes

        path.write_bytes(npz_bytes(stored))
    return np.stack([stored[k] for k in keys]).astype(np.float32)


# --- reading the results ---------------------------------------------------------------

def summary(reqs: Sequence[Request], picked: Sequence[Decision]) -> dict[str, Any]:
    """Under- and over-routed shares (routed tier against label) over every request and
    over the originals alone; accuracy over every request and over the held-out split's
    requests (the pipeline's tier accuracy reads held-out cache misses)."""
    def share(sel: Sequence[int], test: Callable[[int], bool]) -> dict[str, Any]:
        n = sum(1 for i in sel if test(i))
        return {"count": n, "of": len(sel), "share": round(n / max(1, len(sel)), 4)}

    every = range(len(reqs))
    originals = [i for i in every if reqs[i].variant == "original"]
    heldout = [i for i in every if reqs[i].split == "heldout"]

    def under(i: int) -> bool:
        return rank(picked[i].tier) < rank(reqs[i].label)

    def over(i: int) -> bool:
        return rank(picked[i].tier) > rank(reqs[i].label)

    def right(i: int) -> bool:
        return picked[i].tier == reqs[i].label

    return {
        "under_routed": share(every, under), "under_routed_originals": share(originals, under),
        "over_routed": share(every, over), "accuracy": share(every, right),
        "accuracy_heldout_requests": share(heldout, right),
        "under_routed_by_split": {s: share([i for i in originals if reqs[i].split == s], under)
                                  for s in sorted({r.split for r in reqs})},
        "two_asks_moved": sum(1 for d in picked if d.tier != d.plain),
        "routed_tiers": dict(Counter(d.tier for d in picked)),
    }


def margin(d: Decision, label: str) -> float:
    """By how much the label's tier lost: its expected cost minus the chosen tier's (0 or
    less where the label's tier was chosen)."""
    return round(d.expected_costs[rank(label)] - d.expected_costs[rank(d.plain)], 4)


def describe(req: Request, a: Decision, b: Decision) -> dict[str, Any]:
    from llm_router.classifier.decision import TWO_ASKS, TWO_ASKS_MAX_WORDS, at_most_words

    def one(d: Decision) -> dict[str, Any]:
        return {"tier": d.tier, "plain": d.plain, "most_likely": d.label,
                "probabilities": dict(zip(TIER_NAMES, d.probabilities, strict=True)),
                "expected_costs": dict(zip(TIER_NAMES, d.expected_costs, strict=True)),
                "label_tier_lost_by": margin(d, req.label)}

    return {"index": req.index, "variant": req.variant, "split": req.split,
            "source": req.source, "id": req.row_id, "label": req.label, "text": req.query,
            "words": len(req.query.split()),
            "two_asks_text": bool(TWO_ASKS.search(req.query))
            and at_most_words(req.query, TWO_ASKS_MAX_WORDS),
            "a": one(a), "b": one(b)}


def diff(reqs: Sequence[Request], a: Sequence[Decision], b: Sequence[Decision]
         ) -> dict[str, Any]:
    """How the routed tiers move from artefact a to b, request by request and over the
    distinct originals: up or down, and against the label (became under-routed, stopped
    being under-routed, right -> over, ...)."""
    def state(d: Decision, label: str) -> str:
        r, t = rank(d.tier), rank(label)
        return "under" if r < t else "over" if r > t else "right"

    moved = [i for i in range(len(reqs)) if a[i].tier != b[i].tier]
    transitions = Counter(f"{state(a[i], reqs[i].label)}->{state(b[i], reqs[i].label)}"
                          for i in moved)
    direction = Counter("up" if rank(b[i].tier) > rank(a[i].tier) else "down" for i in moved)
    # Distinct prompts (a repeat is the same text; a paraphrase another text).
    seen: dict[str, int] = {}
    for i in range(len(reqs)):
        seen.setdefault(reqs[i].query, i)
    distinct = sorted(seen.values())
    d_moved = [i for i in distinct if a[i].tier != b[i].tier]
    became = [i for i in distinct if state(a[i], reqs[i].label) != "under"
              and state(b[i], reqs[i].label) == "under"]
    ceased = [i for i in distinct if state(a[i], reqs[i].label) == "under"
              and state(b[i], reqs[i].label) != "under"]
    stayed = [i for i in distinct if state(a[i], reqs[i].label) == "under"
              and state(b[i], reqs[i].label) == "under"]
    times = Counter(r.query for r in reqs)
    return {
        "requests_moved": len(moved), "requests_direction": dict(direction),
        "requests_transitions": dict(transitions),
        "distinct_prompts": len(distinct), "distinct_moved": len(d_moved),
        "distinct_direction": dict(Counter(
            "up" if rank(b[i].tier) > rank(a[i].tier) else "down" for i in d_moved)),
        "distinct_transitions": dict(Counter(
            f"{state(a[i], reqs[i].label)}->{state(b[i], reqs[i].label)}" for i in d_moved)),
        "became_under": [describe(reqs[i], a[i], b[i]) | {"requests": times[reqs[i].query]}
                         for i in became],
        "ceased_under": [describe(reqs[i], a[i], b[i]) | {"requests": times[reqs[i].query]}
                         for i in ceased],
        "under_both": [describe(reqs[i], a[i], b[i]) | {"requests": times[reqs[i].query]}
                       for i in stayed],
    }


def recorded_check(reqs: Sequence[Request], picked: Sequence[Decision],
                   recorded: dict[str, Any]) -> dict[str, Any]:
    """A pipeline run's router arm against these picks, request by request: the tier it
    recorded on cache misses (``x-router-tier``) against the picker's here, and its
    under-routed requests (by the served model) against the routed tier's."""
    rr = recorded["router_requests"]
    if len(rr) != len(reqs):
        raise SystemExit(f"the recorded run has {len(rr)} requests, the workload {len(reqs)}")
    labels = recorded.get("workload", {}).get("labels")
    mine = dict(Counter(r.label for r in reqs))
    misses = [i for i, r in enumerate(rr) if r["cache"] == "miss" and r["tier"]]
    disagree = [i for i in misses if rr[i]["tier"] != picked[i].tier]
    under_rec = {i for i, r in enumerate(rr) if r["under"]}
    under_mine = {i for i in range(len(reqs)) if rank(picked[i].tier) < rank(reqs[i].label)}
    return {
        "workload_labels_match": labels == mine, "recorded_labels": labels,
        "cache_misses": len(misses), "tier_disagrees_on_misses": len(disagree),
        "disagreements": [{"index": i, "recorded": rr[i]["tier"], "here": picked[i].tier,
                           "text": reqs[i].query} for i in disagree[:20]],
        "recorded_under": len(under_rec), "under_here": len(under_mine),
        "under_both": len(under_rec & under_mine),
        "recorded_only": [{"index": i, "cache": rr[i]["cache"], "model": rr[i]["model"],
                           "recorded_tier": rr[i]["tier"], "here": picked[i].tier,
                           "label": reqs[i].label, "text": reqs[i].query}
                          for i in sorted(under_rec - under_mine)],
        "here_only": [{"index": i, "cache": rr[i]["cache"], "model": rr[i]["model"],
                       "here": picked[i].tier, "label": reqs[i].label, "text": reqs[i].query}
                      for i in sorted(under_mine - under_rec)],
    }


def tier_mix(labels: Sequence[str]) -> dict[str, Any]:
    count = Counter(labels)
    return {t: {"count": count[t], "share": round(count[t] / max(1, len(labels)), 4)}
            for t in TIER_NAMES}


def writers_mix(rows: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """The independent writers' rows (``independent-v*``, what the decision rule reads)."""
    return tier_mix([r["label"] for r in rows if str(r["source"]).startswith("independent-v")])


def neighbours(texts: Sequence[str], vectors: np.ndarray, pool: Sequence[dict[str, Any]],
               pool_vectors: np.ndarray, k: int = NEIGHBOURS) -> list[list[dict[str, Any]]]:
    """The ``k`` training rows nearest each text by cosine (the text itself left out)."""
    def unit(m: np.ndarray) -> np.ndarray:
        return m / np.maximum(np.linalg.norm(m, axis=1, keepdims=True), 1e-12)

    sims = unit(vectors) @ unit(pool_vectors).T
    out = []
    for i, text in enumerate(texts):
        order = [j for j in np.argsort(-sims[i]) if pool[j]["query"] != text][:k]
        out.append([{"text": pool[j]["query"], "label": pool[j]["label"],
                     "source": pool[j]["source"], "cosine": round(float(sims[i, j]), 4)}
                    for j in order])
    return out


def batched_tiers(classifier_dir: Path, texts: Sequence[str], vectors: np.ndarray,
                  embedder_id: str) -> list[str]:
    """The picker's tiers for many texts at once: ``decide`` then ``two_asks_up``, what
    ``runtime.routing`` runs for one (its test holds the two equal)."""
    from llm_router.classifier.decision import decide, two_asks_up
    from llm_router.classifier.runtime import load_classifier

    classifier = load_classifier(classifier_dir, embedder_id=embedder_id)
    probs = classifier.probabilities(list(texts), vectors)
    routed = two_asks_up(decide(probs, classifier.under_cost), probs, list(texts))
    return [TIER_NAMES[int(t)] for t in routed]


def spread(rows: Sequence[dict[str, Any]], tiers: dict[str, str], requests: int,
           seeds: Sequence[int]) -> dict[str, Any]:
    """Under-routed originals of the bench's workload built with other seeds (what a
    change of the labelled rows does to the fixed seed's draw: another sample of training
    rows), from each row's routed tier (``tiers``, by text)."""
    counts = {}
    for seed in seeds:
        reqs = workload(list(rows), requests, seed)
        originals = [r for r in reqs if r.variant == "original"]
        counts[seed] = {
            "originals": len(originals),
            "under": sum(1 for r in originals if rank(tiers[r.query]) < rank(r.label)),
            "under_train_rows": sum(1 for r in originals if r.split == "train"
                                    and rank(tiers[r.query]) < rank(r.label))}
    values = sorted(c["under"] for c in counts.values())
    return {"seeds": counts, "under_originals_min": values[0], "under_originals_max": values[-1],
            "under_originals_median": values[len(values) // 2]}


def in_sample(rows: Sequence[dict[str, Any]], tiers: dict[str, str],
              trained_sources: set[str]) -> dict[str, Any]:
    """Under-routing over every labelled row: the held-out split, training rows from
    sources the artefact trained on, and training rows it never saw."""
    groups: dict[str, list[dict[str, Any]]] = {"heldout": [], "train_trained_on": [],
                                                "train_not_trained_on": []}
    for r in rows:
        if r["split"] == "heldout":
            groups["heldout"].append(r)
        elif r["source"] in trained_sources:
            groups["train_trained_on"].append(r)
        else:
            groups["train_not_trained_on"].append(r)
    out = {}
    for name, members in groups.items():
        under = sum(1 for r in members if rank(tiers[r["query"]]) < rank(r["label"]))
        right = sum(1 for r in members if tiers[r["query"]] == r["label"])
        out[name] = {"rows": len(members), "under": under,
                     "under_share": round(under / max(1, len(members)), 4),
                     "accuracy": round(right / max(1, len(members)), 4)}
    return out


def _picked_tier(entry: dict[str, Any], artefact: str, index: int) -> str:
    return str(entry["tiers"][artefact][index])


# --- the run ---------------------------------------------------------------------------

def _pairs(values: Sequence[str], what: str) -> list[tuple[str, str]]:
    out = []
    for v in values:
        name, sep, source = v.partition("=")
        if not sep or not name or not source:
            raise SystemExit(f"{what} takes NAME=SOURCE, not {v!r}")
        out.append((name, source))
    return out


def run(queries: list[tuple[str, str]], artefacts: list[tuple[str, str]],
        requests: Sequence[int], embedder: Any, vectors_path: Path | None,
        recorded: dict[tuple[str, int, str], dict[str, Any]],
        neighbour_rows: str | None, memo: Path | None, scratch: Path,
        seeds: Sequence[int] = ()) -> dict[str, Any]:
    versions = {name: read_queries(src) for name, src in queries}
    dirs = {name: artefact_dir(src, scratch) for name, src in artefacts}
    loads = {}
    result: dict[str, Any] = {"run": run_record(), "requests": list(requests),
                              "queries": {}, "artefacts": {}, "workloads": {}}
    for name, (rows, sha) in versions.items():
        result["queries"][name] = {"source": dict(queries)[name], "sha256": sha,
                                   "rows": len(rows), "writers_tier_mix": writers_mix(rows),
                                   "heldout_tier_mix": tier_mix(
                                       [r["label"] for r in rows if r["split"] == "heldout"])}
    pool = pool_vectors = None
    if neighbour_rows is not None:
        from llm_router.embedding.memo import MemoEmbedder

        pool = [r for r in versions[neighbour_rows][0] if r["split"] == "train"]
        source = MemoEmbedder(embedder, memo) if memo is not None else embedder
        pool_vectors = source.embed([r["query"] for r in pool])
    for qname, (rows, _) in versions.items():
        for n in requests:
            reqs = workload(rows, n)
            vecs = vectors_for([r.query for r in reqs], vectors_path, embedder.embed_one)
            picks: dict[str, list[Decision]] = {}
            for aname, d in dirs.items():
                picks[aname], loads[aname] = decisions(d, [r.query for r in reqs], vecs,
                                                       embedder)
            key = f"{qname}:{n}"
            entry: dict[str, Any] = {
                "queries": qname, "requests": n,
                "variants": dict(Counter(r.variant for r in reqs)),
                "labels": tier_mix([r.label for r in reqs]),
                "labels_originals": tier_mix([r.label for r in reqs if r.variant == "original"]),
                "originals_by_split": dict(Counter(r.split for r in reqs
                                                   if r.variant == "original")),
                "originals_by_source": dict(Counter(r.source for r in reqs
                                                    if r.variant == "original").most_common()),
                "by_artefact": {a: summary(reqs, p) for a, p in picks.items()},
                "tiers": {a: [d.tier for d in p] for a, p in picks.items()},
                "diffs": {},
                "recorded": {},
            }
            names = list(picks)
            for x in range(len(names)):
                for y in range(x + 1, len(names)):
                    a, b = names[x], names[y]
                    moves = diff(reqs, picks[a], picks[b])
                    if pool is not None and pool_vectors is not None:
                        for part in ("became_under", "ceased_under"):
                            items = moves[part]
                            near = neighbours([it["text"] for it in items],
                                              vecs[[it["index"] for it in items]]
                                              if items else np.zeros((0, vecs.shape[1])),
                                              pool, pool_vectors)
                            trained_a = set(loads[a]["training_sources"])
                            for it, nb in zip(items, near, strict=True):
                                it["nearest_training_rows"] = [
                                    n_ | {"in_" + a + "_training": n_["source"] in trained_a}
                                    for n_ in nb]
                    entry["diffs"][f"{a}->{b}"] = moves
            for (rq, rn, ra), rec in recorded.items():
                if rq == qname and rn == n:
                    entry["recorded"][ra] = recorded_check(reqs, picks[ra], rec)
            result["workloads"][key] = entry
        if seeds:  # every labelled row routed, and the workload drawn with other seeds
            from llm_router.embedding.memo import MemoEmbedder

            source = MemoEmbedder(embedder, memo) if memo is not None else embedder
            texts = [r["query"] for r in rows]
            all_vectors = source.embed(texts)
            n = requests[0]
            own = workload(rows, n)
            sample: dict[str, Any] = {"requests": n, "by_artefact": {}}
            for aname, d in dirs.items():
                tiers = dict(zip(texts, batched_tiers(d, texts, all_vectors,
                                                      embedder.model_id), strict=True))
                picked = result["workloads"][f"{qname}:{n}"]
                agree = sum(1 for r in own if r.variant == "original"
                            and tiers[r.query] == _picked_tier(picked, aname, r.index))
                sample["by_artefact"][aname] = {
                    "in_sample": in_sample(rows, tiers, set(loads[aname]["training_sources"])),
                    "batched_agrees_with_picker_on_originals": agree,
                    "spread": spread(rows, tiers, n, seeds)}
            result["workloads"][f"{qname}:{n}"]["other_seeds"] = sample
    result["artefacts"] = {name: {"source": dict(artefacts)[name]} | {
        k: v for k, v in loads[name].items() if k != "training_sources"}
        | {"training_sources": len(loads[name]["training_sources"])} for name in dirs}
    return result


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--queries", action="append", required=True,
                        help="NAME=REV or NAME=FILE: a version of data/classifier/queries.jsonl")
    parser.add_argument("--artefact", action="append", required=True,
                        help="NAME=REV or NAME=DIR: a classifier artefact (in order: diffs "
                        "read from each to every later one)")
    parser.add_argument("--requests", action="append", type=int, default=None,
                        help="workload size (repeatable; default 1000 and 100)")
    parser.add_argument("--recorded", action="append", default=[],
                        help="QUERIES:REQUESTS:ARTEFACT=results.json of an llm-router bench "
                        "run on that workload with that artefact")
    parser.add_argument("--neighbours", default=None,
                        help="a --queries NAME whose training rows are searched for the "
                        "nearest rows to each prompt that moved into or out of under-routing")
    parser.add_argument("--memo", type=Path, default=None,
                        help="the training memo (MemoEmbedder) for those rows' vectors")
    parser.add_argument("--vectors", type=Path, default=None)
    parser.add_argument("--seeds", type=int, default=0,
                        help="also route every labelled row (the memo's vectors) and count "
                        "the under-routed originals of the first --requests workload drawn "
                        "with seeds 1..N")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    recorded = {}
    for name, path in _pairs(args.recorded, "--recorded"):
        q, n, a = name.split(":")
        recorded[(q, int(n), a)] = json.loads(Path(path).read_text(encoding="utf-8"))
    from llm_router.embedding.minilm import shared_embedder

    with tempfile.TemporaryDirectory() as scratch:
        result = run(_pairs(args.queries, "--queries"), _pairs(args.artefact, "--artefact"),
                     args.requests or [1000, 100], shared_embedder(None), args.vectors,
                     recorded, args.neighbours, args.memo, Path(scratch),
                     range(1, args.seeds + 1))
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    for key, w in result["workloads"].items():
        print(key, {a: (s["under_routed"]["count"], s["under_routed_originals"]["count"],
                        s["accuracy_heldout_requests"]["share"])
                    for a, s in w["by_artefact"].items()})
        for pair, d in w["diffs"].items():
            print("  ", pair, "moved", d["distinct_moved"], d["distinct_transitions"])
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
