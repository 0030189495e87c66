"""llm_router.ids writes uuid.uuid4()'s text from the same bytes, without the object."""

from __future__ import annotations

import os
import re
import uuid

import pytest

from llm_router import ids


@pytest.mark.parametrize("seed", [bytes(16), b"\xff" * 16, bytes(range(16))])
def test_fixed_bytes_give_uuids_text(monkeypatch: pytest.MonkeyPatch, seed: bytes) -> None:
    monkeypatch.setattr(ids.os, "urandom", lambda n: seed[:n])
    expected = uuid.UUID(bytes=seed, version=4)
    assert ids.uuid4_hex() == expected.hex
    assert ids.uuid4_text() == str(expected)


def test_random_bytes_give_uuids_text(monkeypatch: pytest.MonkeyPatch) -> None:
    drawn: list[bytes] = []
    real = os.urandom  # ids.os is the os module: the patch below replaces os.urandom

    def urandom(n: int) -> bytes:
        drawn.append(real(n))
        return drawn[-1]

    monkeypatch.setattr(ids.os, "urandom", urandom)
    for _ in range(2000):
        assert ids.uuid4_hex() == uuid.UUID(bytes=drawn[-1], version=4).hex
        assert ids.uuid4_text() == str(uuid.UUID(bytes=drawn[-1], version=4))


def test_each_call_draws_anew() -> None:
    texts = {ids.uuid4_text() for _ in range(1000)}
    assert len(texts) == 1000
    assert all(uuid.UUID(t).version == 4 and uuid.UUID(t).variant == uuid.RFC_4122
               for t in texts)
    assert re.fullmatch(r"[0-9a-f]{32}", ids.uuid4_hex())
