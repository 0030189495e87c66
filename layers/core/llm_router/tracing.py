"""X-Ray subsegments for the request's phases (embed, cache, classify, admit, upstream =
the provider call, settle), recorded when the request settles.

``Timings`` keeps when each phase ran; the phases are written as subsegments of the
invocation's segment with those start and end times, so the request path carries no
tracing code and worker threads (where X-Ray's thread-local context is missing) need none.
Active only in Lambda with tracing on (template.yaml: ``Tracing: Active``); elsewhere
``tracer_from_env`` returns None and nothing is imported.

The stream relay runs uvicorn under the Lambda Web Adapter: a separate, long-lived process
whose environment Lambda does not update per invocation, so X-Ray's Lambda context (which
reads ``_X_AMZN_TRACE_ID`` from it) would find no invocation. The adapter sends the
invocation's trace header as the ``x-amzn-trace-id`` request header instead; with
``LLM_ROUTER_TRACE_FROM_HEADER=true`` (the relay's template sets it) the tracer puts the
request's header into that variable while it records the request's subsegments, as the
adapter's maintainers advise (aws/aws-lambda-web-adapter#312).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping, MutableMapping, Sequence
from typing import Any, Protocol

Span = tuple[str, float, float]  # phase, perf_counter start, perf_counter end
TRACE_ENV = "_X_AMZN_TRACE_ID"  # where X-Ray's Lambda context reads the invocation's trace


class PhaseTracer(Protocol):
    def record(self, spans: Sequence[Span], annotations: Mapping[str, str],
               trace_header: str | None = None) -> None: ...


class XRayPhaseTracer:
    def __init__(self, recorder: Any, header_env: MutableMapping[str, str] | None = None):
        """``header_env``: the process environment, when each request's ``trace_header``
        must be put there first (under the web adapter); None where Lambda sets it."""
        self._recorder = recorder
        self._header_env = header_env
        self._lock = threading.Lock()  # one request's header at a time in the variable

    def record(self, spans: Sequence[Span], annotations: Mapping[str, str],
               trace_header: str | None = None) -> None:
        if self._header_env is None:
            self._record(spans, annotations)
            return
        if not trace_header:
            return  # no invocation to attach the subsegments to
        with self._lock:
            self._header_env[TRACE_ENV] = trace_header
            self._record(spans, annotations)

    def _record(self, spans: Sequence[Span], annotations: Mapping[str, str]) -> None:
        # perf_counter is monotonic; X-Ray wants epoch seconds.
        offset = time.time() - time.perf_counter()
        for name, start, end in spans:
            sub = self._recorder.begin_subsegment(name)
            if sub is None:  # no segment (not in an invocation): nothing to attach to
                return
            sub.start_time = start + offset
            for key, value in annotations.items():
                sub.put_annotation(key, value)
            self._recorder.end_subsegment(end_time=end + offset)


def tracer_from_env(environ: MutableMapping[str, str]) -> PhaseTracer | None:
    """Powertools' Tracer (X-Ray) when running in Lambda with tracing on, else None.
    ``LLM_ROUTER_TRACE_FROM_HEADER=true``: each request's trace header comes from the
    request (the web adapter's ``x-amzn-trace-id``) and is put into ``environ``."""
    if not environ.get("AWS_LAMBDA_FUNCTION_NAME") or environ.get(
            "POWERTOOLS_TRACE_DISABLED", "").lower() in ("1", "true"):
        return None
    from aws_lambda_powertools import Tracer

    # No auto-patching: botocore calls run in worker threads, where X-Ray's thread-local
    # context is missing and every patched call would log an error.
    tracer = Tracer(service=environ.get("POWERTOOLS_SERVICE_NAME", "llm-router"),
                    auto_patch=False)
    from_header = environ.get("LLM_ROUTER_TRACE_FROM_HEADER", "").lower() in ("1", "true")
    return XRayPhaseTracer(tracer.provider, environ if from_header else None)
