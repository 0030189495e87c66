"""Random version-4 UUIDs as text, without a ``uuid.UUID`` between.

``uuid.uuid4()`` is ``UUID(bytes=os.urandom(16), version=4)``: the bytes are the cheap
part (about 1.4 us); the object, its 128-bit int and its formatting are the rest (``.hex``
4.8 us, ``str()`` 7 us, timeit under load). A request makes two of them on the path
(its request id; the settle call's ``amz-sdk-invocation-id``). These set the same version
and variant bits on the same 16 bytes from ``os.urandom`` and write the same text
(tests/unit/test_ids.py compares them with ``uuid.UUID`` over many draws).
"""

from __future__ import annotations

import os


def _uuid4_bytes() -> bytearray:
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4: the top nibble of byte 6
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant: the top two bits of byte 8
    return raw


def uuid4_hex() -> str:
    """``uuid.uuid4().hex``: 32 lower-case hex digits."""
    return _uuid4_bytes().hex()


def uuid4_text() -> str:
    """``str(uuid.uuid4())``: 8-4-4-4-12 hex digits."""
    h = _uuid4_bytes().hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
