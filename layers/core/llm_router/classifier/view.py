"""The part of a long text the classifier reads: its first and last ``EDGE`` characters.

A message's ask sits before or after whatever it pastes (a document, a log, a thread), so
the two ends keep what decides its tier, and they bound the classifier's work: scanning a
1 MB prompt whole took about a second of CPU per request. Every query in the training and
held-out sets is far shorter than ``2 * EDGE``, so for them the view is the whole text.
"""

from __future__ import annotations

EDGE = 2_000


def bounded_view(text: str) -> str:
    """``text`` itself when short; else its two ends joined by a newline."""
    if len(text) <= 2 * EDGE:
        return text
    return f"{text[:EDGE]}\n{text[-EDGE:]}"
