"""The part of S3 the router uses (buckets; put, get, head and delete of objects; list by
prefix), on SQLite.

The cache snapshots and the benchmark results are whole objects written and read by
key; only the settle outbox lists (ListObjectsV2 by prefix, for its replay); nothing
versions or streams. Keeping them here spares the store loading
moto (about 60 MB and a second of start-up) for three calls. Requests are path-style
(``/bucket/key``), as boto3 sends them to an endpoint URL on 127.0.0.1.
"""

from __future__ import annotations

import hashlib
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import formatdate
from urllib.parse import parse_qs, unquote
from xml.sax.saxutils import escape

_SCHEMA = """
CREATE TABLE IF NOT EXISTS buckets (name TEXT PRIMARY KEY);
CREATE TABLE IF NOT EXISTS objects (
    bucket TEXT NOT NULL, key TEXT NOT NULL, body BLOB NOT NULL, content_type TEXT NOT NULL,
    etag TEXT NOT NULL, modified REAL NOT NULL, PRIMARY KEY (bucket, key)) WITHOUT ROWID;
"""


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()


class ObjectStore:
    def __init__(self, path: str):
        self._lock = threading.Lock()
        self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        self._db.executescript(_SCHEMA)

    def handle(self, method: str, path: str, body: bytes, content_type: str,
               content_encoding: str) -> Reply:
        path, _, query = path.partition("?")
        bucket, _, key = unquote(path).lstrip("/").partition("/")
        if not bucket:
            return _error(400, "InvalidRequest", "The embedded store needs a bucket in the path")
        if "aws-chunked" in content_encoding:
            return _error(501, "NotImplemented", "The embedded store does not accept "
                                                 "aws-chunked uploads; send the body whole")
        with self._lock:
            exists = self._db.execute("SELECT 1 FROM buckets WHERE name = ?",
                                      (bucket,)).fetchone() is not None
            if not key and method == "GET":
                if not exists:
                    return _error(404, "NoSuchBucket", "The specified bucket does not exist")
                return self._list(bucket, parse_qs(query))
            if not key:
                return self._bucket(method, bucket, exists)
            if not exists:
                return _error(404, "NoSuchBucket", "The specified bucket does not exist")
            return self._object(method, bucket, key, body, content_type)

    def _bucket(self, method: str, bucket: str, exists: bool) -> Reply:
        if method == "PUT":
            if exists:
                return _error(409, "BucketAlreadyOwnedByYou",
                              "Your previous request to create the named bucket succeeded")
            self._db.execute("INSERT INTO buckets VALUES (?)", (bucket,))
            return Reply(200, headers=(("Location", f"/{bucket}"),))
        if method == "HEAD":
            return Reply(200 if exists else 404)
        return _error(501, "NotImplemented", f"The embedded store does not implement {method} "
                                             "on a bucket")

    def _list(self, bucket: str, query: dict[str, list[str]]) -> Reply:
        """ListObjectsV2: keys under ``prefix`` in order, ``max-keys`` (at most 1000) a
        page; the continuation token is the page's last key."""
        prefix = query.get("prefix", [""])[0]
        after = query.get("continuation-token", query.get("start-after", [""]))[0]
        limit = min(int(query.get("max-keys", ["1000"])[0]), 1000)
        rows = self._db.execute(
            "SELECT key, etag, length(body), (modified - 2440587.5) * 86400.0 FROM objects "
            "WHERE bucket = ? AND key > ? AND substr(key, 1, ?) = ? ORDER BY key LIMIT ?",
            (bucket, after, len(prefix), prefix, limit + 1)).fetchall()
        page, truncated = rows[:limit], len(rows) > limit
        contents = "".join(
            f"<Contents><Key>{escape(key)}</Key><LastModified>"
            f"{_iso(modified)}</LastModified><ETag>{escape(etag)}</ETag><Size>{size}</Size>"
            "<StorageClass>STANDARD</StorageClass></Contents>"
            for key, etag, size, modified in page)
        token = (f"<NextContinuationToken>{escape(page[-1][0])}</NextContinuationToken>"
                 if truncated else "")
        xml = ('<?xml version="1.0" encoding="UTF-8"?>\n<ListBucketResult '
               'xmlns="http://s3.amazonaws.com/doc/2006-03-01/">'
               f"<Name>{escape(bucket)}</Name><Prefix>{escape(prefix)}</Prefix>"
               f"<KeyCount>{len(page)}</KeyCount><MaxKeys>{limit}</MaxKeys>"
               f"<IsTruncated>{str(truncated).lower()}</IsTruncated>{token}{contents}"
               "</ListBucketResult>")
        return Reply(200, xml.encode(), (("Content-Type", "application/xml"),))

    def _object(self, method: str, bucket: str, key: str, body: bytes,
                content_type: str) -> Reply:
        if method == "PUT":
            etag = '"' + hashlib.md5(body, usedforsecurity=False).hexdigest() + '"'
            self._db.execute("INSERT OR REPLACE INTO objects VALUES (?, ?, ?, ?, ?, "
                             "julianday('now'))", (bucket, key, body,
                                                   content_type or "binary/octet-stream", etag))
            return Reply(200, headers=(("ETag", etag),))
        if method == "DELETE":
            self._db.execute("DELETE FROM objects WHERE bucket = ? AND key = ?", (bucket, key))
            return Reply(204)
        row = self._db.execute("SELECT body, content_type, etag, "
                               "(modified - 2440587.5) * 86400.0 FROM objects "
                               "WHERE bucket = ? AND key = ?", (bucket, key)).fetchone()
        if row is None:
            return _error(404, "NoSuchKey", "The specified key does not exist.")
        data, kind, etag, modified = row
        headers = (("Content-Type", kind), ("ETag", etag),
                   ("Last-Modified", formatdate(modified, usegmt=True)))
        if method == "HEAD":
            return Reply(200, headers=(*headers, ("Content-Length", str(len(data)))))
        if method == "GET":
            return Reply(200, bytes(data), headers)
        return _error(501, "NotImplemented", f"The embedded store does not implement {method} "
                                             "on an object")


def _iso(seconds: float) -> str:
    return datetime.fromtimestamp(seconds, UTC).strftime("%Y-%m-%dT%H:%M:%S.000Z")


def _error(status: int, code: str, message: str) -> Reply:
    xml = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code>'
           f"<Message>{escape(message)}</Message></Error>")
    return Reply(status, xml.encode(), (("Content-Type", "application/xml"),))
