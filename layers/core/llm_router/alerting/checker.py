"""One run of the alert checker: read rollups, evaluate rules, notify each alert once.

An alert is claimed in the counters table (conditional put) before it is sent, so two
overlapping runs, or a retried invocation, never send the same alert twice in a day.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Protocol

from llm_router.alerting.notify import Notifier
from llm_router.alerts import Alert, AlertRule, evaluate

log = logging.getLogger("llm_router.alerts")


class RollupSource(Protocol):
    def tenants(self) -> list[str]: ...

    def rollup(self, day: str, tenant_id: str) -> dict[str, dict]: ...


class AlertState(Protocol):
    def claim(self, alert: Alert) -> bool: ...


@dataclass
class CheckResult:
    day: str
    tenants: int
    alerts: list[str] = field(default_factory=list)
    sent: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return dict(self.__dict__)


class AlertChecker:
    def __init__(
        self,
        rules: tuple[AlertRule, ...],
        source: RollupSource,
        state: AlertState,
        notifiers: list[Notifier],
    ):
        self._rules = rules
        self._source = source
        self._state = state
        self._notifiers = notifiers

    def run(self, day: str) -> CheckResult:
        tenants = self._source.tenants()
        rollups = {t: self._source.rollup(day, t) for t in tenants}
        result = CheckResult(day=day, tenants=len(tenants))
        for alert in evaluate(self._rules, day, rollups):
            label = f"{alert.rule.name}/{alert.tenant_id}"
            result.alerts.append(label)
            if not self._state.claim(alert):
                result.duplicates.append(label)
                continue
            for notifier in self._notifiers:
                try:
                    notifier.send(alert)
                    result.sent.append(f"{label}->{notifier.name}")
                except Exception as exc:  # one channel failing must not stop the others
                    log.error("alert delivery failed", extra={"alert": label,
                              "channel": notifier.name, "error": repr(exc)})
                    result.failures.append(f"{label}->{notifier.name}: {type(exc).__name__}")
        log.info("alert check done", extra=result.as_dict())
        return result
