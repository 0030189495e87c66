"""Cache-snapshot function (EventBridge, every 10 minutes): each tenant's new journal
items folded into its S3 embedding snapshot, so a cold router instance loads one object
and reads only minutes of journal from DynamoDB."""

import boto3
from aws_lambda_powertools import Logger

from llm_router.cache.rebuild import SnapshotJob
from llm_router.settings import RouterSettings

logger = Logger()
settings = RouterSettings()
job = SnapshotJob.from_clients(settings, boto3.client("dynamodb", region_name=settings.region),
                               boto3.client("s3", region_name=settings.region))


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    result = job.run()
    logger.info("cache snapshots", extra=result)
    return result
