"""Cold start of the router function, and its first request, as Lambda runs them.

    .venv/bin/python bench/cold_start.py [--runs 7] [--init-only] [--phases]
        [--layer .aws-sam/bench-layer --python python3.12 [--against OTHER_LAYER]]

Each run is a fresh interpreter that does what a new Lambda container does: imports
the handler module (functions/router/app.py, which builds the app, clients, catalog,
embedder, classifier and o200k at import) with the Router function's environment from
template.yaml (X-Ray tracing, the per-request log line with EMF, the cache bucket), then
hands the Mangum handler one Function URL event: ``model: auto`` with the semantic cache
on, a key to look up, the request embedded, classified, looked up in the cache, answered
by a loopback OpenAI-compatible upstream and settled in the ledger. Storage is the
embedded store ``llm-router serve`` uses (DynamoDB's API over HTTP, as on Lambda).

Reported per run, as medians with min and max:

- ``init``: from spawning the interpreter to the handler being ready (what Lambda bills
  as Init Duration, interpreter start included; ``python -c pass`` is printed beside it),
  wall and CPU seconds (user + system, all threads);
- ``first_request``: the handler call for that first event, wall and CPU;
- ``total``: the two together.

``--phases`` also runs init step by step (the functions ``create_app_from_env`` calls, in
its order) and reports each step's median CPU seconds: where the time goes.

``--against DIR`` (with ``--layer``) alternates every run (and with ``--phases`` every
phases run) with one of another layer, e.g. one built from an older commit: a
before/after under the same load (``against_runs``, ``against_phases_cpu_s``).
``--against-function DIR``: the handler (``app.py``) those runs import, where the older
commit's differs from the checkout's (``git show OLD:functions/router/app.py``).

``--init-only`` skips the stores and the request (init as the earlier version of this
benchmark measured it, with the endpoint pointed at a closed port).

``--layer DIR`` runs the function against a built core layer instead of the checkout
(``DIR/python`` first on the path, ``-S``: no site-packages, so only what the layer ships
is importable, with the .pyc files the layer build compiled), under ``--python``, which
should be the Lambda runtime's version. The layer must be built for this machine's CPU:
``make -f layers/core/Makefile build-CoreLayer ARTIFACTS_DIR=/tmp/layer LAYER_ARCH=x86_64``
(``PYENV_VERSION=3.12.1`` where pyenv provides python3.12).

The layer ships compiled ``.pyc`` files (layers/core/Makefile), so the library and the
function are compiled once before the runs, as the layer build does; without that, a
checkout run with PYTHONDONTWRITEBYTECODE compiles every changed module on every start.
On a busy machine wall time mostly measures the wait for a core; CPU time much less so.
Results: bench/results/cold_start.json.
"""

from __future__ import annotations

import argparse
import compileall
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
FUNCTION_DIR = ROOT / "functions" / "router"
KEY = "sk-cold-start-bench"

# What Lambda itself sets. The trace header makes X-Ray record.
LAMBDA_ENV = {
    "AWS_LAMBDA_FUNCTION_NAME": "llm-router-RouterFunction-bench",
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.12",
    # X-Ray's SDK takes this as "in Lambda": the sampling decision is Lambda's then, and
    # no X-Ray API client is built at import (0.2 s more if it were).
    "LAMBDA_TASK_ROOT": str(FUNCTION_DIR),
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "1024",
    "AWS_REGION": "us-east-1",
    "AWS_XRAY_DAEMON_ADDRESS": "127.0.0.1:2000",
    "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;"
                        "Parent=53995c3f42cd8ad8;Sampled=1",
}
# Where template.yaml gives an intrinsic function (!Ref, !Sub), the value a stack would get;
# tables, bucket and the provider-keys prefix come from the local stack instead.
TEMPLATE_VALUES = {"POWERTOOLS_METRICS_NAMESPACE": "LLMRouter/bench",
                   "POWERTOOLS_LOG_LEVEL": "WARNING", "LLM_ROUTER_ENVIRONMENT": "prod"}


