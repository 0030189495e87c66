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
    p.add_argument("--pinned", action="store_true",
                   help="--workload is a pinned one (bench/pin_workload.py): refuse it when "
                   "its bytes are not its provenance's or a request's labelled query is no "
                   "longer in the labelled queries with its label; read each request's split "
                   "from that file today")
    p.add_argument("--router-only", action="store_true", help="skip the baselines")
    p.add_argument("--sequential", action="store_true",
                   help="run the three baselines one after another (the order before session "
                   "29); default: at once, each in its own tables, after the router arms")
    p.add_argument("--config", help="catalog YAML (default: LLM_ROUTER_CONFIG_PATH, "
                                     "else the shipped catalog)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.requests < 1 or args.concurrency < 1:
        raise CommandError("--requests and --concurrency must be at least 1")
    if args.pinned and not args.workload:
        raise CommandError("--pinned checks a --workload FILE: name one")
    earlier = _read_json(args.compare) if args.compare else None
    try:
        from rich.console import Console
    except ImportError as exc:
        raise CommandError("bench needs the dev dependencies: make venv") from exc
    console = Console(stderr=True)
    if not console.is_terminal:  # logs and CI: wide enough for the summary table
        console = Console(stderr=True, width=160)
    workload, pinned = _workload(args)
    results = asyncio.run(_run_arms(args, workload, console))
    if pinned is not None:
        results["workload"]["pinned"] = pinned
        _pinned_note(pinned, results, console)
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


def _workload(args: argparse.Namespace) -> tuple[list[Any], dict[str, Any] | None]:
    """The requests to replay, and for a pinned workload what its check found."""
    from llm_router.classifier.dataset import load_examples
    from llm_router_local.benchmark.job import SHIPPED_DATA
    from llm_router_local.benchmark.workload import (
        WorkloadShape,
        against_queries,
        build_workload,
        load_workload,
        read_provenance,
        save_workload,
        sha256_of,
    )

    pinned = None
    try:
        if args.workload:
            items = load_workload(args.workload)
            if args.pinned:
                provenance = read_provenance(args.workload)
                checked = against_queries(items, load_examples(SHIPPED_DATA))
                pinned = {
                    "file": str(args.workload), "sha256": sha256_of(args.workload),
                    "requests": len(items),
                    "provenance": provenance, "queries_sha256": sha256_of(SHIPPED_DATA),
                    "heldout_requests_pinned": sum(i.split == "heldout" for i in items),
                    "heldout_requests_now": sum(i.split == "heldout" for i in checked),
                }
                items = checked
            items = (items * (args.requests // len(items) + 1))[: args.requests]
            if pinned is None:
                return items, None
        else:
            shape = WorkloadShape(args.requests, args.repeat_rate, args.paraphrase_rate,
                                  args.rate)
            items = build_workload(load_examples(SHIPPED_DATA), shape)
    except OSError as exc:
        raise CommandError(f"cannot read {exc.filename}: {exc.strerror}") from exc
    except ValueError as exc:
        raise CommandError(str(exc)) from exc
    # What was replayed (a pinned one with today's split), for bench/under_routed.py.
    written = args.out / "workload.jsonl"
    if not (args.workload and written.resolve() == args.workload.resolve()):
        save_workload(items, written)
    return items, pinned


def _pinned_note(pinned: dict[str, Any], results: dict[str, Any], console: Any) -> None:
    """Say whether the split a pinned workload was replayed with is the classifier's own."""
    provenance = pinned.get("provenance") or {}
    trained = results.get("classifier_data_sha256")
    pinned["split_is_the_classifiers"] = trained == pinned["queries_sha256"] if trained else None
    note = (f"pinned workload {pinned['file']}: {pinned['heldout_requests_now']} of its "
            f"{pinned['requests']} requests held out by today's labelled queries "
            f"({pinned['heldout_requests_pinned']} when pinned)")
    if provenance.get("queries_sha256") not in (None, pinned["queries_sha256"]):
        note += "; the labelled queries changed since the pin"
    if pinned["split_is_the_classifiers"] is False:
        note += ("; [yellow]the classifier was trained on another labelled file: its tier "
                 "accuracy reads a split that is not its own[/yellow]")
    console.print(note)


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
        settings = on_embedded_store(settings, aws.endpoint_url)
    arms = standard_arms(catalog)[: 1 if args.router_only else None]
    console.print(f"bench: {len(workload)} requests x {len(arms)} arms, concurrency "
                  f"{args.concurrency}, providers {'LIVE' if live else 'SIMULATED on 127.0.0.1'}")
    started = time.perf_counter()
    providers = live_providers if live else simulated_providers
    tiers = load_tier_picker(catalog)
    try:
        async with providers(catalog) as upstream:
            results, together = await _replay(PipelineBench(
                settings, upstream.catalog, tiers, upstream.http,
                fresh_tables, concurrency=args.concurrency), arms, workload, console,
                at_once=not args.sequential)
    finally:
        if aws:
            aws.stop()
    meta = {"concurrency": args.concurrency, "upstream": "live" if live else "simulator",
            "wall_s": round(time.perf_counter() - started, 2),
            "classifier_data_sha256": ((tiers.classifier.metadata.get("training_data") or {})
                                       .get("sha256") if tiers else None)}
    return build_results(results, workload, meta, together)


def on_embedded_store(settings: Any, endpoint_url: str) -> Any:
    """The arms' settings on the embedded store the bench starts: its URL, and calls sent
    unsigned, as ``serve`` sends them to the same store (``LocalStack``; it checks no
    signature). The app then books each settle and admission from the event loop
    (``storage.loop_client``), as ``serve`` does, instead of through botocore's own
    client in a worker thread, signed (the Lambda's way to DynamoDB): the same calls and
    answers, about 1-2.5 ms less of the bench process's CPU a request (docs/benchmark.md,
    "Session 37: the router arm's CPU"). A store named by ``LLM_ROUTER_AWS_ENDPOINT_URL``
    keeps the settings' own signing."""
    return settings.model_copy(update={"aws_endpoint_url": endpoint_url,
                                       "storage_unsigned": True})


async def _replay(bench: Any, arms: list[Any], workload: list[Any], console: Any,
                  at_once: bool = True) -> tuple[list[Any], Any]:
    """``PipelineBench.run_arms`` (the router arms one after the other, then the baselines:
    at once when ``at_once``), with a progress bar per arm."""
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
    with Progress(*columns, console=console) as progress:

        def advancer(arm: Any) -> Any:
            task = progress.add_task(arm.name, total=len(workload), rate="-")
            t0 = time.perf_counter()

            def advance(_: Any) -> None:
                done = progress.tasks[task].completed + 1
                rate = f"{done / max(1e-9, time.perf_counter() - t0):.0f}"
                progress.update(task, advance=1, rate=rate)
            return advance

        return await bench.run_arms(arms, workload, at_once=at_once, on_request=advancer)


def _print_summary(results: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    table = Table(title=f"pipeline bench, {results['workload']['requests']} requests per arm")
    for col in ("arm", "ledger USD", "saved vs", "under-routed (orig.)", "tier acc", "p50 ms",
                "p95 ms", "cache hits", "failovers", "skips", "errors", "wall s (CPU s)"):
        table.add_column(col, justify="left" if col == "arm" else "right")
    for a in results["arms"]:
        saved = results["savings"].get(a["arm"], {}).get("saved_pct")
        acc = "-" if a["tier_accuracy"] is None else f"{100 * a['tier_accuracy']:.1f}%"
        table.add_row(a["arm"] + (" *" if a.get("at_once") else ""), a["cost_usd"],
                      f"{saved} %" if saved else "-",
                      f"{100 * a['under_routed']:.1f}% ({_share(a.get('under_routed_originals'))})",
                      acc, f"{a['latency_p50_ms']}",
                      f"{a['latency_p95_ms']}", f"{100 * a['cache_hit_rate']:.1f}%",
                      str(a["failovers"]), str(a.get("skips", "-")), str(a["errors"]),
                      f"{a['wall_s']} ({_cpu(a.get('cpu_s', '-'))})")
    console.print(table)
    if results.get("at_once"):
        g = results["at_once"]
        console.print(f"* at once: {len(g['arms'])} arms in {g['wall_s']} s wall "
                      f"({g['cpu_s']} s CPU, theirs together); an arm's latency and wall "
                      "read beside the others'")
    console.print(f"the arms' wall time: {results['arms_wall_s']} s")
    for a in results["arms"]:  # why a run failed over (and so may have run slower)
        if a.get("failover_causes"):
            console.print(f"failovers of {a['arm']}: " + ", ".join(
                f"{n} {cause}" for cause, n in a["failover_causes"].items()))


def _cpu(cpu: Any) -> str:
    return "-" if cpu is None else str(cpu)


def _share(share: float | None) -> str:
    return "-" if share is None else f"{100 * share:.1f}%"
