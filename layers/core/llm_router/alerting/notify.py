"""Where alerts go: an SNS topic (email subscriptions) and a Slack incoming webhook."""

from __future__ import annotations

from typing import Any, Protocol

import httpx

from llm_router.alerts import Alert


class Notifier(Protocol):
    name: str

    def send(self, alert: Alert) -> None: ...


class SnsNotifier:
    name = "sns"

    def __init__(self, client: Any, topic_arn: str):
        self._client = client
        self._topic_arn = topic_arn

    def send(self, alert: Alert) -> None:
        self._client.publish(
            TopicArn=self._topic_arn,
            Subject=f"llm-router alert: {alert.rule.name}"[:100],
            Message=alert.text,
        )


class SlackNotifier:
    name = "slack"

    def __init__(self, http: httpx.Client, webhook_url: str):
        self._http = http
        self._url = webhook_url

    def send(self, alert: Alert) -> None:
        resp = self._http.post(self._url, json={"text": alert.text}, timeout=5)
        resp.raise_for_status()
