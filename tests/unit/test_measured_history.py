"""bench/measured_history.py: a sentence README no longer holds is found in the history doc
byte for byte, or with only its links re-rooted for docs/; anything else is missing."""

from __future__ import annotations

from collections.abc import Callable
from types import ModuleType

import pytest


@pytest.fixture(scope="module")
def moved(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("measured_history")


def test_links_are_rerooted_for_docs(moved: ModuleType) -> None:
    links = "[a](docs/x.md#y), [b](bench/r.json), [c](#measured), [d](https://e.f)"
    assert moved.reroot(links) == (
        "[a](x.md#y), [b](../bench/r.json), [c](../README.md#measured), [d](https://e.f)")


def test_moved_rerooted_kept_and_missing(moved: ModuleType) -> None:
    old = ("| row | **1.0 ms** (at abc). Before: 2.0 ms [t](bench/t.md). Lost 3.0 ms. | cmd |\n"
           "Kept text.\n")
    new = "| row | **1.0 ms** (at abc). [history](docs/h.md#row) | cmd |\nKept text.\n"
    history = "## row\n\n**1.0 ms** (at abc).\n\nBefore: 2.0 ms [t](../bench/t.md).\n"
    found = moved.check(old, new, history)
    assert found["verbatim"] == []
    assert found["rerooted"] == ["Before: 2.0 ms [t](bench/t.md)."]
    assert found["missing"] == ["Lost 3.0 ms."]
    assert moved.check(old, new, history + "Lost 3.0 ms.\n")["missing"] == []
