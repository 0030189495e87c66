"""The BPE rank tables of the vendored tiktoken files, and their prebuilt binary form.

A vendored file is ``<base64 token> <rank>`` per line (tiktoken's format). Parsing
o200k's 200,000 lines into a ``{token bytes: rank}`` dict costs about 0.1 s, on every
cold start, and even read back with ``marshal`` the dict costs about 0.05 s, most of it
inserting 200,000 keys. A ``RankTable`` needs no dict: the tokens sorted (a list
``marshal`` reads in about 0.015 s) and their ranks alongside, looked up by binary search
(``bisect``, in C). The token counter reads it as is; tiktoken's encoder, built only
when a long text needs it, gets the dict then (``to_dict``).

So the layer build (layers/core/Makefile) runs this file as a script: it checks each
vendored file against its sha256 in ``MANIFEST.json`` and writes the table next to it,
named for that sha256 (``prebuilt_name``). At run time a prebuilt table is used only
under the name of the file the manifest names, so it cannot be one built from another
file; without one (a checkout), the text file is read and hash-checked instead.

Standard library only: the build runs it with the Lambda runtime's interpreter, on
the layer's files, which may be built for another CPU.

    python3 ranks.py DIRECTORY   # writes DIRECTORY/<cache name>.<sha256>.marshal
"""

from __future__ import annotations

import binascii
import hashlib
import json
import marshal
import sys
from array import array
from bisect import bisect_left
from pathlib import Path

MANIFEST = "MANIFEST.json"


class RankFileError(ValueError):
    """A vendored rank file that is missing, altered or not in tiktoken's format."""


def parse_ranks(data: bytes, name: str) -> dict[bytes, int]:
    """``<base64 token> <rank>`` per line, as a dict, without a Python-level loop: one
    split, then map/zip/dict in C. Both vendored files list their tokens in rank order
    (0, 1, 2, ...: a test compares with tiktoken's own reader), so the ranks are the
    positions; a file that does not end on its line count is read with its own ranks."""
    parts = data.split()
    tokens, ranks = parts[0::2], parts[1::2]
    if not tokens or len(tokens) != len(ranks):
        raise RankFileError(f"vendored tiktoken file for {name} is not '<token> <rank>' lines")
    in_order = ranks[0] == b"0" and ranks[-1] == str(len(ranks) - 1).encode()
    values = range(len(ranks)) if in_order else map(int, ranks)
    return dict(zip(map(binascii.a2b_base64, tokens), values, strict=True))


class RankTable:
    """Token bytes -> rank without a dict: the tokens in sorted order, binary-searched,
    and each one's rank at the same index (uint32)."""

    def __init__(self, tokens: list[bytes], ranks: array[int]):
        if len(tokens) != len(ranks):
            raise ValueError("a rank table needs one rank per token")
        self._tokens = tokens
        self._ranks = ranks
        self._size = len(tokens)

    @classmethod
    def from_dict(cls, table: dict[bytes, int]) -> RankTable:
        tokens = sorted(table)
        return cls(tokens, array("I", [table[token] for token in tokens]))

    def _index(self, token: bytes) -> int:
        """The token's position in the sorted tokens, or -1 when it is not there."""
        at = bisect_left(self._tokens, token)
        return at if at != self._size and self._tokens[at] == token else -1

    def get(self, token: bytes, default: int) -> int:
        """The token's rank, or ``default`` when it is not in the table."""
        at = self._index(token)
        return self._ranks[at] if at >= 0 else default

    def __contains__(self, token: bytes) -> bool:
        return self._index(token) >= 0

    def __len__(self) -> int:
        return self._size

    def to_dict(self) -> dict[bytes, int]:
        """The ``{token bytes: rank}`` dict tiktoken's encoder takes."""
        return dict(zip(self._tokens, self._ranks, strict=True))

    def dumps(self) -> bytes:
        ranks = array("I", self._ranks)
        if sys.byteorder == "big":  # stored little-endian, whatever CPU built the layer
            ranks.byteswap()
        return marshal.dumps((self._tokens, ranks.tobytes()))


def prebuilt_name(cache_name: str, sha256: str) -> str:
    """The binary table's file name: tied to the exact text file it was built from."""
    return f"{cache_name}.{sha256}.sorted.marshal"


def read_prebuilt(path: Path) -> RankTable | None:
    """The prebuilt table at ``path``, or None when there is none (or it is unreadable:
    another interpreter's format, say), so the caller parses the text file instead."""
    try:
        tokens, raw = marshal.loads(path.read_bytes())
        ranks = array("I")
        ranks.frombytes(raw)
        if sys.byteorder == "big":
            ranks.byteswap()
        return RankTable(tokens, ranks)
    except (OSError, ValueError, EOFError, TypeError):
        return None


def write_prebuilt(directory: Path) -> list[Path]:
    """For each file ``directory/MANIFEST.json`` lists: check its sha256, parse it,
    write the table. Raises RankFileError on a missing or altered file."""
    manifest = json.loads((directory / MANIFEST).read_text("utf-8"))
    written = []
    for name, entry in manifest.items():
        source = directory / entry["cache_name"]
        try:
            data = source.read_bytes()
        except OSError as exc:
            raise RankFileError(f"vendored tiktoken file for {name} missing: {source}") from exc
        if hashlib.sha256(data).hexdigest() != entry["sha256"]:
            raise RankFileError(f"{source} does not match the sha256 in {MANIFEST}")
        target = directory / prebuilt_name(entry["cache_name"], entry["sha256"])
        target.write_bytes(RankTable.from_dict(parse_ranks(data, name)).dumps())
        written.append(target)
    return written


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: ranks.py DIRECTORY (the vendored tiktoken files)", file=sys.stderr)
        return 2
    try:
        for path in write_prebuilt(Path(argv[0])):
            print(f"prebuilt BPE ranks: {path.name} ({path.stat().st_size // 1024} KiB)")
    except (RankFileError, OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
