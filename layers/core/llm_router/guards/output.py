"""The output guard: PII in answers, buffered, streamed or served from the cache.

Modes (``guards.pii``): ``flag`` books what was found and changes nothing; ``redact``
replaces each item with ``[REDACTED:<kind>]``; ``block`` withholds the answer from the
first item on and ends it with ``finish_reason: "content_filter"`` (OpenAI's way of
saying a filter stopped the output). Only message text is checked, not tool-call
arguments.
"""

from __future__ import annotations

from typing import Any

from llm_router.guards.actions import GuardAction
from llm_router.guards.config import PiiMode
from llm_router.guards.holdback import HeldText
from llm_router.guards.pii import find_pii, redact
from llm_router.schema import ChatCompletion, Choice

Chunk = dict[str, Any]  # an OpenAI chat.completion.chunk, as the relay carries it
_VERB = {"flag": "flagged", "redact": "redacted", "block": "blocked"}


def pii_action(mode: PiiMode, kinds: list[str]) -> list[GuardAction]:
    if mode == "off" or not kinds:
        return []
    return [GuardAction("pii", _VERB[mode], ",".join(sorted(set(kinds))))]


def guard_completion(completion: ChatCompletion, mode: PiiMode
                     ) -> tuple[ChatCompletion, list[GuardAction]]:
    """The completion as the client may see it, and what was done."""
    if mode == "off":
        return completion, []
    kinds: list[str] = []
    choices: list[Choice] = []
    for choice in completion.choices:
        text = choice.message.content
        matches = find_pii(text) if text else []
        kinds.extend(m.kind for m in matches)
        if not matches or mode == "flag":
            choices.append(choice)
        elif mode == "redact":
            message = choice.message.model_copy(update={"content": redact(text or "", matches)})
            choices.append(choice.model_copy(update={"message": message}))
        else:
            message = choice.message.model_copy(
                update={"content": (text or "")[:matches[0].start], "tool_calls": None})
            choices.append(choice.model_copy(update={"message": message,
                                                     "finish_reason": "content_filter"}))
    if not kinds or mode == "flag":
        return completion, pii_action(mode, kinds)
    return completion.model_copy(update={"choices": choices}), pii_action(mode, kinds)


class StreamGuard:
    """Applies a PII mode to a stream of OpenAI chunks. ``redact`` and ``block`` hold
    text back (``llm_router.guards.holdback``); ``flag`` only reads it."""

    def __init__(self, mode: PiiMode):
        self.mode = mode
        self._held: dict[int, HeldText] = {}
        self._seen: list[str] = []  # flag mode: the text, checked once at the end
        self._last: Chunk | None = None

    @property
    def blocked(self) -> bool:
        return any(h.blocked for h in self._held.values())

    def apply(self, chunk: Chunk) -> list[Chunk]:
        """What goes to the client for one upstream chunk (maybe nothing)."""
        if self.mode == "off":
            return [chunk]
        if self.blocked:
            return []  # the client already has the content_filter ending
        self._last = chunk
        choices = []
        for choice in chunk.get("choices") or []:
            delta = choice.get("delta") or {}
            text = delta.get("content")
            if self.mode == "flag":
                if isinstance(text, str):
                    self._seen.append(text)
                choices.append(choice)
                continue
            held = self._held.setdefault(choice.get("index", 0),
                                         HeldText(block=self.mode == "block"))
            out = held.feed(text) if isinstance(text, str) else ""
            if choice.get("finish_reason") is not None or held.blocked:
                out += held.finish()
            if held.blocked:
                choices.append({**choice, "delta": {"content": out},
                                "finish_reason": "content_filter"})
            elif isinstance(text, str) and not out and set(delta) == {"content"} \
                    and choice.get("finish_reason") is None:
                continue  # all of it is held back for now
            elif isinstance(text, str) or out:
                choices.append({**choice, "delta": {**delta, "content": out}})
            else:
                choices.append(choice)
        if not choices and chunk.get("choices"):
            return []
        return [{**chunk, "choices": choices}]

    def finish(self) -> list[Chunk]:
        """Text still held when the upstream ended without a finish reason."""
        if self._last is None or self.mode in ("off", "flag"):
            return []
        out = []
        for index, held in self._held.items():
            rest = held.finish()
            if rest:
                out.append({**self._last, "choices": [{"index": index, "delta": {"content": rest},
                                                       "logprobs": None, "finish_reason": None}]})
        return out

    def actions(self) -> list[GuardAction]:
        if self.mode == "flag":
            return pii_action("flag", [m.kind for m in find_pii("".join(self._seen))])
        return pii_action(self.mode, [k for h in self._held.values() for k in h.kinds])
