"""Moderate read as simple: the shipped classifier's moderate -> simple errors on the
out-of-fold rows the session-14 rule reads, and how candidate decisions move them.

Two steps. ``oof`` refits the shipped configuration on the training split in the folds
``llm-router train`` uses (seed 0, each independent set pinned whole to one fold), so
every row of ``DECISION_SOURCES`` is scored by a model that never saw its writer,
calibrates with training's temperature fit and keeps the rows under ``.cache``.
``report`` first checks that they give the shipped artefact's own
``decision_by_under_cost_on_decision_sources`` (the same computation on the same data, so
they must agree: these are the rows its rule read), then reads them (and nothing else: no
held-out split, no set that is not a training source), joins each row
to its writer's file for the borderline flag, style and traffic, and writes the
analysis: where the moderate -> simple errors are, how sure the model was, and each
candidate decision's pooled accuracy / under-routing and worst-quartile under-routing
(``train.under_routing_of_writers``) beside the shipped rule's.

    OPENBLAS_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/classifier_boundary.py oof
    .venv/bin/python bench/classifier_boundary.py report \\
        --json bench/results/classifier-boundary-session25.json

Candidates (none changes the model; each only changes how calibrated probabilities
become a tier):

- ``u=X``: the shipped decision (``decision.decide``) at under-routing cost X.
- ``u=X,simple>=T``: the shipped decision at X, except that a row routed to simple whose
  calibrated p(simple) is under T is routed to the lowest-expected-cost tier among
  moderate, complex and reasoning (ties to the stronger), at the same X.
- ``u=X,us=Y``: the expected-cost decision with under-routing cost Y for routing to
  simple and X for every other tier (a dearer, or cheaper, mistake only at the simple
  boundary).
- ``u=X,two-asks<T``: the shipped decision at X, except that a row routed to simple whose
  text reads as two asks (``TWO_ASKS``: two question marks, ", and ", "and" or "or"
  followed by a question word, or " + ") and whose p(simple) is under T goes to moderate
  (the rubric's "two related intents"). The pattern was written after reading these
  rows' errors: its figures here flatter it.

A third step, ``ta`` (session 25), applies the lead's rule TA, written before any run on
heldout48-49, once, to D48's classifier queries (heldout48 and heldout49's
``classifier_queries.jsonl``, in no training source), each query scored by the shipped
artefact as the router scores it (``TierPicker``: the embedder's ``embed_one``, then
``classify`` and ``route`` at the artefact's recommended u), and writes each set's and
the pooled figures, the verdict and every query the override moves:

    OPENBLAS_NUM_THREADS=1 nice -n 10 .venv/bin/python bench/classifier_boundary.py ta \\
        --json bench/results/classifier-ta-session25.json

The rule, quoted unchanged:

    TA: route with the artefact's recommended u (2.5 for 2.7559432f, the unchanged
    session-14 rule); then every query routed simple whose text matches TWO_ASKS (the
    regular expression of /work/brief/i13-boundary.md, exactly, Python re, IGNORECASE |
    DOTALL, searched anywhere in the text) and whose calibrated p(simple) < 0.90 is
    routed moderate instead. Decided once on D48's classifier queries (heldout48 and
    heldout49's classifier_queries.jsonl, read by nothing before this rule; in no
    training source), each query scored by the shipped artefact 2.7559432f as the
    router scores it. TA ships iff, against the shipped decision (u 2.5, no override),
    (a) its under-routed count over D48 is lower by at least 3 queries; (b) its accuracy
    over D48 is at most 0.5 points lower; (c) on neither of heldout48 and heldout49 its
    under-routed count is higher. Otherwise the router stays as it is. Report pooled and
    per-set accuracy / under-routed for both, the moderate -> simple counts, and every
    query the override moves (text, its label, its writer's borderline flag).
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
from collections import Counter  # noqa: E402
from collections.abc import Sequence  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402
from run_record import run_record  # noqa: E402

from llm_router.classifier.calibration import fit_temperature  # noqa: E402
from llm_router.classifier.decision import (  # noqa: E402
    TWO_ASKS,
    decide,
    expected_costs,
)
from llm_router.classifier.models import softmax  # noqa: E402
from llm_router.classifier.tiers import TIERS  # noqa: E402
from llm_router.classifier.train import (  # noqa: E402
    DECISION_SOURCES,
    UNDER_ROUTING_BUDGET,
    choose_under_cost,
    decision_curve,
    under_routing_of_writers,
)

ROOT = Path(__file__).resolve().parents[1]
ARTEFACT = ROOT / "layers/core/llm_router/data/classifier/classifier.json"
DEFAULT_OOF = ROOT / ".cache/classifier-boundary/oof.npz"
SIMPLE, MODERATE = TIERS.index("simple"), TIERS.index("moderate")
U_GRID = (1.0, 1.5, 2.0, 2.5, 3.0)
SIMPLE_FLOORS = (0.5, 0.6, 0.7, 0.8, 0.9)
SIMPLE_COSTS = (1.5, 2.0, 3.0, 4.0, 6.0)


def set_dir(source: str) -> Path:
    n = int(source.removeprefix("independent-v"))
    return ROOT / "data" / ("heldout" if n == 1 else f"heldout{n}")


def compute_oof(out: Path, folds: int = 5, seed: int = 0) -> None:
    from llm_router.classifier.dataset import DEFAULT_DATA, data_sha256, load_examples, split
    from llm_router.classifier.selection import group_folds, out_of_fold_scores, shipped_candidate
    from llm_router.classifier.train import decision_rows, labelled_data
    from llm_router.embedding.memo import MemoEmbedder
    from llm_router.embedding.minilm import MiniLMEmbedder

    rows = split(load_examples(DEFAULT_DATA), "train")
    embedder = MemoEmbedder(MiniLMEmbedder.load(), ROOT / ".cache/embeddings.npz")
    data = labelled_data(rows, embedder, folds)
    fold_of = group_folds(data.groups, folds, seed, pinned=DECISION_SOURCES)
    scores = out_of_fold_scores(shipped_candidate(), data, fold_of)
    on = decision_rows(rows)
    temperature = fit_temperature(scores[on], data.labels[on])
    out.parent.mkdir(parents=True, exist_ok=True)
    np.savez(out, ids=np.array([e.id for e, k in zip(rows, on, strict=True) if k]),
             writers=np.array([e.source for e, k in zip(rows, on, strict=True) if k]),
             labels=data.labels[on], probs=softmax(scores[on] / np.float32(temperature)),
             temperature=np.float64(temperature), data_sha256=np.array(data_sha256(DEFAULT_DATA)))
    print(f"wrote {out}: {int(on.sum())} rows, temperature {temperature:.6f}")


def check_artefact(probs: np.ndarray, labels: np.ndarray, writers: list[str], sha: str
                   ) -> dict[str, Any]:
    """The shipped artefact's own out-of-fold decision curve must be what these rows give
    (the same computation), or the rows are not the ones its rule read."""
    artefact = json.loads(ARTEFACT.read_text(encoding="utf-8"))
    if artefact["training_data"]["sha256"] != sha:
        raise SystemExit("the artefact was not trained on the data these rows were scored on")
    curve = decision_curve(probs, labels, writers)
    shipped = artefact["cv"]["decision_by_under_cost_on_decision_sources"]
    diff = max(abs(curve[k][m] - shipped[k][m]) for k in shipped for m in shipped[k])
    if diff > 1e-6:
        raise SystemExit(f"the out-of-fold rows do not reproduce the artefact's curve ({diff})")
    return {"version": artefact["version"], "temperature": artefact["temperature"],
            "curve_max_difference": diff}


def route(probs: np.ndarray, u: float, floor: float = 0.0, us: float | None = None
          ) -> np.ndarray:
    """A candidate decision (module docstring)."""
    costs = expected_costs(probs, u)
    if us is not None:
        costs[:, SIMPLE] = probs @ (us * np.arange(len(TIERS), dtype=np.float32))
    routed = decide(probs, u) if us is None else (
        len(TIERS) - 1 - np.argmin(costs[:, ::-1], axis=1)).astype(np.int64)
    low = (routed == SIMPLE) & (probs[:, SIMPLE] < floor)
    if low.any():
        up = costs[low][:, 1:]
        routed[low] = len(TIERS) - 1 - np.argmin(up[:, ::-1], axis=1)
    return routed


def two_asks(probs: np.ndarray, texts: list[str], u: float, below: float) -> np.ndarray:
    """The ``u=X,two-asks<T`` candidate (module docstring)."""
    routed = decide(probs, u)
    two = np.array([bool(TWO_ASKS.search(t)) for t in texts])
    routed[(routed == SIMPLE) & two & (probs[:, SIMPLE] < below)] = MODERATE
    return routed


def figures(routed: np.ndarray, labels: np.ndarray, writers: list[str],
            mask: np.ndarray | None = None) -> dict[str, Any]:
    pooled, worst = under_routing_of_writers(routed, labels, writers)
    m = np.ones(len(labels), dtype=bool) if mask is None else mask
    return {
        "accuracy": round(float(np.mean(routed == labels)), 5),
        "under_routing": round(pooled, 5),
        "under_routing_worst_quartile": round(worst, 5),
        "within_budget": bool(max(pooled, worst) <= UNDER_ROUTING_BUDGET),
        "over_routing": round(float(np.mean(routed > labels)), 5),
        "moderate_as_simple": int(np.sum((labels == MODERATE) & (routed == SIMPLE))),
        "simple_as_moderate_or_up": int(np.sum((labels == SIMPLE) & (routed > SIMPLE))),
        "simple_recall": round(float(np.mean(routed[labels == SIMPLE] == SIMPLE)), 5),
        "moderate_recall": round(float(np.mean(routed[labels == MODERATE] == MODERATE)), 5),
        "heldout44_45": {
            "rows": int(m.sum()),
            "accuracy": round(float(np.mean(routed[m] == labels[m])), 5),
            "under_routing": round(float(np.mean(routed[m] < labels[m])), 5),
            "moderate_as_simple": int(np.sum(m & (labels == MODERATE) & (routed == SIMPLE))),
        },
    }


def load_meta(ids: np.ndarray) -> list[dict[str, Any]]:
    """Each row's line of its writer's file (ids are ``source:line``, 1-based)."""
    files: dict[str, list[dict[str, Any]]] = {}
    out = []
    for row_id in ids.tolist():
        source, _, line = row_id.rpartition(":")
        if source not in files:
            path = set_dir(source) / "classifier_queries.jsonl"
            files[source] = [json.loads(x) for x in path.read_text(encoding="utf-8")
                             .splitlines()]
        out.append(files[source][int(line) - 1])
    return out


def quantiles(values: np.ndarray) -> dict[str, float]:
    if len(values) == 0:
        return {}
    qs = np.quantile(values, [0.1, 0.25, 0.5, 0.75, 0.9])
    return {k: round(float(v), 3) for k, v in zip(("p10", "p25", "p50", "p75", "p90"), qs,
                                                     strict=True)}


def read_oof(oof: Path) -> tuple[Any, np.ndarray, np.ndarray, list[str], dict[str, Any],
                                  list[dict[str, Any]]]:
    """An ``oof`` file (the loaded npz), its probabilities, labels and writers, checked
    against the shipped artefact (``check_artefact``), and its rows' queries
    (``load_meta``)."""
    z = np.load(oof)
    probs, labels = z["probs"].astype(np.float32), z["labels"].astype(np.int64)
    writers = [str(w) for w in z["writers"]]
    artefact = check_artefact(probs, labels, writers, str(z["data_sha256"]))
    return z, probs, labels, writers, artefact, load_meta(z["ids"])


def scored_sets(version: str, u: float, sets: Sequence[str], root: Path = ROOT
                ) -> tuple[Any, list[dict[str, Any]], list[str], list[Any]]:
    """A rule's classifier queries scored as the router scores them: the shipped picker
    (refused unless it is ``version`` at ``u``, the artefact and cost the rule names), and
    every row of ``sets``' classifier_queries.jsonl (under ``root``/data) with its set's
    name and its ``Classification``."""
    from llm_router.complexity import TierPicker

    picker = TierPicker.load()
    shipped = picker.classifier.metadata["version"]
    if not shipped.startswith(version + ".") or picker.under_cost != u:
        raise SystemExit(f"the rule names {version} at u {u:g}, not {shipped} at "
                         f"{picker.under_cost:g}")
    rows, names, scored = [], [], []
    for name in sets:
        path = root / "data" / name / "classifier_queries.jsonl"
        for line in path.read_text(encoding="utf-8").splitlines():
            row = json.loads(line)
            rows.append(row)
            names.append(name)
            scored.append(picker.classifier.classify(row["text"],
                                                     picker.embedder.embed_one(row["text"])))
    return picker, rows, names, scored


def report(oof: Path, out: Path | None) -> dict[str, Any]:
    z, probs, labels, writers, artefact, meta = read_oof(oof)
    assert all(TIERS.index(r["tier"]) == t for r, t in zip(meta, labels.tolist(), strict=True))
    border = np.array([bool(r.get("borderline", False)) for r in meta])
    flagged_writers = {w for w, r in zip(writers, meta, strict=True) if "borderline" in r}
    w = np.array(writers)
    h4445 = np.isin(w, ["independent-v44", "independent-v45"])
    u_rule = choose_under_cost(probs, labels, writers)
    shipped = route(probs, u_rule)
    errs = (labels == MODERATE) & (shipped == SIMPLE)
    words = np.array([len(r["text"].split()) for r in meta])

    by_writer = Counter(w[errs].tolist())
    moderate_of = Counter(w[labels == MODERATE].tolist())
    _, worst_q = under_routing_of_writers(shipped, labels, writers)
    rates = sorted(((float(np.mean((shipped < labels)[w == x])), x) for x in set(writers)),
                   reverse=True)
    worst = [x for _, x in rates[:-(-len(rates) // 4)]]
    analysis = {
        "rows": len(labels),
        "writers": len(set(writers)),
        "u_by_rule": u_rule,
        "moderate_rows": int(np.sum(labels == MODERATE)),
        "moderate_as_simple": int(errs.sum()),
        "under_routed": int(np.sum(shipped < labels)),
        "under_routed_by_kind": {f"{TIERS[t]}->{TIERS[r]}": int(np.sum((labels == t) &
                                                                        (shipped == r)))
                                 for t in range(len(TIERS)) for r in range(t)},
        "worst_quartile": worst,
        "moderate_as_simple_by_writer": {
            x: {"errors": n, "moderate_rows": moderate_of[x],
                "in_worst_quartile": x in worst}
            for x, n in by_writer.most_common()},
        "moderate_as_simple_in_worst_quartile": int(np.sum(errs & np.isin(w, worst))),
        "by_traffic": {k: {"errors": int(np.sum(errs & (t == k))),
                           "moderate_rows": int(np.sum((labels == MODERATE) & (t == k)))}
                       for t in [np.array([r["traffic"] for r in meta])]
                       for k in sorted(set(t.tolist()))},
        "by_style": {k: {"errors": int(np.sum(errs & (s == k))),
                         "moderate_rows": int(np.sum((labels == MODERATE) & (s == k)))}
                     for s in [np.array([r.get("style", "") for r in meta])]
                     for k in sorted(set(s[errs].tolist()))},
        "borderline": {
            "writers_with_the_flag": len(flagged_writers),
            "moderate_rows_flagged": int(np.sum(border & (labels == MODERATE))),
            "moderate_rows_of_flagging_writers": int(np.sum(
                (labels == MODERATE) & np.isin(w, sorted(flagged_writers)))),
            "errors_flagged": int(np.sum(errs & border)),
            "errors_of_flagging_writers": int(np.sum(errs & np.isin(w, sorted(flagged_writers)))),
            "accuracy_flagged_rows": round(float(np.mean(shipped[border] == labels[border])), 5),
            "accuracy_unflagged_rows_of_flagging_writers": round(float(np.mean(
                (shipped == labels)[~border & np.isin(w, sorted(flagged_writers))])), 5),
        },
        "confidence": {
            "errors_p_simple": quantiles(probs[errs, SIMPLE]),
            "errors_p_moderate": quantiles(probs[errs, MODERATE]),
            "right_simple_p_simple": quantiles(probs[(labels == SIMPLE) & (shipped == SIMPLE),
                                                     SIMPLE]),
            "right_moderate_p_simple": quantiles(probs[(labels == MODERATE) &
                                                       (shipped == MODERATE), SIMPLE]),
            "errors_by_p_simple": {f">={lo:.1f}": int(np.sum(errs & (probs[:, SIMPLE] >= lo) &
                                                             (probs[:, SIMPLE] < lo + 0.1)))
                                   for lo in np.arange(0.4, 1.0, 0.1)},
            "simple_routed_by_p_simple": {
                f">={lo:.1f}": {"right": int(np.sum((shipped == SIMPLE) & (labels == SIMPLE) &
                                                    (probs[:, SIMPLE] >= lo) &
                                                    (probs[:, SIMPLE] < lo + 0.1))),
                                "moderate": int(np.sum(errs & (probs[:, SIMPLE] >= lo) &
                                                       (probs[:, SIMPLE] < lo + 0.1)))}
                for lo in np.arange(0.4, 1.0, 0.1)},
        },
        "words": {"errors": quantiles(words[errs]),
                  "moderate_right": quantiles(words[(labels == MODERATE) & (shipped == MODERATE)]),
                  "simple_right": quantiles(words[(labels == SIMPLE) & (shipped == SIMPLE)])},
        "examples": [
            {"id": str(z["ids"][i]), "text": meta[i]["text"], "traffic": meta[i]["traffic"],
             "borderline": meta[i].get("borderline"),
             "p_simple": round(float(probs[i, SIMPLE]), 3),
             "p_moderate": round(float(probs[i, MODERATE]), 3)}
            for i in np.flatnonzero(errs)],
    }
    candidates: dict[str, Any] = {}
    for u in U_GRID:
        candidates[f"u={u:g}"] = figures(route(probs, u), labels, writers, h4445)
    for u in sorted({1.0, u_rule}):
        for floor in SIMPLE_FLOORS:
            candidates[f"u={u:g},simple>={floor:g}"] = figures(
                route(probs, u, floor), labels, writers, h4445)
    for u in (1.0, 2.0, 2.5, 3.0, 4.0):
        for us in SIMPLE_COSTS:
            candidates[f"u={u:g},us={us:g}"] = figures(
                route(probs, u, us=us), labels, writers, h4445)
    texts = [r["text"] for r in meta]
    two = np.array([bool(TWO_ASKS.search(t)) for t in texts])
    analysis["two_asks"] = {
        "moderate_as_simple": int(np.sum(errs & two)),
        "moderate_as_simple_borderline": int(np.sum(errs & two & border)),
        "simple_rows_routed_simple": int(np.sum(two & (labels == SIMPLE) & (shipped == SIMPLE))),
        "share_of_simple_rows_routed_simple": round(float(np.mean(
            two[(labels == SIMPLE) & (shipped == SIMPLE)])), 5),
        "share_of_moderate_rows_routed_moderate": round(float(np.mean(
            two[(labels == MODERATE) & (shipped == MODERATE)])), 5),
    }
    for u in (1.0, 1.5, 2.0, 2.5, 3.0):
        for below in (0.9, 0.95, 1.01):
            candidates[f"u={u:g},two-asks<{below:g}"] = figures(
                two_asks(probs, texts, u, below), labels, writers, h4445)
    result = {
        "what": "moderate read as simple on the out-of-fold rows of DECISION_SOURCES",
        "artefact": artefact,
        "data_sha256": str(z["data_sha256"]),
        "temperature": float(z["temperature"]),
        "shipped_rule": f"u={u_rule:g}",
        "analysis": analysis,
        "candidates": candidates,
        "run": run_record(),
    }
    if out is not None:
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    return result


TA_SETS = ("heldout48", "heldout49")
TA_VERSION, TA_U, TA_BELOW = "2.7559432f", 2.5, 0.90
TA_UNDER_DROP, TA_ACCURACY_SLACK = 3, 0.005


def ta_figures(routed: np.ndarray, labels: np.ndarray) -> dict[str, Any]:
    return {"queries": len(labels),
            "accuracy": round(float(np.mean(routed == labels)), 5),
            "correct": int(np.sum(routed == labels)),
            "under_routed": int(np.sum(routed < labels)),
            "under_routing": round(float(np.mean(routed < labels)), 5),
            "moderate_as_simple": int(np.sum((labels == MODERATE) & (routed == SIMPLE))),
            "simple_as_moderate": int(np.sum((labels == SIMPLE) & (routed == MODERATE)))}


def ta(out: Path | None) -> dict[str, Any]:
    """The rule TA (module docstring), applied once to D48's classifier queries."""
    from llm_router.classifier.runtime import route as route_one

    picker, rows, sets, scored = scored_sets(TA_VERSION, TA_U, TA_SETS, ROOT)
    version = picker.classifier.metadata["version"]
    probs = [c.probabilities for c in scored]
    # The shipped decision (no override: no text passed).
    routed_one = [TIERS.index(route_one(c, picker.under_cost)) for c in scored]
    p = np.asarray(probs, dtype=np.float32)
    labels = np.array([TIERS.index(r["tier"]) for r in rows], dtype=np.int64)
    shipped = decide(p, TA_U)
    if not np.array_equal(shipped, np.asarray(routed_one)):
        raise SystemExit("the batch decision differs from the router's, query by query")
    texts = [r["text"] for r in rows]
    overridden = two_asks(p, texts, TA_U, TA_BELOW)
    s = np.array(sets)
    per_set = {name: {"shipped": ta_figures(shipped[s == name], labels[s == name]),
                      "ta": ta_figures(overridden[s == name], labels[s == name])}
               for name in TA_SETS}
    pooled = {"shipped": ta_figures(shipped, labels), "ta": ta_figures(overridden, labels)}
    a = pooled["ta"]["under_routed"] <= pooled["shipped"]["under_routed"] - TA_UNDER_DROP
    b = pooled["ta"]["accuracy"] >= pooled["shipped"]["accuracy"] - TA_ACCURACY_SLACK - 1e-12
    c = all(per_set[n]["ta"]["under_routed"] <= per_set[n]["shipped"]["under_routed"]
            for n in TA_SETS)
    moved = [{"set": sets[i], "id": rows[i]["id"], "text": texts[i], "label": rows[i]["tier"],
              "borderline": rows[i].get("borderline"), "style": rows[i].get("style"),
              "traffic": rows[i].get("traffic"),
              "p_simple": round(float(p[i, SIMPLE]), 3),
              "p_moderate": round(float(p[i, MODERATE]), 3)}
             for i in np.flatnonzero(overridden != shipped)]
    two = np.array([bool(TWO_ASKS.search(t)) for t in texts])
    result = {
        "what": "the rule TA (two-asks override) decided once on D48's classifier queries",
        "rule": __doc__.split("The rule, quoted unchanged:")[1].strip().split("\n\n")[0],
        "artefact": {"version": version, "under_cost": picker.under_cost,
                     "temperature": picker.classifier.temperature},
        "override": {"pattern": TWO_ASKS.pattern, "flags": "IGNORECASE | DOTALL",
                     "below_p_simple": TA_BELOW},
        "pooled": pooled,
        "per_set": per_set,
        "matches": {"queries_matching_two_asks": int(two.sum()),
                    "routed_simple_and_matching": int(np.sum(two & (shipped == SIMPLE))),
                    "moved": len(moved),
                    "moved_by_label": dict(Counter(m["label"] for m in moved))},
        "conditions": {"a_under_routed_lower_by_3": bool(a),
                       "b_accuracy_at_most_0.5_points_lower": bool(b),
                       "c_no_set_under_routed_higher": bool(c)},
        "verdict": "ships" if a and b and c else "does not ship",
        "moved": moved,
        "run": run_record(),
    }
    if out is not None:
        out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n",
                       encoding="utf-8")
    return result


