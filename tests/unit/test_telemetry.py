import io
import json
import logging
import os
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime
from decimal import Decimal

from aws_lambda_powertools import Logger

from llm_router.ledger import AttemptRecord, LedgerEntry
from llm_router.service import Timings
from llm_router.storage.outbox import ReplayPolicy
from llm_router.telemetry import DIMENSION_SETS, OUTBOX_METRICS, PowertoolsTelemetry, outbox_line
from llm_router.tracing import XRayPhaseTracer, tracer_from_env

ENTRY = LedgerEntry(
    request_id="req_1", tenant_id="acme", key_id="key_1", started_at=datetime.now(UTC),
    requested_model="auto", success=False, status=502, latency_ms=250.0, model="small",
    provider="groq", tier="simple", prompt_tokens=12, completion_tokens=3,
    cost_usd=Decimal("0.0015"), error_code="all_providers_failed",
    error_message="the user's secret prompt must not be logged",
    attempts=(AttemptRecord("groq", "small", 100, "upstream_503"),
              AttemptRecord("other", "big", 100, "upstream_503")))


def timings() -> Timings:
    t = Timings()
    started = time.perf_counter() - 0.25
    t.add("admit", started)
    t.phases["upstream"] = 240.0
    return t


def line(namespace: str | None, prompt_chars: int = 0, prompt: str = "") -> dict:
    out = io.StringIO()
    # A logger name of its own: Powertools keeps one handler per name.
    logger = Logger(service=f"test-{uuid.uuid4().hex}",
                    logger_handler=logging.StreamHandler(out))
    PowertoolsTelemetry(namespace, logger=logger, prompt_chars=prompt_chars).publish(
        ENTRY, timings(), prompt=prompt)
    [only] = out.getvalue().splitlines()
    return json.loads(only)


def test_one_line_with_what_operators_filter_on_and_no_text() -> None:
    rec = line(None)
    assert rec["message"] == "request"
    for field, value in {"request_id": "req_1", "tenant_id": "acme", "key_id": "key_1",
                         "model": "small", "provider": "groq", "tier": "simple",
                         "cache": "miss", "status": 502, "failovers": 1,
                         "prompt_tokens": 12, "completion_tokens": 3, "cost_usd": "0.0015",
                         "error_code": "all_providers_failed"}.items():
        assert rec[field] == value, field
    assert rec["added_latency_ms"] == 10.0 and rec["latency_ms"] == 250.0
    assert "_aws" not in rec  # no namespace: a log line only
    assert "secret prompt" not in json.dumps(rec)


def test_the_prompt_is_logged_only_when_opted_in_and_cut_to_its_length() -> None:
    assert "prompt" not in line(None, prompt="my card is 4111 1111")  # the default: 0
    assert line(None, prompt_chars=7, prompt="my card is 4111 1111")["prompt"] == "my card"
    assert line(None, prompt_chars=100, prompt="short")["prompt"] == "short"
    assert "prompt" not in line(None, prompt_chars=7)  # no text (refused before it)


def test_the_same_line_is_valid_emf() -> None:
    rec = line("LLMRouter/test")
    directives = rec["_aws"]["CloudWatchMetrics"]
    assert isinstance(rec["_aws"]["Timestamp"], int)
    assert [d["Dimensions"] for d in directives] == [
        [["service", *dims]] for dims, _ in DIMENSION_SETS]
    for directive in directives:
        assert directive["Namespace"] == "LLMRouter/test"
        for dim in directive["Dimensions"][0]:
            assert isinstance(rec[dim], str)
        for metric in directive["Metrics"]:
            assert isinstance(rec[metric["Name"]], int | float), metric
    assert (rec["Provider"], rec["Model"], rec["Tier"]) == ("groq", "small", "simple")
    assert rec["ServerErrors"] == 1 and rec["ClientErrors"] == 0
    assert rec["AddedLatencyMs"] == 10.0 and rec["CostUSD"] == 0.0015


def test_the_outbox_record_is_valid_emf_with_its_three_counts() -> None:
    rec = outbox_line(2, 1, 3, "LLMRouter/test")
    [directive] = rec["_aws"]["CloudWatchMetrics"]
    assert directive["Namespace"] == "LLMRouter/test"
    assert directive["Dimensions"] == [["service"]] and rec["service"] == "llm-router"
    assert [m["Name"] for m in directive["Metrics"]] == list(OUTBOX_METRICS)
    assert [rec[name] for name in OUTBOX_METRICS] == [2, 1, 3]
    assert isinstance(rec["_aws"]["Timestamp"], int)


