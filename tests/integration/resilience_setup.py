"""A catalog of simulator providers for the resilience tests, each test with its own
provider names (so its faults, stats and breakers are its own)."""

from __future__ import annotations

import uuid

import httpx


def pair_catalog(sim_url: str, pairs: list[str], *, extra: str = "", free: str = "",
                 free_rpd: int = 5) -> str:
    """For each name P: provider P-a serving model P (fallback P-b on provider P-b).
    With ``free``: provider ``free`` (free tier of ``free_rpd`` requests a day, price 0,
    all of it usable by one tenant) serving model ``free`` that falls back to a paid one
    on ``free``-paid."""
    lines = ["providers:"]
    models = ["models:"]
    if free:
        lines += [f"  {free}:", "    kind: openai", f"    base_url: {sim_url}/{free}/v1",
                  "    api_key: sim-key",
                  f"    free_tier: {{requests_per_day: {free_rpd}, tenant_share: 1.0}}",
                  f"  {free}-paid:", "    kind: openai",
                  f"    base_url: {sim_url}/{free}-paid/v1", "    api_key: sim-key"]
        models += [f"  {free}:", f"    provider: {free}", "    upstream_model: up-small",
                   "    input_per_mtok: 0", "    output_per_mtok: 0",
                   f"    fallbacks: [{free}-paid]",
                   f"  {free}-paid:", f"    provider: {free}-paid",
                   "    upstream_model: up-small",
                   "    input_per_mtok: 0.15", "    output_per_mtok: 0.60"]
    for p in pairs:
        for side in ("a", "b"):
            lines += [f"  {p}-{side}:", "    kind: openai",
                      f"    base_url: {sim_url}/{p}-{side}/v1", "    api_key: sim-key",
                      "    timeout_s: 1.0"]
        models += [f"  {p}:", f"    provider: {p}-a", "    upstream_model: up-small",
                   "    input_per_mtok: 0.15", "    output_per_mtok: 0.60",
                   f"    fallbacks: [{p}-backup]",
                   f"  {p}-backup:", f"    provider: {p}-b", "    upstream_model: up-small",
                   "    input_per_mtok: 0.15", "    output_per_mtok: 0.60"]
    return "\n".join(lines + models) + "\n" + extra + """
resilience:
  retry: {attempts_per_target: 2, base_delay_s: 0.05, max_delay_s: 0.2, max_retry_after_s: 3}
  breaker: {failure_threshold: 3, open_s: 60}
"""


def unique(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex[:6]}"


def fault(sim_url: str, provider: str, mode: str, count: int = -1, **extra: object) -> None:
    httpx.post(f"{sim_url}/_sim/faults", json={"provider": provider, "mode": mode,
                                               "count": count, **extra},
               timeout=5).raise_for_status()


def calls_to(sim_url: str, provider: str) -> int:
    stats = httpx.get(f"{sim_url}/_sim/stats", timeout=5).json()
    return int(stats["providers"].get(provider, 0))
