"""Gemini ``models/{model}:generateContent`` <-> OpenAI chat completions.

Gemini names roles ``user``/``model``, carries the system prompt as
``systemInstruction``, and identifies a tool result by the *function name* rather than a
call id, so the name is looked up from the assistant turn that made the call. Gemini
function calls carry no id in most API versions: ids are generated from the request id.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from llm_router.catalog import ModelConfig, ProviderConfig
from llm_router.errors import InvalidRequestError, UpstreamProtocolError
from llm_router.providers.base import UpstreamRequest
from llm_router.providers.wire import (
    arr,
    count,
    data_url,
    generic_error_message,
    obj,
    opt_str,
    tool_arguments,
)
from llm_router.schema import (
    AssistantMessage,
    AudioPart,
    ChatCompletion,
    ChatRequest,
    Choice,
    FilePart,
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

FINISH_REASONS: dict[str, FinishReason] = {
    "STOP": "stop",
    "MAX_TOKENS": "length",
    "SAFETY": "content_filter",
    "RECITATION": "content_filter",
    "BLOCKLIST": "content_filter",
    "PROHIBITED_CONTENT": "content_filter",
    "SPII": "content_filter",
    "IMAGE_SAFETY": "content_filter",
}
_TOOL_MODES = {"auto": "AUTO", "none": "NONE", "required": "ANY"}

Part = dict[str, Any]


@dataclass  # not frozen: the ProviderAdapter protocol declares `kind` writable
class GeminiAdapter:
    kind: str = "gemini"
    clock: Callable[[], float] = time.time

    def build_request(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig
    ) -> UpstreamRequest:
        body: dict[str, Any] = {"contents": contents_of(request.messages)}
        system = "\n\n".join(
            text_of(m.content) for m in request.messages if isinstance(m, SystemMessage)
        )
        if system:
            body["systemInstruction"] = {"parts": [{"text": system}]}
        if request.tools:
            body["tools"] = [
                {
                    "functionDeclarations": [
                        {
                            "name": t.function.name,
                            **({"description": t.function.description}
                               if t.function.description else {}),
                            **({"parameters": t.function.parameters}
                               if t.function.parameters else {}),
                        }
                        for t in request.tools
                    ]
                }
            ]
            tool_config = tool_config_of(request.tool_choice)
            if tool_config:
                body["toolConfig"] = tool_config
        config = generation_config_of(request)
        if config:
            body["generationConfig"] = config
        headers = dict(provider.headers)
        redacted = dict(headers)
        if provider.api_key:
            headers["x-goog-api-key"] = provider.api_key
            redacted["x-goog-api-key"] = "***"
        url = f"{provider.base_url}/models/{model.upstream_model}:generateContent"
        return UpstreamRequest("POST", url, headers, body, redacted)

    def build_stream_request(
        self, request: ChatRequest, model: ModelConfig, provider: ProviderConfig
    ) -> UpstreamRequest:
        # alt=sse: one GenerateContentResponse per event, usageMetadata in the last ones.
        buffered = self.build_request(request, model, provider)
        url = buffered.url.removesuffix(":generateContent") + ":streamGenerateContent?alt=sse"
        return replace(buffered, url=url)

    def parse_response(self, body: Any, model: ModelConfig, request_id: str) -> ChatCompletion:
        body = obj(body, "the response body")
        candidates = arr(body.get("candidates", []), "candidates")
        if candidates:
            message, finish = _candidate(obj(candidates[0], "candidates[0]"), request_id)
        elif isinstance(body.get("promptFeedback"), dict) and body["promptFeedback"].get(
            "blockReason"
        ):
            # The prompt itself was blocked: no candidate is generated at all.
            message, finish = ResponseMessage(content=""), "content_filter"
        else:
            raise UpstreamProtocolError("the response has neither candidates nor a block reason")
        return ChatCompletion(
            id=opt_str(body.get("responseId"), "responseId") or f"gemini-{request_id}",
            created=int(self.clock()),
            model=model.name,
            choices=[Choice(message=message, finish_reason=finish)],
            usage=_usage(body.get("usageMetadata")),
        )

    def error_message(self, status: int, body: Any) -> str:
        # {"error": {"code": 429, "message": "...", "status": "RESOURCE_EXHAUSTED"}}
        if isinstance(body, list) and body:
            body = body[0]
        if isinstance(body, dict) and isinstance(body.get("error"), dict):
            error = body["error"]
            if isinstance(error.get("message"), str):
                prefix = f"{error['status']}: " if isinstance(error.get("status"), str) else ""
                return prefix + error["message"]
        return generic_error_message(status, body)


def contents_of(messages: list[Message]) -> list[dict[str, Any]]:
    """OpenAI messages as Gemini contents (system messages are left out)."""
    names: dict[str, str] = {}  # tool call id -> function name
    contents: list[dict[str, Any]] = []
    for index, message in enumerate(messages):
        if isinstance(message, SystemMessage):
            continue
        role = "model" if isinstance(message, AssistantMessage) else "user"
        parts = _parts(message, index, names)
        if not parts:
            continue
        if contents and contents[-1]["role"] == role:
            contents[-1]["parts"].extend(parts)
        else:
            contents.append({"role": role, "parts": parts})
    return contents


def _parts(message: Message, index: int, names: dict[str, str]) -> list[Part]:
    if isinstance(message, ToolMessage):
        name = names.get(message.tool_call_id)
        if name is None:
            raise InvalidRequestError(
                f"messages[{index}]: tool_call_id {message.tool_call_id!r} matches no earlier "
                "assistant tool call",
                param="messages",
            )
        return [{"functionResponse": {"name": name, "response": _response_object(message)}}]
    if isinstance(message, AssistantMessage):
        text = text_of(message.content)
        parts: list[Part] = [{"text": text}] if text else []
        for call in message.tool_calls or []:
            names[call.id] = call.function.name
            args = tool_arguments(call.function.arguments, f"messages[{index}].tool_calls")
            parts.append({"functionCall": {"name": call.function.name, "args": args}})
        return parts
    if isinstance(message.content, str):
        return [{"text": message.content}] if message.content else []
    parts = []
    for part in message.content:
        if isinstance(part, TextPart):
            parts.append({"text": part.text})
        elif isinstance(part, ImagePart):
            parts.append(_media(part.image_url.url, "image/jpeg"))
        elif isinstance(part, AudioPart):
            media_type = f"audio/{part.input_audio.format}"
            parts.append({"inlineData": {"mimeType": media_type, "data": part.input_audio.data}})
        elif isinstance(part, FilePart) and isinstance(part.file.get("file_data"), str):
            parts.append(_media(part.file["file_data"], "application/pdf"))
        else:
            raise InvalidRequestError(
                f"messages[{index}]: Gemini models accept no OpenAI file ids", param="messages"
            )
    return parts


def _media(url: str, guessed_type: str) -> Part:
    inline = data_url(url)
    if inline is None:
        # Only URLs Gemini can fetch itself (Files API, GCS, some public hosts) work here.
        return {"fileData": {"mimeType": guessed_type, "fileUri": url}}
    media_type, data = inline
    return {"inlineData": {"mimeType": media_type, "data": data}}


def _response_object(message: ToolMessage) -> dict[str, Any]:
    # functionResponse.response must be a JSON object; wrap anything else.
    text = text_of(message.content)
    try:
        value = json.loads(text)
    except ValueError:
        value = text
    return value if isinstance(value, dict) else {"result": value}


def tool_config_of(choice: str | dict[str, Any] | None) -> dict[str, Any] | None:
    if choice is None:
        return None
    if isinstance(choice, str) and choice in _TOOL_MODES:
        return {"functionCallingConfig": {"mode": _TOOL_MODES[choice]}}
    if isinstance(choice, dict) and isinstance(choice.get("function"), dict):
        name = choice["function"].get("name")
        return {"functionCallingConfig": {"mode": "ANY", "allowedFunctionNames": [name]}}
    raise InvalidRequestError(f"unsupported tool_choice {choice!r}", param="tool_choice")


def generation_config_of(request: ChatRequest) -> dict[str, Any]:
    config: dict[str, Any] = {}
    fields = {
        "temperature": request.temperature,
        "topP": request.top_p,
        "maxOutputTokens": request.output_limit,
        "seed": request.seed,
        "presencePenalty": request.presence_penalty,
        "frequencyPenalty": request.frequency_penalty,
    }
    config.update({k: v for k, v in fields.items() if v is not None})
    if request.stop_list:
        config["stopSequences"] = request.stop_list
    if request.response_format and request.response_format.get("type") in (
        "json_object",
        "json_schema",
    ):
        config["responseMimeType"] = "application/json"
    return config


def _candidate(candidate: dict[str, Any], request_id: str) -> tuple[ResponseMessage, FinishReason]:
    content = obj(candidate.get("content", {}), "candidates[0].content")
    texts: list[str] = []
    calls: list[ToolCall] = []
    for i, raw in enumerate(arr(content.get("parts", []), "candidates[0].content.parts")):
        part = obj(raw, f"candidates[0].content.parts[{i}]")
        if part.get("thought") is True:
            continue  # thought summaries are not part of the answer
        if "text" in part:
            texts.append(opt_str(part["text"], f"parts[{i}].text") or "")
        elif "functionCall" in part:
            calls.append(_tool_call(obj(part["functionCall"], f"parts[{i}].functionCall"),
                                    f"call_{request_id}_{len(calls)}"))
    reason = opt_str(candidate.get("finishReason"), "candidates[0].finishReason")
    finish: FinishReason = "tool_calls" if calls else FINISH_REASONS.get(reason or "", "stop")
    text = "".join(texts)
    message = ResponseMessage(content=text if text or not calls else None,
                              tool_calls=calls or None)
    return message, finish


def _tool_call(call: dict[str, Any], generated_id: str) -> ToolCall:
    name = opt_str(call.get("name"), "functionCall.name")
    if not name:
        raise UpstreamProtocolError("a functionCall part has no name")
    args = obj(call.get("args", {}), "functionCall.args")
    call_id = opt_str(call.get("id"), "functionCall.id") or generated_id
    return ToolCall(id=call_id, function=FunctionCall(name=name, arguments=json.dumps(args)))


def _usage(value: Any) -> Usage | None:
    if value is None:
        return None
    usage = obj(value, "usageMetadata")
    thoughts = count(usage.get("thoughtsTokenCount"), "usageMetadata.thoughtsTokenCount")
    # promptTokenCount already includes cachedContentTokenCount (OpenAI's convention);
    # thinking tokens are billed as output, so they join the completion count.
    return Usage.of(
        count(usage.get("promptTokenCount"), "usageMetadata.promptTokenCount"),
        count(usage.get("candidatesTokenCount"), "usageMetadata.candidatesTokenCount") + thoughts,
        cached=count(usage.get("cachedContentTokenCount"), "usageMetadata.cachedContentTokenCount"),
        reasoning=thoughts,
    )


# The stream transform (stream.py, beside this) reads usage exactly as the buffered path does.
parse_usage = _usage
