"""Amazon Bedrock Converse API <-> OpenAI chat completions. Pure: no boto3 here.

``converse_params`` builds the keyword arguments of boto3's ``bedrock-runtime``
``converse`` / ``converse_stream``; ``parse_response`` reads a ``converse`` result back;
``status_of`` gives a Bedrock error code the HTTP status the retry policy acts on.
``llm_router.providers.bedrock.client`` does the I/O (SigV4 through boto3).

Converse is close to Anthropic's Messages: a top-level system prompt, alternating turns,
tool results as blocks inside a user turn, and usage that reports cache reads and writes
*beside* ``inputTokens``. Images must be inline bytes (``data:`` URLs); Converse cannot
fetch a URL.
"""

from __future__ import annotations

import base64
import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import ConfigError, InvalidRequestError, UpstreamProtocolError
from llm_router.providers.wire import (
    alternating_turns,
    arr,
    count,
    data_url,
    obj,
    opt_str,
    tool_arguments,
)
from llm_router.schema import (
    AssistantMessage,
    ChatCompletion,
    ChatRequest,
    Choice,
    FinishReason,
    FunctionCall,
    ImagePart,
    Message,
    ResponseMessage,
    SystemMessage,
    TextPart,
    ToolCall,
    ToolMessage,
    Usage,
    text_of,
)

STOP_REASONS: dict[str, FinishReason] = {
    "end_turn": "stop",
    "stop_sequence": "stop",
    "max_tokens": "length",
    "model_context_window_exceeded": "length",
    "tool_use": "tool_calls",
    "guardrail_intervened": "content_filter",
    "content_filtered": "content_filter",
}

# Bedrock error codes -> the HTTP status the retry policy (resilience.retry) acts on.
# ModelNotReady (a model being loaded) and Throttling are "try again shortly": 429.
# ModelError / ModelStreamError (the model itself failed) are server-side: 502.
ERROR_STATUS: dict[str, int] = {
    "ThrottlingException": 429,
    "ModelNotReadyException": 429,
    "ServiceQuotaExceededException": 429,
    "ValidationException": 400,
    "ResourceNotFoundException": 404,
    "AccessDeniedException": 403,
    "UnrecognizedClientException": 401,
    "ExpiredTokenException": 401,
    "InvalidSignatureException": 401,
    "ModelTimeoutException": 408,
    "ModelErrorException": 502,
    "ModelStreamErrorException": 502,
    "InternalServerException": 500,
    "ServiceUnavailableException": 503,
}

# Cross-region inference profile ids start with the geography of the calling region
# ("us.anthropic.claude-..."). A catalog ``upstream_model`` may write ``{geo}.`` instead,
# so the same catalog works in any region: {geo} becomes the region's geography.
_GEOGRAPHIES = (("us-gov-", "us-gov"), ("us-", "us"), ("ca-", "us"), ("eu-", "eu"),
                ("ap-", "apac"))

_IMAGE_FORMATS = {"image/png": "png", "image/jpeg": "jpeg", "image/jpg": "jpeg",
                  "image/gif": "gif", "image/webp": "webp"}

Block = dict[str, Any]


def geography_of(region: str) -> str:
    for prefix, geo in _GEOGRAPHIES:
        if region.startswith(prefix):
            return geo
    raise ConfigError(f"no cross-region inference profile geography is known for region "
                      f"{region!r}; write the full model id in upstream_model")


def model_id(model: ModelConfig, provider: ProviderConfig) -> str:
    """The ``modelId`` sent: the catalog's upstream name, ``{geo}`` filled in."""
    upstream = model.upstream_model
    if "{geo}" in upstream:
        upstream = upstream.replace("{geo}", geography_of(provider.region or ""))
    return upstream


def status_of(code: str, http_status: int | None) -> int:
    """The status of a Bedrock error: by its code, else the HTTP status it came with."""
    if code in ERROR_STATUS:
        return ERROR_STATUS[code]
    return http_status if http_status and http_status >= 400 else 502


@dataclass  # not frozen, like the other adapters
class BedrockAdapter:
    kind: str = "bedrock"
    clock: Callable[[], float] = time.time

    def converse_params(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig
    ) -> dict[str, Any]:
        """Keyword arguments for ``converse`` (and ``converse_stream``: the same)."""
        params: dict[str, Any] = {
            "modelId": model_id(model, provider),
            "messages": messages_of(request.messages),
        }
        system = [{"text": text_of(m.content)} for m in request.messages
                  if isinstance(m, SystemMessage) and text_of(m.content)]
        if system:
            params["system"] = system
        inference: dict[str, Any] = {}
        limit = request.output_limit or model.max_output_tokens
        if limit:
            inference["maxTokens"] = limit
        if request.temperature is not None:
            # OpenAI accepts 0..2; Bedrock's models take 0..1: clamp rather than be refused.
            inference["temperature"] = min(request.temperature, 1.0)
        if request.top_p is not None:
            inference["topP"] = request.top_p
        if request.stop_list:
            inference["stopSequences"] = request.stop_list
        if inference:
            params["inferenceConfig"] = inference
        tools = tool_config_of(request)
        if tools:
            params["toolConfig"] = tools
        return params

    def parse_response(self, body: Any, model: ModelConfig, request_id: str) -> ChatCompletion:
        body = obj(body, "the response body")
        output = obj(body.get("output"), "output")
        message = obj(output.get("message"), "output.message")
        texts: list[str] = []
        calls: list[ToolCall] = []
        for i, raw in enumerate(arr(message.get("content"), "output.message.content")):
            block = obj(raw, f"content[{i}]")
            if "text" in block:
                texts.append(opt_str(block.get("text"), f"content[{i}].text") or "")
            elif "toolUse" in block:
                calls.append(_tool_call(obj(block["toolUse"], f"content[{i}].toolUse"), i))
            # reasoningContent, citations, guardContent: no OpenAI equivalent.
        reason = opt_str(body.get("stopReason"), "stopReason")
        finish: FinishReason = STOP_REASONS.get(reason or "", "stop")
        if calls and finish == "stop":
            finish = "tool_calls"
        text = "".join(texts)
        metadata = body.get("ResponseMetadata")
        rid = metadata.get("RequestId") if isinstance(metadata, dict) else None
        return ChatCompletion(
            id=f"bedrock-{rid or request_id}",
            created=int(self.clock()),
            model=model.name,
            choices=[
                Choice(
                    message=ResponseMessage(
                        content=text if text or not calls else None, tool_calls=calls or None
                    ),
                    finish_reason=finish,
                )
            ],
            usage=parse_usage(body.get("usage")),
        )


