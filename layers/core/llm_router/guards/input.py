"""The input guard: sanitise user and tool text, then look for prompt injection.

System and developer messages are the operator's and pass untouched; user messages and
tool results carry text from people and pages the operator does not control.
"""

from __future__ import annotations

from typing import Any

from llm_router.errors import InvalidRequestError
from llm_router.guards.actions import GuardAction
from llm_router.guards.config import GuardPolicy
from llm_router.guards.injection import injection_signals
from llm_router.guards.sanitize import sanitize
from llm_router.schema import ChatRequest, TextPart, ToolMessage, UserMessage

_UNTRUSTED = (UserMessage, ToolMessage)


class PromptInjectionError(InvalidRequestError):
    code = "prompt_injection_detected"

    def __init__(self, action: GuardAction):
        super().__init__(
            f"This request looks like a prompt injection attempt ({action.detail}) and this "
            "router is set to refuse those (guards.injection: block).", param="messages")
        self.action = action

    def headers(self) -> dict[str, str]:
        return {"x-router-guard": str(self.action)}


def guard_input(request: ChatRequest, policy: GuardPolicy) -> tuple[ChatRequest, list[GuardAction]]:
    """The request as it goes upstream, and what was done to it (``refuse_blocked``
    turns an ``injection=blocked`` action into the 400)."""
    if policy.input == "off" and policy.injection == "off":
        return request, []
    tokens = invisible = 0
    texts: list[str] = []
    messages: list[Any] = []
    for message in request.messages:
        if not isinstance(message, _UNTRUSTED):
            messages.append(message)
            continue
        content, found_tokens, found_invisible = _clean(message.content, policy.input == "sanitize")
        tokens += found_tokens
        invisible += found_invisible
        texts.extend(_texts(content))
        messages.append(message if content is message.content
                        else message.model_copy(update={"content": content}))
    actions: list[GuardAction] = []
    if policy.input == "sanitize" and (tokens or invisible):
        actions.append(GuardAction("input", "sanitized", _counts(tokens, invisible)))
    if policy.injection != "off":
        signals = injection_signals("\n".join(texts))
        if tokens:
            signals.append("control_tokens")
        if signals:
            action = "blocked" if policy.injection == "block" else "flagged"
            actions.append(GuardAction("injection", action, ",".join(signals)))
    if messages == list(request.messages):
        return request, actions
    return request.model_copy(update={"messages": messages}), actions


def refuse_blocked(actions: list[GuardAction]) -> None:
    for action in actions:
        if action.guard == "injection" and action.action == "blocked":
            raise PromptInjectionError(action)


def _clean(content: Any, enabled: bool) -> tuple[Any, int, int]:
    """Sanitised content (the same object when nothing changed or ``enabled`` is off)
    and how many control tokens and invisible characters it had."""
    if isinstance(content, str):
        done = sanitize(content)
        if done.text == content:
            return content, 0, 0
        return (done.text if enabled else content), done.control_tokens, done.invisible
    tokens = invisible = 0
    parts: list[Any] = []
    for part in content:
        if isinstance(part, TextPart):
            text, t, i = _clean(part.text, enabled)
            tokens, invisible = tokens + t, invisible + i
            part = part if text is part.text else part.model_copy(update={"text": text})
        parts.append(part)
    changed = any(a is not b for a, b in zip(parts, content, strict=True))
    return (parts if changed else content), tokens, invisible


def _texts(content: Any) -> list[str]:
    if isinstance(content, str):
        return [content]
    return [p.text for p in content if isinstance(p, TextPart)]


def _counts(tokens: int, invisible: int) -> str:
    parts = []
    if tokens:
        parts.append(f"{tokens} control token{'s' if tokens != 1 else ''}")
    if invisible:
        parts.append(f"{invisible} invisible char{'s' if invisible != 1 else ''}")
    return ", ".join(parts)
