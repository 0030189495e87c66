"""bench/stack_cost.py and bench/stack_profile.py with no kind given time the artefact as
it decides (session 21: the shipped cross-encoder decides alone, cross.json "combine":
null; a stacked one such as C3 is timed as the stack). Which kinds, not how fast."""

from __future__ import annotations

import json
import shutil
import sys
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest

from llm_router.cache.cross import ARTEFACT_DIR, META, WEIGHTS


@pytest.fixture(scope="module")
def stack_cost(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("stack_cost")


@pytest.fixture(scope="module")
def stack_profile(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("stack_profile")


@pytest.fixture(scope="module")
def stacked_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The shipped weights under a cross.json that stacks them on the nets (as C3's)."""
    directory = tmp_path_factory.mktemp("stacked")
    shutil.copyfile(ARTEFACT_DIR / WEIGHTS, directory / WEIGHTS)
    meta = json.loads((ARTEFACT_DIR / META).read_text(encoding="utf-8"))
    (directory / META).write_text(json.dumps({**meta, "combine": "nets"}), encoding="utf-8")
    return directory


class Chosen(Exception):
    """Raised where a bench's main would start timing, once it built its kinds."""


def chosen_kinds(module: ModuleType, argv: list[str],
                 monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The kinds ``module``'s main builds for ``argv`` (nothing loaded, nothing timed)."""
    kinds: list[str] = []

    def stop(*_: object) -> None:
        raise Chosen

    monkeypatch.setattr(module, "build", lambda kind, cross_dir=None: kinds.append(kind))
    monkeypatch.setattr(module, "lookup_cost", stop)
    monkeypatch.setattr(sys, "argv", [f"{module.__name__}.py", *argv])
    with pytest.raises(Chosen):
        module.main()
    return kinds


def test_the_shipped_artefact_decides_alone_and_is_timed_as_cross(stack_cost: ModuleType
                                                                   ) -> None:
    assert stack_cost.decides_as() == "cross"
    assert stack_cost.default_kinds() == ["cross", "nets"]


def test_a_stacked_artefact_is_timed_as_the_stack_first(stack_cost: ModuleType,
                                                        stacked_dir: Path) -> None:
    assert stack_cost.decides_as(stacked_dir) == "stacked"
    assert stack_cost.default_kinds(stacked_dir) == ["stacked", "nets", "cross"]


def test_the_mains_take_the_default_from_the_artefact_given(
        stack_cost: ModuleType, stack_profile: ModuleType, stacked_dir: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    assert chosen_kinds(stack_cost, [], monkeypatch) == ["cross", "nets"]
    assert chosen_kinds(stack_cost, ["--cross-dir", str(stacked_dir)], monkeypatch) == [
        "stacked", "nets", "cross"]
    assert chosen_kinds(stack_cost, ["--verifiers", "cross", "--cross-dir", str(stacked_dir)],
                        monkeypatch) == ["cross"]
    assert chosen_kinds(stack_profile, [], monkeypatch) == ["cross"]
    assert chosen_kinds(stack_profile, ["--cross-dir", str(stacked_dir)], monkeypatch) == [
        "stacked"]
    assert chosen_kinds(stack_profile, ["--verifier", "cross", "--cross-dir",
                                        str(stacked_dir)], monkeypatch) == ["cross"]


def test_a_stacked_kind_of_an_artefact_that_decides_alone_is_refused(stack_cost: ModuleType
                                                                     ) -> None:
    with pytest.raises(SystemExit, match="decides alone"):
        stack_cost.build("stacked-both")


def test_a_stacked_artefact_builds_the_stack_and_its_pass_alone(stack_cost: ModuleType,
                                                               stacked_dir: Path) -> None:
    stack = stack_cost.build("stacked", stacked_dir)
    alone = stack_cost.build("cross", stacked_dir)
    assert stack.nets is not None and stack.combines_nets
    assert alone.nets is None and not alone.combines_nets
