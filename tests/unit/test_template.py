"""template.yaml against the code that depends on it: tables, layer, streaming, security.

template.yaml is the source of truth for the tables; ``llm_router.storage.tables`` mirrors
it for the code. These tests fail when the two drift, and guard the properties a deploy
must keep (layer everywhere, streaming relay, private bucket, no secrets, no wildcards).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any, get_args

import pytest

from llm_router.catalog import parse_catalog
from llm_router.settings import BenchmarkSettings, RouterSettings
from llm_router.storage.tables import (
    ALL_TABLES,
    BUCKET_ENV_VAR,
    BUCKET_LOGICAL_ID,
    TableSpec,
    create_table_args,
)
from llm_router.telemetry import DIMENSION_SETS, FREE_TIER_METRIC, OUTBOX_METRICS
from llm_router_local.benchmark.results import METRICS as BENCHMARK_METRICS
from llm_router_local.benchmark.results import SERVICE as BENCHMARK_SERVICE
from llm_router_local.template import load_template, resources_of_type, table_definitions

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_PATH = ROOT / "template.yaml"


@pytest.fixture(scope="module")
def template() -> dict[str, Any]:
    return load_template(TEMPLATE_PATH)


@pytest.fixture(scope="module")
def functions(template: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return resources_of_type(template, "AWS::Serverless::Function")


def effective_env(template: dict[str, Any], function: dict[str, Any]) -> dict[str, Any]:
    """Environment of a function after SAM merges Globals into it (maps merge by key)."""
    globals_env = template["Globals"]["Function"].get("Environment", {}).get("Variables", {})
    own = function["Properties"].get("Environment", {}).get("Variables", {})
    return {**globals_env, **own}


def effective_layers(template: dict[str, Any], function: dict[str, Any]) -> list[Any]:
    """Layers after SAM merges Globals (global list first, then the function's)."""
    return [
        *template["Globals"]["Function"].get("Layers", []),
        *function["Properties"].get("Layers", []),
    ]


def key_schema(spec: TableSpec) -> list[dict[str, str]]:
    keys = [{"AttributeName": spec.partition_key, "KeyType": "HASH"}]
    if spec.sort_key:
        keys.append({"AttributeName": spec.sort_key, "KeyType": "RANGE"})
    return keys


# --------------------------------------------------------------------------- tables


def test_loader_keeps_intrinsics_unevaluated(template: dict[str, Any]) -> None:
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["LLM_ROUTER_KEYS_TABLE"] == {"Ref": "KeysTable"}
    assert env["POWERTOOLS_METRICS_NAMESPACE"] == {"Fn::Sub": "LLMRouter/${Stage}"}
    outputs = template["Outputs"]
    assert outputs["RouterUrl"]["Value"] == {"Fn::GetAtt": ["RouterFunctionUrl", "FunctionUrl"]}


def test_template_defines_exactly_the_mirrored_tables(template: dict[str, Any]) -> None:
    defined = {t["logical_id"] for t in table_definitions(template)}
    assert defined == {spec.logical_id for spec in ALL_TABLES}


@pytest.mark.parametrize("spec", ALL_TABLES, ids=lambda s: s.logical_id)
def test_table_matches_its_mirror(template: dict[str, Any], spec: TableSpec) -> None:
    table = {t["logical_id"]: t for t in table_definitions(template)}[spec.logical_id]
    create = table["create_table"]
    assert create["KeySchema"] == key_schema(spec)
    # Every key is a string; only key attributes may be declared (CloudFormation rule).
    declared = {a["AttributeName"]: a["AttributeType"] for a in create["AttributeDefinitions"]}
    assert declared == {k["AttributeName"]: "S" for k in key_schema(spec)}
    assert table["ttl_attribute"] == spec.ttl_attribute
    assert create["BillingMode"] == "PAY_PER_REQUEST"


def test_tables_created_from_the_mirror_equal_the_templates() -> None:
    # The benchmark runner's in-process store creates its tables from the mirror.
    by_id = {t["logical_id"]: t for t in table_definitions(load_template(TEMPLATE_PATH))}
    for spec in ALL_TABLES:
        assert create_table_args(spec) == by_id[spec.logical_id]["create_table"]
        assert spec.ttl_attribute == by_id[spec.logical_id]["ttl_attribute"]


@pytest.mark.parametrize("spec", ALL_TABLES, ids=lambda s: s.logical_id)
def test_table_is_on_demand_and_encrypted(template: dict[str, Any], spec: TableSpec) -> None:
    props = template["Resources"][spec.logical_id]["Properties"]
    assert props["BillingMode"] == "PAY_PER_REQUEST"
    assert props["SSESpecification"] == {"SSEEnabled": True}


def test_ledger_has_point_in_time_recovery(template: dict[str, Any]) -> None:
    props = template["Resources"]["LedgerTable"]["Properties"]
    assert props["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


@pytest.mark.parametrize("spec", ALL_TABLES, ids=lambda s: s.logical_id)
def test_every_function_gets_each_table_name(
    template: dict[str, Any], functions: dict[str, dict[str, Any]], spec: TableSpec
) -> None:
    for name, function in functions.items():
        env = effective_env(template, function)
        assert env.get(spec.env_var) == {"Ref": spec.logical_id}, name


def test_every_function_gets_the_bucket_name(
    template: dict[str, Any], functions: dict[str, dict[str, Any]]
) -> None:
    assert template["Resources"][BUCKET_LOGICAL_ID]["Type"] == "AWS::S3::Bucket"
    for name, function in functions.items():
        assert effective_env(template, function).get(BUCKET_ENV_VAR) == {
            "Ref": BUCKET_LOGICAL_ID
        }, name


# --------------------------------------------------------------------------- functions


def test_the_functions_exist(functions: dict[str, dict[str, Any]]) -> None:
    assert set(functions) == {
        "RouterFunction",
        "StreamRelayFunction",
        "BenchmarkRunnerFunction",
        "AlertCheckerFunction",
    }


def test_runtime_and_architecture_come_from_globals(template: dict[str, Any]) -> None:
    globals_fn = template["Globals"]["Function"]
    assert globals_fn["Runtime"] == "python3.12"
    assert globals_fn["Architectures"] == [{"Ref": "Architecture"}]
    layer = template["Resources"]["CoreLayer"]["Properties"]
    assert layer["CompatibleArchitectures"] == [{"Ref": "Architecture"}]
    assert layer["CompatibleRuntimes"] == ["python3.12"]
    assert template["Resources"]["CoreLayer"]["Metadata"]["BuildMethod"] == "makefile"


def test_every_function_has_the_core_layer(
    template: dict[str, Any], functions: dict[str, dict[str, Any]]
) -> None:
    for name, function in functions.items():
        assert {"Ref": "CoreLayer"} in effective_layers(template, function), name


def test_tiktoken_reads_the_encodings_shipped_in_the_layer(template: dict[str, Any]) -> None:
    env = template["Globals"]["Function"]["Environment"]["Variables"]
    assert env["TIKTOKEN_CACHE_DIR"] == "/opt/python/llm_router/data/tiktoken"


@pytest.mark.parametrize("var", ["OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"])
def test_numpy_uses_one_thread_in_every_function(
    template: dict[str, Any], functions: dict[str, dict[str, Any]], var: str
) -> None:
    """Spinning BLAS threads on a one-vCPU function slow every embedding (the CLI sets
    the same before numpy loads: llm_router_local/cli/__init__.py)."""
    for name, function in functions.items():
        assert effective_env(template, function).get(var) == "1", name


def test_router_is_buffered_behind_a_public_url(functions: dict[str, dict[str, Any]]) -> None:
    props = functions["RouterFunction"]["Properties"]
    assert props["Handler"] == "app.handler"
    assert props["FunctionUrlConfig"] == {"AuthType": "NONE", "InvokeMode": "BUFFERED"}


def test_stream_relay_streams_through_the_web_adapter(
    template: dict[str, Any], functions: dict[str, dict[str, Any]]
) -> None:
    relay = functions["StreamRelayFunction"]
    props = relay["Properties"]
    assert props["FunctionUrlConfig"]["InvokeMode"] == "RESPONSE_STREAM"
    assert props["Handler"] == "run.sh"
    env = effective_env(template, relay)
    assert env["AWS_LAMBDA_EXEC_WRAPPER"] == "/opt/bootstrap"
    assert env["AWS_LWA_INVOKE_MODE"] == "response_stream"
    assert env["AWS_LWA_READINESS_CHECK_PATH"] == "/health"
    # One adapter ARN per architecture, picked by the Architecture parameter.
    adapter = json.dumps(effective_layers(template, relay))
    assert "IsArm64" in adapter
    assert re.search(r"753240598075:layer:LambdaAdapterLayerArm64:\d+", adapter)
    assert re.search(r"753240598075:layer:LambdaAdapterLayerX86:\d+", adapter)


def test_stream_relay_script_is_executable_and_serves_the_app_factory() -> None:
    script = ROOT / "functions" / "stream_relay" / "run.sh"
    assert os.access(script, os.X_OK)
    text = script.read_text()
    assert "--factory llm_router.coldstart:relay_app" in text
    assert "/opt/python" in text


def test_scheduled_functions_have_schedules(functions: dict[str, dict[str, Any]]) -> None:
    for name in ("BenchmarkRunnerFunction", "AlertCheckerFunction"):
        events = functions[name]["Properties"]["Events"]
        assert {e["Type"] for e in events.values()} == {"Schedule"}, name
    batch = functions["BenchmarkRunnerFunction"]["Properties"]["Events"]
    assert {json.loads(e["Properties"]["Input"])["job"] for e in batch.values()} == {
        "benchmark", "cache-snapshots"}
    alert_events = functions["AlertCheckerFunction"]["Properties"]["Events"]
    assert next(iter(alert_events.values()))["Properties"]["Schedule"] == "rate(5 minutes)"


def test_every_function_logs_to_a_log_group_with_retention(
    template: dict[str, Any], functions: dict[str, dict[str, Any]]
) -> None:
    for name, function in functions.items():
        ref = function["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
        group = template["Resources"][ref]
        assert group["Type"] == "AWS::Logs::LogGroup", name
        assert "RetentionInDays" in group["Properties"], name


# --------------------------------------------------------------------------- security


def test_bucket_is_private_encrypted_versioned_and_tls_only(template: dict[str, Any]) -> None:
    props = template["Resources"][BUCKET_LOGICAL_ID]["Properties"]
    assert props["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True,
        "BlockPublicPolicy": True,
        "IgnorePublicAcls": True,
        "RestrictPublicBuckets": True,
    }
    assert props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    policies = resources_of_type(template, "AWS::S3::BucketPolicy").values()
    statements = [s for p in policies for s in p["Properties"]["PolicyDocument"]["Statement"]]
    assert any(
        s["Effect"] == "Deny"
        and s.get("Condition", {}).get("Bool", {}).get("aws:SecureTransport") == "false"
        for s in statements
    )


def iam_statements(template: dict[str, Any]) -> list[dict[str, Any]]:
    """Every inline function statement and every managed-policy statement in the template."""
    found: list[dict[str, Any]] = []
    for function in resources_of_type(template, "AWS::Serverless::Function").values():
        for policy in function["Properties"].get("Policies", []):
            # A policy behind a condition (Fn::If): both branches.
            branches = policy["Fn::If"][1:] if isinstance(policy, dict) and \
                "Fn::If" in policy else [policy]
            for branch in branches:
                if isinstance(branch, dict) and "Statement" in branch:
                    found.extend(branch["Statement"])
    for policy in resources_of_type(template, "AWS::IAM::ManagedPolicy").values():
        found.extend(policy["Properties"]["PolicyDocument"]["Statement"])
    # Statements behind a condition: check both branches.
    flat: list[dict[str, Any]] = []
    for statement in found:
        if "Fn::If" in statement:
            flat.extend(s for s in statement["Fn::If"][1:] if "Effect" in s)
        else:
            flat.append(statement)
    return flat


def test_no_iam_wildcards(template: dict[str, Any]) -> None:
    statements = iam_statements(template)
    assert statements
    for statement in statements:
        actions = statement["Action"]
        for action in [actions] if isinstance(actions, str) else actions:
            assert "*" not in action, statement.get("Sid")
        assert statement["Resource"] != "*", statement.get("Sid")


def test_api_keys_are_read_one_by_one_or_projected_to_tenants(template: dict[str, Any]) -> None:
    for statement in iam_statements(template):
        if "KeysTable" not in json.dumps(statement["Resource"]):
            continue
        if statement["Action"] == "dynamodb:Scan":
            attributes = statement["Condition"]["ForAllValues:StringEquals"]
            assert attributes["dynamodb:Attributes"] == ["key_hash", "tenant_id"]
        else:
            assert statement["Action"] == "dynamodb:GetItem", statement.get("Sid")


SECRET_PATTERNS = [
    re.compile(r"\bsk-[A-Za-z0-9_-]{8,}"),  # OpenAI-style keys
    re.compile(r"\bsk-ant-[A-Za-z0-9_-]+"),  # Anthropic keys
    re.compile(r"\bAIza[0-9A-Za-z_-]{30,}"),  # Google API keys
    re.compile(r"\bAKIA[0-9A-Z]{16}\b"),  # AWS access key ids
    re.compile(r"hooks\.slack\.com/services/"),  # Slack webhook URLs
    re.compile(r"api_key\s*[:=]\s*['\"]?[A-Za-z0-9]"),  # any literal api_key value
]
SECRET_NAME = re.compile(r"(^|_)(KEY|SECRET|TOKEN|PASSWORD|WEBHOOK)(_|$)", re.IGNORECASE)


def test_no_secret_literals_in_the_template(
    template: dict[str, Any], functions: dict[str, dict[str, Any]]
) -> None:
    text = TEMPLATE_PATH.read_text()
    for pattern in SECRET_PATTERNS:
        assert not pattern.search(text), pattern.pattern
    # Secret-sounding variables may only carry references (names of tables, SSM paths).
    for name, function in functions.items():
        for var, value in effective_env(template, function).items():
            if SECRET_NAME.search(var):
                assert not isinstance(value, str), f"{name}: {var} is a literal"


def test_secret_scanner_would_catch_a_key() -> None:
    assert any(p.search("OPENAI_API_KEY: sk-proj-abcdefghijkl") for p in SECRET_PATTERNS)
    assert any(p.search("api_key: hunter2") for p in SECRET_PATTERNS)


def test_alarms_notify_the_alerts_topic(template: dict[str, Any]) -> None:
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm")
    assert alarms
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlertsTopic"}], name


def test_outputs_expose_the_endpoints_and_storage(template: dict[str, Any]) -> None:
    assert {
        "RouterUrl",
        "StreamUrl",
        "KeysTableName",
        "LedgerTableName",
        "CountersTableName",
        "CacheTableName",
        "DataBucketName",
        "AlertsTopicArn",
    } <= set(template["Outputs"])


# --------------------------------------------------------------------------- events


EVENTS = sorted((ROOT / "events").glob("*.json"))


@pytest.mark.parametrize("path", EVENTS, ids=lambda p: p.name)
def test_sample_events_are_well_formed(path: Path) -> None:
    event = json.loads(path.read_text())
    if path.name == "schedule.json":
        assert event["source"] == "aws.events"
        assert event["detail-type"] == "Scheduled Event"
        return
    # Lambda function URL payload, format 2.0.
    assert event["version"] == "2.0"
    assert event["rawPath"] == event["requestContext"]["http"]["path"]
    assert event["requestContext"]["http"]["method"] in {"GET", "POST"}
    assert isinstance(event["isBase64Encoded"], bool)
    assert all(k == k.lower() for k in event["headers"])  # function URLs lower-case them


def test_only_the_batch_function_writes_cache_snapshots(template: dict[str, Any]) -> None:
    """The router reads snapshots and cache entries; the scheduled job alone writes S3."""
    router = template["Resources"]["RouterDataAccessPolicy"]["Properties"]["PolicyDocument"]
    by_sid = {s["Sid"]: s for s in router["Statement"]}
    assert by_sid["CacheSnapshots"]["Action"] == "s3:GetObject"
    assert by_sid["ResponseCache"]["Resource"] == {"Fn::GetAtt": ["CacheTable", "Arn"]}
    job = template["Resources"]["BenchmarkRunnerFunction"]["Properties"]["Policies"][0]
    actions = {a for s in job["Statement"] for a in
               ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    assert actions == {"dynamodb:Query", "dynamodb:Scan", "s3:GetObject", "s3:PutObject",
                       "s3:ListBucket"}


def test_environment_parameter_sets_the_routing_weights_every_function_reads(
    template: dict[str, Any], functions: dict[str, dict[str, Any]]
) -> None:
    allowed = template["Parameters"]["Environment"]["AllowedValues"]
    annotation = RouterSettings.model_fields["environment"].annotation
    assert set(allowed) == set(get_args(annotation))
    assert set(allowed) == set(parse_catalog({}).routing.environments)
    for name, function in functions.items():
        assert effective_env(template, function)["LLM_ROUTER_ENVIRONMENT"] == \
            {"Ref": "Environment"}, name


def test_bedrock_is_granted_only_with_a_region(template: dict[str, Any]) -> None:
    policy = template["Resources"]["BedrockInvokePolicy"]
    assert policy["Condition"] == "HasBedrock"
    (statement,) = policy["Properties"]["PolicyDocument"]["Statement"]
    assert set(statement["Action"]) == {"bedrock:InvokeModel",
                                        "bedrock:InvokeModelWithResponseStream"}
    router = template["Resources"]["RouterFunction"]["Properties"]["Policies"]
    assert {"Fn::If": ["HasBedrock", {"Ref": "BedrockInvokePolicy"}, {"Ref": "AWS::NoValue"}]} \
        in router


# --------------------------------------------------------------------------- observability

EMITTED = {name for _, names in DIMENSION_SETS for name in names} | {FREE_TIER_METRIC} | set(
    BENCHMARK_METRICS) | set(OUTBOX_METRICS)
REQUEST_ALARMS = ("ServerErrorRateAlarm", "LatencyP95Alarm", "DailyCostAlarm")


def dashboard_text(template: dict[str, Any]) -> str:
    text, variables = template["Resources"]["Dashboard"]["Properties"]["DashboardBody"][
        "Fn::Sub"]
    assert variables == {"Namespace": {"Fn::Sub": "LLMRouter/${Stage}"}}
    return text


def dashboard_widgets(template: dict[str, Any]) -> list[dict[str, Any]]:
    # ${...} are CloudFormation substitutions; any placeholder keeps the JSON valid.
    return json.loads(re.sub(r"\$\{[^}]+\}", "X", dashboard_text(template)))["widgets"]


def test_dashboard_answers_the_operators_questions(template: dict[str, Any]) -> None:
    titles = " | ".join(w["properties"]["title"] for w in dashboard_widgets(template)).lower()
    for needed in ("cost per day", "by model", "requests", "cache hit rate", "savings",
                   "p95", "added", "errors by class", "failovers", "provider health",
                   "free tiers used", "daily benchmark: quality",
                   "savings against each baseline"):
        assert needed in titles, needed


def test_dashboard_and_alarms_name_only_metrics_the_code_emits(
    template: dict[str, Any]
) -> None:
    text = dashboard_text(template)
    named = set(re.findall(r'MetricName=\\"(\w+)\\"', text))
    named |= set(re.findall(r'\["\$\{Namespace\}", "(\w+)"', text))
    for alarm in resources_of_type(template, "AWS::CloudWatch::Alarm").values():
        props = alarm["Properties"]
        stats = [props] + [m["MetricStat"]["Metric"] for m in props.get("Metrics", [])
                           if "MetricStat" in m]
        for stat in stats:
            if stat.get("Namespace") == {"Fn::Sub": "LLMRouter/${Stage}"}:
                named.add(stat["MetricName"])
                # The router's metrics, or the benchmark's under its own service.
                service = BENCHMARK_SERVICE if stat["MetricName"] in BENCHMARK_METRICS \
                    else "llm-router"
                assert stat["Dimensions"][0] == {"Name": "service", "Value": service}
                assert stat["Dimensions"][1:] in ([], [{"Name": "Baseline",
                                                         "Value": "always-strongest"}])
    assert {"Requests", "ServerErrors", "LatencyMs", "CostUSD", "FreeTierUsedPct"} <= named
    assert named <= EMITTED, named - EMITTED


def test_every_alarm_notifies_the_topic_and_shows_on_the_dashboard(
    template: dict[str, Any]
) -> None:
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm")
    assert set(REQUEST_ALARMS) <= set(alarms)
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "AlertsTopic"}], name
        assert f"${{{name}.Arn}}" in dashboard_text(template), name


def test_tracing_is_on_and_the_checker_links_the_dashboard(
    template: dict[str, Any], functions: dict[str, dict[str, Any]]
) -> None:
    assert template["Globals"]["Function"]["Tracing"] == "Active"
    env = effective_env(template, functions["AlertCheckerFunction"])
    assert "dashboards:name=llm-router-${Stage}" in env["LLM_ROUTER_DASHBOARD_URL"]["Fn::Sub"]
    assert effective_env(template, functions["RouterFunction"])["LLM_ROUTER_REQUEST_LOG"] == (
        "true")
    # The relay traces too, from the web adapter's per-request header (llm_router.tracing).
    relay = effective_env(template, functions["StreamRelayFunction"])
    assert relay["LLM_ROUTER_TRACE_FROM_HEADER"] == "true"
    assert "POWERTOOLS_TRACE_DISABLED" not in relay


# --------------------------------------------------------------------------- benchmark


def benchmark_function(template: dict[str, Any]) -> dict[str, Any]:
    return template["Resources"]["BenchmarkRunnerFunction"]["Properties"]


def test_the_benchmark_runs_daily_on_the_simulator_unless_told_otherwise(
    template: dict[str, Any]
) -> None:
    props = benchmark_function(template)
    daily = props["Events"]["Daily"]["Properties"]
    assert daily["Schedule"] == "cron(0 3 * * ? *)"
    assert json.loads(daily["Input"]) == {"job": "benchmark"}
    upstream = template["Parameters"]["BenchmarkUpstream"]
    assert upstream["Default"] == "simulator"  # a daily bench on paid providers costs money
    assert set(upstream["AllowedValues"]) == set(
        get_args(BenchmarkSettings.model_fields["benchmark_upstream"].annotation))
    env = effective_env(template, {"Properties": props})
    assert env["LLM_ROUTER_BENCHMARK_UPSTREAM"] == {"Ref": "BenchmarkUpstream"}
    assert env["LLM_ROUTER_BENCHMARK_REQUESTS"] == {"Ref": "BenchmarkRequests"}
    assert env["LLM_ROUTER_BENCHMARK_PREFIX"] == "benchmarks/"
    assert props["Timeout"] == 900 and props["EventInvokeConfig"]["MaximumRetryAttempts"] == 0


def test_the_benchmark_may_write_only_its_prefix_and_read_keys_only_when_live(
    template: dict[str, Any]
) -> None:
    policies = benchmark_function(template)["Policies"]
    always = [s for p in policies if "Statement" in p for s in p["Statement"]]
    results = next(s for s in always if s["Sid"] == "BenchmarkResults")
    assert set(results["Action"]) == {"s3:GetObject", "s3:PutObject"}
    assert results["Resource"] == {"Fn::Sub": "${DataBucket.Arn}/benchmarks/*"}
    actions = {a for s in always for a in
               ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])}
    # No DynamoDB write: the bench replays on its own in-process store, never the stack's.
    assert {a for a in actions if a.startswith("dynamodb:")} == {"dynamodb:Query",
                                                                 "dynamodb:Scan"}
    assert not any(a.startswith("ssm:") for a in actions)
    (conditional,) = [p["Fn::If"] for p in policies if "Fn::If" in p]
    assert conditional[0] == "BenchmarkIsLive" and conditional[2] == {"Ref": "AWS::NoValue"}
    assert {s["Sid"] for s in conditional[1]["Statement"]} == {"ListProviderKeys",
                                                               "ReadProviderKeys"}
    assert template["Conditions"]["BenchmarkIsLive"] == {
        "Fn::Equals": [{"Ref": "BenchmarkUpstream"}, "live"]}


