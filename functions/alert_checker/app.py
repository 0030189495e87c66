"""Alert-checker function (EventBridge, every 5 minutes): rules over today's rollups."""

from aws_lambda_powertools import Logger

from llm_router.alerting.wiring import build_checker
from llm_router.ledger import now_utc
from llm_router.settings import AlertSettings

logger = Logger()
checker = build_checker(AlertSettings())


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    result = checker.run(now_utc().strftime("%Y-%m-%d"))
    logger.info("alert check", extra=result.as_dict())
    return result.as_dict()
