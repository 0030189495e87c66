"""``llm-router pricing import FILE``: refresh catalog prices from a LiteLLM price file.

Reads LiteLLM's ``model_prices_and_context_window.json`` (a copy you downloaded; this
command never touches the network), updates the prices and limits of the catalog
models it lists, prints the changes (``model: field old -> new``) on stderr and writes
the updated catalog YAML to ``--out`` or stdout.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from importlib import resources
from pathlib import Path
from typing import Any

from llm_router.pricing_import import DEFAULT_PROVIDER_MAP, import_prices
from llm_router_local.cli import CommandError


def register(sub: Any) -> None:
    parser = sub.add_parser("pricing", help="manage catalog prices", description=__doc__)
    actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    imp = actions.add_parser("import", help="update catalog prices from a LiteLLM price file",
                             description=__doc__)
    imp.add_argument("file", type=Path, help="model_prices_and_context_window.json")
    imp.add_argument("--catalog", type=Path, help="catalog to update (default: the shipped one)")
    imp.add_argument("--out", type=Path, help="write the updated catalog here (default: stdout)")
    imp.add_argument(
        "--provider-map",
        default="",
        metavar="LITELLM=OURS,...",
        help="extra litellm_provider -> catalog provider pairs, e.g. vertex_ai=gemini",
    )
    imp.add_argument("--date", help="price_date to record (default: today, UTC)")
    imp.set_defaults(run=run_import)


def parse_provider_map(text: str) -> dict[str, str]:
    mapping = dict(DEFAULT_PROVIDER_MAP)
    for pair in filter(None, (p.strip() for p in text.split(","))):
        theirs, sep, ours = pair.partition("=")
        if not sep or not theirs or not ours:
            raise CommandError(f"--provider-map: expected LITELLM=OURS, got {pair!r}")
        mapping[theirs.strip()] = ours.strip()
    return mapping


def _read(path: Path) -> str:
    try:
        return path.read_text("utf-8")
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc


def run_import(args: argparse.Namespace) -> int:
    if args.catalog is None:
        catalog_text = resources.files("llm_router").joinpath("data/catalog.yaml").read_text(
            "utf-8"
        )
    else:
        catalog_text = _read(args.catalog)
    result = import_prices(
        catalog_text,
        _read(args.file),
        provider_map=parse_provider_map(args.provider_map),
        price_source=f"LiteLLM model_prices_and_context_window.json ({args.file.name})",
        price_date=args.date or dt.datetime.now(dt.UTC).date().isoformat(),
    )
    for change in result.changes:
        print(change, file=sys.stderr)
    print(
        f"{len(result.changes)} changes in {len(result.matched)} matched models; "
        f"{len(result.unmatched)} catalog models not in the file",
        file=sys.stderr,
    )
    if args.out is None:
        sys.stdout.write(result.text)
    else:
        args.out.write_text(result.text, "utf-8")
    return 0
