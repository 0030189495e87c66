"""The populated cache's answers, right and wrong, and how a candidate check would tell
them apart (session 25, an exploration: no rule is applied here).

    # 1. every answer the runs gave: bench/cache_shared.py --pairs-out rows, one variant
    .venv/bin/python bench/shared_wrong.py answers --shared RUN1-pairs.jsonl RUN2-pairs.jsonl \
        --out A.jsonl
    # 2. each answer's similarity, probability and stage, as the lookup reads them
    .venv/bin/python bench/cache_losses.py --sets A.jsonl --out A.json --pairs-out A-rows.jsonl
    # 3. the answers by class and shape, and what each candidate refuses and costs there,
    #    per pair on bench/cache_losses.py rows (--base) too
    .venv/bin/python bench/shared_wrong.py read --answers A.jsonl --rows A-rows.jsonl \
        --hand bench/results/shared-wrong-kinds-session25.tsv --base BASE-pairs.jsonl \
        --out bench/results/shared-wrong-session25.json [--shaped-out SHAPED.jsonl]
    # the runs' cache_shared.py results in one summary
    .venv/bin/python bench/shared_wrong.py runs --results RUN1.json RUN2.json --out SUMMARY.json
    # (session 29) each answer's rank among its query's candidates in one run's index,
    # then step 3 with the ranks, hand kinds of every other entry's answer, and what a
    # user of each run sees per 1,000 queries
    .venv/bin/python bench/shared_wrong.py ranks --answers A.jsonl --sets heldout62 heldout63 \
        --out RANKS-62-63.jsonl
    .venv/bin/python bench/shared_wrong.py read --answers A.jsonl --rows A-rows.jsonl \
        --ranks RANKS-62-63.jsonl RANKS-66-67.jsonl --hand HAND.tsv \
        --results RUN1.json RUN2.json --variant 0.5:5:m --out OUT.json
    # (session 30) the same for bench/cache_shared.py --tenants domain runs (each business or
    # topic its own index): their rows carry tenant and traffic; users split per kind
    .venv/bin/python bench/shared_wrong.py read --answers A.jsonl --rows A-rows.jsonl \
        --hand HAND.tsv --results RUN1.json RUN2.json --variant 0.5:5:m --by-traffic --out OUT.json

Step 1 reads each pair's outcome in a ``cache_shared.py`` run (variant ``--variant``,
the shipped ``0.5:5`` by default) and writes, for every pair its query got an answer,
the pair (entry that answered, query) as a pair set whose ``kind`` is the answer's
class:

- ``wrong_another``: a negative pair's query answered by another entry that the labels
  do not make its question (``relation`` wrong or unknown): what rule S4b's check (c)
  counts, but for the few the labels make right (``right_another_negative``);
- ``false_hit``: a negative pair's query answered by its own pair's entry;
- ``own``: a paraphrase's query answered by its own pair's entry (right);
- ``right_another``: a paraphrase's query answered by another entry the labels make its
  question (right);
- ``unknown_another`` / ``wrong_another_positive``: a paraphrase's query answered by
  another entry the labels do not judge / make a negative of it.

The pair's own ``set`` and ``id`` are kept, ``label`` is 1 for the right classes, and
``pair_kind`` / ``partner`` are the pair's own kind and entry (step 3 joins them back by
set and id: ``cache_losses.py`` leaves them out).

Step 3 reads those pairs' ``cache_losses.py`` rows (the lookup's similarity,
probability and stage of the answering entry against the query), the word views the
shipped lookup reads (``CrossVerifier.view``: MiniLM's word pieces, stems, content
words; no IDF, as the shipped cross-encoder has none) and per answer the shape features
``features`` names; then, for each candidate in ``CANDIDATES`` (a check after the
verifier, refusing a hit), the answers of each class it refuses, and on the ``--base``
rows (one entry per pair: ``cache_losses.py --pairs-out``) the paraphrases it would lose
and the negatives it would refuse among the lookup's hits (``cache_losses.stage`` at the
shipped floor and cut). A refused answer in the populated cache leaves the lookup to
its next candidate; step 3 counts the refusal, not what the next candidate does.
``--hand`` adds the kinds a reader gave the answers of another entry (``HAND``; session
25 read the ``wrong_another`` ones, session 29 every class of another entry), and the
results list every ``wrong_another`` answer (with ``--hand`` naming others, every answer
of another entry) with its reading and shape.

``ranks`` (session 29) rebuilds one run's index as ``cache_shared.py`` built it (the
sets' cached texts and Quora questions up to ``--entries``, ranked and floored by the
catalog's retrieval map) and writes per answer of those sets the place of the entry that
answered among the query's nearest candidates (``rank``, 1 the nearest; the hard check's
amounts and ids filter first, as the lookup's index does; None past ``RANK_DEPTH``), its
mapped cosine there (``ranked_similarity``), the same of the query's own pair's entry
(``partner_rank``, ``partner_similarity``) and ``over_floor``, the first round's
candidates at the shipped floor or over. Step 3 joins them (``--ranks``); with
``--results`` (the runs' ``cache_shared.py`` results) it writes what a user of each run
sees per 1,000 queries (``users``): right answers (own entry, or another read right),
wrong ones (false hits, or another read off, vague or swap), none, and answers of
another entry nobody read (``unread``); ``--by-traffic`` (session 30) splits them per traffic
kind, support and general (the sets' ``src/p_s_*`` and ``p_g_*`` files), and counts another
entry's answers by where the entry lives (``by_source``: the query's own set and domain,
another one, or a Quora filler). Step 1 keeps a
``--tenants`` run's ``tenant`` and ``traffic`` fields (``CARRIED``), and step 3 joins them back.
"""

