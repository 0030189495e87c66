"""Heuristic prompt-injection signals in user-supplied text.

Patterns, not a model: they catch the common phrasings (instruction override, system
prompt extraction, persona switch, fake role markers) and stay cheap. A signal is only
ever a flag or a refusal the operator chose (``guards.injection``); docs/guards.md says
what is and is not caught.
"""

from __future__ import annotations

from typing import Any

from llm_router.textscan import compile_like_re

# (name, words one of which must occur, pattern). Both apply to the lowercased text: the
# plain substring tests skip a pattern at C speed when its words are absent, and a
# pattern without IGNORECASE runs about twice as fast (a 1 MB prompt is scanned whole,
# with the interpreter lock let go: llm_router.textscan).
_SIGNALS: tuple[tuple[str, tuple[str, ...], Any], ...] = (
    ("ignore_instructions", ("ignore", "disregard", "forget", "override", "bypass", "skip"),
     compile_like_re(
        r"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|every\s+"
        r"|the\s+|your\s+|these\s+|those\s+|of\s+)*(?:previous|prior|above|earlier|preceding"
        r"|system|original|initial|developer)?\s*(?:instructions?|prompts?|rules|directions"
        r"|guidelines|directives|constraints)\b")),
    ("reveal_system_prompt", ("prompt", "instructions"), compile_like_re(
        r"\b(?:reveal|show|print|repeat|output|display|leak|tell\s+me|what\s+(?:is|are|was))"
        r"\s+(?:me\s+)?(?:your|the)\s+(?:full\s+|entire\s+|exact\s+)?(?:system\s+prompt"
        r"|(?:initial|hidden|original|secret)\s+(?:instructions|prompt))")),
    ("persona_switch", ("now", "mode", "pretend"), compile_like_re(
        r"\byou\s+are\s+now\s+(?:an?\s+)?(?:unrestricted|unfiltered|jailbroken|dan|evil|free)\b"
        r"|\b(?:dan|developer|jailbreak|god)\s+mode\b|\bdo\s+anything\s+now\b"
        r"|\bpretend\s+(?:that\s+)?you\s+(?:have\s+no|are\s+not\s+bound)")),
    ("role_marker", ("system", "assistant", "developer", "instruction"), compile_like_re(
        r"(?m)^\s*(?:\[(?:system|assistant|developer)\]|<(?:system|assistant)>"
        r"|#{2,}\s*(?:system|instruction)s?\b|(?:system|developer)\s*(?:prompt\s*)?:)")),
)


def injection_signals(text: str) -> list[str]:
    """Names of the signals found in ``text`` (empty: nothing suspicious)."""
    lowered = text.lower()
    return [name for name, words, pattern in _SIGNALS
            if any(w in lowered for w in words) and pattern.search(lowered, concurrent=True)]
