"""Alert-checker function (EventBridge, every 5 minutes): every rule once, over the rollups.

Also publishes each free tier's use (FreeTierUsedPct, EMF) for the dashboard."""

from aws_lambda_powertools import Logger

from llm_router.alerting.wiring import build_checker
from llm_router.settings import AlertSettings
from llm_router.telemetry import free_tier_lines

logger = Logger()
settings = AlertSettings()
checker = build_checker(settings)


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    events = checker.run()
    counts: dict[str, int] = {}
    for e in events:
        counts[e.event] = counts.get(e.event, 0) + 1
    if settings.metrics_namespace:
        for line in free_tier_lines(checker.quota_uses, settings.metrics_namespace):
            logger.info("free tier use", extra=line)
    logger.info("alert check", extra={"counts": counts})
    return {"counts": counts, "events": [e.__dict__ for e in events]}