from __future__ import annotations

import argparse
import functools
import json
import math
import os
import re
import sys
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

os.environ.setdefault("OMP_NUM_THREADS", "1")  # before numpy loads

import numpy as np  # noqa: E402
from cache_losses import stage  # noqa: E402
from cache_shared import FOREVER, entries  # noqa: E402
from embed_cache import embed_cached  # noqa: E402
from pair_sets import load_sets  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.cache.cross import ARTEFACT_DIR  # noqa: E402
from llm_router.cache.entry import IndexRecord  # noqa: E402
from llm_router.cache.index import CANDIDATES as ROUND  # noqa: E402
from llm_router.cache.index import TenantIndex  # noqa: E402
from llm_router.cache.lexicon import CONTEXT_WORDS  # noqa: E402
from llm_router.cache.narrowing import ASKS, clauses, told_case  # noqa: E402
from llm_router.cache.pair_features import (  # noqa: E402
    TextView,
    Vocabulary,
    number_codes,
    similarity_matrix,
)
from llm_router.cache.retrieval_map import RetrievalMap, resolve  # noqa: E402
from llm_router.catalog import CacheConfig  # noqa: E402
from llm_router.embedding.minilm import MiniLMEmbedder, shared_embedder  # noqa: E402

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "shared-wrong.json"
RIGHT = ("own", "right_another", "right_another_negative")
WRONG = ("wrong_another", "false_hit", "wrong_another_positive")
CLASSES = (*WRONG, *RIGHT, "unknown_another")
ANOTHER = ("wrong_another", "wrong_another_positive", "right_another",
           "right_another_negative", "unknown_another")  # answered by another entry
CARRIED = ("tenant", "traffic")  # a --tenants run's row fields step 1 keeps (session 30)
RANK_DEPTH = 20  # the nearest entries ``ranks`` reads a query's answer among
NEAR = 0.6  # a query word with a static-vector cosine >= NEAR to an entry word is "near"


def read_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip()]


def answer_class(row: dict[str, Any]) -> str | None:
    """The class of one ``cache_shared.py`` row's answer (see the module's docstring);
    None when nothing answered."""
    if row["answered"] is None:
        return None
    if row["outcome"] == "partner":
        return "own" if row["label"] else "false_hit"
    relation = row["relation"]
    if row["label"]:
        return {"right": "right_another", "wrong": "wrong_another_positive"}.get(
            relation, "unknown_another")
    return "right_another_negative" if relation == "right" else "wrong_another"


def answers(rows: list[dict[str, Any]], variant: str) -> list[dict[str, Any]]:
    """The answered pairs of ``rows`` at ``variant`` as a pair set (entry, query)."""
    out = []
    for row in rows:
        if row["variant"] != variant:
            continue
        kind = answer_class(row)
        if kind is None:
            continue
        out.append({"set": row["set"], "id": row["id"], "a": row["answered"], "b": row["b"],
                    "label": int(kind in RIGHT), "kind": kind, "pair_kind": row["kind"],
                    "partner": row["a"], **{k: row[k] for k in CARRIED if k in row}})
    return out


