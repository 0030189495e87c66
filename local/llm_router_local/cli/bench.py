"""``llm-router bench``: the pipeline benchmark, locally, with a progress bar and a report.

Needs the dev dependencies (rich for the progress bar, matplotlib for the plots), not
the runtime layer's."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from pathlib import Path
from typing import Any

from llm_router_local.cli import CommandError

DEFAULT_OUT = "bench/results/local/pipeline"


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "bench", help="replay a labelled workload through the router and baselines",
        description=(
            "Replay a labelled workload through the real app in process (auth, cache, "
            "classifier, routing, admission, providers, settle) for the router, the router "
            "without cache and the baselines (always the strongest model, always the "
            "cheapest, a random one); write report.md, results.json and PNG plots to --out. "
            "With no provider keys the providers are the in-process simulator."),
    )
    p.add_argument("--workload", type=Path, help="workload JSONL (default: built from the "
                   "labelled queries, held-out ones first; written to OUT/workload.jsonl)")
    p.add_argument("--requests", type=int, default=1000, help="requests per arm (default 1000)")
    p.add_argument("--concurrency", type=int, default=8, help="requests in flight (default 8)")
    p.add_argument("--out", type=Path, default=Path(DEFAULT_OUT), help=f"default {DEFAULT_OUT}")
    p.add_argument("--compare", type=Path, help="an earlier results.json: exit 1 when a "
                   "headline number regressed beyond its tolerance")
    p.add_argument("--repeat-rate", type=float, default=0.15,
                   help="share of requests that repeat an earlier one word for word "
                   "(default 0.15)")
    p.add_argument("--paraphrase-rate", type=float, default=0.10,
                   help="share that reword an earlier one (default 0.10; the two rates "
                   "sum to less than 1)")
    p.add_argument("--rate", type=float, default=None,
                   help="Poisson arrivals at this many requests/s (default: closed loop)")
    p.add_argument("--router-only", action="store_true", help="skip the baselines")
    p.add_argument("--config", help="catalog YAML (default: LLM_ROUTER_CONFIG_PATH, "
                                     "else the shipped catalog)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.requests < 1 or args.concurrency < 1:
        raise CommandError("--requests and --concurrency must be at least 1")
    earlier = _read_json(args.compare) if args.compare else None
    try:
        from rich.console import Console
    except ImportError as exc:
        raise CommandError("bench needs the dev dependencies: make venv") from exc
    console = Console(stderr=True)
    if not console.is_terminal:  # logs and CI: wide enough for the summary table
        console = Console(stderr=True, width=160)
    workload = _workload(args)
    results = asyncio.run(_run_arms(args, workload, console))
    args.out.mkdir(parents=True, exist_ok=True)
    from llm_router_local.benchmark.plots import write_plots
    from llm_router_local.benchmark.summary import compare, report_markdown

    plots = write_plots(results, args.out)
    (args.out / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (args.out / "report.md").write_text(report_markdown(results, plots))
    _print_summary(results, console)
    console.print(f"report: {args.out / 'report.md'}  results: {args.out / 'results.json'}  "
                  f"plots: {', '.join(str(args.out / p) for p in plots)}")
    if earlier is not None:
        problems = compare(results, earlier)
        for line in problems:
            console.print(f"[red]regression:[/red] {line}")
        if problems:
            return 1
        console.print(f"no regression against {args.compare}")
    return 0


def _read_json(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text())
    except OSError as exc:
        raise CommandError(f"cannot read {path}: {exc.strerror}") from exc
    except ValueError as exc:
        raise CommandError(f"{path} is not JSON: {exc}") from exc
    if not isinstance(data, dict) or "headline" not in data:
        raise CommandError(f"{path} is not a results.json of llm-router bench")
    return data


def _workload(args: argparse.Namespace) -> list[Any]:
    from llm_router.classifier.dataset import load_examples
    from llm_router_local.benchmark.job import SHIPPED_DATA
    from llm_router_local.benchmark.workload import (
        WorkloadShape,
        build_workload,
        load_workload,
        save_workload,
    )

    try:
        if args.workload:
            items = load_workload(args.workload)
            return (items * (args.requests // len(items) + 1))[: args.requests]
        shape = WorkloadShape(args.requests, args.repeat_rate, args.paraphrase_rate, args.rate)
        items = build_workload(load_examples(SHIPPED_DATA), shape)
    except OSError as exc:
        raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from exc
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    save_workload(items, args.out / "workload.jsonl")
    return items


async def _run_arms(args: argparse.Namespace, workload: list[Any], console: Any) -> dict[str, Any]:
    from llm_router.bootstrap import load_tier_picker
    from llm_router.catalog import load_catalog
    from llm_router.settings import RouterSettings
    from llm_router_local.aws import fresh_tables, start_embedded_aws
    from llm_router_local.benchmark.pipeline import PipelineBench, standard_arms
    from llm_router_local.benchmark.summary import build_results
    from llm_router_local.benchmark.upstream import live_providers, simulated_providers
    from llm_router_local.simulated import has_real_keys

    settings = RouterSettings()
    catalog = load_catalog(args.config or settings.config_path)
    live = has_real_keys(catalog)
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "local")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "local")
    aws = None if settings.aws_endpoint_url else start_embedded_aws()
    if aws:
        settings = settings.model_copy(update={"aws_endpoint_url": aws.endpoint_url})
    arms = standard_arms(catalog)[: 1 if args.router_only else None]
    console.print(f"bench: {len(workload)} requests x {len(arms)} arms, concurrency "
                  f"{args.concurrency}, providers {'LIVE' if live else 'SIMULATED on 127.0.0.1'}")
    started = time.perf_counter()
    providers = live_providers if live else simulated_providers
    try:
        async with providers(catalog) as upstream:
            results = await _replay(PipelineBench(
                settings, upstream.catalog, load_tier_picker(catalog), upstream.http,
                fresh_tables, concurrency=args.concurrency), arms, workload, console)
    finally:
        if aws:
            aws.stop()
    meta = {"concurrency": args.concurrency, "upstream": "live" if live else "simulator",
            "wall_s": round(time.perf_counter() - started, 2)}
    return build_results(results, workload, meta)


async def _replay(bench: Any, arms: list[Any], workload: list[Any], console: Any) -> list[Any]:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    columns = (TextColumn("{task.description:<34}"), BarColumn(), MofNCompleteColumn(),
               TextColumn("{task.fields[rate]:>6} req/s"), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    results = []
    with Progress(*columns, console=console) as progress:
        for arm in arms:
            task = progress.add_task(arm.name, total=len(workload), rate="-")
            t0 = time.perf_counter()

            def advance(_: Any, task: Any = task, t0: float = t0) -> None:
                done = progress.tasks[task].completed + 1
                rate = f"{done / max(1e-9, time.perf_counter() - t0):.0f}"
                progress.update(task, advance=1, rate=rate)

            results.append(await bench.run_arm(arm, workload, advance))
    return results


def _print_summary(results: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    table = Table(title=f"pipeline bench, {results['workload']['requests']} requests per arm")
    for col in ("arm", "ledger USD", "saved vs", "under-routed (orig.)", "tier acc", "p50 ms",
                "p95 ms", "cache hits", "failovers", "skips", "errors", "wall s (CPU s)"):
        table.add_column(col, justify="left" if col == "arm" else "right")
    for a in results["arms"]:
        saved = results["savings"].get(a["arm"], {}).get("saved_pct")
        acc = "-" if a["tier_accuracy"] is None else f"{100 * a['tier_accuracy']:.1f}%"
        table.add_row(a["arm"], a["cost_usd"], f"{saved} %" if saved else "-",
                      f"{100 * a['under_routed']:.1f}% ({_share(a.get('under_routed_originals'))})",
                      acc, f"{a['latency_p50_ms']}",
                      f"{a['latency_p95_ms']}", f"{100 * a['cache_hit_rate']:.1f}%",
                      str(a["failovers"]), str(a.get("skips", "-")), str(a["errors"]),
                      f"{a['wall_s']} ({a.get('cpu_s', '-')})")
    console.print(table)
    for a in results["arms"]:  # why a run failed over (and so may have run slower)
        if a.get("failover_causes"):
            console.print(f"failovers of {a['arm']}: " + ", ".join(
                f"{n} {cause}" for cause, n in a["failover_causes"].items()))


def _share(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f}%"
