"""bench/amounts_diff.py's ``--quora``: Quora's pairs read once (the file also holds the
verifier's tune split's and ``heldout.jsonl``'s Quora pairs, which ``committed_pairs``
reads already; until session 20 they were read a second time as "quora-train")."""

from __future__ import annotations

import io
import json
import tarfile
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture(scope="module")
def amounts_diff(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("amounts_diff")


def archive(tmp_path: Path, rows: list[dict[str, object]]) -> Path:
    path, data = tmp_path / "qqp.tar.gz", json.dumps(rows).encode()
    with tarfile.open(path, "w:gz") as tar:
        info = tarfile.TarInfo("qqp/pairs.json")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    return path


def test_a_quora_pair_already_committed_is_read_there_alone(amounts_diff: ModuleType,
                                                            tmp_path: Path) -> None:
    rows = [{"text_a": "Is it far? ", "text_b": "How far is it?", "label": 1},
            {"text_a": "Why blue", "text_b": "Why red", "label": 0},
            {"text_a": " ", "text_b": "empty", "label": 0}]
    committed = [{"set": "cache_pairs/tune", "a": "Is it far?", "b": "How far is it?",
                  "label": 1, "kind": "paraphrase", "source": "qqp"}]
    assert amounts_diff.quora_pairs(archive(tmp_path, rows), committed) == [
        {"set": "quora-train", "a": "Why blue", "b": "Why red", "label": 0}]


def test_the_sets_reserved_for_a_later_session_are_read_by_no_tally(
        amounts_diff: ModuleType) -> None:
    """``committed_pairs`` (and so every rule's ``others()``) reads every committed heldout
    set but those kept for a later session's decisions, which exist on disk."""
    root = Path(amounts_diff.__file__).resolve().parents[1] / "data"
    for name in amounts_diff.RESERVED:
        assert (root / name / "cache_pairs.jsonl").is_file()
        assert name not in amounts_diff.HELDOUT
    assert "heldout35" in amounts_diff.HELDOUT
    # heldout58-59 left RESERVED when session 27's rule S6d named them: read like any seen set.
    assert {"heldout58", "heldout59"} <= set(amounts_diff.HELDOUT)


def test_the_spelling_check_reads_the_synonym_form_with_a_table(
        amounts_diff: ModuleType, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """``--synonym-table layer``: the shipped synonym form answers "hire" / "rent" (not
    refused); without it the respelling check finds none (refused: the verifier's)."""
    pairs = [{"set": "x", "a": "can I hire a bike", "b": "can I rent a bike", "label": 1},
             {"set": "x", "a": "is the fedora in stock", "b": "is the homburg in stock",
              "label": 0}]
    monkeypatch.setattr(amounts_diff, "committed_pairs", lambda: [dict(p) for p in pairs])

    def refused(*flags: str) -> list[bool]:
        out = tmp_path / "saved.jsonl"
        monkeypatch.setattr("sys.argv", ["amounts_diff", "--check", "spelling",
                                         "--save", str(out), *flags])
        amounts_diff.main()
        return [json.loads(line)["refused"] for line in out.read_text().splitlines()]

    assert refused("--synonym-table", "layer") == [False, True]  # rule K: kinds, refused
    assert refused() == [True, True]