def joined(found: list[dict[str, Any]], rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Step 2's rows with step 1's fields ``cache_losses.py`` leaves out (the pair's own
    kind and entry), matched by set and id; each answer must have its row."""
    by = {(p["set"], p["id"]): p for p in found}
    if len(by) != len(found) or len(rows) != len(found):
        raise SystemExit(f"{len(found)} answers ({len(by)} set and id), {len(rows)} rows")
    out = []
    for r in rows:
        p = by.get((r["set"], r["id"]))
        if p is None or (p["a"], p["b"], p["kind"]) != (r["a"], r["b"], r["kind"]):
            raise SystemExit(f"row {r['set']} {r['id']}: not step 1's answer")
        out.append({**r, "pair_kind": p["pair_kind"], "partner": p["partner"],
                    **{k: p[k] for k in CARRIED if k in p}})
    return out


def content(view: TextView) -> list[int]:
    """Places of ``view``'s content words that say something (context words left out)."""
    return [i for i, c in enumerate(view.content) if c and view.words[i] not in CONTEXT_WORDS]


def features(entry: TextView, query: TextView) -> dict[str, Any]:
    """The shape of an (entry, query) pair: word counts (``entry_words``,
    ``query_words``, ``ratio``), content words (``entry_content``, ``query_content``:
    context words left out), the query's content stems the entry lacks (``missing``,
    distinct) and of those the ones no entry word comes near either (``far``: static
    cosine under ``NEAR``), the entry's content stems the query lacks (``extra``), and
    ``covered``: the share of the query's content stems the entry holds; the specifics the
    query names that the entry lacks: ``amounts`` (the query names an amount, the entry
    none: ``TextView.quantities``) and ``names`` (the query's names, ``TextView.names``,
    that are no word of the entry's)."""
    mine, theirs = content(entry), content(query)
    own = set(entry.stems)
    missing = sorted({query.stems[j] for j in theirs if query.stems[j] not in own})
    sims = similarity_matrix(query, entry)
    far = sorted({query.stems[j] for j in theirs if query.stems[j] not in own
                  and (not mine or float(np.max(sims[j, mine])) < NEAR)})
    asked = {query.stems[j] for j in theirs}
    extra = sorted({entry.stems[i] for i in mine if entry.stems[i] not in set(query.stems)})
    return {"entry_words": len(entry.words), "query_words": len(query.words),
            "ratio": round(len(query.words) / max(len(entry.words), 1), 3),
            "entry_content": len({entry.stems[i] for i in mine}),
            "query_content": len(asked), "missing": len(missing), "far": len(far),
            "extra": len(extra),
            "covered": round(1 - len(missing) / max(len(asked), 1), 3),
            "amounts": bool(query.quantities) and not entry.quantities,
            "names": len({n for n in query.names if n not in entry.names
                          and n not in entry.words and n not in own}),
            "missing_words": missing, "far_words": far, "extra_words": extra}


@dataclass(frozen=True)
class Candidate:
    """A check after the verifier: refuses a hit whose shape ``refuses`` says."""

    name: str
    text: str
    refuses: Callable[[dict[str, Any], Views], bool]


PERSONS = frozenset({"i", "me", "my", "we", "us", "our", "you", "your"})  # own_case's


def bare_topic(text: str) -> bool:
    """Whether ``text`` opens with no question word (``narrowing.ASKS``): "watch
    battery?", "refund for cancelled booking?" (own_case and extra_ask read only texts
    that open with one)."""
    first = re.match(r"\W*([a-z]+)", text.lower())
    return first is None or not ASKS.match(first.group(1))


def topic_case(r: dict[str, Any], views: Views) -> bool:
    """own_case's event shape (``narrowing.told_case``) where own_case does not look: the
    entry a bare topic, the query at least twice its words, naming a person and at least 3
    content words the entry lacks (context words aside; own_case asks 4)."""
    if not bare_topic(r["a"]) or r["query_words"] < 2 * r["entry_words"]:
        return False
    entry, query = views(r["a"]), views(r["b"])
    if PERSONS.isdisjoint(query.words) or r["missing"] < 3:
        return False
    return told_case(entry, query, r["b"], clauses(r["b"], query.words))


def shape(r: dict[str, Any], ratio: float = 2.0, missing: int = 3) -> bool:
    """The query has ``ratio`` times the entry's words and names ``missing`` content
    stems it lacks."""
    return r["query_words"] >= ratio * r["entry_words"] and r["missing"] >= missing


@functools.cache
def shipped_cut() -> float:
    """The cut the lookup holds S5's probability to (the catalog's, else cross.json's)."""
    return CacheConfig().verifier_threshold or float(json.loads(
        (ARTEFACT_DIR / "cross.json").read_text(encoding="utf-8"))["threshold"])


def logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1 - p))


def after_nearer(r: dict[str, Any]) -> bool:
    """The rank margin (``MatchPolicy.rank_margin``, the catalog's) counted on every nearer
    candidate the lookup passed over (``rank`` - 1), where the lookup counts only those
    the verifier read (a nearer one the hard check refused before the model raises no
    bar). A row without a rank (one entry: ``cache_losses.py``) is the nearest."""
    rank = r.get("rank") or 1
    return rank > 1 and logit(r["p"]) < logit(shipped_cut()) + (
        CacheConfig().verifier_rank_margin * math.log(rank))


