"""Settings for a router process, read once at the edge (handler or CLI) and passed down.

Library code never reads ``os.environ``; it receives a ``RouterSettings``. Every field
is an environment variable ``LLM_ROUTER_<FIELD>`` (documented in docs/configuration.md).
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, Literal

from pydantic import AliasChoices, BaseModel, ConfigDict, Field, model_validator

PREFIX = "LLM_ROUTER_"


class EnvSettings(BaseModel):
    """A model whose fields default to the environment: ``LLM_ROUTER_<FIELD>``, or the
    names in a field's ``AliasChoices`` (the first one set wins), in any case; keyword
    arguments win over both. Values are validated as if given directly ("true", "400").

    What pydantic-settings' ``BaseSettings`` did for these models (environment only: no
    .env, secrets or CLI sources), without its import on every cold start
    (docs/performance.md#cold-start)."""

    model_config = ConfigDict(frozen=True, extra="ignore", validate_by_name=True,
                              validate_by_alias=True)

    @model_validator(mode="before")
    @classmethod
    def _environment_first(cls, data: Any) -> Any:
        if not isinstance(data, dict):
            return data
        environ = {name.lower(): value for name, value in os.environ.items()}
        found: dict[str, Any] = {}
        for name, field in cls.model_fields.items():
            alias = field.validation_alias
            names = ([c for c in alias.choices if isinstance(c, str)]
                     if isinstance(alias, AliasChoices) else [f"{PREFIX}{name}"])
            for env_name in names:
                if env_name.lower() in environ:
                    found[name] = environ[env_name.lower()]
                    break
        return {**found, **data}


class RouterSettings(EnvSettings):
    # The catalog file; None means the default catalog shipped in the layer.
    config_path: Path | None = None
    environment: Literal["dev", "prod"] = "prod"

    keys_table: str = "llm-router-keys"
    ledger_table: str = "llm-router-ledger"
    counters_table: str = "llm-router-counters"
    cache_table: str = "llm-router-cache"
    bucket: str | None = None

    region: str = Field(
        default="us-east-1", validation_alias=AliasChoices("LLM_ROUTER_REGION", "AWS_REGION")
    )
    # SSM path holding provider keys as <prefix>/<provider>/api_key (SecureString),
    # read in one GetParametersByPath call at cold start. Unset locally.
    provider_keys_prefix: str | None = None
    # Set locally to the embedded store; unset in Lambda.
    aws_endpoint_url: str | None = None
    # DynamoDB calls sent without a SigV4 signature: only for a store that takes no
    # credentials (the embedded one `serve` starts sets it; DynamoDB, DynamoDB Local and
    # moto need the signature). Signing was a seventh of the client's CPU per settle.
    storage_unsigned: bool = False

    # Seconds an API key lookup is cached per container: how long a key revoked on
    # another instance may still work here (docs/keys.md). At most 60.
    key_cache_ttl_s: float = Field(default=60.0, ge=0, le=60)
    # Days a ledger item is kept before DynamoDB's TTL removes it (0 keeps forever).
    ledger_retention_days: int = Field(default=400, ge=0)
    # CloudWatch namespace for per-request EMF metrics; unset (locally) means none.
    metrics_namespace: str | None = Field(
        default=None,
        validation_alias=AliasChoices("LLM_ROUTER_METRICS_NAMESPACE",
                                      "POWERTOOLS_METRICS_NAMESPACE"),
    )
    # One structured log line per request (Powertools Logger; also EMF when a metrics
    # namespace is set, which turns it on too). Off locally to keep `serve` quiet.
    request_log: bool = False
    # Prompt text on that line: 0 never (the default); N > 0 adds ``prompt``, the first N
    # characters of the request's last user turn as sent on (after the input guards).
    # Opt-in, for debugging: the text then sits in the logs, PII and all.
    log_prompt_chars: int = Field(default=0, ge=0)
    # Overrides the catalog's limits.max_body_bytes when set.
    max_body_bytes: int | None = Field(default=None, gt=0)
    # Serve /openapi.json and /docs, to keys of admin_tenant only (off in Lambda).
    api_docs: bool = False
    # The tenant whose keys are admin keys (API docs); None: no admin keys.
    admin_tenant: str | None = None


class AlertSettings(RouterSettings):
    """The alert checker's settings: the router's, plus where alerts go."""

    alerts_topic_arn: str | None = None
    # SSM parameter (SecureString) holding a Slack incoming-webhook URL.
    slack_webhook_parameter: str | None = None
    # A webhook URL given directly (local runs and tests); wins over the parameter.
    slack_webhook_url: str | None = None
    # Linked from every alert (template.yaml sets it to the stack's dashboard).
    dashboard_url: str | None = None


class BenchmarkSettings(RouterSettings):
    """The benchmark runner's settings: the router's, plus where results go."""

    benchmark_prefix: str = "benchmarks/"
    # simulator: the in-process provider simulator (free, deterministic: the default);
    # live: the catalog's providers with their keys from SSM (costs real money).
    benchmark_upstream: Literal["simulator", "live"] = "simulator"
    # Requests per arm when the event does not say (five arms: router, router without
    # cache and three baselines).
    benchmark_requests: int = Field(default=1000, ge=1, le=5000)
