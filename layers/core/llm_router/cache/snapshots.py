"""Per-tenant embedding snapshots in S3 (``cache/<tenant>/snapshot.npz``).

A cold instance loads its tenant's snapshot (one GET) and then reads only the journal
items newer than the snapshot's watermark from DynamoDB. ``rebuild`` is the scheduled
job: previous snapshot + newer journal items - expired entries = the next snapshot.
Plain ``.npz`` arrays, loaded with ``allow_pickle=False``.
"""

from __future__ import annotations

import io
import logging
from typing import Any
from urllib.parse import quote

import numpy as np
from botocore.exceptions import BotoCoreError, ClientError

from llm_router.cache.entry import IndexRecord, newest_within
from llm_router.cache.store import DynamoCacheStore, overlap_start
from llm_router.errors import RouterError
from llm_router.storage.dynamo import storage_error

log = logging.getLogger("llm_router.cache")
PREFIX = "cache/"


def snapshot_key(tenant_id: str) -> str:
    return f"{PREFIX}{quote(tenant_id, safe='')}/snapshot.npz"


def encode(records: list[IndexRecord], watermark: str, dim: int) -> bytes:
    vectors = np.zeros((len(records), dim), dtype=np.float32)
    has_vector = np.zeros(len(records), dtype=bool)
    for i, r in enumerate(records):
        if r.embedding is not None:
            vectors[i], has_vector[i] = r.embedding.reshape(-1), True
    buf = io.BytesIO()
    np.savez(
        buf,
        keys=np.array([r.key for r in records], dtype=str),
        contexts=np.array([r.context for r in records], dtype=str),
        texts=np.array([r.text for r in records], dtype=str),
        journal=np.array([r.journal_sk for r in records], dtype=str),
        expires=np.array([r.expires_at for r in records], dtype=np.int64),
        vectors=vectors,
        has_vector=has_vector,
        watermark=np.array(watermark),
    )
    return buf.getvalue()


def decode(blob: bytes) -> tuple[list[IndexRecord], str]:
    with np.load(io.BytesIO(blob), allow_pickle=False) as data:
        records = [
            IndexRecord(str(k), str(c), str(t), v.copy() if has else None, int(e), str(j))
            for k, c, t, v, has, e, j in zip(
                data["keys"], data["contexts"], data["texts"], data["vectors"],
                data["has_vector"], data["expires"], data["journal"], strict=True)
        ]
        return records, str(data["watermark"])


class S3SnapshotStore:
    def __init__(self, client: Any, bucket: str):
        self._client = client
        self._bucket = bucket

    def load(self, tenant_id: str) -> tuple[list[IndexRecord], str]:
        """The tenant's snapshot, or no records and an empty watermark."""
        try:
            obj = self._client.get_object(Bucket=self._bucket, Key=snapshot_key(tenant_id))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                return [], ""
            raise storage_error("loading the cache snapshot", exc) from exc
        except BotoCoreError as exc:
            raise storage_error("loading the cache snapshot", exc) from exc
        return decode(obj["Body"].read())

    def save(self, tenant_id: str, records: list[IndexRecord], watermark: str,
             dim: int) -> None:
        self._client.put_object(Bucket=self._bucket, Key=snapshot_key(tenant_id),
                                Body=encode(records, watermark, dim))

    def rebuild(self, tenant_id: str, entries: DynamoCacheStore, now: int,
                dim: int = 384, max_entries: int | None = None,
                max_bytes: int | None = None) -> int:
        """Fold the journal into the tenant's snapshot, keeping the newest live entries
        within ``max_entries`` and ``max_bytes`` (None: all), as an instance's index does;
        returns how many."""
        try:
            records, watermark = self.load(tenant_id)
            newer = entries.journal_since(tenant_id, overlap_start(watermark),
                                          newest=max_entries, newest_bytes=max_bytes)
        except (RouterError, ClientError, BotoCoreError) as exc:
            log.warning("cache snapshot of %s not rebuilt: %s", tenant_id, exc)
            return -1
        by_key = {r.key: r for r in records}
        by_key.update((r.key, r) for r in newer)
        live = sorted((r for r in by_key.values() if r.expires_at > now),
                      key=lambda r: r.journal_sk)
        live = list(newest_within(reversed(live), max_entries, max_bytes))[::-1]
        if newer:
            watermark = max(watermark, newer[-1].journal_sk)
        self.save(tenant_id, live, watermark, dim)
        return len(live)