# Candidates looked at (exploration; none is a rule): each refuses a hit the verifier
# decided (``cache_losses.stage`` "verifier"), never a respelled one. Session 29 added
# the ones on a run's index (``rank``, ``over_floor``: the ranks step; a one-entry row
# is the nearest and the lone candidate) and reads ``similarity`` as the rows have it
# (the mapped cosine since session 28; session 25's rows held the raw one).
CANDIDATES: tuple[Candidate, ...] = (
    Candidate("shape", "query words >= 2 x entry words and >= 3 query content stems the "
              "entry lacks (context words aside)", lambda r, v: shape(r)),
    Candidate("shape_p093", "shape and p < 0.93", lambda r, v: shape(r) and r["p"] < 0.93),
    Candidate("mid_p095", "1.5 x entry words <= query words <= 12, >= 2 query content "
              "stems the entry lacks, p < 0.95",
              lambda r, v: (1.5 * r["entry_words"] <= r["query_words"] <= 12
                            and r["missing"] >= 2 and r["p"] < 0.95)),
    Candidate("topic_case", "own_case's told event on a bare-topic entry (topic_case)",
              topic_case),
    Candidate("specific", "the query names an amount or a name the entry lacks and every "
              "entry content stem is in the query",
              lambda r, v: (r["amounts"] or r["names"] >= 1) and r["extra"] == 0),
    Candidate("band_p093", "cosine < 0.6 and p < 0.93 (a higher cut in the floor's band)",
              lambda r, v: r["similarity"] < 0.6 and r["p"] < 0.93),
    Candidate("band_p095", "cosine < 0.6 and p < 0.95",
              lambda r, v: r["similarity"] < 0.6 and r["p"] < 0.95),
    Candidate("after_nearer", "the rank margin counts every nearer candidate the lookup "
              "passed over, the hard check's refusals too (session 29)",
              lambda r, v: after_nearer(r)),
    Candidate("rank_p099", "not the nearest candidate and p < 0.99 (session 29)",
              lambda r, v: (r.get("rank") or 1) > 1 and r["p"] < 0.99),
    Candidate("lone_055", "the only candidate at the floor or over and cosine < 0.55 "
              "(session 29)", lambda r, v: r.get("over_floor", 1) == 1
              and r["similarity"] < 0.55),
    Candidate("uncovered_060", "none of the query's content stems in the entry and "
              "cosine < 0.6 (session 29)",
              lambda r, v: r["covered"] == 0 and r["similarity"] < 0.6),
    Candidate("cut_090", "p < 0.90 (the cut raised everywhere: a reference)",
              lambda r, v: r["p"] < 0.90),
    Candidate("cut_092", "p < 0.92 (a reference)", lambda r, v: r["p"] < 0.92),
)


def vocabulary() -> Vocabulary:
    """The shipped lookup's word views (``load_cross_verifier``: MiniLM's tokenizer and
    word table, no IDF)."""
    embedder = shared_embedder()
    return Vocabulary(embedder.tokenizer, embedder.word_table, np.zeros(0, np.float32))


class Views:
    """Word views, one per text."""

    def __init__(self, vocab: Vocabulary):
        self._vocab = vocab
        self._views: dict[str, TextView] = {}

    def __call__(self, text: str) -> TextView:
        found = self._views.get(text)
        if found is None:
            found = self._views[text] = self._vocab.view(text)
        return found


def shaped(rows: list[dict[str, Any]], views: Views) -> list[dict[str, Any]]:
    """``rows`` (cache_losses rows: ``a`` the entry, ``b`` the query) with their shape."""
    return [{**r, **features(views(r["a"]), views(r["b"]))} for r in rows]


def refused(candidate: Candidate, rows: list[dict[str, Any]], views: Views, floor: float,
            cut: float) -> list[dict[str, Any]]:
    """The hits the verifier decided among ``rows`` that ``candidate`` refuses."""
    return [r for r in rows
            if stage(r, floor, cut) == ("verifier", True) and candidate.refuses(r, views)]


def on_answers(candidate: Candidate, rows: list[dict[str, Any]], views: Views, floor: float,
               cut: float) -> dict[str, Any]:
    """Of the populated cache's answers (step 2's rows, shaped), per class how many and
    how many the candidate refuses; for ``wrong_another``, per hand kind too."""
    out: dict[str, Any] = {}
    for kind in CLASSES:
        mine = [r for r in rows if r["kind"] == kind]
        out[kind] = {"n": len(mine), "refused": len(refused(candidate, mine, views, floor,
                                                            cut))}
    for each in ANOTHER:
        mine = [r for r in rows if r["kind"] == each]
        if each != "wrong_another" and not any("hand" in r for r in mine):
            continue
        gone = refused(candidate, mine, views, floor, cut)
        out[each]["by_hand"] = {
            kind: {"n": sum(r.get("hand") == kind for r in mine),
                   "refused": sum(r.get("hand") == kind for r in gone)}
            for kind in HAND}
    read_all = [r for r in rows if r["kind"] in ("own", "false_hit") or "hand" in r]
    gone = refused(candidate, read_all, views, floor, cut)
    out["read"] = {  # every answer read (own entry's, or another's read by hand)
        "wrong": sum(verdict(r) == "wrong" for r in read_all),
        "wrong_refused": dict(Counter(r.get("hand", "false_hit") for r in gone
                                      if verdict(r) == "wrong")),
        "right": sum(verdict(r) == "right" for r in read_all),
        "right_refused": dict(Counter(r.get("hand", "own") for r in gone
                                      if verdict(r) == "right"))}
    return out


def on_base(candidate: Candidate, rows: list[dict[str, Any]], views: Views, floor: float,
            cut: float) -> dict[str, Any]:
    """Per pair (one entry), among the lookup's hits: paraphrases the candidate would
    lose, negatives it would refuse; by kind for those it touches."""
    hits = [r for r in rows if stage(r, floor, cut)[1]]
    pos = [r for r in hits if r["label"]]
    neg = [r for r in hits if not r["label"]]
    lost = refused(candidate, pos, views, floor, cut)
    saved = refused(candidate, neg, views, floor, cut)
    return {"hits": len(pos), "lost": len(lost), "passed": len(neg), "refused": len(saved),
            "lost_by_kind": dict(Counter(r["kind"] for r in lost).most_common()),
            "refused_by_kind": dict(Counter(r["kind"] for r in saved).most_common())}


