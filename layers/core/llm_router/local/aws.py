"""An embedded moto server on 127.0.0.1 with the tables and bucket of template.yaml.

The tables are created from template.yaml's own resource definitions, so the local run
cannot drift from what ``sam deploy`` creates.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from llm_router.errors import ConfigError
from llm_router.local.template import load_template, table_definitions
from llm_router.settings import RouterSettings
from llm_router.storage.tables import ALL_TABLES

# moto accepts any credentials; these make boto3 sign requests without a real profile.
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


@dataclass
class EmbeddedAws:
    endpoint_url: str
    _server: Any
    _thread: threading.Thread

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=10)


class _OneRequestAtATime:
    """DynamoDB applies each conditional write atomically; moto's backend takes no lock,
    so two concurrent requests could both pass one condition (two admissions for the
    last slot of a rate limit). Serving one request at a time restores the guarantee
    the router's limits and budgets rely on, locally and in tests."""

    def __init__(self, app: Any):
        self._app = app
        self._lock = threading.Lock()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        with self._lock:
            return list(self._app(environ, start_response))


def start_embedded_aws() -> EmbeddedAws:
    """Start moto's server in a daemon thread on a free loopback port."""
    from moto.moto_server.werkzeug_app import (
        DomainDispatcherApplication,
        MotoRequestHandler,
        create_backend_app,
    )
    from werkzeug.serving import make_server

    # moto serves through werkzeug, which logs every request line; that is noise here.
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    app = _OneRequestAtATime(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, app, threaded=True, request_handler=MotoRequestHandler)
    thread = threading.Thread(target=server.serve_forever, name="moto", daemon=True)
    thread.start()
    return EmbeddedAws(f"http://127.0.0.1:{server.server_port}", server, thread)


def find_template(start: Path | None = None) -> Path:
    """template.yaml of this checkout: searched upwards from ``start`` and the package."""
    here = Path(__file__).resolve()
    roots = [start or Path.cwd(), here.parent]
    for root in roots:
        for folder in (root, *root.parents):
            candidate = folder / "template.yaml"
            if candidate.is_file():
                return candidate
    raise ConfigError(
        "template.yaml not found: run from the llm-router checkout (the local tables are "
        "created from the template's definitions)."
    )


def physical_table_names(settings: RouterSettings) -> dict[str, str]:
    by_env = {
        "LLM_ROUTER_KEYS_TABLE": settings.keys_table,
        "LLM_ROUTER_LEDGER_TABLE": settings.ledger_table,
        "LLM_ROUTER_COUNTERS_TABLE": settings.counters_table,
        "LLM_ROUTER_CACHE_TABLE": settings.cache_table,
    }
    return {spec.logical_id: by_env[spec.env_var] for spec in ALL_TABLES}


def create_resources(settings: RouterSettings, template_path: Path) -> None:
    """Create every table (with TTL) and the bucket, as template.yaml defines them."""
    kwargs = {"region_name": settings.region, "endpoint_url": settings.aws_endpoint_url,
              **LOCAL_CREDENTIALS}
    dynamodb = boto3.client("dynamodb", **kwargs)
    names = physical_table_names(settings)
    existing = set(dynamodb.list_tables()["TableNames"])
    for table in table_definitions(load_template(template_path)):
        name = names.get(table["logical_id"], table["logical_id"])
        if name in existing:
            continue
        dynamodb.create_table(TableName=name, **table["create_table"])
        if table.get("ttl_attribute"):
            dynamodb.update_time_to_live(
                TableName=name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": table["ttl_attribute"]},
            )
    if settings.bucket:
        s3 = boto3.client("s3", **kwargs)
        s3.create_bucket(Bucket=settings.bucket)
