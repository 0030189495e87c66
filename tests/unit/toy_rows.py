"""Toy rows as ``bench/cache_losses.py --pairs-out`` writes them (a pair's set, id, kind,
label, texts, similarity, hard-check stage and probability), for the tests of the bench
scripts that read them: the rule scripts (verifier_rule, ensemble_rule, s4b_rule,
s4c_rule, s5_rule, s5c_rule, s6d_rule) and pooled_curve; ``shared_run``, a toy
``bench/cache_shared.py`` result; ``cost_text``, a toy ``bench/stack_cost.py`` output;
``traffic``, the sets' traffic kinds; and ``file_writer``, the files their command lines are
given."""

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


def _populated(neg_another: int) -> dict[str, Any]:
    return {"negatives": {"another": neg_another, "own": 1, "answered": neg_another + 1},
            "positives": {"another": 5, "own": 60, "none": 10},
            "per_pair": {"hits": 70, "passed": 2, "positives": 75, "negatives": 75}}


def shared_run(sha: str, cut: float, sets: tuple[str, ...], variants: dict[str, int],
               entries: int = 10_000) -> dict[str, Any]:
    """A ``cache_shared.py`` result as the rule scripts read it (s5c_rule, s6d_rule): the
    verifier's sha256 (``sha``'s first digits) and cut, ``sets``, ``entries``, and per variant
    its negative queries answered by another entry (``variants``: name -> count), the same in
    ``all`` and in every set."""
    return {"sets": list(sets), "entries": entries,
            "verifier": {"sha256": sha + "0" * 56, "min_probability": cut},
            "by_variant": {name: {"all": _populated(n), "by_set": {s: _populated(n) for s in sets}}
                           for name, n in variants.items()}}


def judged(run: dict[str, Any], variant: str, cut: float = 0.93, later: float | None = None,
           margin: float = 3.0, own: int = 60) -> None:
    """A ``shared_run`` variant given its ``judging`` record (floor 0.5, widen to 5, ``margin``,
    ``cut``, ``later`` as its later cut or none) and ``own`` paraphrases answered by their own
    entry (no_rule, fn_rule)."""
    v = run["by_variant"][variant]
    v["judging"] = {"floor": 0.5, "widen_to": 5, "rank_margin": margin, "min_probability": cut,
                    **({} if later is None else {"later_cut": later})}
    v["all"]["positives"]["own"] = own


def losses_result(sets: list[str], sha: str) -> dict[str, Any]:
    """A ``cache_losses.py --out`` result as the rule scripts check it: the verifier's sha256
    (``sha``'s first digits) at the cut 0.93, ``sets``."""
    return {"verifier": {"sha256": sha + "0" * 56, "min_probability": 0.93}, "sets": sets}


def cost_text(new: str, old: str) -> str:
    """Two ``stack_cost.py`` rounds of each model alternated, ``new`` first, under ``## NAME``
    lines (rules S5b, S5c and S6d's (e)): ``new``'s "1 candidate" medians 9.43 and 8.72 ms,
    ``old``'s 8.82 and 8.96 (``new`` 2.1 % over ``old``, median against median)."""
    lines = [(new, "9.43 / 8.77 / 11.54 (load average 3.1)"),
             (old, "8.82 / 8.47 / 11.47 (load average 3.2)"),
             (new, "8.72 / 8.28 / 11.00 (load average 3.1)"), (old, "8.96 / 8.47 / 11.32")]
    return "".join(f"## {who} cost, round {1 + k // 2}, load 2.1 2.0 1.9\n"
                   f"cross               request  1 candidate : {figures}\n"
                   for k, (who, figures) in enumerate(lines))


def traffic(sets: tuple[str, ...], pairs: int = 400) -> dict[tuple[str, str], str]:
    """``s4b_rule.traffic_of``'s map for toy rows: pairs 0 and 1 of each set support-style,
    the rest general, up to pair ``pairs``."""
    return {(s, f"p{n:04d}"): "support" if n < 2 else "general"
            for s in sets for n in range(pairs)}
