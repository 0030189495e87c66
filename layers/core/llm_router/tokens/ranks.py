"""The BPE rank tables of the vendored tiktoken files, and their prebuilt binary form.

A vendored file is ``<base64 token> <rank>`` per line (tiktoken's format). Parsing
o200k's 200,000 lines into the ``{token bytes: rank}`` dict tiktoken's constructor takes
costs about 0.1 s, on every cold start; ``marshal`` reads the same dict back in about
half that. So the layer build (layers/core/Makefile) runs this file as a script: it
checks each vendored file against its sha256 in ``MANIFEST.json`` and writes the dict
next to it, named for that sha256 (``prebuilt_name``). At run time a prebuilt table is
used only under the name of the file the manifest names, so it cannot be one built from
another file; without one (a checkout), the text file is read and hash-checked instead.

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


def prebuilt_name(cache_name: str, sha256: str) -> str:
    """The binary table's file name: tied to the exact text file it was built from."""
    return f"{cache_name}.{sha256}.marshal"


def read_prebuilt(path: Path) -> dict[bytes, int] | None:
    """The prebuilt table at ``path``, or None when there is none (or it is unreadable:
    another interpreter's format, say), so the caller parses the text file instead."""
    try:
        table = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    return table if isinstance(table, dict) else None


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
        target.write_bytes(marshal.dumps(parse_ranks(data, name)))
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
