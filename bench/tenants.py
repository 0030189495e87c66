"""The pair sets split into tenants as a deployment holds them (session 30), for
``bench/cache_shared.py --tenants domain``.

``cache_shared.py``'s one index mixes about a hundred businesses' and topics' questions
with 8,500 Quora questions. A real tenant (one app, one business) caches one business's
questions. Here a tenant is one (set, ``domain``) of the pair sets: each pair carries a
``domain``, the business of a support pair (written in a set's ``src/p_s_*`` file) or the
topic of a general one (``src/p_g_*``). A tenant's index holds its own pairs' distinct
cached texts, and ``fillers`` Quora questions (the same ones in every tenant) where asked:
a filler stands for the rest of a tenant's cache, questions its users asked that no pair
of its business names; Quora's are general questions, so they stand for an app whose
users also ask off its business (a chat assistant's), not for a business's own other
questions, which would sit nearer its pairs.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from pair_sets import set_file, set_label

from train.cache_verifier.stack_fit import traffic

UNKNOWN = "unknown"  # a pair whose set has no src/p_*.txt files and no traffic field


def with_traffic(pairs: list[dict[str, Any]], names: list[str],
                 root: Path | None = None) -> list[dict[str, Any]]:
    """``pairs`` (``load_sets(names, root)``, in its order) each with its ``traffic``:
    its own field where it has one, else ``support`` / ``general`` by the set's
    ``src/p_s_*`` / ``src/p_g_*`` file that holds it (``stack_fit.traffic``), else
    ``unknown``."""
    kinds: dict[str, list[str]] = {}
    for name in names:
        folder = set_file(name, root).parent
        if (folder / "src").is_dir():
            kinds[set_label(name)] = traffic(folder)
    counts = Counter(p["set"] for p in pairs)
    for label, given in kinds.items():
        if len(given) != counts[label]:
            raise SystemExit(f"set {label}: {len(given)} src lines, {counts[label]} pairs")
    seen: Counter[str] = Counter()
    out = []
    for p in pairs:
        n = seen[p["set"]]
        seen[p["set"]] += 1
        mine = kinds.get(p["set"])
        out.append({**p, "traffic": p.get("traffic") or (mine[n] if mine else UNKNOWN)})
    return out


def tenant_of(pair: dict[str, Any], by: str = "domain") -> str:
    """The tenant a pair's entry and query live in: ``set/<its by field>``."""
    if by not in pair:
        raise SystemExit(f"pair {pair['set']}/{pair.get('id')}: no {by!r} field for its tenant")
    return f"{pair['set']}/{pair[by]}"


def split(pairs: list[dict[str, Any]], fillers: list[str],
          by: str = "domain") -> dict[str, tuple[list[dict[str, Any]], list[str]]]:
    """Per tenant (first seen first) its pairs and its index's texts: its pairs' distinct
    cached texts, then ``fillers`` (those it does not hold already)."""
    grouped: dict[str, list[dict[str, Any]]] = {}
    for p in pairs:
        grouped.setdefault(tenant_of(p, by), []).append(p)
    out = {}
    for name, mine in grouped.items():
        texts = list(dict.fromkeys(p["a"] for p in mine))
        own = set(texts)
        out[name] = (mine, texts + [t for t in fillers if t not in own])
    return out


def sizes(tenancy: dict[str, tuple[list[dict[str, Any]], list[str]]],
          fillers: int) -> dict[str, Any]:
    """The tenants' sizes for the result: per tenant its pairs, its distinct queries, its
    own entries (fillers aside) and traffic; and the spread of own entries."""
    each: dict[str, dict[str, Any]] = {
        name: {"pairs": len(mine), "queries": len({p["b"] for p in mine}),
               "entries": len({p["a"] for p in mine}),
               "traffic": sorted({p.get("traffic", UNKNOWN) for p in mine})}
        for name, (mine, _) in tenancy.items()}
    own = sorted(v["entries"] for v in each.values())
    return {"tenants": len(each), "fillers_each": fillers,
            "entries": {"min": own[0], "median": own[len(own) // 2], "max": own[-1],
                        "total": sum(own)} if own else {},
            "each": each}
