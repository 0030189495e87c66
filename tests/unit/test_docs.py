"""The docs keep up with the code: every relative link in README.md and docs/ resolves,
every command and option of ``llm-router`` has its row in README's command table (and
every option a row names exists), every ``make`` target, catalog setting and environment
variable is documented, and semantic-cache.md's `cache:` example holds every cache setting
at its default."""

from __future__ import annotations

import argparse
import re
from decimal import Decimal
from pathlib import Path
from types import UnionType
from typing import Literal, Union, get_args, get_origin

import pytest
import yaml
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from llm_router.alerting.config import AlertConfig
from llm_router.catalog import CacheConfig, Catalog
from llm_router.settings import AlertSettings, BenchmarkSettings
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
    targets = {m.group(1) for m in re.finditer(r"^([a-z][a-z0-9-]*):(?!=)", makefile, re.MULTILINE)}
    docs = "\n".join(p.read_text("utf-8") for p in DOCS)
    assert sorted(t for t in targets if f"make {t}`" not in docs and f"make {t} " not in docs
                  ) == []
    assert sorted(set(re.findall(r"`make ([a-z][a-z0-9-]*)", docs)) - targets) == []


# --- catalog settings -----------------------------------------------------------------
# Every key a catalog may set has a row in docs/configuration.md's "Every catalog setting"
# table: | `path` | default | allowed | what it does |, the default and the allowed values
# as rendered here from the pydantic models, so a new or changed setting fails until its
# row is written.

NOT_SETTINGS = {"providers.<name>.name", "models.<name>.name"}  # taken from the mapping key


def _render(value: object) -> str:
    if value is None:
        return "null"
    if value == "":
        return '""'
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, Decimal):
        return str(value.normalize()) if value != value.to_integral() else str(int(value))
    if isinstance(value, tuple | list):
        return "[" + ", ".join(_render(v) for v in value) + "]"
    if isinstance(value, BaseModel):
        return _render(value.model_dump())
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_render(v)}" for k, v in value.items()) + "}"
    return str(value)


def _default(field: FieldInfo) -> str:
    if field.is_required():
        return "required"
    return f"`{_render(field.get_default(call_default_factory=True))}`"


def _allowed(field: FieldInfo) -> str:
    kind, nullable = field.annotation, False
    if get_origin(kind) in (Union, UnionType):
        args = [a for a in get_args(kind) if a is not type(None)]
        nullable, kind = len(args) < len(get_args(kind)), args[0]
    if get_origin(kind) is Literal:
        text = ", ".join(f"`{v}`" for v in get_args(kind))
    elif kind is bool:
        text = "`true`, `false`"
    elif kind in (int, float, Decimal):
        text = "integer" if kind is int else "number" if kind is float else "decimal"
        low = next(((m.ge, "[", "≥") if hasattr(m, "ge") else (m.gt, "(", ">")
                    for m in field.metadata if hasattr(m, "ge") or hasattr(m, "gt")), None)
        high = next(((m.le, "]", "≤") if hasattr(m, "le") else (m.lt, ")", "<")
                     for m in field.metadata if hasattr(m, "le") or hasattr(m, "lt")), None)
        if low and high:
            text += f" {low[1]}{_render(low[0])}, {_render(high[0])}{high[1]}"
        elif low or high:
            bound = low or high
            assert bound is not None
            text += f" {bound[2]} {_render(bound[0])}"
    elif kind is str:
        text = "string"
    elif get_origin(kind) is tuple:
        text = "list"
    elif get_origin(kind) is dict or (isinstance(kind, type) and issubclass(kind, BaseModel)):
        text = "mapping"
    else:
        text = getattr(kind, "__name__", str(kind))
    return text + (", `null`" if nullable else "")


def _model_of(annotation: object) -> tuple[type[BaseModel] | None, str]:
    """The pydantic model a field holds, and the path step to it ("" or ".<key>")."""
    args = [a for a in get_args(annotation) if a is not type(None)]
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation, ""
    if get_origin(annotation) in (Union, UnionType) and len(args) == 1:
        return _model_of(args[0])
    if get_origin(annotation) is dict:
        model, _ = _model_of(args[1])
        return model, ".<name>" if model else ""
    return None, ""


def catalog_settings() -> dict[str, tuple[str, str]]:
    """Every catalog setting's dotted path -> (default, allowed), as the table renders
    them. A model met a second time (free_tier under models) is one row, not its keys."""
    found: dict[str, tuple[str, str]] = {}
    seen: dict[type[BaseModel], str] = {}

    def walk(model: type[BaseModel], prefix: str) -> None:
        seen[model] = prefix
        for name, field in model.model_fields.items():
            path = f"{prefix}{name}"
            inner, step = _model_of(field.annotation)
            if path in NOT_SETTINGS:
                continue
            if inner in seen:
                found[path] = (_default(field), f"as `{seen[inner].rstrip('.')}`")
            elif inner and step == "" and isinstance(field.get_default(), BaseModel):
                walk(inner, f"{path}.")  # a section (routing: ...): its keys are the rows
            else:
                found[path] = (_default(field), _allowed(field))
                if inner:
                    walk(inner, f"{path}{step}.")

    walk(Catalog, "")
    walk(AlertConfig, "alerts.")
    del found["alerts"]  # its keys are AlertConfig's, rows of their own
    return found


def _setting_rows() -> dict[str, tuple[str, str]]:
    text = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    table = text[text.index("| setting | default | allowed | what it does |"):]
    rows = {}
    for line in table[:table.index("\n\n")].splitlines()[2:]:
        cells = [c.strip() for c in re.split(r"(?<!\\)\|", line)[1:-1]]
        rows[cells[0].strip("`")] = (cells[1], cells[2].replace("\\|", "|"))
    return rows


def test_every_catalog_setting_has_a_row_with_its_default_and_allowed_values() -> None:
    rows = _setting_rows()
    wrong = {path: (expected, rows.get(path)) for path, expected in catalog_settings().items()
             if path not in rows or not rows[path][0].startswith(expected[0])
             or rows[path][1] != expected[1]}
    assert wrong == {}
    assert sorted(set(rows) - set(catalog_settings())) == []


def test_the_cache_example_holds_every_cache_setting_at_its_default() -> None:
    text = (ROOT / "docs" / "semantic-cache.md").read_text("utf-8")
    section = text[text.index("## Configuration (catalog `cache:`)"):]
    block = section[section.index("```yaml\n") + len("```yaml\n"):section.index("\n```\n")]
    assert yaml.safe_load(block) == {"cache": CacheConfig().model_dump()}


def test_every_environment_setting_is_documented() -> None:
    text = (ROOT / "docs" / "configuration.md").read_text("utf-8")
    names = {f"LLM_ROUTER_{name.upper()}" for model in (AlertSettings, BenchmarkSettings)
             for name in model.model_fields}
    assert sorted(n for n in names if f"`{n}`" not in text) == []