# Hand kinds of a negative query answered by another entry (``--hand``): the entry asks
# the query's question (right), a more general question of which the query asks a
# specific case or part (vague), a like question with another specific (swap), or
# another question (off).
HAND = ("right", "vague", "swap", "off")


def read_hand(path: Path | None) -> dict[tuple[str, str], str]:
    """``set/id<TAB>kind`` lines (kinds: ``HAND``)."""
    if path is None:
        return {}
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        key, kind = line.split("\t")[:2]
        if kind not in HAND:
            raise SystemExit(f"{path}: {line!r}: kind not one of {HAND}")
        where, pair = key.rsplit("/", 1)
        out[(where, pair)] = kind
    return out


def brief(r: dict[str, Any], floor: float, cut: float) -> dict[str, Any]:
    """One answer as the results list it: the texts (``a`` the entry that answered, ``b``
    the query, ``partner`` its pair's entry), the lookup's reading and the shape."""
    keep = ("set", "id", "kind", "hand", "pair_kind", "a", "b", "partner", "similarity",
            "raw_similarity", "p", "rank", "over_floor", "partner_rank", "partner_similarity",
            "entry_words", "query_words", "missing", "extra", "amounts", "names",
            "missing_words")
    return {**{k: r[k] for k in keep if k in r}, "stage": stage(r, floor, cut)[0]}


def placed(nearest: list[tuple[str, float]], text: str) -> tuple[int | None, float | None]:
    """The place (1: the nearest) and cosine of ``text`` among ``nearest`` ((text,
    cosine), best first); (None, None) when it is not there."""
    for i, (each, similarity) in enumerate(nearest):
        if each == text:
            return i + 1, similarity
    return None, None


def ranks(found: list[dict[str, Any]], sets: list[str], size: int, retrieval_map: Path,
          floor: float) -> list[dict[str, Any]]:
    """Per answer of ``sets`` among ``found`` (step 1's), where the entry that answered
    and the query's own pair's entry stood among the query's ``RANK_DEPTH`` nearest in
    the run's index (``cache_shared.py``'s: the same entries, the map's cosine, the
    query's own text left out when it is an entry)."""
    pairs = load_sets(sets)
    texts = entries(pairs, size)
    mine = [p for p in found if p["set"] in set(sets)]
    queries = list(dict.fromkeys(p["b"] for p in mine))
    embedder = MiniLMEmbedder.load()
    vectors = dict(zip(texts, embed_cached(embedder, texts), strict=True))
    vectors.update(zip(queries, embed_cached(embedder, queries), strict=True))
    index = TenantIndex(capacity=len(texts), retrieval_map=RetrievalMap.load(retrieval_map))
    for i, text in enumerate(texts):
        index.add(IndexRecord(f"e{i}", "ctx", text, vectors[text], FOREVER, ""))
    own_key = {text: f"e{i}" for i, text in enumerate(texts)}
    nearest: dict[str, list[tuple[str, float]]] = {}
    for query in queries:
        own = own_key.get(query)
        if own is not None:
            index.remove(own)
        nearest[query] = [(index.text(row), similarity) for row, similarity in index.nearest(
            vectors[query], "ctx", 0, RANK_DEPTH, number_codes(query))]
        if own is not None:
            index.add(IndexRecord(own, "ctx", query, vectors[query], FOREVER, ""))
    out = []
    for p in mine:
        got = nearest[p["b"]]
        rank, similarity = placed(got, p["a"])
        partner_rank, partner_similarity = placed(got, p["partner"])
        out.append({"set": p["set"], "id": p["id"], "rank": rank,
                    "ranked_similarity": similarity, "partner_rank": partner_rank,
                    "partner_similarity": partner_similarity,
                    "over_floor": sum(s >= floor for _, s in got[:ROUND])})
    return out


