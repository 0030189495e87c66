"""Toy rows as ``bench/cache_losses.py --pairs-out`` writes them (a pair's set, id, kind,
label, texts, similarity, hard-check stage and probability), for the tests of the bench
scripts that read them: the rule scripts (verifier_rule, ensemble_rule, s4b_rule,
s4c_rule, s5_rule, s5c_rule, s6d_rule) and pooled_curve; and ``file_writer``, the files their
command lines are given."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any


def row(where: str, n: int, label: int, p: float | None, kind: str = "reworded",
        **extra: Any) -> dict[str, Any]:
    """Pair ``n`` of set ``where`` at probability ``p`` (None: the amounts check refused
    it before the model), similarity 0.7 unless ``extra`` says otherwise."""
    return {"set": where, "id": f"p{n:04d}", "kind": kind, "label": label,
            "a": f"cached {where} {n}", "b": f"query {where} {n}", "similarity": 0.7,
            "numbers": p is None, "respelling": None, "p": p, "narrowed": False,
            "more": False, "own": False, **extra}


def set_rows(sets: tuple[str, ...], positives: list[float] | dict[str, list[float]],
             negatives: list[float] | dict[str, list[float]], other: str = "heldout9",
             refused: bool = False) -> list[dict[str, Any]]:
    """Rows of ``sets``: in each, the positives' then the negatives' probabilities (a list:
    the same in every set; a dict: each set's own), after one row of ``other``, a set the
    rule leaves out; with ``refused``, each set also holds a negative the amounts check
    refuses (pair 99)."""
    out = [row(other, 0, 1, 0.99)]
    for where in sets:
        pos = positives[where] if isinstance(positives, dict) else positives
        neg = negatives[where] if isinstance(negatives, dict) else negatives
        out += [row(where, i, 1, p) for i, p in enumerate(pos)]
        out += [row(where, len(pos) + i, 0, p, "entity_swap") for i, p in enumerate(neg)]
        if refused:
            out.append(row(where, 99, 0, None, "number_swap"))
    return out


def file_writer(folder: Path) -> Callable[[str, Any], str]:
    """``put(name, data)``: writes ``data`` to ``folder / name`` (a ``.jsonl`` name: one
    JSON line a row; a string: as it is; anything else: JSON) and returns the path."""
    def put(name: str, data: Any) -> str:
        path = folder / name
        path.write_text("".join(json.dumps(r) + "\n" for r in data) if name.endswith("l")
                        else data if isinstance(data, str) else json.dumps(data),
                        encoding="utf-8")
        return str(path)

    return put
