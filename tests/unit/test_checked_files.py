"""Hashes the layer build checked (checked_files.py) and what map_verified does with them."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest

from llm_router import checked_files
from llm_router.artefacts import map_verified
from llm_router.checked_files import CHECKED, checked_at_build, write_checked
from llm_router.errors import ConfigError


def _export(directory: Path, data: bytes = b"weights" * 100) -> str:
    (directory / "w.bin").write_bytes(data)
    sha = hashlib.sha256(data).hexdigest()
    (directory / "manifest.json").write_text(json.dumps({"files": {"w.bin": sha}}))
    return sha


def test_the_build_script_writes_checked_json(tmp_path: Path) -> None:
    sha = _export(tmp_path)
    done = subprocess.run([sys.executable, "-I", checked_files.__file__, str(tmp_path)],
                          capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert json.loads((tmp_path / CHECKED).read_text()) == {
        "w.bin": {"sha256": sha, "size": 700}}
    assert checked_at_build(tmp_path / "w.bin", sha)


def test_the_build_refuses_a_file_that_does_not_match(tmp_path: Path) -> None:
    _export(tmp_path)
    (tmp_path / "w.bin").write_bytes(b"other")
    with pytest.raises(ValueError, match="does not match"):
        write_checked(tmp_path)
    assert not (tmp_path / CHECKED).exists()


def test_a_checked_file_is_not_hashed_again(tmp_path: Path) -> None:
    sha = _export(tmp_path)
    write_checked(tmp_path)
    # Same size, other bytes: only a hash could tell, and the build already hashed it
    # (a deployed layer cannot change after that).
    (tmp_path / "w.bin").write_bytes(b"WEIGHTS" * 100)
    assert map_verified(tmp_path / "w.bin", sha, what="weights")[:7] == b"WEIGHTS"


def test_without_a_matching_entry_the_file_is_hashed(tmp_path: Path) -> None:
    sha = _export(tmp_path)
    write_checked(tmp_path)
    (tmp_path / "w.bin").write_bytes(b"WEIGHTS" * 100)
    other = hashlib.sha256(b"x").hexdigest()  # the manifest names another hash now
    with pytest.raises(ConfigError, match="does not match"):
        map_verified(tmp_path / "w.bin", other, what="weights")
    (tmp_path / CHECKED).unlink()  # a checkout: no checked.json
    with pytest.raises(ConfigError, match="does not match"):
        map_verified(tmp_path / "w.bin", sha, what="weights")


def test_a_truncated_file_fails_even_when_checked(tmp_path: Path) -> None:
    sha = _export(tmp_path)
    write_checked(tmp_path)
    (tmp_path / "w.bin").write_bytes(b"weights" * 99)
    assert not checked_at_build(tmp_path / "w.bin", sha)
    with pytest.raises(ConfigError, match="does not match"):
        map_verified(tmp_path / "w.bin", sha, what="weights")
