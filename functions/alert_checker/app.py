"""Alert-checker function (EventBridge, every 5 minutes): every rule once, over the rollups."""

from aws_lambda_powertools import Logger

from llm_router.alerting.wiring import build_checker
from llm_router.settings import AlertSettings

logger = Logger()
checker = build_checker(AlertSettings())


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    events = checker.run()
    counts: dict[str, int] = {}
    for e in events:
        counts[e.event] = counts.get(e.event, 0) + 1
    logger.info("alert check", extra={"counts": counts})
    return {"counts": counts, "events": [e.__dict__ for e in events]}
