"""Numbers of a pipeline benchmark run: per arm, savings, report.md and ``--compare``.

Costs are Decimal strings read from each arm's own ledger; savings are the difference of
two such ledger sums, so the report matches the ledger to the cent by construction and a
test checks it against the ledger items themselves.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from llm_router.resilience.executor import SKIPPED

from .pipeline import ArmResult, Outcome, Together
from .workload import WorkloadItem

# --compare: a regression is worse than the earlier run by more than this (absolute).
TOLERANCE = {"under_routed": 0.02, "tier_accuracy": 0.02, "savings_vs_strongest_pct": 2.0,
             "error_rate": 0.01, "cache_hit_rate": 0.02}
HIGHER_IS_BETTER = {"tier_accuracy", "savings_vs_strongest_pct", "cache_hit_rate"}


def _percentile(values: Sequence[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _targets(entry: dict[str, Any]) -> set[tuple[str, str]]:
    return {(str(a.get("provider")), str(a.get("model"))) for a in entry.get("attempts") or ()}


def arm_summary(result: ArmResult, workload: Sequence[WorkloadItem]) -> dict[str, Any]:
    outs = result.outcomes
    ok = [o for o in outs if o.status == 200]
    caches = Counter(o.cache for o in ok)
    by_model: dict[str, Decimal] = defaultdict(Decimal)
    for e in result.ledger:
        by_model[str(e.get("model") or "-")] += Decimal(str(e.get("cost_usd", 0)))
    # Tier accuracy on routed requests (not cache hits) whose query is held out.
    routed = [(o, workload[o.index]) for o in ok if o.tier and o.cache not in ("exact", "semantic")
              and workload[o.index].split == "heldout"]
    latencies = [o.latency_ms for o in outs]
    # The same share over the workload's originals alone. A repeat or paraphrase of an
    # under-routed query is under-routed again (its cached answer, or the same tier), so a
    # short run moves with how often its draw echoes one miss: the demo's 100 requests at
    # seed 16 echo one six times, 9 % under-routed from 2 of 74 originals (2.7 %).
    originals = [o for o in ok if workload[o.index].variant == "original"]
    return {
        "arm": result.arm.name,
        "requests": len(outs),
        "errors": len(outs) - len(ok),
        "errors_by_code": dict(Counter(f"{o.status} {o.error}" for o in outs if o.status != 200)),
        "error_rate": round((len(outs) - len(ok)) / max(1, len(outs)), 4),
        "ledger_items": len(result.ledger),
        "cost_usd": str(result.ledger_cost_usd),
        "header_cost_usd": str(sum((o.header_cost_usd for o in outs), Decimal(0))),
        "under_routed": round(sum(o.under_routed for o in ok) / max(1, len(ok)), 4),
        "under_routed_originals": round(sum(o.under_routed for o in originals)
                                        / max(1, len(originals)), 4),
        "tier_accuracy": round(sum(o.tier == w.label for o, w in routed) / len(routed), 4)
        if routed else None,
        "latency_p50_ms": round(_percentile(latencies, 0.50), 2),
        "latency_p95_ms": round(_percentile(latencies, 0.95), 2),
        "cache_exact": caches["exact"],
        "cache_semantic": caches["semantic"],
        "cache_hit_rate": round((caches["exact"] + caches["semantic"]) / max(1, len(ok)), 4),
        # Misses that were not for want of a match, by reason (``ledger.CacheMiss``): a
        # cache that failed or could only try the exact layer, never hidden in the rate.
        "cache_misses": dict(Counter(str(e["cache_miss"]) for e in result.ledger
                                     if e.get("cache_status") == "miss" and e.get("cache_miss"))),
        # Requests that went past their first target (the rollups' definition: a retry on
        # the same target is none), and those that skipped one (free tier used up,
        # breaker open) without calling it.
        "failovers": sum(1 for e in result.ledger if len(_targets(e)) > 1),
        "skips": sum(1 for e in result.ledger
                     if any(a.get("outcome") in SKIPPED for a in e.get("attempts") or ())),
        "failover_causes": failover_causes(result.ledger),
        # Where a request's time went: the app's Server-Timing phases, mean ms per request
        # of the arm (embed is inside cache, storage inside the phases that call it), and
        # the mean latency the client saw, which holds them and the app's own code.
        "phase_ms": phase_means(outs),
        "latency_mean_ms": round(sum(latencies) / len(latencies), 2) if latencies else 0.0,
        "cost_by_model": {m: str(c) for m, c in sorted(by_model.items(), key=lambda x: -x[1])},
        "wall_s": round(result.wall_s, 2),
        "cpu_s": None if result.cpu_s is None else round(result.cpu_s, 2),
        "at_once": result.at_once,
        "requests_per_s": round(len(outs) / result.wall_s, 1) if result.wall_s else None,
    }


def failover_causes(ledger: Sequence[dict[str, Any]]) -> dict[str, int]:
    """Why the arm's requests failed over: each target a failed-over request passed over
    or failed at, by model and outcome, and for a used-up free tier the limit that was
    full ("tenant bench's share of groq's free tier: 15 requests per minute"). A slow or
    costly run names its cause: a per-minute free tier depends on how many minute windows
    the arm spans, a provider's errors on the simulator's faults."""
    causes: Counter[str] = Counter()
    for e in ledger:
        if len(_targets(e)) < 2:
            continue
        for a in e.get("attempts") or ():
            outcome = str(a.get("outcome"))
            if outcome == "ok":
                continue
            why = f" ({a['error']})" if outcome == "free_tier_exhausted" and a.get("error") else ""
            causes[f"{a.get('model')} {outcome}{why}"] += 1
    return dict(causes.most_common())


def phase_means(outcomes: Sequence[Outcome]) -> dict[str, float]:
    """Each Server-Timing phase's ms, summed over the arm and divided by its requests."""
    totals: dict[str, float] = defaultdict(float)
    for o in outcomes:
        for name, ms in o.phases:
            totals[name] += ms
    return {name: round(ms / max(1, len(outcomes)), 2) for name, ms in totals.items()}