def test_benchmark_alarms_fire_on_accuracy_savings_and_regressions(
    template: dict[str, Any]
) -> None:
    alarms = resources_of_type(template, "AWS::CloudWatch::Alarm")
    accuracy = alarms["BenchmarkAccuracyAlarm"]["Properties"]
    assert accuracy["MetricName"] == "BenchmarkTierAccuracy"
    assert accuracy["Threshold"] == {"Ref": "BenchmarkMinTierAccuracyPct"}
    assert accuracy["ComparisonOperator"] == "LessThanThreshold"
    savings = alarms["BenchmarkSavingsAlarm"]["Properties"]
    assert savings["MetricName"] == "BenchmarkSavingsPct"
    assert {"Name": "Baseline", "Value": "always-strongest"} in savings["Dimensions"]
    assert savings["Threshold"] == {"Ref": "BenchmarkMinSavingsPct"}
    regression = alarms["BenchmarkRegressionAlarm"]["Properties"]
    named = {m["MetricStat"]["Metric"]["MetricName"] for m in regression["Metrics"]
             if "MetricStat" in m}
    assert named == {"BenchmarkRegressions", "BenchmarkErrors"}
    assert regression["Threshold"] == 1
    for alarm in (accuracy, savings, regression):
        periods = [alarm.get("Period")] + [m["MetricStat"]["Period"]
                                           for m in alarm.get("Metrics", []) if "MetricStat" in m]
        assert {p for p in periods if p} == {86400}  # one datapoint a day
