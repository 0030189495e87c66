"""Input sanitising: chat-template control tokens and invisible characters out of text.

A control token typed into user content (``<|im_start|>system``, ``[INST]``,
``<|eot_id|>``) can end the user's turn and open a fake system turn on a model served
with a raw chat template (vLLM, TGI, Ollama). Invisible characters hide text from the
people who read a prompt (Unicode tag characters smuggle ASCII; bidi overrides reorder
what is shown, "Trojan Source"). Both are removed; everything else is left as it was.
"""

from __future__ import annotations

from dataclasses import dataclass

import regex

# Control tokens of the common chat-template families.
CONTROL_TOKEN = regex.compile(
    r"<\|[A-Za-z0-9_.:/-]{1,40}\|>"  # ChatML, Llama 3, Phi, Command R, gpt-oss: <|eot_id|>
    r"|<\uff5c[^\uff5c<>]{1,40}\uff5c>"  # DeepSeek, full-width bars: <｜User｜>
    r"|\[/?INST\]|<</?SYS>>"  # Llama 2, Mistral
    r"|\[/?(?:SYSTEM_PROMPT|AVAILABLE_TOOLS|TOOL_CALLS|TOOL_RESULTS|TOOL_CONTENT)\]"  # Mistral
    r"|<(?:start|end)_of_turn>"  # Gemma
)

# Zero-width space, word joiner, BOM, Mongolian vowel separator, soft hyphen; bidi
# embeddings, overrides and isolates (LRM/RLM stay: mixed-direction text needs them);
# Unicode tag characters and supplementary variation selectors (both carry hidden text).
INVISIBLE = regex.compile(
    "[\u200b\u2060\ufeff\u180e\u00ad\u202a-\u202e\u2066-\u2069"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
    # ZWJ / ZWNJ join emoji and shape Persian or Indic script: kept between two
    # non-ASCII characters, removed next to ASCII (where they only split words).
    "|(?<![^\x00-\x7f])[\u200c\u200d]|[\u200c\u200d](?![^\x00-\x7f])"
)


# Any character INVISIBLE may remove: a plain class scans fast, so text without one (nearly
# all of it) skips INVISIBLE's look-arounds.
_ANY_INVISIBLE = regex.compile(
    "[\u200b-\u200d\u2060\ufeff\u180e\u00ad\u202a-\u202e\u2066-\u2069"
    "\U000e0000-\U000e007f\U000e0100-\U000e01ef]"
)


@dataclass(frozen=True)
class Sanitized:
    text: str
    control_tokens: int
    invisible: int


def sanitize(text: str) -> Sanitized:
    """``text`` without control tokens and invisible characters, and how many went.

    The ``regex`` module, scanning with ``concurrent=True``: it lets go of the interpreter
    lock while it scans, so a 1 MB prompt sanitised in a worker thread does not hold up
    the event loop (stdlib ``re`` holds the lock for the whole scan). These patterns use
    explicit character classes only, so they match exactly what ``re`` matched."""
    any_invisible = _ANY_INVISIBLE.search(text, concurrent=True)
    cleaned, invisible = (INVISIBLE.subn("", text, concurrent=True) if any_invisible
                          else (text, 0))
    # Invisible characters go first: "<|im_\u200bstart|>" must not survive as a token.
    cleaned, tokens = CONTROL_TOKEN.subn("", cleaned, concurrent=True)
    return Sanitized(cleaned, tokens, invisible)
