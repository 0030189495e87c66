"""Bedrock Converse adapter: request mapping, response parsing and error codes, no I/O."""

from __future__ import annotations

import base64
import json
from decimal import Decimal

import pytest
from botocore.exceptions import (
    ClientError,
    EndpointConnectionError,
    EventStreamError,
    NoCredentialsError,
    ReadTimeoutError,
)

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import (
    ConfigError,
    InvalidRequestError,
    UpstreamConnectionError,
    UpstreamProtocolError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.policies import RetryConfig
from llm_router.pricing import cost_of
from llm_router.providers.bedrock.adapter import BedrockAdapter, geography_of, model_id
from llm_router.providers.bedrock.client import translate
from llm_router.resilience.retry import next_step
from llm_router.schema import ChatRequest

ADAPTER = BedrockAdapter(clock=lambda: 1_700_000_000.0)
PROVIDER = ProviderConfig(name="bedrock", kind="bedrock", region="eu-central-1")
MODEL = ModelConfig(name="claude-bedrock", provider="bedrock",
                    upstream_model="{geo}.anthropic.claude-3-5-haiku-20241022-v1:0",
                    input_per_mtok=Decimal("0.80"), output_per_mtok=Decimal("4.00"),
                    cached_input_per_mtok=Decimal("0.08"), cache_write_per_mtok=Decimal("1.00"),
                    max_output_tokens=8192)
PNG = base64.b64encode(b"\x89PNG\r\n\x1a\nfake").decode()


def _request(**fields):
    return ChatRequest.model_validate(
        {"model": "m", "messages": [{"role": "user", "content": "hi"}], **fields})


def test_a_tool_conversation_maps_to_converse_params():
    request = _request(
        messages=[
            {"role": "system", "content": "Be brief."},
            {"role": "developer", "content": "Answer in English."},
            {"role": "user", "content": [
                {"type": "text", "text": "Where is order A123?"},
                {"type": "image_url", "image_url": {"url": f"data:image/png;base64,{PNG}"}},
            ]},
            {"role": "assistant", "content": None, "tool_calls": [
                {"id": "call_1", "type": "function",
                 "function": {"name": "lookup_order", "arguments": '{"order_id": "A123"}'}}]},
            {"role": "tool", "tool_call_id": "call_1", "content": '{"status": "shipped"}'},
            {"role": "user", "content": "And when does it arrive?"},
        ],
        tools=[{"type": "function", "function": {
            "name": "lookup_order", "description": "Find an order",
            "parameters": {"type": "object", "properties": {"order_id": {"type": "string"}}}}}],
        tool_choice="required", temperature=1.5, top_p=0.9, stop=["END"], max_tokens=300,
    )
    params = ADAPTER.converse_params(request, MODEL, PROVIDER)
    assert params == {
        "modelId": "eu.anthropic.claude-3-5-haiku-20241022-v1:0",
        "system": [{"text": "Be brief."}, {"text": "Answer in English."}],
        "messages": [
            {"role": "user", "content": [
                {"text": "Where is order A123?"},
                {"image": {"format": "png", "source": {"bytes": base64.b64decode(PNG)}}},
            ]},
            {"role": "assistant", "content": [
                {"toolUse": {"toolUseId": "call_1", "name": "lookup_order",
                             "input": {"order_id": "A123"}}}]},
            # The tool result and the next question merge into one user turn.
            {"role": "user", "content": [
                {"toolResult": {"toolUseId": "call_1",
                                "content": [{"text": '{"status": "shipped"}'}]}},
                {"text": "And when does it arrive?"},
            ]},
        ],
        "inferenceConfig": {"maxTokens": 300, "temperature": 1.0, "topP": 0.9,
                            "stopSequences": ["END"]},
        "toolConfig": {
            "tools": [{"toolSpec": {
                "name": "lookup_order", "description": "Find an order",
                "inputSchema": {"json": {"type": "object",
                                         "properties": {"order_id": {"type": "string"}}}}}}],
            "toolChoice": {"any": {}},
        },
    }


def test_max_tokens_defaults_to_the_catalog_limit_and_blank_text_is_dropped():
    request = _request(messages=[{"role": "user", "content": "  "},
                                 {"role": "user", "content": "hello"}])
    params = ADAPTER.converse_params(request, MODEL, PROVIDER)
    assert params["messages"] == [{"role": "user", "content": [{"text": "hello"}]}]
    assert params["inferenceConfig"] == {"maxTokens": 8192}
    assert "system" not in params and "toolConfig" not in params


@pytest.mark.parametrize(
    ("content", "match"),
    [
        ([{"type": "image_url", "image_url": {"url": "https://example.com/a.png"}}],
         "cannot fetch image URLs"),
        ([{"type": "image_url", "image_url": {"url": f"data:image/tiff;base64,{PNG}"}}],
         "image/tiff"),
        ([{"type": "input_audio", "input_audio": {"data": PNG, "format": "wav"}}], "no audio"),
    ],
)
def test_content_converse_cannot_take_is_a_400(content, match):
    request = _request(messages=[{"role": "user", "content": content}])
    with pytest.raises(InvalidRequestError, match=match):
        ADAPTER.converse_params(request, MODEL, PROVIDER)


@pytest.mark.parametrize(
    ("region", "geo"),
    [("us-east-1", "us"), ("us-west-2", "us"), ("eu-west-3", "eu"), ("ap-northeast-1", "apac"),
     ("us-gov-west-1", "us-gov")],
)
def test_inference_profile_geography_follows_the_region(region, geo):
    assert geography_of(region) == geo
    provider = PROVIDER.model_copy(update={"region": region})
    assert model_id(MODEL, provider) == f"{geo}.anthropic.claude-3-5-haiku-20241022-v1:0"


def test_an_unknown_geography_is_a_config_error_and_plain_ids_pass_through():
    with pytest.raises(ConfigError, match="sa-east-1"):
        geography_of("sa-east-1")
    plain = MODEL.model_copy(update={"upstream_model": "amazon.nova-micro-v1:0"})
    assert model_id(plain, PROVIDER) == "amazon.nova-micro-v1:0"


def test_a_response_with_tool_use_and_prompt_cache_is_parsed_and_priced(payload):
    completion = ADAPTER.parse_response(payload("bedrock_response_tool_use_cached"), MODEL, "r1")
    assert completion.id == "bedrock-5d1c3c54-2f6e-4d1e-9d7a-0c4d1d1b2a11"
    assert completion.model == "claude-bedrock"
    choice = completion.choices[0]
    assert choice.finish_reason == "tool_calls"
    assert choice.message.content == "Let me look that up."  # reasoning is not the answer
    call = choice.message.tool_calls[0]
    assert (call.id, call.function.name) == ("tooluse_kZJMlvQmRJ6eAyJE5GIl7Q", "lookup_order")
    assert json.loads(call.function.arguments) == {"order_id": "A123"}
    usage = completion.usage
    # Cache reads and writes are reported beside inputTokens: prompt = 12 + 2048 + 52.
    assert (usage.prompt_tokens, usage.completion_tokens) == (2112, 40)
    assert (usage.cached_tokens, usage.cache_write_tokens) == (2048, 52)
    expected = (12 * Decimal("0.80") + 2048 * Decimal("0.08") + 52 * Decimal("1.00")
                + 40 * Decimal("4.00")) / 1_000_000
    assert cost_of(usage, MODEL) == expected


@pytest.mark.parametrize(
    ("reason", "finish"),
    [("end_turn", "stop"), ("stop_sequence", "stop"), ("max_tokens", "length"),
     ("guardrail_intervened", "content_filter"), ("content_filtered", "content_filter"),
     ("something_new", "stop")],
)
def test_stop_reasons(reason, finish):
    body = {"output": {"message": {"role": "assistant", "content": [{"text": "x"}]}},
            "stopReason": reason, "usage": {"inputTokens": 1, "outputTokens": 1}}
    assert ADAPTER.parse_response(body, MODEL, "r").choices[0].finish_reason == finish


@pytest.mark.parametrize(
    "body",
    [
        {"output": {}},
        {"output": {"message": {"content": "text"}}},
        {"output": {"message": {"content": [{"toolUse": {"name": "x"}}]}}},
        {"output": {"message": {"content": [{"text": "x"}]}}, "usage": {"inputTokens": -1}},
    ],
)
def test_malformed_bodies_are_protocol_errors(body):
    with pytest.raises(UpstreamProtocolError):
        ADAPTER.parse_response(body, MODEL, "r")


def _client_error(code: str, status: int, operation: str = "Converse") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": f"{code} happened"},
                        "ResponseMetadata": {"HTTPStatusCode": status, "HTTPHeaders": {}}},
                       operation)


