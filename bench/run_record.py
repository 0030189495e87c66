"""What made a result file: the command, the commit (``-dirty`` with uncommitted
changes outside bench/results/), the time and the machine's load, written into the
result itself."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]


def _git(*args: str) -> str:
    return subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True,
                          check=True, timeout=10).stdout.strip()


def run_record() -> dict[str, Any]:
    script = Path(sys.argv[0]).resolve()
    shown = script.relative_to(ROOT) if script.is_relative_to(ROOT) else script
    try:
        commit = _git("rev-parse", "--short=7", "HEAD")
        # Results rewritten by a run do not make the code that made them dirty.
        if _git("status", "--porcelain", "--untracked-files=no", "--", ".",
                ":(exclude)bench/results"):
            commit += "-dirty"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return {"command": " ".join([".venv/bin/python", str(shown), *sys.argv[1:]]),
            "commit": commit, "at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "load_average_1m": round(os.getloadavg()[0], 2)}
