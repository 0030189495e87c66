"""Cheap structural features that complement the embedding: MiniLM sees what a message
is about, but barely sees how long it is, how many numbers, questions, constraints or
lines of code it carries, or whether it asks for a derivation or a 600-word piece."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from llm_router.classifier.view import bounded_view
from llm_router.textscan import compile_like_re

F32 = npt.NDArray[np.float32]


# Patterns written for re, scanned by the regex module with the interpreter lock let go
# (llm_router.textscan). They scan the bounded view of a long text (``view.py``): scanning
# a 1 MB prompt whole took about a second of CPU per request.
def _count(pattern: str, flags: int = re.IGNORECASE) -> Callable[[str], int]:
    compiled = compile_like_re(pattern, flags)
    return lambda text: len(compiled.findall(text, concurrent=True))


def _share(pattern: str) -> Callable[[str], float]:
    compiled = compile_like_re(pattern)
    return lambda text: len(compiled.findall(text, concurrent=True)) / max(len(text), 1)


_WORD = compile_like_re(r"\S+")
# Exact over the whole text, at C speed (no pattern scan): length, lines, question marks.
_WHOLE: dict[str, Callable[[str], float]] = {
    "log_chars": lambda t: float(np.log1p(len(t))),
    "questions": lambda t: float(min(t.count("?"), 5)),
    "lines": lambda t: float(np.log1p(t.count("\n"))),
}
# Counted on the view and scaled by the text's length over the view's (the density of a
# long text's two ends stands for the whole), then log1p-compressed.
_COUNTS: dict[str, Callable[[str], int]] = {
    "log_words": lambda t: len(_WORD.findall(t, concurrent=True)),
    "numbers": _count(r"\d+(?:[.,:]\d+)*"),
    "sentences": _count(r"[.!?]+(?:\s|$)"),
    "list_items": _count(r"(?:^|\s)(?:\(?[a-d1-9][.)]|[-*•])\s", re.MULTILINE),
    "money_or_percent": _count(r"[$€£¥%]|\b(?:usd|eur|gbp|percent|apr|p/kwh|/month|/year)\b"),
    "arithmetic": _count(r"\d\s*[-+*/x×^]\s*\d|\b(?:times|divided|squared|per cent|twice|"
                         r"half|double|triple)\b"),
    "comparatives": _count(r"\b(?:or|vs\.?|versus|cheaper|cheapest|better|best|worth|which|"
                           r"rather|instead)\b"),
    "decision": _count(r"\b(?:should (?:i|we)|recommend|worth it|pick|choose|decide|"
                       r"trade-?offs?|pros and cons|best use|makes? (?:most )?sense|"
                       r"smartest|optimi[sz]e|minimi[sz]e|maximi[sz]e)\b"),
    "constraints": _count(r"\b(?:must|need to|needs to|have to|at most|at least|no more than|"
                          r"by (?:mon|tues|wednes|thurs|fri|satur|sun)day|budget|deadline|"
                          r"only|without|max(?:imum)?|min(?:imum)?|before|within|limit)\b"),
    "derivation": _count(r"\b(?:prove|derive|step[- ]by[- ]step|show (?:the |your )?(?:steps|"
                         r"work)|walk me through|calculate|compute|estimate|solve|"
                         r"probability|how (?:long|many|much))\b"),
    "planning": _count(r"\b(?:plan|schedule|itinerary|allocate|split|prioriti[sz]e|order "
                       r"to|timeline|roadmap)\b"),
    "length_request": _count(r"\b(?:\d[\d,]*[- ]words?|words|pages?|paragraphs?|one[- ]page|"
                             r"\d+[- ]minutes? (?:talk|speech|toast)|detailed|in full|"
                             r"full|complete)\b"),
    "authoring": _count(r"\b(?:write|draft|compose|implement|build|create|refactor|design|"
                        r"rewrite|edit|generate|set up|migrate)\b"),
    "code": _count(r"```|`[^`]+`|\b(?:def|class|import|return|select|from|const|function|"
                   r"traceback|error|exception|null|none)\b|[{};]|\w\(\)|->|==|!=|\w+\.\w+\(",
                   0),
    "investigation": _count(r"\b(?:charged|refund(?:ed)?|never|still|again|tried|ticket|"
                            r"reference|ref|denied|dispute|attached|screenshots?|twice|"
                            r"three times|missing|wrong|broken|stopped|fails?|failed|"
                            r"won't|doesn't|didn't|can't|isn't|hasn't|no one|nobody)\b"),
    "urgency": _count(r"\b(?:urgent|asap|now|today|immediately|unacceptable|help|escalate|"
                      r"lawyer|regulator|complaint)\b|!"),
    "explain": _count(r"\b(?:explain|difference|differ|why|how does|how do|what is|what's|"
                      r"what does|mean|compare|in plain|intuitively|briefly)\b"),
    "account": _count(r"\b(?:my|our|i was|i've|we've|i'm|we're|me|us)\b"),
}
# Shares of the view's characters, in [0, 1].
_SHARES: dict[str, Callable[[str], float]] = {
    "symbol_share": _share(r"[^\w\s.,?!'\"$%-]"),
    "caps_share": _share(r"[A-Z]"),
}
# The artefact's column order (the shipped model was trained on it).
FEATURE_NAMES = ("log_chars", "log_words", "numbers", "questions", "sentences", "lines",
                 "list_items", "money_or_percent", "arithmetic", "comparatives", "decision",
                 "constraints", "derivation", "planning", "length_request", "authoring",
                 "code", "symbol_share", "investigation", "urgency", "caps_share", "explain",
                 "account")


def features_of(text: str) -> list[float]:
    """The raw features of one text, in ``FEATURE_NAMES`` order; the work is bounded by
    the view, whatever the text's length."""
    view = bounded_view(text)
    scale = len(text) / max(len(view), 1)
    values: dict[str, float] = {name: f(text) for name, f in _WHOLE.items()}
    values |= {name: float(np.log1p(f(view) * scale)) for name, f in _COUNTS.items()}
    values |= {name: f(view) for name, f in _SHARES.items()}
    return [values[name] for name in FEATURE_NAMES]


def text_features(texts: Sequence[str]) -> F32:
    """One row of raw (unscaled) features per text; see ``FEATURE_NAMES``."""
    rows = np.empty((len(texts), len(FEATURE_NAMES)), dtype=np.float32)
    for i, text in enumerate(texts):
        rows[i] = features_of(text)
    return rows


def design_matrix(embeddings: F32, features: F32, mean: F32, scale: F32, weight: float,
                  lexical: F32 | None = None) -> F32:
    """Embedding columns, then standardised features times ``weight`` (0 drops them),
    then the hashed n-gram block when a model reads one (``lexical.py``)."""
    blocks = [np.asarray(embeddings, dtype=np.float32)]
    if weight != 0.0:
        blocks.append(np.float32(weight) * (features - mean) / scale)
    if lexical is not None:
        blocks.append(lexical)
    return blocks[0] if len(blocks) == 1 else np.hstack(blocks).astype(np.float32)
