"""Building the alert checker from settings: the edge of the alert-checker function."""

from __future__ import annotations

import boto3
import httpx

from llm_router.alerting.checker import AlertChecker
from llm_router.alerting.notify import Notifier, SlackNotifier, SnsNotifier
from llm_router.alerts import parse_rules
from llm_router.catalog import load_catalog
from llm_router.settings import AlertSettings
from llm_router.storage.alerts import DynamoAlertState, DynamoRollupSource
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.ledger import DynamoLedger


def build_checker(settings: AlertSettings) -> AlertChecker:
    catalog = load_catalog(settings.config_path)
    dynamodb = make_dynamodb_client(settings)
    ledger = DynamoLedger(dynamodb, settings.ledger_table, settings.counters_table)
    notifiers: list[Notifier] = []
    if settings.alerts_topic_arn:
        sns = boto3.client("sns", region_name=settings.region,
                           endpoint_url=settings.aws_endpoint_url)
        notifiers.append(SnsNotifier(sns, settings.alerts_topic_arn))
    webhook = settings.slack_webhook_url
    if not webhook and settings.slack_webhook_parameter:
        from aws_lambda_powertools.utilities import parameters

        webhook = str(parameters.get_parameter(settings.slack_webhook_parameter,
                                               decrypt=True, max_age=300))
    if webhook:
        notifiers.append(SlackNotifier(httpx.Client(), webhook))
    return AlertChecker(
        parse_rules(catalog.alerts),
        DynamoRollupSource(dynamodb, settings.keys_table, ledger),
        DynamoAlertState(dynamodb, settings.counters_table),
        notifiers,
    )
