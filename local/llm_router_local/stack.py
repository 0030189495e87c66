"""Everything ``llm-router serve`` runs besides the app: storage and upstreams.

``LocalStack.start`` decides, from the environment and the catalog, whether to embed
the store and whether to use the provider simulator, and ``banner`` says which loudly.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from llm_router.catalog import Catalog
from llm_router.keys import ApiKey, hash_key, key_id_of
from llm_router.settings import RouterSettings
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.keys import DynamoKeyStore
from llm_router_local.aws import EmbeddedAws, create_resources, find_template, start_embedded_aws
from llm_router_local.simulated import (
    SimulatorProcess,
    has_real_keys,
    simulated_catalog,
    start_simulator,
)

DEV_TENANT = "dev"


@dataclass
class LocalStack:
    settings: RouterSettings
    catalog: Catalog
    aws: EmbeddedAws | None = None
    simulator: SimulatorProcess | None = None
    notes: list[str] = field(default_factory=list)

    @classmethod
    def start(
        cls, settings: RouterSettings, catalog: Catalog, *, simulate: str = "auto"
    ) -> LocalStack:
        stack = cls(settings, catalog)
        try:
            stack._start_storage()
            stack._start_upstreams(simulate)
        except BaseException:
            stack.stop()
            raise
        return stack

    def _start_storage(self) -> None:
        if self.settings.aws_endpoint_url:
            # An emulator someone else runs (moto, DynamoDB Local): make what is missing.
            os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
            os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
            create_resources(self.settings, find_template())
            self.notes.append(f"storage: AWS endpoint {self.settings.aws_endpoint_url} "
                              "(missing tables created from template.yaml)")
            return
        # The embedded store accepts any credentials; boto3 needs some to sign with.
        os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
        os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
        self.aws = start_embedded_aws()
        self.settings = self.settings.model_copy(
            update={"aws_endpoint_url": self.aws.endpoint_url,
                    # it checks no signature: DynamoDB calls go unsigned (settings.py)
                    "storage_unsigned": True,
                    "bucket": self.settings.bucket or "llm-router-local"}
        )
        template = find_template()
        create_resources(self.settings, template)
        self.notes.append(
            f"storage: embedded store at {self.aws.endpoint_url} (DynamoDB API on SQLite, "
            f"tables from {Path(template).name}; temporary, gone when this process stops)"
        )

    def _start_upstreams(self, simulate: str) -> None:
        use_sim = simulate == "on" or (simulate == "auto" and not has_real_keys(self.catalog))
        if not use_sim:
            live = [n for n, p in self.catalog.providers.items() if p.configured]
            self.notes.append(f"providers: LIVE ({', '.join(live) or 'none configured'})")
            return
        self.simulator = start_simulator()
        self.catalog = simulated_catalog(self.catalog, self.simulator.url)
        self.notes.append(
            f"providers: SIMULATED at {self.simulator.url} - no provider API keys are set, "
            "so every answer comes from the local provider simulator, not a real model"
        )

    @property
    def mode(self) -> str:
        return "simulated" if self.simulator else "live"

    def register_dev_key(self, plaintext: str) -> None:
        key_hash = hash_key(plaintext)
        store = DynamoKeyStore(make_dynamodb_client(self.settings), self.settings.keys_table)
        if store.get(key_hash) is None:
            store.put(ApiKey(key_hash, key_id_of(key_hash), DEV_TENANT,
                             datetime.now(UTC).isoformat()))
        self.notes.append(f"dev key registered for tenant {DEV_TENANT!r}")

    def stop(self) -> None:
        if self.simulator:
            self.simulator.stop()
            self.simulator = None
        if self.aws:
            self.aws.stop()
            self.aws = None
