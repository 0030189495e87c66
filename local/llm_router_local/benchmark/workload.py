"""The benchmark's labelled workload: what is asked, in which order, and when.

A workload is JSON Lines, one request per line: ``query``, ``label`` (the complexity tier
the query needs), ``kind`` (``support`` or ``assistant`` traffic), ``variant``
(``original``, ``repeat`` of an earlier query word for word, or ``paraphrase`` of one) and
``at_s`` (arrival time in seconds from the start), ``split`` and, on an echo, ``original``
(the labelled query it repeats or rewords). ``build_workload`` makes one from the labelled
queries; ``--workload FILE`` replays one written by hand or by an earlier run, and
``--pinned`` checks one against the labelled queries of today (``against_queries``).
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from llm_router.classifier.dataset import Example
from llm_router.classifier.tiers import TIERS

# Domains of the general-assistant mix; every other domain is customer-support traffic.
ASSISTANT_DOMAINS = frozenset({"general", "math", "code", "writing", "facts", "education"})
VARIANTS = ("original", "repeat", "paraphrase")
# Surface rewrites a user makes when asking the same thing again (semantic-cache traffic).
_PREFIXES = ("Quick question: ", "Hi, ", "Hello! ", "Sorry to bother you, ", "Hey - ")
_SUFFIXES = (" Thanks!", " Thank you.", " Please help.", "", " Any idea?")


@dataclass(frozen=True)
class WorkloadItem:
    query: str
    label: str
    kind: str
    variant: str = "original"
    at_s: float = 0.0
    split: str = ""  # the labelled query's split: "heldout" ones the classifier never saw
    # A repeat's or paraphrase's labelled query (the original it echoes); "" on an
    # original, whose query is its own. What ``against_queries`` looks an echo up by.
    original: str = ""


@dataclass(frozen=True)
class WorkloadShape:
    """How traffic repeats and arrives. ``rate_per_s`` None: as fast as concurrency allows
    (closed loop); else Poisson arrivals at that mean rate."""

    requests: int = 1000
    repeat_rate: float = 0.15
    paraphrase_rate: float = 0.10
    rate_per_s: float | None = None
    seed: int = 16

    def __post_init__(self) -> None:
        if self.requests < 1:
            raise ValueError("requests must be at least 1")
        if not 0 <= self.repeat_rate + self.paraphrase_rate < 1 or min(
                self.repeat_rate, self.paraphrase_rate) < 0:
            raise ValueError("repeat and paraphrase rates must be >= 0 and sum to < 1")
        if self.rate_per_s is not None and self.rate_per_s <= 0:
            raise ValueError("rate_per_s must be positive")


def kind_of(domain: str) -> str:
    return "assistant" if domain in ASSISTANT_DOMAINS else "support"


def paraphrase(query: str, rng: random.Random) -> str:
    """A different wording of the same request: greeting, case and sign-off change."""
    body = query.strip()
    if body[:1].isupper() and not body[1:2].isupper():
        body = body[0].lower() + body[1:]
    text = rng.choice(_PREFIXES) + body + rng.choice(_SUFFIXES)
    return text if text != query else "Please: " + query


def build_workload(examples: Sequence[Example], shape: WorkloadShape) -> list[WorkloadItem]:
    """Originals in shuffled order (held-out queries first, then training ones, so tier
    accuracy can be read on queries the classifier never saw), interleaved with repeats
    and paraphrases of earlier requests (popular ones more often: each earlier request is
    equally likely to be repeated, so a repeated one is likelier to be repeated again)."""
    if not examples:
        raise ValueError("the workload needs at least one labelled query")
    rng = random.Random(shape.seed)
    heldout = [e for e in examples if e.split == "heldout"]
    rest = [e for e in examples if e.split != "heldout"]
    rng.shuffle(heldout)
    rng.shuffle(rest)
    originals = heldout + rest
    items: list[WorkloadItem] = []
    next_original, clock = 0, 0.0
    for _ in range(shape.requests):
        draw = rng.random()
        if items and draw < shape.repeat_rate:
            item = rng.choice(items)
            item = WorkloadItem(item.query, item.label, item.kind, "repeat", split=item.split,
                                original=item.original or item.query)
        elif items and draw < shape.repeat_rate + shape.paraphrase_rate:
            item = rng.choice(items)
            item = WorkloadItem(paraphrase(item.query, rng), item.label, item.kind,
                                "paraphrase", split=item.split,
                                original=item.original or item.query)
        else:
            ex = originals[next_original % len(originals)]
            next_original += 1
            item = WorkloadItem(ex.query, ex.label, kind_of(ex.domain), split=ex.split)
        if shape.rate_per_s is not None:
            clock += rng.expovariate(shape.rate_per_s)
        items.append(WorkloadItem(item.query, item.label, item.kind, item.variant,
                                  round(clock, 4), item.split, item.original))
    return items


def save_workload(items: Sequence[WorkloadItem], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("".join(json.dumps(asdict(i)) + "\n" for i in items), encoding="utf-8")


def load_workload(path: Path) -> list[WorkloadItem]:
    """Parse and validate every line; the error names the line."""
    return parse_workload(path.read_text(encoding="utf-8"), str(path))


def parse_workload(text: str, source: str) -> list[WorkloadItem]:
    """A workload's JSON Lines (from a file, or an S3 object in the Lambda runner)."""
    items = []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            item = WorkloadItem(query=str(row["query"]), label=str(row["label"]),
                                kind=str(row.get("kind", "support")),
                                variant=str(row.get("variant", "original")),
                                at_s=float(row.get("at_s", 0.0)),
                                split=str(row.get("split", "")),
                                original=str(row.get("original", "")))
        except (ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"{source}:{number}: not a workload line ({exc})") from exc
        if item.label not in TIERS or item.variant not in VARIANTS or not item.query.strip():
            raise ValueError(f"{source}:{number}: label must be one of {list(TIERS)}, variant "
                             f"one of {list(VARIANTS)}, query non-empty")
        items.append(item)
    if not items:
        raise ValueError(f"{source}: the workload is empty")
    return items