def test_replay_backoff_doubles_to_its_cap_and_invalid_failures_stop_sooner() -> None:
    policy = ReplayPolicy()
    assert [policy.backoff_s(n) for n in range(1, 9)] == [
        300, 600, 1200, 2400, 4800, 9600, 19200, 21600]
    assert policy.limit(retryable=True) == 8 and policy.limit(retryable=False) == 3


class FakeSubsegment:
    def __init__(self, name: str):
        self.name, self.start_time, self.annotations = name, 0.0, {}

    def put_annotation(self, key: str, value: str) -> None:
        self.annotations[key] = value


class FakeRecorder:
    """The two xray_recorder calls the tracer makes, recorded."""

    def __init__(self):
        self.done: list[tuple[FakeSubsegment, float]] = []
        self._open: FakeSubsegment | None = None

    def begin_subsegment(self, name: str) -> FakeSubsegment:
        self._open = FakeSubsegment(name)
        return self._open

    def end_subsegment(self, end_time: float) -> None:
        assert self._open is not None
        self.done.append((self._open, end_time))


def test_phases_become_subsegments_with_their_own_times() -> None:
    recorder = FakeRecorder()
    t = Timings()
    before = time.time()
    started = time.perf_counter()
    t.add("cache", started)
    t.add("settle", time.perf_counter())
    XRayPhaseTracer(recorder).record(t.spans, {"tenant_id": "acme"})
    assert [s.name for s, _ in recorder.done] == ["cache", "settle"]
    for sub, end in recorder.done:
        assert before - 0.01 <= sub.start_time <= end <= time.time() + 0.01
        assert sub.annotations == {"tenant_id": "acme"}


def test_no_tracer_outside_lambda() -> None:
    assert tracer_from_env({}) is None
    assert tracer_from_env({"AWS_LAMBDA_FUNCTION_NAME": "f",
                            "POWERTOOLS_TRACE_DISABLED": "true"}) is None


# The stream relay's process (uvicorn under the web adapter): real X-Ray SDK, a fresh
# interpreter with Lambda's variables, subsegments caught where the daemon would be.
RELAY = """
import json, os, socket, sys, time
sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
sock.bind(("127.0.0.1", 0))
sock.settimeout(1)
os.environ.update({"LAMBDA_TASK_ROOT": "/var/task", "AWS_LAMBDA_FUNCTION_NAME": "relay",
                   "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:%d" % sock.getsockname()[1]})
os.environ.update(json.loads(sys.argv[1]))
from llm_router.tracing import tracer_from_env
tracer = tracer_from_env(os.environ)
now = time.perf_counter()
for header in json.loads(sys.argv[2]):
    tracer.record([("cache", now, now + 0.001), ("settle", now + 0.002, now + 0.003)],
                  {"tenant_id": "acme"}, header)
sent = []
try:
    while True:
        sent.append(json.loads(sock.recv(65535).split(b"\\n", 1)[1]))
except socket.timeout:
    pass
print(json.dumps([[d["name"], d["trace_id"], d["parent_id"]] for d in sent]))
"""
ROOT_1, ROOT_2 = "1-5759e988-bd862e3fe1be46a994272793", "1-5759e988-0000000000000000000000aa"


def relay_subsegments(env: dict[str, str], headers: list[str | None]) -> list[list[str]]:
    base = {k: v for k, v in os.environ.items() if k != "_X_AMZN_TRACE_ID"}
    done = subprocess.run([sys.executable, "-c", RELAY, json.dumps(env), json.dumps(headers)],
                          capture_output=True, text=True, env=base, check=True, timeout=60)
    sent: list[list[str]] = json.loads(done.stdout.splitlines()[-1])
    return sent


def test_the_relay_traces_each_request_under_its_own_header() -> None:
    headers: list[str | None] = [f"Root={ROOT_1};Parent=53995c3f42cd8ad8;Sampled=1",
                                 f"Root={ROOT_2};Parent=0000000000000abc;Sampled=1"]
    sent = relay_subsegments({"LLM_ROUTER_TRACE_FROM_HEADER": "true"}, headers)
    assert sent == [["cache", ROOT_1, "53995c3f42cd8ad8"], ["settle", ROOT_1, "53995c3f42cd8ad8"],
                    ["cache", ROOT_2, "0000000000000abc"], ["settle", ROOT_2, "0000000000000abc"]]


def test_without_the_header_the_relay_has_nothing_to_attach_to() -> None:
    header = f"Root={ROOT_1};Parent=53995c3f42cd8ad8;Sampled=1"
    assert relay_subsegments({}, [header]) == []  # the process env has no trace: dropped
    assert relay_subsegments({"LLM_ROUTER_TRACE_FROM_HEADER": "true"}, [None]) == []