def print_table(result: dict[str, Any]) -> None:
    print(f"{'candidate':24} {'acc':>7} {'under':>7} {'worstQ':>7} {'over':>7} "
          f"{'m->s':>5} {'s->up':>6} {'h44-45 acc/under/m->s':>24}")
    for name, f in result["candidates"].items():
        h = f["heldout44_45"]
        print(f"{name:24} {f['accuracy']:7.2%} {f['under_routing']:7.2%} "
              f"{f['under_routing_worst_quartile']:7.2%} {f['over_routing']:7.2%} "
              f"{f['moderate_as_simple']:5d} {f['simple_as_moderate_or_up']:6d} "
              f"{h['accuracy']:9.2%} {h['under_routing']:6.2%} {h['moderate_as_simple']:4d}"
              + ("" if f["within_budget"] else "  over budget"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("step", choices=("oof", "report", "ta"))
    parser.add_argument("--oof", type=Path, default=DEFAULT_OOF)
    parser.add_argument("--json", type=Path, default=None)
    args = parser.parse_args()
    if args.step == "oof":
        compute_oof(args.oof)
    elif args.step == "ta":
        print(json.dumps(ta(args.json), indent=1, ensure_ascii=False))
    else:
        result = report(args.oof, args.json)
        print(json.dumps({k: v for k, v in result["analysis"].items() if k != "examples"},
                         indent=1))
        print_table(result)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
