"""X-Ray subsegments for the request's phases (embed, cache, classify, admit, upstream =
the provider call, settle), recorded when the request settles.

``Timings`` keeps when each phase ran; the phases are written as subsegments of the
invocation's segment with those start and end times, so the request path carries no
tracing code and worker threads (where X-Ray's thread-local context is missing) need none.
Active only in Lambda with tracing on (template.yaml: ``Tracing: Active``); elsewhere
``tracer_from_env`` returns None and nothing is imported.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

Span = tuple[str, float, float]  # phase, perf_counter start, perf_counter end


class PhaseTracer(Protocol):
    def record(self, spans: Sequence[Span], annotations: Mapping[str, str]) -> None: ...


class XRayPhaseTracer:
    def __init__(self, recorder: Any):
        self._recorder = recorder

    def record(self, spans: Sequence[Span], annotations: Mapping[str, str]) -> None:
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


def tracer_from_env(environ: Mapping[str, str]) -> PhaseTracer | None:
    """Powertools' Tracer (X-Ray) when running in Lambda with tracing on, else None."""
    if not environ.get("AWS_LAMBDA_FUNCTION_NAME") or environ.get(
            "POWERTOOLS_TRACE_DISABLED", "").lower() in ("1", "true"):
        return None
    from aws_lambda_powertools import Tracer

    # No auto-patching: botocore calls run in worker threads, where X-Ray's thread-local
    # context is missing and every patched call would log an error.
    tracer = Tracer(service=environ.get("POWERTOOLS_SERVICE_NAME", "llm-router"),
                    auto_patch=False)
    return XRayPhaseTracer(tracer.provider)
