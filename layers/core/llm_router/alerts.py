"""Alert rules evaluated on the ledger's daily rollups. Pure: no I/O.

Rules live in the catalog's ``alerts`` section::

    alerts:
      rules:
        - {name: daily-cost, metric: cost_usd, threshold: 50}
        - {name: error-rate, metric: error_rate, threshold: 0.05, min_requests: 20}

``cost_usd``, ``requests``, ``errors`` and ``tokens`` compare the day's total per tenant
with the threshold; ``error_rate`` is errors / requests once ``min_requests`` is reached.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from llm_router.errors import ConfigError

Metric = Literal["cost_usd", "requests", "errors", "tokens", "error_rate"]


class AlertRule(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]{1,64}$")
    metric: Metric
    threshold: Decimal = Field(ge=0)
    min_requests: int = Field(default=1, ge=1)


DEFAULT_RULES = (
    AlertRule(name="daily-cost", metric="cost_usd", threshold=Decimal(100)),
    AlertRule(name="error-rate", metric="error_rate", threshold=Decimal("0.05"), min_requests=20),
)


@dataclass(frozen=True)
class Alert:
    rule: AlertRule
    tenant_id: str
    day: str
    value: Decimal

    @property
    def text(self) -> str:
        shown = f"{self.value:.2%}" if self.rule.metric == "error_rate" else f"{self.value}"
        limit = (f"{self.rule.threshold:.2%}" if self.rule.metric == "error_rate"
                 else f"{self.rule.threshold}")
        return (f"[llm-router] {self.rule.name}: tenant {self.tenant_id} {self.rule.metric} "
                f"{shown} on {self.day} is over {limit}")


def parse_rules(section: Mapping[str, Any]) -> tuple[AlertRule, ...]:
    raw = section.get("rules")
    if raw is None:
        return DEFAULT_RULES
    try:
        return tuple(AlertRule.model_validate(r) for r in raw)
    except (ValidationError, TypeError) as exc:
        raise ConfigError(f"alerts.rules: {exc}") from exc


def day_totals(per_model: Mapping[str, Mapping[str, Any]]) -> dict[str, Decimal]:
    """Sum a tenant's per-model rollup items into one set of day totals."""
    totals = {"requests": Decimal(0), "errors": Decimal(0), "cost_usd": Decimal(0),
              "tokens": Decimal(0)}
    for counters in per_model.values():
        totals["requests"] += Decimal(counters.get("requests", 0))
        totals["errors"] += Decimal(counters.get("errors", 0))
        totals["cost_usd"] += Decimal(counters.get("cost_usd", 0))
        totals["tokens"] += Decimal(counters.get("prompt_tokens", 0)) + Decimal(
            counters.get("completion_tokens", 0))
    return totals


def evaluate(
    rules: tuple[AlertRule, ...], day: str, tenants: Mapping[str, Mapping[str, Any]]
) -> list[Alert]:
    """Alerts whose threshold a tenant's day crossed. ``tenants``: tenant -> rollup."""
    alerts = []
    for tenant_id, per_model in sorted(tenants.items()):
        totals = day_totals(per_model)
        for rule in rules:
            value = _value(rule, totals)
            if value is not None and value > rule.threshold:
                alerts.append(Alert(rule, tenant_id, day, value))
    return alerts


def _value(rule: AlertRule, totals: Mapping[str, Decimal]) -> Decimal | None:
    if rule.metric != "error_rate":
        return totals[rule.metric]
    if totals["requests"] < rule.min_requests:
        return None
    return totals["errors"] / totals["requests"]
