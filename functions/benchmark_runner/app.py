"""Benchmark-runner function: the stack's batch jobs, chosen by the schedule's input.

- ``{"job": "benchmark"}`` (daily, or by hand): scores the shipped routing classifier on
  the held-out labelled queries on Lambda's own CPU; JSON to S3, headline EMF metrics.
- ``{"job": "cache-snapshots"}`` (every 10 minutes): folds each tenant's new semantic
  cache journal items into its S3 snapshot, which cold router instances load.
"""

import boto3
from aws_lambda_powertools import Logger

from llm_router.benchmark.job import BenchmarkJob
from llm_router.benchmark.results import S3Results
from llm_router.cache.rebuild import SnapshotJob
from llm_router.complexity import TierPicker
from llm_router.settings import BenchmarkSettings
from llm_router.storage.dynamo import make_dynamodb_client

logger = Logger()
settings = BenchmarkSettings()
s3 = boto3.client("s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url)
picker = TierPicker.load()
jobs = {
    "benchmark": BenchmarkJob(
        embedder=picker.embedder,
        classifier=picker.classifier,
        results=S3Results(s3, settings.bucket, settings.benchmark_prefix)
        if settings.bucket else None,
        metrics_namespace=settings.metrics_namespace,
    ),
    "cache-snapshots": SnapshotJob.from_clients(settings, make_dynamodb_client(settings), s3),
}


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    name = event.get("job", "benchmark") if isinstance(event, dict) else "benchmark"
    if name not in jobs:
        raise ValueError(f"unknown job {name!r}; expected one of {sorted(jobs)}")
    result = jobs[name].run()
    logger.info(name, extra={"result": result})
    return result
