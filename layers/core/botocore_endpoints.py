"""Trim botocore's endpoints.json to the services the layer keeps.

botocore parses ``data/endpoints.json`` (1.2 MB: every service's endpoints in every
partition) when the first client is made, on every cold start (about 0.015 s). The layer
build keeps the models of a few services only (``BOTOCORE_SERVICES`` in the Makefile),
so it also keeps only their entries: the ones keyed by the endpoint prefix in the
metadata of each kept service's model, which is the key botocore looks up. Partitions,
their regions and defaults stay whole, so a client resolves the same endpoint as before
(``tests/unit/test_botocore_endpoints.py`` compares every kept service in every
partition's regions against the untrimmed file).

Standard library only: the layer build runs it with the Lambda runtime's interpreter.

    python3 botocore_endpoints.py BOTOCORE_DATA_DIR
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path


def endpoint_prefixes(data_dir: Path) -> set[str]:
    """The endpoint prefix of every service model under ``data_dir``."""
    prefixes = set()
    for model in sorted(data_dir.glob("*/*/service-2.json*")):
        raw = model.read_bytes()
        if model.name.endswith(".gz"):
            raw = gzip.decompress(raw)
        prefixes.add(json.loads(raw)["metadata"]["endpointPrefix"])
    return prefixes


def trim(endpoints: dict, keep: set[str]) -> dict:
    """``endpoints`` with each partition's services limited to ``keep``."""
    partitions = [{**partition, "services": {name: spec for name, spec
                                             in partition["services"].items() if name in keep}}
                  for partition in endpoints["partitions"]]
    return {**endpoints, "partitions": partitions}


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: botocore_endpoints.py BOTOCORE_DATA_DIR", file=sys.stderr)
        return 2
    data_dir = Path(argv[0])
    path = data_dir / "endpoints.json"
    keep = endpoint_prefixes(data_dir)
    before = path.stat().st_size
    trimmed = trim(json.loads(path.read_text("utf-8")), keep)
    path.write_text(json.dumps(trimmed, separators=(",", ":")), "utf-8")
    print(f"botocore endpoints.json: {len(keep)} services kept, "
          f"{before // 1024} -> {path.stat().st_size // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
