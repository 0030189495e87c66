"""PNG plots of a pipeline benchmark (matplotlib: a dev/bench dependency, never in Lambda)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def write_plots(results: dict[str, Any], out: Path) -> list[str]:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    names = []

    def save(fig: Any, name: str) -> None:
        fig.tight_layout()
        fig.savefig(out / name, dpi=110)
        plt.close(fig)
        names.append(name)

    arms = results["arms"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    markers = "o*sD^v"
    for i, a in enumerate(arms):
        ax.scatter(max(float(a["cost_usd"]), 1e-6), 100 * (1 - a["under_routed"]), s=90,
                   marker=markers[i % len(markers)], label=f"{a['arm']}: ${a['cost_usd']}")
    ax.set_xscale("log")  # baselines span orders of magnitude
    ax.legend(fontsize=8, loc="lower right")
    ax.set_xlabel("ledger cost of the workload (USD, log)")
    ax.set_ylabel("answered by a strong-enough model (%)")
    ax.set_title("Cost against quality: router and baselines")
    ax.grid(alpha=0.3)
    save(fig, "cost_vs_quality.png")

    reqs = results["router_requests"]
    ms = sorted(r["ms"] for r in reqs)
    fig, ax = plt.subplots(figsize=(7, 4.5))
    ax.plot(ms, [100 * (i + 1) / len(ms) for i in range(len(ms))])
    ax.set_xscale("log")
    ax.set_xlabel("latency through the router, ms (log)")
    ax.set_ylabel("requests at or below (%)")
    ax.set_title("Router latency CDF")
    ax.grid(alpha=0.3, which="both")
    save(fig, "latency_cdf.png")

    fig, ax = plt.subplots(figsize=(7, 4.5))
    hits, rate = 0, []
    for i, r in enumerate(reqs, 1):
        hits += r["cache"] in ("exact", "semantic")
        rate.append(100 * hits / i)
    ax.plot(range(1, len(rate) + 1), rate)
    ax.set_xlabel("request number")
    ax.set_ylabel("cumulative cache hit rate (%)")
    ax.set_title("Cache hit rate over the run (router)")
    ax.grid(alpha=0.3)
    save(fig, "cache_hit_rate.png")

    by_model = arms[0]["cost_by_model"]
    fig, ax = plt.subplots(figsize=(7, 4.5))
    labels = list(by_model)[:12]
    ax.barh(labels[::-1], [float(by_model[m]) for m in labels][::-1])
    ax.set_xlabel("ledger cost (USD)")
    ax.set_title("Router cost by model")
    save(fig, "cost_by_model.png")
    return names
