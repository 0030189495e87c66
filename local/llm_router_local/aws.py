"""The embedded store on 127.0.0.1 with the tables and bucket of template.yaml.

The tables are created from template.yaml's own resource definitions, so the local run
cannot drift from what ``sam deploy`` creates.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3

from llm_router.errors import ConfigError
from llm_router.settings import RouterSettings
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.tables import physical_table_names
from llm_router_local.processes import stop_process, wait_for_line
from llm_router_local.store.server import READY_LINE
from llm_router_local.template import load_template, table_definitions

# The embedded store accepts any credentials; these make boto3 sign requests without a real profile.
LOCAL_CREDENTIALS = {"aws_access_key_id": "local", "aws_secret_access_key": "local"}


@dataclass
class EmbeddedAws:
    """The embedded store process (``llm_router_local.store``), stopped by PID."""

    endpoint_url: str
    process: subprocess.Popen[str]

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self, timeout_s: float = 10.0) -> None:
        stop_process(self.process, timeout_s)


def start_embedded_aws(*, startup_timeout_s: float = 20.0) -> EmbeddedAws:
    """Start the embedded store (DynamoDB on SQLite, S3 by moto) on a free loopback port.

    It is a child process, so its work never holds the router's interpreter lock, and
    it applies each call atomically on its own, as DynamoDB does."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "llm_router_local.store", "--port", "0", "--exit-with-stdin"],
        stdin=subprocess.PIPE,  # closes when this process exits, however it exits
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    line = wait_for_line(proc, READY_LINE, startup_timeout_s)
    return EmbeddedAws(line.rsplit(" ", 1)[1].strip(), proc)


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


def fresh_tables(settings: RouterSettings) -> Any:
    """Create the tables ``settings`` names at its endpoint (the embedded store); a
    DynamoDB client for them (the pipeline benchmark's store per arm, locally)."""
    create_resources(settings, find_template())
    return make_dynamodb_client(settings)