def users(rows: list[dict[str, Any]], results: list[Path], variant: str,
          traffic: dict[tuple[str, str], tuple[str, int]] | None = None,
          homes: Homes | None = None) -> dict[str, Any]:
    """Per run (``cache_shared.py`` result at ``variant``) what a user sees per 1,000
    queries: ``right`` (own entry; another entry read right, or the labels' right where
    unread), ``wrong`` (false hits; another entry read off, vague or swap, or the labels'
    wrong), ``none``, ``unread`` (another entry's answer nobody read); per side and
    ``all``, with the counts and the run's per-pair false hits beside; with ``traffic``
    ((set, id) -> (traffic, label) of every pair of the runs' sets), the same per traffic
    kind (``by_traffic``: support / general); with ``homes``, another entry's answers by
    where the entry lives (``another_by_source``: the query's own tenant, another tenant,
    or a filler)."""
    out = {}
    for path in results:
        result = json.loads(path.read_text(encoding="utf-8"))
        if "incomplete" in result:
            raise SystemExit(f"{path}: an unfinished run")
        view = result["by_variant"][variant]["all"]
        mine = [r for r in rows if r["set"] in set(result["sets"])]
        sides: dict[str, dict[str, Any]] = {}
        for side, label in (("positives", 1), ("negatives", 0)):
            got = Counter(verdict(r) for r in mine if int(r["pair_label"]) == label)
            n = view[side]["n"]
            answered = sum(got.values())
            if answered != n - view[side]["none"]:
                raise SystemExit(f"{path}: {side}: {answered} answers read, "
                                 f"{n - view[side]['none']} in the run")
            sides[side] = {"n": n, "right": got["right"], "wrong": got["wrong"],
                           "none": n - answered, "unread": got["unread"],
                           "by_class": dict(Counter(
                               f"{r['kind']}:{r.get('hand', '-')}" for r in mine
                               if int(r["pair_label"]) == label).most_common())}
        total = {k: sides["positives"][k] + sides["negatives"][k]
                 for k in ("n", "right", "wrong", "none", "unread")}
        per_pair = view["per_pair"]
        out["+".join(result["sets"])] = {
            **sides, "all": total,
            "per_1000": {k: round(1000 * total[k] / total["n"], 1)
                         for k in ("right", "wrong", "none", "unread")},
            "negatives_wrong_rate": rate(sides["negatives"]["wrong"], sides["negatives"]["n"]),
            "positives_wrong_rate": rate(sides["positives"]["wrong"], sides["positives"]["n"]),
            "per_pair": per_pair,
            **({} if traffic is None else {"by_traffic": by_traffic(mine, traffic,
                                                                     set(result["sets"]))}),
            **({} if homes is None else {"another_by_source": by_source(mine, homes)})}
    return out


@dataclass(frozen=True)
class Homes:
    """Where texts live: each cached text's tenants (``set/domain``, as ``cache_shared.py
    --tenants domain`` makes them) and each pair's (by set and id)."""

    entries: dict[str, frozenset[str]]
    pairs: dict[tuple[str, str], str]


def homes_of(sets: list[str]) -> Homes:
    """The ``Homes`` of the named sets' pairs (``domain`` each)."""
    pairs = load_sets(sets)
    entries: dict[str, set[str]] = {}
    for p in pairs:
        entries.setdefault(p["a"], set()).add(f"{p['set']}/{p['domain']}")
    return Homes({t: frozenset(v) for t, v in entries.items()},
                 {(p["set"], p["id"]): f"{p['set']}/{p['domain']}" for p in pairs})


def by_source(rows: list[dict[str, Any]], homes: Homes) -> dict[str, dict[str, int]]:
    """Another entry's answers among ``rows`` by where the entry lives, each with its
    verdicts: ``own_tenant`` (a cached text of the query's own set and domain),
    ``another_tenant`` (only another's: in a deployment, another business's or topic's
    answer) or ``filler`` (no set's: a Quora question)."""
    out: dict[str, Counter[str]] = {k: Counter() for k in ("own_tenant", "another_tenant",
                                                           "filler")}
    for r in rows:
        if r["kind"] not in ANOTHER:
            continue
        found = homes.entries.get(r["a"])
        where = ("filler" if found is None else "own_tenant"
                 if homes.pairs[(r["set"], r["id"])] in found else "another_tenant")
        out[where][verdict(r)] += 1
    return {k: dict(v) for k, v in out.items()}


def by_traffic(rows: list[dict[str, Any]], traffic: dict[tuple[str, str], tuple[str, int]],
               sets: set[str]) -> dict[str, Any]:
    """``users``' figures per traffic kind of one run: its pairs (``traffic``'s of
    ``sets``) and its answers (``rows``) by the kind of the pair they answer."""
    out = {}
    for kind in sorted({k for (where, _), (k, _) in traffic.items() if where in sets}):
        block: dict[str, Any] = {}
        for side, label in (("positives", 1), ("negatives", 0)):
            n = sum(1 for (where, _), (k, lab) in traffic.items()
                    if where in sets and k == kind and lab == label)
            got = Counter(verdict(r) for r in rows if int(r["pair_label"]) == label
                          and traffic[(r["set"], r["id"])][0] == kind)
            block[side] = {"n": n, "right": got["right"], "wrong": got["wrong"],
                           "none": n - sum(got.values()), "unread": got["unread"]}
        total = {k: block["positives"][k] + block["negatives"][k]
                 for k in ("n", "right", "wrong", "none", "unread")}
        out[kind] = {**block, "all": total,
                     "per_1000": {k: round(1000 * total[k] / max(total["n"], 1), 1)
                                  for k in ("right", "wrong", "none", "unread")}}
    return out


def traffic_of(sets: list[str]) -> dict[tuple[str, str], tuple[str, int]]:
    """(set, id) -> (traffic, label) of every pair of the named sets (``support``: written
    in a set's ``src/p_s_*`` file, ``general``: ``src/p_g_*``; ``stack_fit.load_pairs``)."""
    from train.cache_verifier.stack_fit import load_pairs

    return {(p["set"], p["id"]): (p["traffic"], int(p["label"]))
            for p in load_pairs(tuple(sets))}


def rate(n: int, of: int) -> float:
    return round(100 * n / of, 2) if of else 0.0


