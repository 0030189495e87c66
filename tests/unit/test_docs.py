"""The docs keep up with the code: every relative link in README.md and docs/ resolves,
every command and option of ``llm-router`` has its row in README's command table (and
every option a row names exists), and every ``make`` target is documented."""

from __future__ import annotations

import argparse
import re
from pathlib import Path

import pytest

from llm_router_local.cli import build_parser

ROOT = Path(__file__).resolve().parents[2]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md")), ROOT / "infra" / "README.md"]


def _slug(heading: str) -> str:
    # GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens.
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def _anchors(path: Path) -> set[str]:
    return {_slug(m.group(1)) for m in re.finditer(r"^#+ (.*)$", path.read_text("utf-8"),
                                                  re.MULTILINE)}


def _links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text("utf-8"), flags=re.DOTALL)
    return [m.group(1) for m in re.finditer(r"\]\(([^)\s]+)\)", text)
            if not re.match(r"[a-z]+:", m.group(1))]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_resolve(doc: Path) -> None:
    broken = []
    for link in _links(doc):
        target, _, anchor = link.partition("#")
        path = (doc.parent / target) if target else doc
        if not path.exists() or (anchor and path.suffix == ".md"
                                 and anchor not in _anchors(path)):
            broken.append(link)
    assert broken == []


def _leaves(parser: argparse.ArgumentParser, name: str = "llm-router"
            ) -> dict[str, argparse.ArgumentParser]:
    subs = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    if not subs:
        return {name: parser}
    found: dict[str, argparse.ArgumentParser] = {}
    for sub in subs:
        for sub_name, child in sub.choices.items():
            found |= _leaves(child, f"{name} {sub_name}")
    return found


def _options(parser: argparse.ArgumentParser) -> set[str]:
    return {o for a in parser._actions if a.help != argparse.SUPPRESS
            for o in a.option_strings if o.startswith("--") and o != "--help"}


def _command_rows() -> dict[str, str]:
    """README's command table: the command each row documents -> its first cell."""
    readme = (ROOT / "README.md").read_text("utf-8")
    table = readme[readme.index("| command | does |"):]
    table = table[:table.index("\n\n")]
    rows = {}
    for line in table.splitlines()[2:]:
        cell = re.split(r"(?<!\\)\|", line)[1]
        m = re.match(r" `(llm-router(?: [a-z][a-z-]*)+)", cell)
        assert m, line
        rows[m.group(1)] = cell
    return rows


def test_every_command_and_option_has_its_row_in_the_readme() -> None:
    rows = _command_rows()
    missing = [f"{name} {option}" for name, parser in _leaves(build_parser([])).items()
               for option in ["", *sorted(_options(parser))]
               if name not in rows or option not in rows[name]]
    assert missing == []


def test_the_readme_names_no_command_or_option_that_does_not_exist() -> None:
    leaves = _leaves(build_parser([]))
    stale = [f"{name} {option}" for name, cell in _command_rows().items()
             for option in ([""] if name not in leaves else
                            sorted(set(re.findall(r"--[a-z][a-z-]*", cell))
                                   - _options(leaves[name])))]
    assert stale == []


def test_every_make_target_is_documented() -> None:
    makefile = (ROOT / "Makefile").read_text("utf-8")
    targets = {m.group(1) for m in re.finditer(r"^([a-z][a-z-]*):(?!=)", makefile, re.MULTILINE)}
    docs = "\n".join(p.read_text("utf-8") for p in DOCS)
    assert sorted(t for t in targets if f"make {t}`" not in docs and f"make {t} " not in docs
                  ) == []