def against_queries(items: Sequence[WorkloadItem],
                    examples: Sequence[Example]) -> list[WorkloadItem]:
    """A pinned workload checked against the labelled queries of today, its split read from
    them. Every request's labelled query (an original's own, an echo's ``original``) must
    still be in the file with the label the workload carries, else ValueError naming the
    lines: a workload whose truth moved is another workload, to be pinned again. The split
    is the file's, not the workload's: the classifier is trained on the file's training
    rows, so a query a retrain moved there is no longer held out and must not count in
    tier accuracy, and a pinned split would say it still is."""
    by_query = {e.query: e for e in examples}
    missing: list[str] = []
    relabelled: list[str] = []
    out = []
    for number, item in enumerate(items, 1):
        key = item.original or item.query
        example = by_query.get(key)
        if example is None:
            missing.append(f"{number} ({item.variant}: {key[:60]!r})")
            continue
        if example.label != item.label:
            relabelled.append(f"{number} ({item.label} -> {example.label}: {key[:60]!r})")
            continue
        out.append(WorkloadItem(item.query, item.label, item.kind, item.variant, item.at_s,
                                example.split, item.original))
    problems = []
    if missing:
        problems.append(f"{len(missing)} requests whose labelled query is not in the file "
                        f"(an echo names it in 'original'): lines {', '.join(missing[:3])}")
    if relabelled:
        problems.append(f"{len(relabelled)} requests whose query the file labels otherwise: "
                        f"lines {', '.join(relabelled[:3])}")
    if problems:
        raise ValueError("the pinned workload no longer matches the labelled queries; pin "
                         "a new one (bench/pin_workload.py): " + "; ".join(problems))
    return out


def provenance_path(workload: Path) -> Path:
    """Where a pinned workload's provenance sits: ``NAME.provenance.json`` beside it."""
    return workload.with_suffix(".provenance.json")


def read_provenance(workload: Path) -> dict[str, Any] | None:
    """A pinned workload's provenance (the labelled file's sha256, the seed and shape it was
    drawn at, the workload's own sha256), or None where it has none. ValueError when the
    workload's bytes are no longer those that were pinned."""
    path = provenance_path(workload)
    if not path.exists():
        return None
    try:
        provenance: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise ValueError(f"{path}: not JSON ({exc})") from exc
    now = sha256_of(workload)
    if provenance.get("workload_sha256") != now:
        raise ValueError(f"{workload} changed after it was pinned (sha256 {now}, "
                         f"{path.name} says {provenance.get('workload_sha256')}); pin it again")
    return provenance


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