def verdict(r: dict[str, Any]) -> str:
    """right / wrong / unread of one answer: the hand kind where read, else the labels'
    (right; a paraphrase answered by a labelled negative of it: wrong)."""
    if r["kind"] in ("own", "false_hit"):
        return "right" if r["kind"] == "own" else "wrong"
    hand = r.get("hand")
    if hand is not None:
        return "right" if hand == "right" else "wrong"
    if r["kind"] in RIGHT:
        return "right"
    # wrong_another holds the labels' wrong and the unlabelled alike: unread
    return "wrong" if r["kind"] == "wrong_another_positive" else "unread"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="step", required=True)
    one = sub.add_parser("answers", help="step 1: the runs' answers as a pair set")
    one.add_argument("--shared", type=Path, nargs="+", required=True,
                     help="bench/cache_shared.py --pairs-out files")
    one.add_argument("--variant", default="0.5:5")
    one.add_argument("--out", type=Path, required=True)
    runs = sub.add_parser("runs", help="the cache_shared.py results, one summary")
    runs.add_argument("--results", type=Path, nargs="+", required=True,
                      help="bench/cache_shared.py --out files")
    runs.add_argument("--variant", default="0.5:5")
    runs.add_argument("--out", type=Path, required=True)
    ranked = sub.add_parser("ranks", help="each answer's rank in one run's index")
    ranked.add_argument("--answers", type=Path, nargs="+", required=True,
                        help="step 1's pairs")
    ranked.add_argument("--sets", nargs="+", required=True,
                        help="the run's sets, as cache_shared.py was given them")
    ranked.add_argument("--entries", type=int, default=10_000)
    ranked.add_argument("--retrieval-map", type=Path, default=None,
                        help="default: the catalog's cache.retrieval_map")
    ranked.add_argument("--out", type=Path, required=True)
    three = sub.add_parser("read", help="step 3: classes, shapes and candidates")
    three.add_argument("--answers", type=Path, nargs="+", required=True,
                       help="step 1's pairs (one or more files)")
    three.add_argument("--rows", type=Path, nargs="+", required=True,
                       help="bench/cache_losses.py --pairs-out rows of them, in order")
    three.add_argument("--hand", type=Path, default=None,
                       help="hand kinds of the wrong_another answers (set/id<TAB>kind)")
    three.add_argument("--base", type=Path, nargs="*", default=[],
                       help="bench/cache_losses.py --pairs-out rows: per pair, one entry")
    three.add_argument("--out", type=Path, default=OUT)
    three.add_argument("--shaped-out", type=Path, default=None,
                       help="write every answer's row with its shape here (jsonl)")
    three.add_argument("--ranks", type=Path, nargs="*", default=[],
                       help="the ranks step's rows (each answer of the runs read once)")
    three.add_argument("--results", type=Path, nargs="*", default=[],
                       help="the runs' cache_shared.py results: what a user sees")
    three.add_argument("--variant", default="0.5:5",
                       help="the variant of --results (step 1's)")
    three.add_argument("--by-traffic", action="store_true",
                       help="what a user sees per traffic kind too (support / general: "
                            "the sets' src/p_s_* and p_g_* files), and another entry's "
                            "answers by the tenant they come from (session 30)")
    args = parser.parse_args()
    if args.step == "answers":
        rows = [r for path in args.shared for r in read_rows(path)]
        found = answers(rows, args.variant)
        if not found:
            raise SystemExit(f"no answers at variant {args.variant} in {args.shared}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(json.dumps(p, ensure_ascii=False) + "\n" for p in found),
                            encoding="utf-8")
        print(json.dumps(dict(Counter(p["kind"] for p in found).most_common())))
        print(f"wrote {args.out} ({len(found)} answers)")
        return 0
    if args.step == "runs":
        return summary(args)
    if args.step == "ranks":
        found = [p for path in args.answers for p in read_rows(path)]
        mapped = args.retrieval_map
        if mapped is None:
            catalogs = CacheConfig().retrieval_map
            if catalogs is None:
                raise SystemExit("no cache.retrieval_map in the catalog: give --retrieval-map")
            mapped = resolve(catalogs)
        got = ranks(found, args.sets, args.entries, mapped, CacheConfig().verifier_floor)
        if not got:
            raise SystemExit(f"no answers of {args.sets} in {args.answers}")
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text("".join(json.dumps(r) + "\n" for r in got), encoding="utf-8")
        print(json.dumps(dict(Counter(r["rank"] for r in got).most_common())))
        print(f"wrote {args.out} ({len(got)} answers)")
        return 0
    return read(args)


