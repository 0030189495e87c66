"""PipelineBench.run_arms: the order and grouping of a run's arms that ``llm-router bench``
and the daily benchmark share (router arms one after the other, then the baselines at once
or one after another), checked with the replays stubbed."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from typing import Any

import pytest

from llm_router_local.benchmark.pipeline import Arm, ArmResult, PipelineBench, Together

ARMS = [Arm("router"), Arm("router-no-cache", cache=False),
        Arm("always-strongest (big)", ("big",), cache=False),
        Arm("always-cheapest (small)", ("small",), cache=False),
        Arm("random-model", ("big", "small"), cache=False)]


class Stubbed(PipelineBench):
    """run_arm and run_at_once record their calls and return empty results."""

    def __init__(self) -> None:  # no app, store or providers: the replays are stubbed
        self.calls: list[tuple[str, tuple[str, ...]]] = []

    async def run_arm(self, arm: Arm, workload: Sequence[Any],
                      on_request: Callable[[Any], None] | None = None) -> ArmResult:
        self.calls.append(("alone", (arm.name,)))
        return ArmResult(arm, [], [], 1.0, 0.5)

    async def run_at_once(self, arms: Sequence[Arm], workload: Sequence[Any],
                          on_request: Any = None) -> tuple[list[ArmResult], Together]:
        self.calls.append(("at_once", tuple(a.name for a in arms)))
        results = [ArmResult(a, [], [], 2.0, None) for a in arms]
        for r in results:
            r.at_once = True
        return results, Together(tuple(a.name for a in arms), 2.0, 3.0)


def run(arms: list[Arm], **kw: Any) -> tuple[Stubbed, list[ArmResult], Together | None,
                                              list[str]]:
    bench, heard = Stubbed(), []
    results, together = asyncio.run(bench.run_arms(
        arms, [], on_arm=lambda r: heard.append(r.arm.name), **kw))
    return bench, results, together, heard


def test_router_arms_run_alone_first_then_the_baselines_together() -> None:
    bench, results, together, heard = run(ARMS)
    assert bench.calls == [("alone", ("router",)), ("alone", ("router-no-cache",)),
                           ("at_once", tuple(a.name for a in ARMS[2:]))]
    assert [r.arm.name for r in results] == heard == [a.name for a in ARMS]
    assert together is not None and together.arms == tuple(a.name for a in ARMS[2:])


def test_sequential_runs_every_arm_alone_in_order() -> None:
    bench, results, together, heard = run(ARMS, at_once=False)
    assert bench.calls == [("alone", (a.name,)) for a in ARMS]
    assert together is None and not any(r.at_once for r in results)
    assert heard == [a.name for a in ARMS]


@pytest.mark.parametrize("arms", [ARMS[:1], ARMS[:3]])
def test_one_baseline_or_none_is_not_a_group(arms: list[Arm]) -> None:
    bench, results, together, _ = run(arms)
    assert together is None and [c[0] for c in bench.calls] == ["alone"] * len(arms)