RETRY = RetryConfig()


@pytest.mark.parametrize(
    ("code", "http", "status", "client_status", "action"),
    [
        ("ThrottlingException", 429, 429, 502, "retry"),
        ("ModelNotReadyException", 429, 429, 502, "retry"),
        ("ValidationException", 400, 400, 400, "stop"),
        ("AccessDeniedException", 403, 403, 502, "failover"),
        ("ServiceUnavailableException", 503, 503, 502, "retry"),
        ("ModelTimeoutException", 408, 408, 502, "retry"),
        ("ModelErrorException", 424, 502, 502, "retry"),
        ("SomethingNewException", 418, 418, 502, "stop"),
    ],
)
def test_error_codes_map_to_statuses_the_retry_policy_acts_on(code, http, status,
                                                               client_status, action):
    error = translate(_client_error(code, http), PROVIDER, MODEL, 5.0)
    assert isinstance(error, UpstreamStatusError)
    assert error.upstream_status == status and error.status == client_status
    assert code in error.message and error.provider == "bedrock"
    assert next_step(error, 1, RETRY, time_left_s=30, rand=lambda: 0.0).action == action


def test_an_exception_inside_the_stream_is_mapped_by_its_code():
    # Stream exceptions arrive camelCased (the event type name): throttlingException.
    exc = EventStreamError({"Error": {"Code": "throttlingException", "Message": "slow down"}},
                           "ConverseStream")
    error = translate(exc, PROVIDER, MODEL, 5.0)
    assert isinstance(error, UpstreamStatusError) and error.upstream_status == 429


def test_transport_failures_are_translated():
    timeout = translate(ReadTimeoutError(endpoint_url="https://x"), PROVIDER, MODEL, 5.0)
    assert isinstance(timeout, UpstreamTimeoutError)
    down = translate(EndpointConnectionError(endpoint_url="https://x"), PROVIDER, MODEL, 5.0)
    assert isinstance(down, UpstreamConnectionError)
    creds = translate(NoCredentialsError(), PROVIDER, MODEL, 5.0)
    assert isinstance(creds, UpstreamStatusError) and creds.upstream_status == 401
    assert translate(KeyError("x"), PROVIDER, MODEL, 5.0) is None


def test_bedrock_needs_a_region_to_count_as_configured_and_others_need_a_base_url():
    assert PROVIDER.configured
    assert not PROVIDER.model_copy(update={"region": None}).configured
    with pytest.raises(ValueError, match="base_url"):
        ProviderConfig(name="x", kind="openai")