def summary(args: argparse.Namespace) -> int:
    """Per ``cache_shared.py`` run at ``--variant``: its sets, verifier, what a user sees
    over its sets (``all``), the CPU a lookup and its run record; and the negatives
    answered by another entry summed over the runs."""
    runs = []
    for path in args.results:
        result = json.loads(path.read_text(encoding="utf-8"))
        if "incomplete" in result:
            raise SystemExit(f"{path}: an unfinished run")
        variant = result["by_variant"][args.variant]
        runs.append({"file": path.name, "sets": result["sets"],
                     "verifier": result["verifier"], "entries": result["entries"],
                     "all": variant["all"], "cpu_ms_per_lookup": variant["cpu_ms_per_lookup"],
                     "timings": result["timings"]})
    total = {side: {k: sum(r["all"][side][k] for r in runs)
                    for k in ("n", "own", "another", "another_right", "another_wrong",
                              "another_unknown", "none")}
             for side in ("positives", "negatives")}
    out = {"variant": args.variant, "total": total, "runs": runs, "run": run_record()}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(out, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(total))
    print(f"wrote {args.out}")
    return 0


def read(args: argparse.Namespace) -> int:
    floor = CacheConfig().verifier_floor
    cut = shipped_cut()
    views = Views(vocabulary())
    hand = read_hand(args.hand)
    found = [p for path in args.answers for p in read_rows(path)]
    rows = shaped(joined(found, [r for path in args.rows for r in read_rows(path)]), views)
    for r in rows:
        if r["kind"] in ANOTHER and (r["set"], r["id"]) in hand:
            r["hand"] = hand[(r["set"], r["id"])]
        r["pair_label"] = int(r["kind"] in ("own", "right_another", "unknown_another",
                                            "wrong_another_positive"))
    if args.ranks:
        ranked = {(r["set"], r["id"]): r for path in args.ranks for r in read_rows(path)}
        if set(ranked) != {(r["set"], r["id"]) for r in rows}:
            raise SystemExit("--ranks: not one row per answer")
        for r in rows:
            r.update({k: v for k, v in ranked[(r["set"], r["id"])].items()
                      if k not in ("set", "id")})
    base = {str(path): shaped(read_rows(path), views) for path in args.base}
    run_sets = sorted({name for path in args.results
                       for name in json.loads(path.read_text(encoding="utf-8"))["sets"]})
    kinds = None if not args.by_traffic else traffic_of(run_sets)
    listed = ANOTHER if any(r["kind"] != "wrong_another" and "hand" in r for r in rows) \
        else ("wrong_another",)
    wrong = [r for r in rows if r["kind"] in listed]
    result: dict[str, Any] = {
        "floor": floor, "cut": cut,
        "answers": dict(Counter(r["kind"] for r in rows).most_common()),
        "wrong_another_by_hand": dict(Counter(r.get("hand", "unread") for r in rows
                                              if r["kind"] == "wrong_another")),
        "another_by_hand": {kind: dict(Counter(r.get("hand", "unread") for r in rows
                                               if r["kind"] == kind))
                            for kind in ANOTHER if any(r["kind"] == kind for r in rows)},
        **({"users": users(rows, args.results, args.variant, kinds,
                           None if kinds is None else homes_of(run_sets))}
           if args.results else {}),
        "candidates": {c.name: {"text": c.text,
                                "answers": on_answers(c, rows, views, floor, cut),
                                "base": {k: on_base(c, v, views, floor, cut)
                                         for k, v in base.items()}}
                       for c in CANDIDATES},
        "wrong_another" if listed == ("wrong_another",) else "another":
            [brief(r, floor, cut) for r in wrong],
        "run": run_record()}
    if args.shaped_out is not None:
        args.shaped_out.parent.mkdir(parents=True, exist_ok=True)
        args.shaped_out.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n"
                                           for r in rows), encoding="utf-8")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                        encoding="utf-8")
    report(result)
    print(f"wrote {args.out}")
    return 0


def report(result: dict[str, Any]) -> None:
    """One line a candidate: what it refuses and costs in the populated cache and per
    pair."""
    print(f"answers: {result['answers']}; wrong_another by hand: "
          f"{result['wrong_another_by_hand']}")
    print("| candidate | wrong_another refused (right/vague/swap/off) | false_hit | own | "
          "right_another | unknown_another | per pair: hits lost / false hits refused |\n"
          "|---|---|---|---|---|---|---|")
    print("| candidate | wrong refused (of all read) | right refused (own / another read right) |"
          "\n|---|---|---|")
    for name, c in result["candidates"].items():
        read = c["answers"]["read"]
        print(f"| {name} | {sum(read['wrong_refused'].values())}/{read['wrong']} "
              f"{read['wrong_refused']} | {sum(read['right_refused'].values())}/{read['right']} "
              f"{read['right_refused']} |")
    for name, c in result["candidates"].items():
        a = c["answers"]
        by = a["wrong_another"]["by_hand"]
        base = "; ".join(f"{v['lost']}/{v['hits']}, {v['refused']}/{v['passed']}"
                         for v in c["base"].values())
        print(f"| {name} | {a['wrong_another']['refused']}/{a['wrong_another']['n']} ("
              + "/".join(str(by[k]["refused"]) for k in HAND) + f") | "
              f"{a['false_hit']['refused']}/{a['false_hit']['n']} | "
              f"{a['own']['refused']}/{a['own']['n']} | "
              f"{a['right_another']['refused']}/{a['right_another']['n']} | "
              f"{a['unknown_another']['refused']}/{a['unknown_another']['n']} | {base} |")


if __name__ == "__main__":
    sys.exit(main())
