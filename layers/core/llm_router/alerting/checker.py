"""One run of the alert checker: evaluate every rule once, notify, record, report.

For each finding that fires: if every channel already accepted it for this window, it
is ``suppressed``; otherwise it goes to the channels that have not, and is recorded as
``fired`` only once at least one accepted (``failed`` when none did: the next run tries
again). A recorded alert that no longer fires gets a ``resolved`` notice the same way.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Protocol

from llm_router.alerting.config import AlertConfig
from llm_router.alerting.notify import Channel, DeliveryError, Notice, Status
from llm_router.alerting.rules import (
    Finding,
    QuotaUse,
    circuit_findings,
    free_tier_findings,
    tenant_findings,
)
from llm_router.alerting.usage import (
    BreakerReader,
    CounterReader,
    Rollups,
    open_circuits,
    quota_uses,
    tenant_usage,
)
from llm_router.catalog import Catalog
from llm_router.ledger import now_utc
from llm_router.storage.alerts import AlertRecord

log = logging.getLogger("llm_router.alerts")


class AlertState(Protocol):
    def load(self) -> dict[str, AlertRecord]: ...
    def save(self, record: AlertRecord, previous: AlertRecord | None) -> bool: ...


@dataclass(frozen=True)
class Event:
    event: str  # fired | suppressed | resolved | failed
    rule: str
    subject: str
    window: str
    value: str
    threshold: str
    summary: str
    channels: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def json_line(self) -> str:
        return json.dumps(asdict(self), sort_keys=False)


@dataclass
class Sources:
    catalog: Catalog
    tenants: Callable[[], list[str]]
    rollups: Rollups
    counters: CounterReader
    breakers: BreakerReader


class AlertChecker:
    def __init__(self, config: AlertConfig, sources: Sources, state: AlertState,
                 channels: Sequence[Channel], clock: Callable[[], datetime] = now_utc):
        self._config = config
        self._sources = sources
        self._state = state
        self._channels = list(channels)
        self._clock = clock
        # Free-tier use seen by the last run (the function publishes it as a metric).
        self.quota_uses: list[QuotaUse] = []

    def findings(self) -> list[Finding]:
        now, cfg, src = self._clock(), self._config, self._sources
        tenants = sorted(set(src.tenants()) | set(cfg.tenants))
        out: list[Finding] = []
        for tenant in tenants:
            thresholds = cfg.for_tenant(tenant)
            usage = tenant_usage(src.rollups, tenant, now, thresholds.window_minutes)
            out += tenant_findings(thresholds, usage)
        self.quota_uses = quota_uses(src.catalog, src.counters, now)
        out += free_tier_findings(self.quota_uses, cfg.free_tier_used)
        out += circuit_findings(open_circuits(src.breakers), cfg.circuit_open)
        return out

    def run(self) -> list[Event]:
        records = self._state.load()
        firing = self.findings()
        events = [self._fire(f, records.get(f.key)) for f in firing]
        live = {f.key for f in firing}
        for key, record in sorted(records.items()):
            if key in live:
                continue
            if record.status == "firing" or not self._all_sent(record.sent):
                events.append(self._resolve(record))
        for event in events:
            log.info("alert %s", event.event, extra=asdict(event))
        return events

    def _all_sent(self, sent: frozenset[str]) -> bool:
        return all(c.name in sent for c in self._channels)

    def _fire(self, finding: Finding, record: AlertRecord | None) -> Event:
        same = record is not None and record.status == "firing" and (
            record.window == finding.window)
        already = record.sent if same and record else frozenset()
        return self._deliver(finding, "firing", record, already, "fired")

    def _resolve(self, record: AlertRecord) -> Event:
        rule, _, subject = record.key.partition("#")
        finding = Finding(rule, subject, record.window, record.value, record.threshold,
                          record.summary)
        already = record.sent if record.status == "resolved" else frozenset()
        return self._deliver(finding, "resolved", record, already, "resolved")

    def _deliver(self, finding: Finding, status: Status, record: AlertRecord | None,
                 already: frozenset[str], done: str) -> Event:
        base: dict[str, Any] = dict(rule=finding.rule, subject=finding.subject,
                                    window=finding.window, value=finding.value,
                                    threshold=finding.threshold, summary=finding.summary)
        pending = [c for c in self._channels if c.name not in already]
        if already and not pending:
            return Event("suppressed", **base, channels=sorted(already))
        if not self._channels:
            return Event("failed", **base, errors=["no alert channel configured "
                                                   "(alerts.slack_webhook_url or "
                                                   "alerts.sns_topic_arn)"])
        notice = Notice(finding, status, self._config.dashboard_url)
        accepted, errors = [], []
        for channel in pending:
            try:
                channel.send(notice)
                accepted.append(channel.name)
            except DeliveryError as exc:
                errors.append(f"{channel.name}: {exc}")
        if not accepted:
            return Event("failed", **base, errors=errors)
        new = AlertRecord(finding.key, status, finding.window, already | set(accepted),
                          (record.version + 1) if record else 1, finding.summary,
                          finding.value, finding.threshold)
        if not self._state.save(new, record):
            errors.append("state changed by a concurrent run; not recorded")
        return Event(done, **base, channels=sorted(accepted), errors=errors)
