"""The alert rules, over numbers already read from the rollups and counters. Pure.

Each rule returns the findings that fire now. A finding names its window: the day
(daily cost, spike), the month and level (budget), or ``rolling`` for rules on the last
minutes (error rate, p95, circuits) and ``<window id>`` for free tiers. The checker
sends a finding once per (rule, subject, window) and a resolved notice once it stops
firing.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from llm_router.alerting.config import Thresholds
from llm_router.rollups import Counters

ROLLING = "rolling"


@dataclass(frozen=True)
class Finding:
    rule: str
    subject: str  # a tenant id, or a provider / breaker target for global rules
    window: str
    value: str
    threshold: str
    summary: str

    @property
    def key(self) -> str:
        return f"{self.rule}#{self.subject}"


@dataclass(frozen=True)
class TenantUsage:
    tenant_id: str
    day: str
    month: str
    today_cost: Decimal
    month_cost: Decimal
    trailing_costs: tuple[Decimal, ...]  # the 7 days before today, oldest first
    window: Counters  # the last ``window_minutes``


@dataclass(frozen=True)
class QuotaUse:
    label: str  # "simgemini's free tier: 1000 requests per day"
    subject: str  # "QUOTA#simgemini d"
    window: str
    used: Decimal
    limit: Decimal


def tenant_findings(t: Thresholds, u: TenantUsage) -> list[Finding]:
    out: list[Finding] = []
    tenant = u.tenant_id
    if t.daily_cost_usd is not None and u.today_cost > t.daily_cost_usd:
        out.append(Finding("daily_cost", tenant, u.day, _usd(u.today_cost),
                           _usd(t.daily_cost_usd),
                           f"tenant {tenant} spent ${_usd(u.today_cost)} on {u.day}, over "
                           f"the daily limit of ${_usd(t.daily_cost_usd)}"))
    if t.monthly_budget_usd is not None:
        used = u.month_cost / t.monthly_budget_usd
        reached = [lvl for lvl in sorted(t.budget_levels) if used >= lvl]
        if reached:
            level = reached[-1]
            out.append(Finding("monthly_budget", tenant, f"{u.month}@{level}", _usd(
                u.month_cost), _usd(t.monthly_budget_usd * level),
                f"tenant {tenant} has used {used:.0%} of its ${_usd(t.monthly_budget_usd)} "
                f"monthly budget (${_usd(u.month_cost)} in {u.month}; alert level "
                f"{level:.0%})"))
    out += _spike(t, u)
    out += _window(t, u)
    return out


def _spike(t: Thresholds, u: TenantUsage) -> list[Finding]:
    if t.spike_factor is None or not any(u.trailing_costs):
        return []  # no baseline yet: a new tenant's first spend is no spike
    mean = sum(u.trailing_costs, Decimal(0)) / len(u.trailing_costs)
    limit = mean * t.spike_factor
    if u.today_cost <= limit or u.today_cost < t.spike_min_usd:
        return []
    return [Finding("spend_spike", u.tenant_id, u.day, _usd(u.today_cost), _usd(limit),
                    f"tenant {u.tenant_id} spent ${_usd(u.today_cost)} on {u.day}, "
                    f"{u.today_cost / mean:.1f}x its trailing 7-day daily mean of "
                    f"${_usd(mean)} (alert over {t.spike_factor}x and "
                    f"${_usd(t.spike_min_usd)})")]


def _window(t: Thresholds, u: TenantUsage) -> list[Finding]:
    w, tenant, minutes = u.window, u.tenant_id, t.window_minutes
    if w.requests < t.min_requests:
        return []
    out = []
    rate = w.rate("server_errors")
    if t.error_rate is not None and rate > t.error_rate:
        out.append(Finding("error_rate", tenant, ROLLING, f"{rate:.4f}", f"{t.error_rate}",
                           f"tenant {tenant}: {rate:.1%} of {w.requests} requests failed with "
                           f"5xx in the last {minutes} minutes (alert over "
                           f"{t.error_rate:.1%}); by class: {w.errors_by_class()}"))
    p95 = w.latency_percentile(0.95)
    if t.p95_latency_ms is not None and p95 is not None and p95 > t.p95_latency_ms:
        shown = "over 60000" if p95 == float("inf") else f"up to {p95:.0f}"
        out.append(Finding("p95_latency", tenant, ROLLING, f"{p95}", f"{t.p95_latency_ms}",
                           f"tenant {tenant}: p95 latency {shown} ms over {w.requests} "
                           f"requests in the last {minutes} minutes (alert over "
                           f"{t.p95_latency_ms:.0f} ms)"))
    return out


def free_tier_findings(uses: list[QuotaUse], share: float | None) -> list[Finding]:
    if share is None:
        return []
    out = []
    for use in uses:
        if use.limit and use.used / use.limit >= Decimal(str(share)):
            out.append(Finding("free_tier", use.subject, use.window, f"{use.used}",
                               f"{use.limit}",
                               f"{use.label}: {use.used / use.limit:.0%} used "
                               f"({use.used} of {use.limit}; alert at {share:.0%})"))
    return out


def circuit_findings(open_targets: list[str], enabled: bool) -> list[Finding]:
    if not enabled:
        return []
    return [Finding("circuit_open", target, ROLLING, "open", "closed",
                    f"circuit breaker open for {target}: requests skip it until a probe "
                    "succeeds") for target in sorted(open_targets)]


def _usd(value: Decimal) -> str:
    return f"{value.quantize(Decimal('0.000001')).normalize():f}"
