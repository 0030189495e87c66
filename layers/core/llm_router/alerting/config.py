"""The catalog's ``alerts:`` section: thresholds (global, overridable per tenant) and
where alerts go. Every rule has a documented default; ``null`` turns a rule off.

    alerts:
      daily_cost_usd: 100          # a tenant's spend today
      monthly_budget_usd: 2000     # month to date, alerted at each of budget_levels
      budget_levels: [0.5, 0.8, 1.0]
      spike_factor: 2              # today over k x the trailing 7-day daily mean ...
      spike_min_usd: 1             # ... and at least this much
      error_rate: 0.05             # 5xx share over the last window_minutes ...
      p95_latency_ms: 5000         # ... and p95 over the same window
      window_minutes: 15
      min_requests: 20             # below this many requests in the window: no verdict
      free_tier_used: 0.8          # share of a provider's daily or monthly free quota
      circuit_open: true
      slack_webhook_url: https://hooks.slack.com/services/...
      sns_topic_arn: arn:aws:sns:...
      dashboard_url: https://console.aws.amazon.com/cloudwatch/...
      tenants:
        acme: {daily_cost_usd: 20, monthly_budget_usd: 300}
"""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from llm_router.errors import ConfigError

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class Thresholds(BaseModel):
    """The per-tenant rules; a tenant's entry under ``tenants:`` overrides any of them."""

    model_config = _FROZEN
    daily_cost_usd: Decimal | None = Field(default=Decimal(100), ge=0)
    monthly_budget_usd: Decimal | None = Field(default=None, gt=0)
    budget_levels: tuple[Decimal, ...] = (Decimal("0.5"), Decimal("0.8"), Decimal(1))
    spike_factor: Decimal | None = Field(default=Decimal(2), gt=0)
    spike_min_usd: Decimal = Field(default=Decimal(1), ge=0)
    error_rate: float | None = Field(default=0.05, ge=0, le=1)
    p95_latency_ms: float | None = Field(default=5000, gt=0)
    window_minutes: int = Field(default=15, ge=5, le=24 * 60)
    min_requests: int = Field(default=20, ge=1)


class AlertConfig(Thresholds):
    free_tier_used: float | None = Field(default=0.8, gt=0, le=1)
    circuit_open: bool = True
    slack_webhook_url: str | None = None
    sns_topic_arn: str | None = None
    dashboard_url: str | None = None
    tenants: dict[str, dict[str, Any]] = Field(default_factory=dict)

    def for_tenant(self, tenant_id: str) -> Thresholds:
        base = Thresholds.model_validate(
            {k: getattr(self, k) for k in Thresholds.model_fields})
        override = self.tenants.get(tenant_id)
        return base.model_copy(update=override) if override else base


def parse_alert_config(section: Mapping[str, Any] | None) -> AlertConfig:
    try:
        config = AlertConfig.model_validate(dict(section or {}))
        for tenant, override in config.tenants.items():
            Thresholds.model_validate(override or {})  # same checks as the global values
            if not isinstance(override, dict):
                raise ConfigError(f"alerts.tenants.{tenant} must be a mapping")
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"alerts.{loc}: {first['msg']}") from exc
    # model_copy skips validation: store the validated, typed overrides.
    typed = {t: Thresholds.model_validate(o).model_dump(include=set(o)) for t, o in
             config.tenants.items()}
    return config.model_copy(update={"tenants": typed})
