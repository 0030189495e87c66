"""Where alerts go: a Slack incoming webhook (retried) and an SNS topic (email).

A channel's ``send`` returns only once the channel accepted the notice (Slack answered
2xx, SNS returned a message id); anything else raises ``DeliveryError``, and the checker
keeps the notice pending for the next run.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, Protocol

from llm_router.alerting.rules import Finding
from llm_router.jsonpost import JsonPoster, PostFailed

Status = Literal["firing", "resolved"]


@dataclass(frozen=True)
class Notice:
    finding: Finding
    status: Status
    dashboard_url: str | None = None

    @property
    def subject(self) -> str:
        word = "RESOLVED" if self.status == "resolved" else "ALERT"
        return f"[llm-router] {word} {self.finding.rule}: {self.finding.subject}"

    @property
    def text(self) -> str:
        f = self.finding
        lines = [self.subject]
        if self.status == "resolved":
            lines.append(f"cleared (was: {f.summary})")
        else:
            lines.append(f.summary)
        lines.append(f"value {f.value}, threshold {f.threshold}, window {f.window}")
        if self.dashboard_url:
            lines.append(f"dashboard: {self.dashboard_url}")
        return "\n".join(lines)


class DeliveryError(Exception):
    """A channel did not accept a notice."""


class Channel(Protocol):
    name: str

    def send(self, notice: Notice) -> None: ...


class SlackChannel:
    name = "slack"

    def __init__(self, http: JsonPoster, webhook_url: str, *, attempts: int = 3,
                 backoff_s: float = 0.5, sleep: Callable[[float], None] = time.sleep):
        self._http = http
        self._url = webhook_url
        self._attempts = attempts
        self._backoff_s = backoff_s
        self._sleep = sleep

    def send(self, notice: Notice) -> None:
        last = ""
        for attempt in range(self._attempts):
            if attempt:
                self._sleep(self._backoff_s * 2 ** (attempt - 1))
            try:
                resp = self._http.post(self._url, {"text": notice.text}, timeout=5)
            except PostFailed as exc:
                last = f"{type(exc).__name__}: {exc}"
                continue
            if resp.is_success:
                return
            last = f"HTTP {resp.status}"
            if resp.status < 500 and resp.status != 429:
                break  # a bad URL or payload: retrying will not help
        raise DeliveryError(f"slack webhook refused the alert ({last})")


class SnsChannel:
    name = "sns"

    def __init__(self, client: Any, topic_arn: str):
        self._client = client
        self._topic_arn = topic_arn

    def send(self, notice: Notice) -> None:
        try:
            self._client.publish(TopicArn=self._topic_arn, Subject=notice.subject[:100],
                                 Message=notice.text)
        except Exception as exc:  # botocore's tree and connection errors alike
            raise DeliveryError(f"SNS publish failed ({type(exc).__name__})") from exc
