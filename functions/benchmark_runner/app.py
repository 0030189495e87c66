"""Benchmark-runner function (EventBridge, daily, or invoked by hand): measures the
shipped routing classifier on Lambda's own CPU; results to S3, headline metrics to
CloudWatch."""

import boto3
from aws_lambda_powertools import Logger

from llm_router.benchmark.job import BenchmarkJob
from llm_router.benchmark.results import S3Results
from llm_router.complexity import TierPicker
from llm_router.settings import BenchmarkSettings

logger = Logger()
settings = BenchmarkSettings()
picker = TierPicker.load()
job = BenchmarkJob(
    embedder=picker.embedder,
    classifier=picker.classifier,
    results=S3Results(boto3.client("s3", region_name=settings.region), settings.bucket,
                      settings.benchmark_prefix) if settings.bucket else None,
    metrics_namespace=settings.metrics_namespace,
)


@logger.inject_lambda_context
def handler(event: dict, context: object) -> dict:
    result = job.run()
    logger.info("benchmark", extra={"result": result})
    return result
