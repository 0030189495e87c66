"""Benchmark-runner function: the stack's batch jobs, chosen by the event's ``job``.

- ``{"job": "benchmark"}`` (daily, or by hand with overrides such as ``"requests": 200``;
  llm_router_local.benchmark.job.BenchmarkEvent lists them): the whole-pipeline benchmark,
  router and baselines through the real app; results.json and report.md to S3 under
  benchmarks/YYYY/MM/DD/<run-id>/, headline EMF metrics.
- ``{"job": "cache-snapshots"}`` (every 10 minutes): folds each tenant's new semantic
  cache journal items into its S3 snapshot, which cold router instances load.
"""

import boto3
from aws_lambda_powertools import Logger

from llm_router.cache.rebuild import SnapshotJob
from llm_router.settings import BenchmarkSettings
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router_local.benchmark.job import build_job

logger = Logger()
settings = BenchmarkSettings()
s3 = boto3.client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
benchmark = build_job(settings, s3)
snapshots = SnapshotJob.from_clients(settings, make_dynamodb_client(settings), s3)


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    event = event if isinstance(event, dict) else {}
    name = event.get("job", "benchmark")
    if name == "benchmark":
        result = benchmark.run(event)
    elif name == "cache-snapshots":
        result = snapshots.run()
    else:
        raise ValueError(f"unknown job {name!r}; expected 'benchmark' or 'cache-snapshots'")
    logger.info(name, extra={"result": result})
    return result
