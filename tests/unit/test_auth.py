import pytest

from llm_router.auth import Authenticator
from llm_router.errors import AuthenticationError
from llm_router.keys import ApiKey, generate_key, hash_key, key_id_of


class MemoryKeyStore:
    def __init__(self) -> None:
        self.items: dict[str, ApiKey] = {}
        self.reads = 0

    def get(self, key_hash: str) -> ApiKey | None:
        self.reads += 1
        return self.items.get(key_hash)

    def add(self, plaintext: str, tenant: str = "t1", disabled: bool = False) -> None:
        h = hash_key(plaintext)
        self.items[h] = ApiKey(h, key_id_of(h), tenant, "2026-01-01", disabled=disabled)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_generated_keys_are_unique_and_only_hashes_are_stored() -> None:
    (k1, h1), (k2, h2) = generate_key(), generate_key()
    assert h1 != h2
    assert k1 != k2 and h1 == hash_key(k1) and k1 not in h1
    assert len(h1) == 64


def test_valid_key_gives_principal_and_is_cached_until_ttl() -> None:
    store, clock = MemoryKeyStore(), Clock()
    store.add("sk-good", tenant="acme")
    auth = Authenticator(store, ttl_s=60, clock=clock)
    assert auth.authenticate("Bearer sk-good").tenant_id == "acme"
    auth.authenticate("bearer  sk-good ")
    assert store.reads == 1
    clock.now = 61
    auth.authenticate("Bearer sk-good")
    assert store.reads == 2


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic abc", "Bearer sk-unknown"])
def test_rejections(header: str | None) -> None:
    store = MemoryKeyStore()
    store.add("sk-good")
    with pytest.raises(AuthenticationError):
        Authenticator(store).authenticate(header)


def test_disabled_key_is_rejected() -> None:
    store = MemoryKeyStore()
    store.add("sk-off", disabled=True)
    with pytest.raises(AuthenticationError, match="revoked"):
        Authenticator(store).authenticate("Bearer sk-off")


def test_unknown_key_is_rechecked_soon() -> None:
    store, clock = MemoryKeyStore(), Clock()
    auth = Authenticator(store, ttl_s=60, clock=clock)
    with pytest.raises(AuthenticationError):
        auth.authenticate("Bearer sk-new")
    store.add("sk-new")
    clock.now = 6  # past the short miss TTL, well before the hit TTL
    assert auth.authenticate("Bearer sk-new").tenant_id == "t1"


def test_cached_answers_only_from_the_cache_and_as_authenticate_would() -> None:
    store, clock = MemoryKeyStore(), Clock()
    store.add("sk-good", tenant="acme")
    store.add("sk-off", disabled=True)
    auth = Authenticator(store, ttl_s=60, clock=clock)
    assert auth.authenticate_cached("Bearer sk-good") is None  # not looked up yet
    assert store.reads == 0
    auth.authenticate("Bearer sk-good")
    cached = auth.authenticate_cached("Bearer sk-good")
    assert cached == auth.authenticate("Bearer sk-good") and cached.tenant_id == "acme"
    with pytest.raises(AuthenticationError):
        auth.authenticate("Bearer sk-unknown")
    with pytest.raises(AuthenticationError, match="Incorrect API key"):
        auth.authenticate_cached("Bearer sk-unknown")  # a cached miss refuses at once
    with pytest.raises(AuthenticationError, match="revoked"):
        auth.authenticate("Bearer sk-off")
    with pytest.raises(AuthenticationError, match="revoked"):
        auth.authenticate_cached("Bearer sk-off")
    with pytest.raises(AuthenticationError, match="Malformed"):
        auth.authenticate_cached("Basic abc")
    clock.now = 61  # expired: storage must be asked again
    assert auth.authenticate_cached("Bearer sk-good") is None
    assert store.reads == 3
