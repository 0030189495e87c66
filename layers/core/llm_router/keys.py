"""API keys: generation, hashing and what a key may do. Only a key's SHA-256 is stored.

A key's lifecycle (docs/keys.md): created with optional scopes (``models``, ``rpm``,
``daily_budget_usd``) and an expiry; listed without its secret; revoked (refused at
once on the instance that revoked it, everywhere within the auth cache TTL); rotated (a
new key with the same tenant and scopes, the old one expiring after a grace period).
``admin`` is the one notion of an administrator: such a key may manage every tenant's
keys and read every tenant's analytics.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

KEY_PREFIX = "sk-lr-"


@dataclass(frozen=True)
class ApiKey:
    """What the keys table holds for one key (never the key itself)."""

    key_hash: str
    key_id: str
    tenant_id: str
    created_at: str
    rpm: int | None = None
    daily_budget_usd: Decimal | None = None
    disabled: bool = False
    expires_at: str | None = None  # ISO 8601, UTC; None: never
    revoked_at: str | None = None  # ISO 8601, UTC; set by revoke
    models: tuple[str, ...] | None = None  # catalog models it may use; None: all
    admin: bool = False
    rotated_to: str | None = None  # key_id of the key that replaced it

    def refusal(self, now: datetime) -> str | None:
        """Why this key may not be used at ``now`` (None: it may)."""
        if self.revoked_at is not None or self.disabled:
            return f"API key {self.key_id} has been revoked."
        if self.expires_at is not None and datetime.fromisoformat(self.expires_at) <= now:
            return f"API key {self.key_id} expired at {self.expires_at}."
        return None

    def listing(self) -> dict[str, object]:
        """One ``keys list`` line: everything but the hash (which would identify the key)."""
        return {
            "key_id": self.key_id, "tenant": self.tenant_id, "created": self.created_at,
            "expires": self.expires_at, "revoked": self.revoked_at, "admin": self.admin,
            "models": list(self.models) if self.models is not None else None,
            "rpm": self.rpm,
            "daily_budget_usd": str(self.daily_budget_usd)
            if self.daily_budget_usd is not None else None,
            "rotated_to": self.rotated_to,
        }


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    tenant_id: str
    key_id: str
    rpm: int | None = None
    daily_budget_usd: Decimal | None = None
    models: frozenset[str] | None = None  # None: every catalog model
    admin: bool = False


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def key_id_of(key_hash: str) -> str:
    """A short, non-secret handle for logs and the ledger."""
    return "key_" + key_hash[:12]


def generate_key() -> tuple[str, str]:
    """A new random key and its hash. 32 random bytes: guessing is not an attack."""
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    return plaintext, hash_key(plaintext)
