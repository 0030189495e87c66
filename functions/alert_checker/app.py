"""Alert-checker function (EventBridge, every 5 minutes): every rule once, over the rollups.

First it replays settle transactions parked in the outbox (a settle that DynamoDB refused,
docs/faults.md), so what they book counts in the rollups the rules read, and publishes
what is left (SettleParked, SettleDeadLettered, SettleDeadLetters, EMF; a dead letter is
a booking replay gave up on, alarmed by SettleDeadLettersAlarm). Also publishes each free
tier's use (FreeTierUsedPct, EMF) for the dashboard."""

from aws_lambda_powertools import Logger

from llm_router.alerting.wiring import build_checker
from llm_router.errors import StorageError
from llm_router.settings import AlertSettings
from llm_router.storage.outbox import replay_from
from llm_router.telemetry import free_tier_lines, outbox_line

logger = Logger()
settings = AlertSettings()
checker = build_checker(settings)


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    outbox = replay_outbox()
    if outbox and "error" not in outbox and settings.metrics_namespace:
        logger.info("settle outbox", extra=outbox_line(
            outbox["still_parked"], len(outbox["dead_lettered"]), outbox["dead_letters"],
            settings.metrics_namespace))
    events = checker.run()
    counts: dict[str, int] = {}
    for e in events:
        counts[e.event] = counts.get(e.event, 0) + 1
    if settings.metrics_namespace:
        for line in free_tier_lines(checker.quota_uses, settings.metrics_namespace):
            logger.info("free tier use", extra=line)
    logger.info("alert check", extra={"counts": counts, "outbox": outbox})
    return {"counts": counts, "events": [e.__dict__ for e in events], "outbox": outbox}


def replay_outbox() -> dict | None:
    """One replay run; a storage failure is logged (the next run tries again) and must
    not stop the alerts."""
    try:
        report = replay_from(settings)
    except StorageError as exc:
        logger.error("settle outbox replay failed", extra={"error": exc.message})
        return {"error": exc.message}
    return report.as_dict() if report is not None else None
