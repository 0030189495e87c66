"""Artefact hashes checked once, when the layer is built, instead of on every cold start.

Each artefact is loaded only if its sha256 is the one its manifest names
(``llm_router.artefacts``). For the MiniLM weights (45 MB) that hash was about 0.025 s
of every cold start, and in a deployed layer it can only ever give one answer: Lambda
checks the layer archive against its own hash when it deploys it and mounts it
read-only. So the layer build (layers/core/Makefile) runs this file as a script: it
hashes the files a manifest lists and writes ``checked.json`` beside them, naming each
file with its sha256 and size. At run time a file whose entry matches the sha256 its
manifest names now and whose size is unchanged skips the hash; any other file (a
checkout, ``make data`` rewrote it, no ``checked.json``) is hashed as before, and a
truncated file fails on its size either way.

Standard library only: the build runs it with the Lambda runtime's interpreter, on the
layer's files, which may be built for another CPU.

    python3 checked_files.py DIRECTORY   # DIRECTORY/manifest.json -> DIRECTORY/checked.json
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path

CHECKED = "checked.json"
MANIFEST = "manifest.json"


def checked_at_build(path: Path, sha256: str) -> bool:
    """True when the layer build hashed ``path`` and found ``sha256``, and the file
    still has the size it had then."""
    try:
        entry = json.loads((path.parent / CHECKED).read_text("utf-8"))[path.name]
        return bool(entry["sha256"] == sha256 and path.stat().st_size == entry["size"])
    except (OSError, ValueError, KeyError, TypeError):
        return False


def write_checked(directory: Path) -> Path:
    """Hash every file ``directory/manifest.json`` lists; write ``checked.json`` if all
    match. Raises ValueError naming the first file that does not."""
    files = json.loads((directory / MANIFEST).read_text("utf-8"))["files"]
    entries = {}
    for name, sha256 in files.items():
        path = directory / name
        digest = hashlib.sha256()
        with path.open("rb") as handle:
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
        if digest.hexdigest() != sha256:
            raise ValueError(f"{path} does not match the sha256 {MANIFEST} names")
        entries[name] = {"sha256": sha256, "size": path.stat().st_size}
    target = directory / CHECKED
    target.write_text(json.dumps(entries, indent=2, sort_keys=True) + "\n", "utf-8")
    return target


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: checked_files.py DIRECTORY (holding manifest.json)", file=sys.stderr)
        return 2
    try:
        print(f"checked artefact hashes: {write_checked(Path(argv[0]))}")
    except (OSError, ValueError, KeyError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
