"""API keys: generation and hashing. Only the SHA-256 of a key is ever stored."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Principal:
    """The authenticated caller of one request."""

    tenant_id: str
    key_id: str
    rpm: int | None = None
    daily_budget_usd: Decimal | None = None


def hash_key(plaintext: str) -> str:
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def key_id_of(key_hash: str) -> str:
    """A short, non-secret handle for logs and the ledger."""
    return "key_" + key_hash[:12]


def generate_key() -> tuple[str, str]:
    """A new random key and its hash. 32 random bytes: guessing is not an attack."""
    plaintext = KEY_PREFIX + secrets.token_urlsafe(32)
    return plaintext, hash_key(plaintext)