def savings(router: ArmResult, baselines: Sequence[ArmResult]) -> dict[str, dict[str, str]]:
    """Measured router ledger cost against each baseline's measured ledger cost."""
    out = {}
    for b in baselines:
        saved = b.ledger_cost_usd - router.ledger_cost_usd
        pct = (100 * saved / b.ledger_cost_usd) if b.ledger_cost_usd else Decimal(0)
        out[b.arm.name] = {"baseline_cost_usd": str(b.ledger_cost_usd),
                           "router_cost_usd": str(router.ledger_cost_usd),
                           "saved_usd": str(saved), "saved_pct": f"{pct:.2f}"}
    return out


def arms_wall_s(arms: Sequence[ArmResult], together: Together | None = None) -> float:
    """The bench's time by its arms' recorded wall time: the arms run alone, one after
    another, plus the wall time of those run at once (not each of theirs: they overlap)."""
    return round(sum(a.wall_s for a in arms if not a.at_once)
                 + (together.wall_s if together else 0.0), 2)


def build_results(arms: Sequence[ArmResult], workload: Sequence[WorkloadItem],
                  meta: dict[str, Any], together: Together | None = None) -> dict[str, Any]:
    router, baselines = arms[0], arms[1:]
    summaries = [arm_summary(a, workload) for a in arms]
    saved = savings(router, baselines)
    strongest = next((v for k, v in saved.items() if k.startswith("always-strongest")), None)
    variants = Counter(w.variant for w in workload)
    return {
        **meta,
        "workload": {"requests": len(workload), "variants": dict(variants),
                     "kinds": dict(Counter(w.kind for w in workload)),
                     "labels": dict(Counter(w.label for w in workload))},
        "arms": summaries,
        "arms_wall_s": arms_wall_s(arms, together),
        "at_once": None if together is None else {
            "arms": list(together.arms), "wall_s": round(together.wall_s, 2),
            "cpu_s": round(together.cpu_s, 2)},
        "savings": saved,
        "headline": {
            "tier_accuracy": summaries[0]["tier_accuracy"],
            "under_routed": summaries[0]["under_routed"],
            "cache_hit_rate": summaries[0]["cache_hit_rate"],
            "error_rate": summaries[0]["error_rate"],
            "savings_vs_strongest_pct": float(strongest["saved_pct"]) if strongest else None,
        },
        # Per request of the router arm, for the plots (latency CDF, cache hits over time).
        # ``model`` served and ``under``: which requests were under-routed, and by whom.
        "router_requests": [{"ms": round(o.latency_ms, 2), "cache": o.cache, "status": o.status,
                             "model": o.model, "tier": o.tier, "under": o.under_routed}
                            for o in router.outcomes],
    }


def compare(current: dict[str, Any], earlier: dict[str, Any]) -> list[str]:
    """Regressions of the headline numbers beyond TOLERANCE, one sentence each."""
    problems = []
    for name, tol in TOLERANCE.items():
        now, then = current["headline"].get(name), earlier.get("headline", {}).get(name)
        if now is None or then is None:
            continue
        worse = then - now if name in HIGHER_IS_BETTER else now - then
        if worse > tol:
            problems.append(f"{name} regressed: {then} -> {now} (tolerance {tol})")
    return problems


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f} %"


