"""The scheduled snapshot rebuild over every tenant (the cache-snapshot function)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from llm_router.cache.snapshots import S3SnapshotStore
from llm_router.cache.store import DynamoCacheStore
from llm_router.errors import ConfigError
from llm_router.ledger import now_utc
from llm_router.settings import RouterSettings


class TenantSource(Protocol):
    def tenants(self) -> list[str]: ...


@dataclass
class SnapshotJob:
    tenants: TenantSource
    entries: DynamoCacheStore
    snapshots: S3SnapshotStore
    clock: Callable[[], datetime] = now_utc
    max_entries: int | None = None  # the catalog's cache.max_entries
    max_bytes: int | None = None  # and its cache.max_index_bytes

    @classmethod
    def from_clients(cls, settings: RouterSettings, dynamodb: Any, s3: Any) -> SnapshotJob:
        from llm_router.catalog import load_catalog
        from llm_router.storage.alerts import DynamoTenants

        if not settings.bucket:
            raise ConfigError("LLM_ROUTER_BUCKET is not set: snapshots have nowhere to go")
        cache = load_catalog(settings.config_path).cache
        return cls(DynamoTenants(dynamodb, settings.keys_table),
                   DynamoCacheStore(dynamodb, settings.cache_table),
                   S3SnapshotStore(s3, settings.bucket),
                   max_entries=cache.max_entries, max_bytes=cache.max_index_bytes)

    def run(self) -> dict[str, Any]:
        now = int(self.clock().timestamp())
        entries = {t: self.snapshots.rebuild(t, self.entries, now, max_entries=self.max_entries,
                                             max_bytes=self.max_bytes)
                   for t in self.tenants.tenants()}
        failed = sorted(t for t, n in entries.items() if n < 0)
        return {"tenants": len(entries), "entries": sum(n for n in entries.values() if n > 0),
                "failed": failed}
