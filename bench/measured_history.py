"""Checks that README's Measured table lost nothing when its history moved out (session 24):
every sentence README.md held at an older commit that it no longer holds appears in
docs/measured-history.md, byte for byte, or with only its links re-rooted from the
repository root to docs/ (``docs/x.md`` -> ``x.md``, ``bench/...`` -> ``../bench/...``).
A row's result cell was cut into paragraphs where a "Before:" began; those cuts read as
the space they replaced. Prints the counts and every missing sentence; exits 1 if any.

    .venv/bin/python bench/measured_history.py COMMIT   # README as it was before the move
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HISTORY = ROOT / "docs" / "measured-history.md"


def reroot(text: str) -> str:
    """A README link's target as docs/measured-history.md must write it."""
    def fix(match: re.Match[str]) -> str:
        target = match.group(1)
        if re.match(r"[a-z]+:", target):
            return match.group(0)
        if target.startswith("docs/"):
            target = target[len("docs/"):]
        elif target.startswith("#"):
            target = "../README.md" + target
        else:
            target = "../" + target
        return f"]({target})"
    return re.sub(r"\]\(([^)\s]+)\)", fix, text)


def sentences(text: str) -> list[str]:
    """Sentences (cut at '. ') of every line, a table row's cells taken apart first."""
    out: list[str] = []
    for line in text.split("\n"):
        cells = (re.split(r"(?<!\\) \| ", line.strip().strip("|").strip())
                 if line.startswith("|") else [line])
        for cell in cells:
            out += [s.strip() for s in re.split(r"(?<=\.)\s+", cell) if s.strip()]
    return out


def check(old: str, new: str, history: str) -> dict[str, list[str]]:
    flat = history.replace("\n\n", " ")
    removed = [s for s in sentences(old) if s not in new]
    return {"removed": removed,
            "verbatim": [s for s in removed if s in flat],
            "rerooted": [s for s in removed if s not in flat and reroot(s) in flat],
            "missing": [s for s in removed if s not in flat and reroot(s) not in flat]}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("commit", help="the commit whose README.md held the history")
    args = parser.parse_args()
    old = subprocess.run(["git", "show", f"{args.commit}:README.md"], cwd=ROOT, check=True,
                         capture_output=True, text=True).stdout
    found = check(old, (ROOT / "README.md").read_text("utf-8"), HISTORY.read_text("utf-8"))
    print(f"sentences in README.md at {args.commit}: {len(sentences(old))}; "
          f"no longer in README.md: {len(found['removed'])}")
    print(f"  in docs/measured-history.md byte for byte: {len(found['verbatim'])}")
    print(f"  byte for byte once their links are re-rooted for docs/: {len(found['rerooted'])}")
    print(f"  missing: {len(found['missing'])}")
    for sentence in found["missing"]:
        print("    MISSING:", sentence)
    return 1 if found["missing"] else 0


if __name__ == "__main__":
    sys.exit(main())
