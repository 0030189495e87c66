"""Per-tenant embedding snapshots in S3 (``cache/<tenant>/snapshot-2.npz``).

A cold instance loads its tenant's snapshot (one GET) and then reads only the journal
items newer than the snapshot's watermark from DynamoDB. ``rebuild`` is the scheduled
job: previous snapshot + newer journal items - expired entries = the next snapshot.
Plain ``.npz`` arrays, loaded with ``allow_pickle=False``; the texts as one UTF-8 array
and their ends. The first layout (``snapshot.npz``, before session 16) held them as a
fixed-width string array, every text as long as the longest at 4 bytes a character: one
20,000-character message among 10,000 short ones made an 800 MB object, and about twice
that in memory to load it. Its objects are left alone (an instance still running the
first layout reads them; a new one, or the job, starts from the journal until the next
rebuild writes ``snapshot-2.npz``).
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
    return f"{PREFIX}{quote(tenant_id, safe='')}/snapshot-2.npz"


def encode(records: list[IndexRecord], watermark: str, dim: int) -> bytes:
    vectors = np.zeros((len(records), dim), dtype=np.float32)
    has_vector = np.zeros(len(records), dtype=bool)
    for i, r in enumerate(records):
        if r.embedding is not None:
            vectors[i], has_vector[i] = r.embedding.reshape(-1), True
    texts = [r.text.encode() for r in records]
    buf = io.BytesIO()
    np.savez(
        buf,
        keys=np.array([r.key for r in records], dtype=str),
        contexts=np.array([r.context for r in records], dtype=str),
        text_utf8=np.frombuffer(b"".join(texts), dtype=np.uint8),
        text_ends=np.cumsum([len(t) for t in texts], dtype=np.int64),
        journal=np.array([r.journal_sk for r in records], dtype=str),
        expires=np.array([r.expires_at for r in records], dtype=np.int64),
        vectors=vectors,
        has_vector=has_vector,
        watermark=np.array(watermark),
    )
    return buf.getvalue()


def decode(blob: bytes) -> tuple[list[IndexRecord], str]:
    with np.load(io.BytesIO(blob), allow_pickle=False) as data:
        raw, ends = data["text_utf8"].tobytes(), data["text_ends"].tolist()
        texts = [raw[start:end].decode() for start, end in zip([0, *ends], ends, strict=False)]
        records = [
            IndexRecord(str(k), str(c), t, v.copy() if has else None, int(e), str(j))
            for k, c, t, v, has, e, j in zip(
                data["keys"], data["contexts"], texts, data["vectors"],
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
        returns how many. The snapshot holds the raw vectors, with a retrieval map or
        without (an index maps them at load)."""
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