def template_env() -> dict[str, str]:
    """The router function's environment from template.yaml: Globals, then its own."""
    from llm_router_local.template import load_template

    template = load_template(ROOT / "template.yaml")
    merged: dict[str, object] = {}
    for section in (template.get("Globals", {}).get("Function", {}),
                    template["Resources"]["RouterFunction"].get("Properties", {})):
        merged.update(section.get("Environment", {}).get("Variables", {}))
    env = {k: v for k, v in merged.items() if isinstance(v, str) and v}
    env.update({k: v for k, v in TEMPLATE_VALUES.items() if k in merged})
    env.pop("TIKTOKEN_CACHE_DIR", None)  # /opt/python/...: the layer's path on Lambda
    return env

CHILD = """
import json, resource, sys, time
sys.path[:0] = {path!r}
import app  # the Lambda handler module: everything built at import
ready = time.time()
usage = resource.getrusage(resource.RUSAGE_SELF)
report = {{"ready": ready, "init_cpu": usage.ru_utime + usage.ru_stime}}
event = {event}
if event is not None:
    class Context:
        aws_request_id = "cold-start-bench-1"
        function_name = "llm-router-RouterFunction-bench"
        memory_limit_in_mb = 1024
        invoked_function_arn = "arn:aws:lambda:us-east-1:000000000000:function:bench"
        def get_remaining_time_in_millis(self):
            return 30000
    started, cpu = time.perf_counter(), time.process_time()
    response = app.handler(event, Context())
    report["first_wall"] = time.perf_counter() - started
    report["first_cpu"] = time.process_time() - cpu
    report["status"] = response["statusCode"]
    report["body"] = response["body"][:2000]
    report["headers"] = {{k: v for k, v in response["headers"].items()
                         if k.startswith("x-router")}}
print("COLD-START " + json.dumps(report), flush=True)
"""

# --phases: the steps of bootstrap.create_app_from_env called one by one, CPU seconds each
# (the same functions in the same order, inside llm_router.coldstart.lambda_init as
# functions/router/app.py runs them; build_services then does the rest).
PHASES_CHILD = """
import json, os, sys, time
sys.path[:0] = {path!r}
marks, clock = {{}}, time.process_time
def mark(name, since):
    now = clock()
    marks[name] = now - since
    return now
t = mark("interpreter start", 0.0)
try:
    from llm_router.coldstart import lambda_init
except ImportError:  # a layer built before it (--against)
    from contextlib import nullcontext as lambda_init
init = lambda_init()
init.__enter__()
from mangum import Mangum
import aiohttp
t = mark("import mangum (asyncio), aiohttp", t)
from llm_router import bootstrap as b
t = mark("import llm_router.bootstrap (starlette, pydantic, numpy, botocore, own modules)", t)
from llm_router.settings import RouterSettings
from llm_router.tokens import use_vendored_encodings
use_vendored_encodings(os.environ)
settings = RouterSettings()
tracer = b.tracer_from_env(os.environ)
t = mark("settings, X-Ray tracer", t)
catalog = b.resolve_secrets(b.load_catalog(settings.config_path), settings.provider_keys_prefix)
t = mark("catalog", t)
dynamodb = b.make_dynamodb_client(settings)
t = mark("DynamoDB client", t)
tiers = b.load_tier_picker(catalog)
t = mark("MiniLM embedder and classifier (tier picker)", t)
b.warm_encodings()
t = mark("o200k counter (its rank table)", t)
services = b.build_services(settings, http=b.UpstreamHttp(), catalog=catalog,
                            dynamodb=dynamodb, tiers=tiers, tracer=tracer)
t = mark("other services (cache and its S3 client, telemetry, HTTP client)", t)
handler = Mangum(b.create_app(services), lifespan="off")
init.__exit__(None, None, None)
t = mark("the app and its routes", t)
print("PHASES " + json.dumps(marks), flush=True)
"""


