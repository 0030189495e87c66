"""Trim the botocore data the layer keeps to what clients read at run time.

The layer build keeps the models of a few services only (``BOTOCORE_SERVICES`` in the
Makefile). Two more cuts, both on files the first clients parse on every cold start:

- ``endpoints.json`` (1.2 MB: every service's endpoints in every partition) keeps only
  the kept services' entries, keyed by the endpoint prefix in each kept model's
  metadata, which is the key botocore looks up. Partitions, their regions and defaults
  stay whole, so a client resolves the same endpoint as before.
- Each kept ``service-2.json(.gz)`` loses its ``documentation`` strings (about 80% of
  the S3 and DynamoDB models): botocore reads them only to write docstrings and help,
  except those of client context parameters, which stay.

Together about 0.035 s of the router's cold start (DynamoDB and S3 clients).
``tests/unit/test_botocore_data.py`` resolves every kept service in every partition's
regions against the full endpoints file and compares every shape of the stripped models
with the originals.

Standard library only: the layer build runs it with the Lambda runtime's interpreter.

    python3 botocore_data.py BOTOCORE_DATA_DIR
"""

from __future__ import annotations

import gzip
import json
import sys
from pathlib import Path
from typing import Any


def service_models(data_dir: Path) -> list[Path]:
    return sorted(data_dir.glob("*/*/service-2.json*"))


def read_json(path: Path) -> Any:
    raw = path.read_bytes()
    return json.loads(gzip.decompress(raw) if path.name.endswith(".gz") else raw)


def write_json(path: Path, data: Any) -> None:
    raw = json.dumps(data, separators=(",", ":")).encode("utf-8")
    # mtime=0: the same input gives the same bytes.
    path.write_bytes(gzip.compress(raw, mtime=0) if path.name.endswith(".gz") else raw)


def endpoint_prefixes(data_dir: Path) -> set[str]:
    """The endpoint prefix of every service model under ``data_dir``."""
    return {read_json(model)["metadata"]["endpointPrefix"] for model in service_models(data_dir)}


def trim_endpoints(endpoints: dict[str, Any], keep: set[str]) -> dict[str, Any]:
    """``endpoints`` with each partition's services limited to ``keep``."""
    partitions = [{**partition, "services": {name: spec for name, spec
                                             in partition["services"].items() if name in keep}}
                  for partition in endpoints["partitions"]]
    return {**endpoints, "partitions": partitions}


# botocore indexes these sections' documentation directly (``client_context_parameters``
# reads ``param["documentation"]``), so they keep it; everywhere else it reads it with
# ``.get("documentation", "")``.
KEEP_DOCS_UNDER = frozenset({"clientContextParams"})


def strip_docs(node: Any) -> Any:
    """``node`` without its ``documentation`` strings, except under ``KEEP_DOCS_UNDER``
    (a member that happens to be named ``documentation`` is a dict, and stays)."""
    if isinstance(node, dict):
        return {key: value if key in KEEP_DOCS_UNDER else strip_docs(value)
                for key, value in node.items()
                if not (key == "documentation" and isinstance(value, str))}
    if isinstance(node, list):
        return [strip_docs(value) for value in node]
    return node


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: botocore_data.py BOTOCORE_DATA_DIR", file=sys.stderr)
        return 2
    data_dir = Path(argv[0])
    endpoints = data_dir / "endpoints.json"
    keep = endpoint_prefixes(data_dir)
    before = endpoints.stat().st_size
    write_json(endpoints, trim_endpoints(read_json(endpoints), keep))
    print(f"botocore endpoints.json: {len(keep)} services kept, "
          f"{before // 1024} -> {endpoints.stat().st_size // 1024} KiB")
    before = after = 0
    for model in service_models(data_dir):
        before += model.stat().st_size
        write_json(model, strip_docs(read_json(model)))
        after += model.stat().st_size
    print(f"botocore service models without documentation: {before // 1024} -> "
          f"{after // 1024} KiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