def report_markdown(results: dict[str, Any], plots: Sequence[str]) -> str:
    w = results["workload"]
    lines = [
        "# llm-router pipeline benchmark", "",
        f"{w['requests']} requests ({w['variants']}; traffic {w['kinds']}; labels "
        f"{w['labels']}), concurrency {results['concurrency']}, upstream "
        f"{results['upstream']}. Every request went through the app in process (auth, "
        "admission, guards, cache, classifier, routing, providers, settle); costs are "
        "each arm's own ledger.", "",
        "| arm | ledger cost USD | under-routed (originals) | tier accuracy | p50 ms | p95 ms | "
        "cache exact/semantic | failovers | skips | errors | wall s (CPU s) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for a in results["arms"]:
        acc = "-" if a["tier_accuracy"] is None else f"{100 * a['tier_accuracy']:.1f} %"
        mark = " *" if a.get("at_once") else ""
        cpu = "-" if a.get("cpu_s") is None else a["cpu_s"]
        lines.append(
            f"| {a['arm']}{mark} | {a['cost_usd']} | {100 * a['under_routed']:.1f} % "
            f"({_pct(a.get('under_routed_originals'))}) | {acc} | "
            f"{a['latency_p50_ms']} | {a['latency_p95_ms']} | {a['cache_exact']}/"
            f"{a['cache_semantic']} | {a['failovers']} | {a.get('skips', '-')} | "
            f"{a['errors']} | {a['wall_s']} ({cpu}) |")
    if results.get("at_once"):
        g = results["at_once"]
        lines += ["", f"\\* Run at once: {', '.join(g['arms'])}, in {g['wall_s']} s wall "
                  f"({g['cpu_s']} s CPU, theirs together: the process cannot tell one arm's "
                  "from another's). Each arm's figures but its latency and wall time are what "
                  "it reads alone (`--sequential`); its latency and wall read beside the "
                  "others'."]
    if "arms_wall_s" in results:
        lines += ["", f"The arms' wall time: {results['arms_wall_s']} s (the arms run alone, "
                  "plus those run at once together)."]
    misses = [f"{a['arm']}: " + ", ".join(f"{n} {reason}" for reason, n in
                                          sorted(a["cache_misses"].items()))
              for a in results["arms"] if a.get("cache_misses")]
    lines += ["", "Cache misses not for want of a match (failed: storage or the verifier "
              "failed; gone: an entry whose answer was unreadable or expired; exact_only: "
              "only the exact layer may serve the request; model_removed): "
              + ("; ".join(misses) if misses else "none") + "."]
    causes = [f"{a['arm']}: " + ", ".join(f"{n} {cause}" for cause, n in
                                          a["failover_causes"].items())
              for a in results["arms"] if a.get("failover_causes")]
    lines += ["", "Failovers by cause (each target a failed-over request passed over or "
              "failed at: model, outcome, and for a used-up free tier the limit that was "
              "full): " + ("; ".join(causes) if causes else "none") + "."]
    phases = [f"{a['arm']}: " + ", ".join(f"{name} {ms}" for name, ms in a["phase_ms"].items())
              + f" (latency {a['latency_mean_ms']})" for a in results["arms"] if a.get("phase_ms")]
    if phases:
        lines += ["", "Where a request's time went (the app's Server-Timing, mean ms per "
                  "request; embed is inside cache, storage inside the phases that call it; "
                  "the latency holds them all): " + "; ".join(phases) + "."]
    lines += ["", "## Savings of the router (ledger against ledger)", "",
              "| against | baseline USD | router USD | saved USD | saved |",
              "|---|---:|---:|---:|---:|"]
    for name, s in results["savings"].items():
        lines.append(f"| {name} | {s['baseline_cost_usd']} | {s['router_cost_usd']} | "
                     f"{s['saved_usd']} | {s['saved_pct']} % |")
    lines += ["", "Under-routed: share of answered requests served by a model whose best "
              "tier is below the query's label (the quality proxy); in brackets, the same "
              "share of the workload's original requests alone (an exact repeat or a "
              "paraphrase of an under-routed query is under-routed again). Tier accuracy: the "
              "router's chosen tier equals the label, on requests it routed (not cache hits) "
              "whose query is in the classifier's held-out split. Failovers: requests "
              "served (or failed) past their first target; skips: requests that passed over "
              "a target without calling it (free tier used up, breaker open). Wall s: the arm "
              "from its first request to its last answer; CPU s: the bench process's CPU "
              "meanwhile, every thread (app, simulator, client; not an embedded store in its "
              "own process): what load on a shared machine inflates least.",
              ""]
    lines += [f"![{p}]({p})" for p in plots]
    return "\n".join(lines) + "\n"