def phases_once(env: dict[str, str], layer: Path | None, python: str) -> dict[str, float]:
    path = [str(FUNCTION_DIR)] + ([str(layer / "python")] if layer else [])
    argv = [python, *(["-S"] if layer else []), "-c", PHASES_CHILD.format(path=path)]
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    lines = [x for x in done.stdout.splitlines() if x.startswith("PHASES ")]
    if done.returncode or not lines:
        raise SystemExit(f"phases run failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return dict(json.loads(lines[-1].removeprefix("PHASES ")))


def function_url_event(body: dict[str, Any], key: str) -> dict[str, Any]:
    """A Lambda Function URL (payload 2.0) POST, as Lambda hands it to the handler."""
    now = int(time.time() * 1000)
    return {
        "version": "2.0", "routeKey": "$default", "rawPath": "/v1/chat/completions",
        "rawQueryString": "", "cookies": [], "isBase64Encoded": False,
        "headers": {"authorization": f"Bearer {key}", "content-type": "application/json",
                    "host": "bench.lambda-url.us-east-1.on.aws", "user-agent": "cold-start"},
        "requestContext": {
            "accountId": "anonymous", "apiId": "bench", "domainName":
            "bench.lambda-url.us-east-1.on.aws", "domainPrefix": "bench",
            "requestId": "cold-start-bench-1", "routeKey": "$default", "stage": "$default",
            "time": "03/Dec/2026:07:00:00 +0000", "timeEpoch": now,
            "http": {"method": "POST", "path": "/v1/chat/completions",
                     "protocol": "HTTP/1.1", "sourceIp": "127.0.0.1", "userAgent": "cold-start"},
        },
        "body": json.dumps(body),
    }


FIRST_REQUEST = {
    "model": "auto",
    "messages": [{"role": "user", "content":
                  "My order arrived with a cracked screen. How do I get a replacement?"}],
}


def compile_sources() -> None:
    """What the layer build does (compileall), so no run pays for compiling."""
    for folder in (ROOT / "layers" / "core" / "llm_router", FUNCTION_DIR):
        compileall.compile_dir(str(folder), quiet=1, workers=0)


def run_once(env: dict[str, str], event: dict[str, Any] | None,
             layer: Path | None = None, python: str = sys.executable,
             function_dir: Path = FUNCTION_DIR) -> dict[str, Any]:
    path = [str(function_dir)] + ([str(layer / "python")] if layer else [])
    code = CHILD.format(path=path, event=repr(event))
    argv = [python, "-S", "-c", code] if layer else [python, "-c", code]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    spawned = time.time()
    done = subprocess.run(argv, env=env, capture_output=True, text=True, timeout=300)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    lines = [x for x in done.stdout.splitlines() if x.startswith("COLD-START ")]
    if done.returncode or not lines:
        raise SystemExit(f"run failed ({done.returncode}):\n{done.stdout[-3000:]}"
                         f"\n{done.stderr[-3000:]}")
    report: dict[str, Any] = json.loads(lines[-1].removeprefix("COLD-START "))
    report["init_wall"] = report.pop("ready") - spawned
    report["process_cpu"] = ((after.ru_utime - before.ru_utime)
                             + (after.ru_stime - before.ru_stime))
    if event is not None:
        if report["status"] != 200:
            raise SystemExit(f"first request answered {report['status']}: {report['body']}")
        answer = json.loads(report["body"])
        if not answer["choices"][0]["message"]["content"]:
            raise SystemExit(f"first request returned no answer: {report['body']}")
        if report["headers"].get("x-router-cache") != "miss":  # the full path, every time
            raise SystemExit(f"first request was not a cache miss: {report['headers']}")
    return report


def spread(values: list[float]) -> dict[str, float]:
    return {"min": round(min(values), 3), "median": round(statistics.median(values), 3),
            "max": round(max(values), 3)}


class Stack:
    """The upstream and the embedded store the first request talks to."""

    def __init__(self) -> None:
        sys.path.insert(0, str(ROOT / "bench"))
        from peer.gateways import start_upstream

        from llm_router.catalog import load_catalog
        from llm_router.settings import RouterSettings
        from llm_router_local.stack import LocalStack

        self.folder = tempfile.TemporaryDirectory(prefix="cold-start-")
        self.upstream = start_upstream()
        self.config = Path(self.folder.name) / "catalog.yaml"
        self.config.write_text(textwrap.dedent(f"""
            providers:
              testup: {{kind: openai, base_url: "{self.upstream.url}", api_key: upstream-key}}
            models:
              bench-model:
                provider: testup
                upstream_model: up-model
                input_per_mtok: 0.15
                output_per_mtok: 0.60
                tiers: [simple, moderate, complex, reasoning]
            cache: {{enabled: true}}
        """))
        os.environ.pop("LLM_ROUTER_AWS_ENDPOINT_URL", None)
        settings = RouterSettings(config_path=self.config)
        self.local = LocalStack.start(settings, load_catalog(self.config), simulate="off")
        self.keys = 0

    def new_tenant_key(self) -> str:
        """A key of a tenant of its own, so each run's request meets an empty cache and
        takes the whole path (embed, classify, upstream, settle); a real cold container
        may of course find entries other containers left."""
        from llm_router.keys import ApiKey, hash_key, key_id_of
        from llm_router.storage.dynamo import make_dynamodb_client
        from llm_router.storage.keys import DynamoKeyStore

        self.keys += 1
        key, settings = f"{KEY}-{self.keys}", self.local.settings
        DynamoKeyStore(make_dynamodb_client(settings), settings.keys_table).put(ApiKey(
            hash_key(key), key_id_of(hash_key(key)), f"cold-start-{self.keys}",
            "2026-12-03T00:00:00+00:00"))
        return key

    def env(self) -> dict[str, str]:
        settings = self.local.settings
        return {
            "LLM_ROUTER_CONFIG_PATH": str(self.config),
            "LLM_ROUTER_AWS_ENDPOINT_URL": str(settings.aws_endpoint_url),
            "LLM_ROUTER_BUCKET": str(settings.bucket),
            "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
        }

    def stop(self) -> None:
        self.local.stop()
        self.upstream.stop()
        self.folder.cleanup()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--init-only", action="store_true",
                        help="no stores, no request: init with the endpoint on a closed port")
    parser.add_argument("--phases", action="store_true",
                        help="also time init's steps one by one (CPU seconds, medians)")
    parser.add_argument("--layer", type=Path, help="a built core layer (ARTIFACTS_DIR)")
    parser.add_argument("--against", type=Path,
                        help="with --layer: another layer (e.g. built from an older commit) "
                             "whose runs (and phases runs) alternate with --layer's")
    parser.add_argument("--against-function", type=Path, default=FUNCTION_DIR,
                        help="with --against: the directory of the handler (app.py) its "
                             "runs import (default: the checkout's functions/router)")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter for the function (with --layer: Lambda's version)")
    args = parser.parse_args()
    if args.layer and not (args.layer / "python" / "llm_router").is_dir():
        raise SystemExit(f"{args.layer}/python/llm_router is missing: build the layer first")
    compile_sources()
    base_env = {k: v for k, v in os.environ.items() if not k.startswith("LLM_ROUTER_")}
    base_env.update(template_env())
    base_env.update(LAMBDA_ENV)
    if args.layer:
        base_env["TIKTOKEN_CACHE_DIR"] = str(args.layer / "python/llm_router/data/tiktoken")
    stack = None if args.init_only else Stack()
    try:
        if stack is None:
            env = {**base_env, "LLM_ROUTER_AWS_ENDPOINT_URL": "http://127.0.0.1:9",
                   "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
        else:
            env = {**base_env, **stack.env()}

        def once(layer: Path | None, function_dir: Path = FUNCTION_DIR) -> dict[str, Any]:
            event = function_url_event(FIRST_REQUEST, stack.new_tenant_key()) if stack else None
            return run_once(env, event, layer, args.python, function_dir)

        once(args.layer)  # warm the page cache, as a reused Lambda host would have it
        if args.against:
            once(args.against, args.against_function)
        baseline = [_interpreter_only(args.python) for _ in range(args.runs)]
        runs: list[dict[str, Any]] = []
        against_runs: list[dict[str, Any]] = []
        targets = [(args.layer, FUNCTION_DIR, runs, "")]
        if args.against:
            targets.append((args.against, args.against_function, against_runs, " (against)"))
        for i in range(args.runs):  # with --against, alternating: both see the same load
            for layer, function_dir, rows, label in targets:
                rows.append(once(layer, function_dir))
                r = rows[-1]
                first = (f", first request {r['first_wall']:.3f} s wall / "
                         f"{r['first_cpu']:.3f} s CPU" if stack else "")
                print(f"run {i + 1}/{args.runs}{label}: init {r['init_wall']:.3f} s wall / "
                      f"{r['init_cpu']:.3f} s CPU{first}", file=sys.stderr)
        phases: list[dict[str, float]] = []
        against: list[dict[str, float]] = []
        if args.phases:
            dead = {**base_env, "LLM_ROUTER_AWS_ENDPOINT_URL": "http://127.0.0.1:9",
                    "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x"}
            for _ in range(args.runs):  # alternating, so both see the same load
                phases.append(phases_once(dead, args.layer, args.python))
                if args.against:
                    against.append(phases_once(dead, args.against, args.python))
    finally:
        if stack:
            stack.stop()
    result: dict[str, Any] = {
        "runs": args.runs,
        "python": _version(args.python),
        "code": str(args.layer) if args.layer else "checkout (layers/core, .venv)",
        "load_average": [round(x, 2) for x in os.getloadavg()],
        **_timings(runs, stack is not None),
        "interpreter_only_s": {"median": round(statistics.median(baseline), 3)},
    }
    if stack is not None:
        result["first_request"] = {"request": FIRST_REQUEST,
                                   "router_headers": runs[-1]["headers"]}
    if against_runs:
        result["against_runs"] = _timings(against_runs, stack is not None)
    for key, rows in (("phases_cpu_s", phases), ("against_phases_cpu_s", against)):
        if rows:
            result[key] = {name: round(statistics.median(p[name] for p in rows), 3)
                           for name in rows[0]}
            result[key]["total"] = round(statistics.median(sum(p.values()) for p in rows), 3)
    if args.against:
        result["against"] = str(args.against)
    print(json.dumps(result, indent=2))
    name = "cold_start" + ("_layer" if args.layer else "") + (
        "_init_only" if args.init_only else "") + ".json"
    (ROOT / "bench" / "results" / name).write_text(json.dumps(result, indent=2) + "\n")


def _timings(runs: list[dict[str, Any]], requests: bool) -> dict[str, Any]:
    """init (and, with requests, first request and total): wall and CPU spreads."""
    out: dict[str, Any] = {"init_s": {"wall": spread([r["init_wall"] for r in runs]),
                                      "cpu": spread([r["init_cpu"] for r in runs])}}
    if requests:
        out["first_request_s"] = {"wall": spread([r["first_wall"] for r in runs]),
                                  "cpu": spread([r["first_cpu"] for r in runs])}
        out["total_s"] = {"wall": spread([r["init_wall"] + r["first_wall"] for r in runs]),
                          "cpu": spread([r["init_cpu"] + r["first_cpu"] for r in runs])}
    return out


def _interpreter_only(python: str) -> float:
    started = time.perf_counter()
    subprocess.run([python, "-c", "pass"], check=True)
    return time.perf_counter() - started


def _version(python: str) -> str:
    done = subprocess.run([python, "-c", "import sys; print(sys.version.split()[0])"],
                          capture_output=True, text=True, check=True)
    return done.stdout.strip()


if __name__ == "__main__":
    main()
