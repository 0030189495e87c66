"""Key lifecycle: create, list, revoke, rotate. One implementation for ``llm-router keys``
and the admin API (``/v1/admin/keys``), over the keys table (docs/keys.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import replace
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Protocol

from llm_router.errors import InvalidRequestError, KeyNotFoundError
from llm_router.keys import ApiKey, generate_key, key_id_of
from llm_router.ledger import now_utc

TENANT = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,63}")
KEY_ID = re.compile(r"key_[0-9a-f]{12}")


class KeyTable(Protocol):
    def put(self, key: ApiKey) -> None: ...

    def by_key_id(self, key_id: str) -> ApiKey | None: ...

    def list(self, tenant_id: str | None = None) -> Iterable[ApiKey]: ...

    def update(self, key_hash: str, **changes: object) -> None: ...


class KeyRing:
    def __init__(self, table: KeyTable, *, clock: Callable[[], datetime] = now_utc):
        self._table = table
        self._clock = clock

    def create(self, tenant: str, *, rpm: int | None = None,
               daily_budget_usd: str | Decimal | None = None,
               expires_in_days: float | None = None, models: Iterable[str] | None = None,
               admin: bool = False) -> tuple[str, ApiKey]:
        """A new key (its plaintext, shown once, and what the table keeps)."""
        if not isinstance(tenant, str) or not TENANT.fullmatch(tenant):
            raise InvalidRequestError(
                f"invalid tenant {tenant!r}: use 1-64 letters, digits, '_', '.' or '-'",
                param="tenant")
        if rpm is not None and (isinstance(rpm, bool) or not isinstance(rpm, int) or rpm <= 0):
            raise InvalidRequestError("rpm must be a positive whole number", param="rpm")
        if expires_in_days is not None and not expires_in_days > 0:
            raise InvalidRequestError("expires_in_days must be a positive number of days",
                                      param="expires_in_days")
        now = self._clock()
        plaintext, key_hash = generate_key()
        key = ApiKey(
            key_hash=key_hash, key_id=key_id_of(key_hash), tenant_id=tenant,
            created_at=now.isoformat(), rpm=rpm, daily_budget_usd=budget(daily_budget_usd),
            expires_at=(now + timedelta(days=expires_in_days)).isoformat()
            if expires_in_days is not None else None,
            models=_models(models), admin=admin,
        )
        self._table.put(key)
        return plaintext, key

    def list(self, tenant: str | None = None) -> list[ApiKey]:
        return sorted(self._table.list(tenant), key=lambda k: (k.tenant_id, k.created_at))

    def get(self, key_id: str) -> ApiKey:
        key = self._table.by_key_id(key_id) if KEY_ID.fullmatch(key_id or "") else None
        if key is None:
            raise KeyNotFoundError(f"No API key has the id {key_id!r}. `llm-router keys "
                                   "list` shows the ids.", param="key_id")
        return key

    def revoke(self, key_id: str) -> ApiKey:
        """Refuse the key from now on. Revoking a revoked key changes nothing."""
        key = self.get(key_id)
        if key.revoked_at is not None:
            return key
        revoked_at = self._clock().isoformat()
        self._table.update(key.key_hash, revoked_at=revoked_at)
        return replace(key, revoked_at=revoked_at)

    def rotate(self, key_id: str, grace_seconds: float = 0) -> tuple[str, ApiKey, ApiKey]:
        """A new key with the old one's tenant, scopes and lifetime; the old one expires
        after ``grace_seconds`` (0: now). Returns (new plaintext, new key, old key)."""
        if not grace_seconds >= 0:
            raise InvalidRequestError("grace_seconds must be 0 or more", param="grace_seconds")
        old = self.get(key_id)
        if old.refusal(self._clock()) is not None:
            raise InvalidRequestError(f"API key {key_id} is revoked or expired; create a new "
                                      "key instead of rotating it.", param="key_id")
        plaintext, key_hash = generate_key()
        now = self._clock()
        lifetime = (datetime.fromisoformat(old.expires_at) - datetime.fromisoformat(
            old.created_at)) if old.expires_at is not None else None
        new = replace(old, key_hash=key_hash, key_id=key_id_of(key_hash),
                      created_at=now.isoformat(), rotated_to=None,
                      expires_at=(now + lifetime).isoformat() if lifetime else None)
        self._table.put(new)
        ends = now + timedelta(seconds=grace_seconds)
        if old.expires_at is not None:
            ends = min(ends, datetime.fromisoformat(old.expires_at))
        expires = ends.isoformat()
        self._table.update(old.key_hash, expires_at=expires, rotated_to=new.key_id)
        return plaintext, new, replace(old, expires_at=expires, rotated_to=new.key_id)


def budget(value: str | Decimal | None) -> Decimal | None:
    if value is None:
        return None
    try:
        amount = Decimal(str(value))
    except InvalidOperation as exc:
        raise InvalidRequestError(f"daily_budget_usd must be a number, not {value!r}",
                                  param="daily_budget_usd") from exc
    if not amount.is_finite() or amount <= 0:
        raise InvalidRequestError("daily_budget_usd must be a positive amount",
                                  param="daily_budget_usd")
    return amount


def _models(models: Iterable[str] | None) -> tuple[str, ...] | None:
    if models is None:
        return None
    names = tuple(dict.fromkeys(m.strip() for m in models if m and m.strip()))
    if not names:
        raise InvalidRequestError("models must name at least one model", param="models")
    return names
