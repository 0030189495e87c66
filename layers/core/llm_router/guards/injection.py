"""Heuristic prompt-injection signals in user-supplied text.

Patterns, not a model: they catch the common phrasings (instruction override, system
prompt extraction, persona switch, fake role markers) and stay cheap. A signal is only
ever a flag or a refusal the operator chose (``guards.injection``); docs/guards.md says
what is and is not caught.
"""

from __future__ import annotations

import re

# (name, words one of which must occur, pattern). Both apply to the lowercased text: the
# plain substring tests skip a pattern at C speed when its words are absent, and a
# pattern without IGNORECASE runs about twice as fast (a 1 MB prompt is scanned whole).
_SIGNALS: tuple[tuple[str, tuple[str, ...], re.Pattern[str]], ...] = (
    ("ignore_instructions", ("ignore", "disregard", "forget", "override", "bypass", "skip"),
     re.compile(
        r"\b(?:ignore|disregard|forget|override|bypass|skip)\s+(?:all\s+|any\s+|every\s+"
        r"|the\s+|your\s+|these\s+|those\s+|of\s+)*(?:previous|prior|above|earlier|preceding"
        r"|system|original|initial|developer)?\s*(?:instructions?|prompts?|rules|directions"
        r"|guidelines|directives|constraints)\b")),
    ("reveal_system_prompt", ("prompt", "instructions"), re.compile(
        r"\b(?:reveal|show|print|repeat|output|display|leak|tell\s+me|what\s+(?:is|are|was))"
        r"\s+(?:me\s+)?(?:your|the)\s+(?:full\s+|entire\s+|exact\s+)?(?:system\s+prompt"
        r"|(?:initial|hidden|original|secret)\s+(?:instructions|prompt))")),
    ("persona_switch", ("now", "mode", "pretend"), re.compile(
        r"\byou\s+are\s+now\s+(?:an?\s+)?(?:unrestricted|unfiltered|jailbroken|dan|evil|free)\b"
        r"|\b(?:dan|developer|jailbreak|god)\s+mode\b|\bdo\s+anything\s+now\b"
        r"|\bpretend\s+(?:that\s+)?you\s+(?:have\s+no|are\s+not\s+bound)")),
    ("role_marker", ("system", "assistant", "developer", "instruction"), re.compile(
        r"(?m)^\s*(?:\[(?:system|assistant|developer)\]|<(?:system|assistant)>"
        r"|#{2,}\s*(?:system|instruction)s?\b|(?:system|developer)\s*(?:prompt\s*)?:)")),
)


def injection_signals(text: str) -> list[str]:
    """Names of the signals found in ``text`` (empty: nothing suspicious)."""
    lowered = text.lower()
    return [name for name, words, pattern in _SIGNALS
            if any(w in lowered for w in words) and pattern.search(lowered)]
