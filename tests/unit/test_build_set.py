"""data/writer-prompts/build_set.py, the one builder of the hand-written sets: every set rebuilt
through its src/build.py stub in a copy gives the committed bytes, and a writer's standalone copy
builds its own folder."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parents[2] / "data"
BUILDER = DATA / "writer-prompts" / "build_set.py"
STUB = DATA / "heldout15" / "src" / "build.py"
OUTPUTS = ("cache_pairs.jsonl", "classifier_queries.jsonl")


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(script: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # From another folder: the scripts find their set from their own path.
    return subprocess.run([sys.executable, "-I", str(script), *args], cwd=script.anchor,
                          capture_output=True, text=True, check=False)


# Every set whose src/build.py is the stub (heldout15's), as a path under data/.
CONVERTED = sorted(str(p.parents[1].relative_to(DATA)) for p in DATA.glob("**/src/build.py")
                   if p.read_bytes() == STUB.read_bytes())


def test_every_converted_set_runs_the_same_stub() -> None:
    names = {Path(rel).name for rel in CONVERTED}
    assert {f"heldout{n}" for n in range(15, 24)} <= names
    assert {f"train{n}{c}" for n in (12, 13, 14) for c in "abcd"} <= names
    assert len(STUB.read_text().splitlines()) < 12


@pytest.mark.parametrize("rel", CONVERTED)
def test_a_set_rebuilt_in_a_copy_of_the_repo_gives_the_committed_bytes(
        rel: str, tmp_path: Path) -> None:
    (tmp_path / "data" / "writer-prompts").mkdir(parents=True)
    shutil.copy(BUILDER, tmp_path / "data" / "writer-prompts")
    copy = tmp_path / "data" / rel
    shutil.copytree(DATA / rel, copy)
    for name in OUTPUTS:
        (copy / name).unlink(missing_ok=True)
    done = _run(copy / "src" / "build.py")
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"{copy.name}: queries: ")
    assert _sha(copy / "cache_pairs.jsonl") == _sha(DATA / rel / "cache_pairs.jsonl")
    if (DATA / rel / "classifier_queries.jsonl").exists():
        assert _sha(copy / "classifier_queries.jsonl") == \
            _sha(DATA / rel / "classifier_queries.jsonl")
    else:  # a training set: pairs only, and an empty query file nobody commits
        assert (copy / "classifier_queries.jsonl").read_bytes() == b""


def _writer_folder(root: Path, pairs: str) -> Path:
    """A new writer's folder outside the repo: the builder copied in as src/build.py."""
    src = root / "train99z" / "src"
    src.mkdir(parents=True)
    shutil.copy(BUILDER, src / "build.py")
    (src / "q_s_bank.txt").write_text("s plain - How do I close my account?\n")
    (src / "p_s_bank.txt").write_text(pairs)
    return src.parent


def test_a_writers_copy_builds_its_own_folder_with_every_kind_any_set_used(
        tmp_path: Path) -> None:
    folder = _writer_folder(tmp_path, (
        "# matched set\n"
        "1 added_context banking || How do I close my account? || Hi, I moved abroad: how do "
        "I close my account?\n"
        "0 added_request banking || How do I close my account? || How do I close my account, "
        "and can I keep my card?\n"
        "\n"
        "0 specific_case banking || How do I close my account? || How do I close a joint "
        "account?\\nIt is in two names.\n"))
    done = _run(folder / "src" / "build.py")
    assert done.returncode == 0, done.stderr
    assert done.stdout == "train99z: queries: 1  pairs: 3\n"
    rows = [json.loads(line) for line in (folder / "cache_pairs.jsonl").read_text().splitlines()]
    assert [(r["id"], r["label"], r["kind"]) for r in rows] == [
        ("p0001", 1, "added_context"), ("p0002", 0, "added_request"),
        ("p0003", 0, "specific_case")]
    assert rows[2]["b"] == "How do I close a joint account?\nIt is in two names."
    assert json.loads((folder / "classifier_queries.jsonl").read_text()) == {
        "id": "q0001", "text": "How do I close my account?", "tier": "simple",
        "traffic": "support", "style": "plain", "borderline": False}


def test_a_malformed_or_duplicate_row_fails_and_writes_nothing(tmp_path: Path) -> None:
    folder = _writer_folder(tmp_path, (
        "1 specific_case banking || How do I close my account? || Close a joint account?\n"
        "0 near_topic banking || Close my card || Close my account\n"
        "0 near_topic banking || close my  ACCOUNT || Close my card\n"))
    done = _run(BUILDER, str(folder))
    assert done.returncode == 1
    assert "p_s_bank.txt:1: kind 'specific_case' is not a positive kind" in done.stderr
    assert "p_s_bank.txt:3: duplicate pair (first at p_s_bank.txt:2)" in done.stderr
    assert not any((folder / name).exists() for name in OUTPUTS)


def test_the_builder_alone_says_how_to_call_it() -> None:
    done = _run(BUILDER)
    assert done.returncode == 2
    assert "SET_FOLDER" in done.stderr
