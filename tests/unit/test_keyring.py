"""Key lifecycle: create with scopes and expiry, list, revoke, rotate; auth refuses
revoked and expired keys (at once on this instance, within the cache TTL elsewhere)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import pytest

from llm_router.auth import Authenticator
from llm_router.catalog import parse_catalog
from llm_router.errors import (
    AuthenticationError,
    InvalidRequestError,
    KeyNotFoundError,
    PermissionDeniedError,
)
from llm_router.keyring import KeyRing
from llm_router.keys import ApiKey, Principal
from llm_router.schema import ChatRequest
from llm_router.scopes import scoped_request

T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)


class MemoryKeyTable:
    def __init__(self) -> None:
        self.items: dict[str, ApiKey] = {}

    def get(self, key_hash: str) -> ApiKey | None:
        return self.items.get(key_hash)

    def put(self, key: ApiKey) -> None:
        assert key.key_hash not in self.items
        self.items[key.key_hash] = key

    def by_key_id(self, key_id: str) -> ApiKey | None:
        return next((k for k in self.items.values() if k.key_id == key_id), None)

    def list(self, tenant_id: str | None = None) -> Iterable[ApiKey]:
        return [k for k in self.items.values() if tenant_id in (None, k.tenant_id)]

    def update(self, key_hash: str, **changes: object) -> None:
        self.items[key_hash] = replace(self.items[key_hash], **changes)  # type: ignore[arg-type]


class Clocks:
    def __init__(self) -> None:
        self.wall = T0
        self.mono = 0.0

    def advance(self, seconds: float) -> None:
        self.wall += timedelta(seconds=seconds)
        self.mono += seconds


@pytest.fixture
def clocks() -> Clocks:
    return Clocks()


@pytest.fixture
def table() -> MemoryKeyTable:
    return MemoryKeyTable()


def ring(table: MemoryKeyTable, clocks: Clocks) -> KeyRing:
    return KeyRing(table, clock=lambda: clocks.wall)


def auth(table: MemoryKeyTable, clocks: Clocks, ttl_s: float = 60) -> Authenticator:
    return Authenticator(table, ttl_s=ttl_s, clock=lambda: clocks.mono, now=lambda: clocks.wall)


def test_create_keeps_scopes_and_expiry_and_listing_never_shows_a_secret(
        table: MemoryKeyTable, clocks: Clocks) -> None:
    plaintext, key = ring(table, clocks).create(
        "acme", rpm=30, daily_budget_usd="2.50", expires_in_days=7, models=["a", "b", "a"])
    assert plaintext.startswith("sk-lr-") and key.models == ("a", "b")
    assert key.daily_budget_usd == Decimal("2.50")
    assert key.expires_at == (T0 + timedelta(days=7)).isoformat()
    listed = ring(table, clocks).list("acme")
    assert [k.key_id for k in listed] == [key.key_id]
    line = str(listed[0].listing())
    assert plaintext not in line and key.key_hash not in line
    principal = auth(table, clocks).authenticate(f"Bearer {plaintext}")
    assert principal == Principal("acme", key.key_id, 30, Decimal("2.50"),
                                  frozenset({"a", "b"}), False)


@pytest.mark.parametrize("kwargs", [{"tenant": "bad tenant"}, {"rpm": 0}, {"rpm": True},
                                    {"daily_budget_usd": "-1"}, {"daily_budget_usd": "x"},
                                    {"expires_in_days": 0}, {"models": []}])
def test_bad_create_input_is_a_400(table: MemoryKeyTable, clocks: Clocks,
                                   kwargs: dict[str, object]) -> None:
    tenant = kwargs.pop("tenant", "acme")
    with pytest.raises(InvalidRequestError):
        ring(table, clocks).create(tenant, **kwargs)  # type: ignore[arg-type]


def test_expired_key_is_refused_even_from_the_cache(table: MemoryKeyTable,
                                                    clocks: Clocks) -> None:
    plaintext, key = ring(table, clocks).create("acme", expires_in_days=1)
    authn = auth(table, clocks)
    authn.authenticate(f"Bearer {plaintext}")
    clocks.advance(86_400)
    with pytest.raises(AuthenticationError, match="expired"):
        authn.authenticate(f"Bearer {plaintext}")


def test_revoke_is_immediate_where_forgotten_and_within_the_ttl_elsewhere(
        table: MemoryKeyTable, clocks: Clocks) -> None:
    plaintext, key = ring(table, clocks).create("acme")
    here, there = auth(table, clocks, ttl_s=30), auth(table, clocks, ttl_s=30)
    for instance in (here, there):
        instance.authenticate(f"Bearer {plaintext}")
    revoked = ring(table, clocks).revoke(key.key_id)
    here.forget(revoked.key_hash)  # what the admin API does on the revoking instance
    with pytest.raises(AuthenticationError, match="revoked"):
        here.authenticate(f"Bearer {plaintext}")
    there.authenticate(f"Bearer {plaintext}")  # still cached: the documented delay
    clocks.advance(30)
    with pytest.raises(AuthenticationError, match="revoked"):
        there.authenticate(f"Bearer {plaintext}")
    assert ring(table, clocks).revoke(key.key_id) == revoked  # idempotent


def test_rotate_copies_scopes_and_lifetime_and_old_key_ends_after_grace(
        table: MemoryKeyTable, clocks: Clocks) -> None:
    old_text, old = ring(table, clocks).create("acme", rpm=5, models=["a"], expires_in_days=30,
                                               admin=True)
    clocks.advance(3600)
    new_text, new, replaced = ring(table, clocks).rotate(old.key_id, grace_seconds=60)
    assert (new.tenant_id, new.rpm, new.models, new.admin) == ("acme", 5, ("a",), True)
    assert new.expires_at == (clocks.wall + timedelta(days=30)).isoformat()
    assert replaced.rotated_to == new.key_id
    authn = auth(table, clocks, ttl_s=0)
    authn.authenticate(f"Bearer {old_text}")  # within the grace period
    clocks.advance(60)
    with pytest.raises(AuthenticationError, match="expired"):
        authn.authenticate(f"Bearer {old_text}")
    assert authn.authenticate(f"Bearer {new_text}").key_id == new.key_id
    with pytest.raises(InvalidRequestError):
        ring(table, clocks).rotate(old.key_id)  # an expired key is not rotated


def test_unknown_key_ids_are_404(table: MemoryKeyTable, clocks: Clocks) -> None:
    for key_id in ("key_000000000000", "nonsense"):
        with pytest.raises(KeyNotFoundError) as caught:
            ring(table, clocks).revoke(key_id)
        assert caught.value.status == 404


CATALOG = parse_catalog({
    "providers": {"p": {"kind": "openai", "base_url": "http://127.0.0.1:1/v1", "api_key": "k"}},
    "models": {m: {"provider": "p", "input_per_mtok": 1, "output_per_mtok": 1,
                   "tiers": ["simple"]} for m in ("a", "b", "c")},
})


def _request(model: str, **extra: object) -> ChatRequest:
    return ChatRequest.model_validate({"model": model, "messages": [
        {"role": "user", "content": "hi"}], **extra})


def test_model_scope_refuses_other_models_and_narrows_auto() -> None:
    principal = Principal("acme", "key_x", models=frozenset({"a", "b"}))
    assert scoped_request(_request("a"), principal, CATALOG).model == "a"
    with pytest.raises(PermissionDeniedError) as caught:
        scoped_request(_request("c"), principal, CATALOG)
    assert caught.value.status == 403 and caught.value.code == "model_not_allowed"
    assert scoped_request(_request("auto"), principal, CATALOG).allowed_models == ["a", "b"]
    narrowed = scoped_request(_request("auto", allowed_models=["b", "c"]), principal, CATALOG)
    assert narrowed.allowed_models == ["b"]
    unscoped = Principal("acme", "key_y")
    assert scoped_request(_request("c"), unscoped, CATALOG).model == "c"
