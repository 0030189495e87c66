"""``llm-router alerts check``: every alert rule once, against the tables at
LLM_ROUTER_AWS_ENDPOINT_URL (or the environment's AWS account), one JSON line per alert."""

from __future__ import annotations

import argparse

from llm_router.settings import AlertSettings


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("alerts", help="evaluate alert rules and send what fires",
                       description="Alert rules over the ledger's rollups.")
    actions = p.add_subparsers(dest="alerts_command", required=True, metavar="ACTION")
    c = actions.add_parser(
        "check",
        help="evaluate every rule once, send what fires, print one JSON line per alert",
        description=(
            "Evaluate every alert rule of the catalog's alerts: section once, send what "
            "fires to Slack and SNS, and print one JSON line per alert: event fired, "
            "suppressed (already sent for this window), resolved (a notice that it "
            "cleared) or failed (no channel accepted it; the next run retries). Exits 1 "
            "when any alert failed."
        ),
    )
    c.add_argument("--config", help="catalog YAML with an alerts: section (default: "
                   "LLM_ROUTER_CONFIG_PATH, else the shipped catalog)")
    c.set_defaults(run=run_check)


def run_check(args: argparse.Namespace) -> int:
    from llm_router.alerting.wiring import build_checker

    settings = AlertSettings()
    if args.config:
        settings = settings.model_copy(update={"config_path": args.config})
    events = build_checker(settings).run()
    for event in events:
        print(event.json_line(), flush=True)
    return 1 if any(e.event == "failed" for e in events) else 0