def messages_of(messages: list[Message]) -> list[dict[str, Any]]:
    """OpenAI messages as alternating Converse turns (system messages are left out)."""
    return alternating_turns(messages, _blocks)


def _blocks(message: Message, index: int) -> list[Block]:
    if isinstance(message, ToolMessage):
        result = text_of(message.content)
        return [{"toolResult": {"toolUseId": message.tool_call_id,
                                "content": [{"text": result or " "}]}}]
    if isinstance(message, AssistantMessage):
        blocks = _text(text_of(message.content) or message.refusal or "")
        where = f"messages[{index}].tool_calls"
        blocks += [
            {"toolUse": {"toolUseId": call.id, "name": call.function.name,
                         "input": tool_arguments(call.function.arguments, where)}}
            for call in message.tool_calls or []
        ]
        return blocks
    if isinstance(message.content, str):
        return _text(message.content)
    blocks = []
    for part in message.content:
        if isinstance(part, TextPart):
            blocks.extend(_text(part.text))
        elif isinstance(part, ImagePart):
            blocks.append({"image": _image(part.image_url.url, index)})
        else:
            raise InvalidRequestError(
                f"messages[{index}]: Bedrock Converse takes text and inline images only "
                "(no audio or files)", param="messages")
    return blocks


def _text(text: str) -> list[Block]:
    # Converse rejects blank text blocks.
    return [{"text": text}] if text.strip() else []


def _image(url: str, index: int) -> dict[str, Any]:
    inline = data_url(url)
    if inline is None:
        raise InvalidRequestError(
            f"messages[{index}]: Bedrock Converse cannot fetch image URLs; send the image "
            "inline as a base64 data: URL", param="messages")
    media_type, data = inline
    fmt = _IMAGE_FORMATS.get(media_type)
    if fmt is None:
        raise InvalidRequestError(
            f"messages[{index}]: image type {media_type!r} is not one Bedrock accepts "
            "(png, jpeg, gif, webp)", param="messages")
    return {"format": fmt, "source": {"bytes": base64.b64decode(data)}}


def tool_config_of(request: ChatRequest) -> dict[str, Any] | None:
    if not request.tools:
        return None
    config: dict[str, Any] = {"tools": [
        {"toolSpec": {
            "name": t.function.name,
            **({"description": t.function.description} if t.function.description else {}),
            "inputSchema": {"json": t.function.parameters or {"type": "object",
                                                              "properties": {}}},
        }}
        for t in request.tools
    ]}
    choice = request.tool_choice
    if choice == "required":
        config["toolChoice"] = {"any": {}}
    elif isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        config["toolChoice"] = {"tool": {"name": choice["function"].get("name")}}
    elif choice not in (None, "auto", "none"):
        raise InvalidRequestError(f"unsupported tool_choice {choice!r}", param="tool_choice")
    # "none": Converse has no such choice, and the tools must stay declared whenever the
    # history holds toolUse / toolResult blocks; the model is left to answer in text.
    return config


def _tool_call(block: Block, i: int) -> ToolCall:
    call_id = opt_str(block.get("toolUseId"), f"content[{i}].toolUse.toolUseId")
    name = opt_str(block.get("name"), f"content[{i}].toolUse.name")
    if not call_id or not name:
        raise UpstreamProtocolError(f"toolUse block content[{i}] lacks a toolUseId or a name")
    arguments = json.dumps(obj(block.get("input", {}), f"content[{i}].toolUse.input"))
    return ToolCall(id=call_id, function=FunctionCall(name=name, arguments=arguments))


def parse_usage(value: Any) -> Usage | None:
    """Converse usage: cache reads and writes are reported beside ``inputTokens``."""
    if value is None:
        return None
    usage = obj(value, "usage")
    read = count(usage.get("cacheReadInputTokens"), "usage.cacheReadInputTokens")
    write = count(usage.get("cacheWriteInputTokens"), "usage.cacheWriteInputTokens")
    uncached = count(usage.get("inputTokens"), "usage.inputTokens")
    return Usage.of(uncached + read + write, count(usage.get("outputTokens"),
                                                   "usage.outputTokens"),
                    cached=read, cache_write=write)
