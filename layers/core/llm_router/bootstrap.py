"""Wiring: from settings to ready services. Used by the Lambda edge and by ``serve``."""

from __future__ import annotations

from typing import Any

import httpx

from llm_router.api.app import Services
from llm_router.auth import Authenticator
from llm_router.catalog import Catalog, load_catalog
from llm_router.service import ChatService
from llm_router.settings import RouterSettings
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.keys import DynamoKeyStore
from llm_router.storage.ledger import DynamoLedger


def build_services(
    settings: RouterSettings,
    *,
    http: httpx.AsyncClient,
    catalog: Catalog | None = None,
    dynamodb: Any = None,
    mode: str = "live",
) -> Services:
    catalog = catalog or resolve_secrets(load_catalog(settings.config_path))
    dynamodb = dynamodb or make_dynamodb_client(settings)
    max_body = settings.max_body_bytes or catalog.limits.max_body_bytes
    ledger = DynamoLedger(
        dynamodb,
        settings.ledger_table,
        settings.counters_table,
        retention_days=settings.ledger_retention_days,
    )
    return Services(
        catalog=catalog,
        authenticator=Authenticator(
            DynamoKeyStore(dynamodb, settings.keys_table), ttl_s=settings.key_cache_ttl_s
        ),
        chat=ChatService(catalog, http, ledger, max_body_bytes=max_body),
        max_body_bytes=max_body,
        mode=mode,
    )


def resolve_secrets(catalog: Catalog) -> Catalog:
    """Fill provider keys named by ``api_key_parameter`` from SSM (cached by Powertools)."""
    wanted = {
        name: p.api_key_parameter
        for name, p in catalog.providers.items()
        if p.api_key_parameter and not p.api_key
    }
    if not wanted:
        return catalog
    from aws_lambda_powertools.utilities import parameters

    providers = dict(catalog.providers)
    for name, parameter in wanted.items():
        value = parameters.get_parameter(parameter, decrypt=True, max_age=300)
        providers[name] = providers[name].model_copy(update={"api_key": value})
    return catalog.model_copy(update={"providers": providers})
