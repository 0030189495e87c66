"""Toy rows as ``bench/cache_losses.py --pairs-out`` writes them (a pair's set, id, kind,
label, texts, similarity, hard-check stage and probability), for the tests of the bench
scripts that read them: the rule scripts (verifier_rule, ensemble_rule, s4b_rule,
s4c_rule) and pooled_curve."""

from __future__ import annotations

from typing import Any


def row(where: str, n: int, label: int, p: float | None, kind: str = "reworded",
        **extra: Any) -> dict[str, Any]:
    """Pair ``n`` of set ``where`` at probability ``p`` (None: the amounts check refused
    it before the model), similarity 0.7 unless ``extra`` says otherwise."""
    return {"set": where, "id": f"p{n:04d}", "kind": kind, "label": label,
            "a": f"cached {where} {n}", "b": f"query {where} {n}", "similarity": 0.7,
            "numbers": p is None, "respelling": None, "p": p, "narrowed": False,
            "more": False, "own": False, **extra}
