"""Building the alert checker from settings: the alert-checker function's edge and
``llm-router alerts check``."""

from __future__ import annotations

from typing import Any

import boto3

from llm_router.alerting.checker import AlertChecker, Sources
from llm_router.alerting.config import AlertConfig, parse_alert_config
from llm_router.alerting.notify import Channel, SlackChannel, SnsChannel
from llm_router.catalog import Catalog, load_catalog
from llm_router.jsonpost import JsonPoster
from llm_router.settings import AlertSettings
from llm_router.storage.alerts import DynamoAlertState, DynamoTenants
from llm_router.storage.breakers import DynamoBreakerStore
from llm_router.storage.counters import DynamoCounters
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.rollups import DynamoRollups


def build_checker(settings: AlertSettings, catalog: Catalog | None = None,
                  http: JsonPoster | None = None) -> AlertChecker:
    catalog = catalog or load_catalog(settings.config_path)
    config = parse_alert_config(catalog.alerts)
    dynamodb = make_dynamodb_client(settings)
    table = settings.counters_table
    sources = Sources(
        catalog=catalog,
        tenants=DynamoTenants(dynamodb, settings.keys_table).tenants,
        rollups=DynamoRollups(dynamodb, table, catalog.rollups.shards),
        counters=DynamoCounters(dynamodb, table),
        breakers=DynamoBreakerStore(dynamodb, table, catalog.resilience.breaker),
    )
    if settings.dashboard_url and not config.dashboard_url:
        config = config.model_copy(update={"dashboard_url": settings.dashboard_url})
    return AlertChecker(config, sources, DynamoAlertState(dynamodb, table),
                        build_channels(settings, config, http or JsonPoster()))


def build_channels(settings: AlertSettings, config: AlertConfig,
                   http: JsonPoster) -> list[Channel]:
    """The catalog's channels; the function's settings (template.yaml) fill any gap."""
    channels: list[Channel] = []
    webhook = config.slack_webhook_url or settings.slack_webhook_url
    if not webhook and settings.slack_webhook_parameter:
        webhook = _ssm_parameter(settings.slack_webhook_parameter)
    if webhook:
        channels.append(SlackChannel(http, webhook))
    topic = config.sns_topic_arn or settings.alerts_topic_arn
    if topic:
        sns = boto3.client("sns", region_name=settings.region,
                           endpoint_url=settings.aws_endpoint_url)
        channels.append(SnsChannel(sns, topic))
    return channels


def _ssm_parameter(name: str) -> Any:
    from aws_lambda_powertools.utilities import parameters

    return str(parameters.get_parameter(name, decrypt=True, max_age=300))
