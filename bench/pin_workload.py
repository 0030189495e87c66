"""Pin the pipeline bench's workload: draw it once from the labelled queries and commit it,
so that `make bench-pipeline` replays the same requests whatever the queries file holds
later (docs/benchmark.md, "Session 29").

    .venv/bin/python bench/pin_workload.py           # writes bench/workloads/pipeline-1000.jsonl
    .venv/bin/python bench/pin_workload.py --check   # the pinned one against today's file

Writes the workload (``build_workload``'s draw: the requests `llm-router bench --requests
1000` drew before it was pinned, each echo naming its ``original``) and beside it
``NAME.provenance.json``: the queries file and its sha256, the seed and shape, the
workload's own sha256 and the run record. `llm-router bench --workload FILE --pinned` refuses
a file whose sha256 is not its provenance's, checks every request's labelled query against
today's queries file and reads the split from it (``workload.against_queries``).
``--check`` does that check alone and prints what moved since the pin.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

from llm_router.classifier.dataset import load_examples
from llm_router_local.benchmark.workload import (
    WorkloadShape,
    against_queries,
    build_workload,
    load_workload,
    provenance_path,
    read_provenance,
    save_workload,
    sha256_of,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
from run_record import run_record  # noqa: E402

QUERIES = Path("data/classifier/queries.jsonl")
PINNED = Path("bench/workloads/pipeline-1000.jsonl")


def pin(queries: Path, out: Path, shape: WorkloadShape) -> dict[str, Any]:
    items = build_workload(load_examples(queries), shape)
    save_workload(items, out)
    provenance = {
        "what": "llm-router bench's workload, drawn once by build_workload and pinned",
        "queries": str(queries), "queries_sha256": sha256_of(queries),
        "seed": shape.seed, "requests": shape.requests, "repeat_rate": shape.repeat_rate,
        "paraphrase_rate": shape.paraphrase_rate, "rate_per_s": shape.rate_per_s,
        "workload_sha256": sha256_of(out),
        "variants": dict(Counter(i.variant for i in items)),
        "heldout_requests": sum(i.split == "heldout" for i in items),
        "run": run_record(),
    }
    provenance_path(out).write_text(json.dumps(provenance, indent=2) + "\n", encoding="utf-8")
    return provenance


def check(workload: Path, queries: Path) -> dict[str, Any]:
    provenance = read_provenance(workload)
    items = load_workload(workload)
    checked = against_queries(items, load_examples(queries))
    moved = Counter(f"{a.split or '-'} -> {b.split}" for a, b in zip(items, checked, strict=True)
                    if a.split != b.split)
    return {"workload": str(workload), "requests": len(items),
            "queries_sha256_pinned": provenance and provenance.get("queries_sha256"),
            "queries_sha256_now": sha256_of(queries),
            "heldout_requests_pinned": sum(i.split == "heldout" for i in items),
            "heldout_requests_now": sum(i.split == "heldout" for i in checked),
            "split_moved": dict(moved)}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--queries", type=Path, default=QUERIES)
    p.add_argument("--out", type=Path, default=PINNED)
    p.add_argument("--requests", type=int, default=1000)
    p.add_argument("--seed", type=int, default=16)
    p.add_argument("--check", action="store_true",
                   help="check the pinned workload (--out) against --queries; write nothing")
    args = p.parse_args(argv)
    try:
        if args.check:
            print(json.dumps(check(args.out, args.queries), indent=2))
        else:
            print(json.dumps(pin(args.queries, args.out,
                                 WorkloadShape(args.requests, seed=args.seed)), indent=2))
    except (OSError, ValueError) as exc:
        print(f"pin_workload: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
