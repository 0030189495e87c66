"""Bearer-key authentication with a per-container cache of key lookups.

Keys are looked up by their SHA-256, so neither the table nor the cache holds a key.
A hit is cached for ``ttl_s`` (the revocation delay on other instances, at most 60 s);
a miss for a shorter time so a key created a moment ago starts working quickly. A key
revoked through this instance is dropped from its cache at once (``forget``). Expiry is
checked on every request against the wall clock, cached or not.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Protocol

from llm_router.errors import AuthenticationError
from llm_router.keys import ApiKey, Principal, hash_key
from llm_router.ledger import now_utc

_MISS_TTL_S = 5.0
_MAX_CACHED = 10_000


class KeyStore(Protocol):
    def get(self, key_hash: str) -> ApiKey | None: ...


class Authenticator:
    def __init__(
        self,
        store: KeyStore,
        *,
        ttl_s: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = now_utc,
        admin_tenants: Iterable[str] = (),
    ):
        self._store = store
        self._ttl_s = ttl_s
        self._clock = clock
        self._now = now
        # Every key of these tenants is an admin (catalog: analytics.admin_tenants), as
        # is a key created with --admin: one notion, Principal.admin.
        self._admin_tenants = frozenset(admin_tenants)
        self._cache: dict[str, tuple[float, ApiKey | None]] = {}

    def authenticate(self, authorization: str | None) -> Principal:
        """The caller; may look the key up in storage (call it from a worker thread)."""
        return self._principal(self._lookup(hash_key(_bearer_token(authorization))))

    def authenticate_cached(self, authorization: str | None) -> Principal | None:
        """The caller when this instance has the key's lookup cached (the same answer and
        errors as ``authenticate``), None when storage must be asked. No I/O: the event
        loop calls it, saving a hop to a worker thread on nearly every request."""
        key_hash = hash_key(_bearer_token(authorization))
        cached = self._cache.get(key_hash)
        if cached is None or cached[0] <= self._clock():
            return None
        return self._principal(cached[1])

    def _principal(self, key: ApiKey | None) -> Principal:
        if key is None:
            raise AuthenticationError(
                "Incorrect API key provided. Create one with `llm-router keys create`."
            )
        refusal = key.refusal(self._now())
        if refusal is not None:
            raise AuthenticationError(refusal)
        return Principal(
            tenant_id=key.tenant_id,
            key_id=key.key_id,
            rpm=key.rpm,
            daily_budget_usd=key.daily_budget_usd,
            models=frozenset(key.models) if key.models is not None else None,
            admin=key.admin or key.tenant_id in self._admin_tenants,
        )

    def forget(self, key_hash: str) -> None:
        """Drop a key from this instance's cache (it was just revoked or changed here)."""
        self._cache.pop(key_hash, None)

    def _lookup(self, key_hash: str) -> ApiKey | None:
        now = self._clock()
        cached = self._cache.get(key_hash)
        if cached is not None and cached[0] > now:
            return cached[1]
        key = self._store.get(key_hash)
        if len(self._cache) >= _MAX_CACHED:
            self._cache.clear()
        self._cache[key_hash] = (now + (self._ttl_s if key else _MISS_TTL_S), key)
        return key


def _bearer_token(authorization: str | None) -> str:
    if not authorization:
        raise AuthenticationError(
            "You didn't provide an API key. Send it as 'Authorization: Bearer <key>'."
        )
    scheme, _, token = authorization.strip().partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise AuthenticationError("Malformed Authorization header: expected 'Bearer <key>'.")
    return token
