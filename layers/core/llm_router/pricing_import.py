"""Refresh catalog prices from LiteLLM's ``model_prices_and_context_window.json``.

That file maps a model key (``gpt-4o``, ``groq/llama-3.3-70b-versatile``) to prices per
token (``input_cost_per_token``, ``output_cost_per_token``,
``cache_read_input_token_cost``, ``cache_creation_input_token_cost``), limits
(``max_input_tokens``, ``max_output_tokens``) and ``litellm_provider``. A catalog model
matches an entry when the entry's provider maps to the model's provider and the key,
with or without its ``provider/`` prefix, is the model's upstream name or its name.

Prices are read as Decimals straight from the JSON text (``parse_float=Decimal``) and
scaled to per-million exactly: 2.5e-06 per token is 2.5 per million, never
2.4999999999999998. The catalog YAML is edited line by line, so its comments, order
and ``${VAR}`` placeholders survive; the result is validated before it is returned.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import yaml

from llm_router.catalog import parse_catalog
from llm_router.errors import ConfigError

MILLION = Decimal(1_000_000)

# litellm_provider -> our provider name, for the providers in the default catalog.
DEFAULT_PROVIDER_MAP: dict[str, str] = {
    "openai": "openai",
    "anthropic": "anthropic",
    "gemini": "gemini",
    "groq": "groq",
    "mistral": "mistral",
    "deepseek": "deepseek",
    "together_ai": "together",
    "fireworks_ai": "fireworks",
    "openrouter": "openrouter",
    "nvidia_nim": "nvidia-nim",
    "cloudflare": "cloudflare",
    "ollama": "ollama",
}

# catalog field -> (LiteLLM field, converter)
_PRICE_FIELDS = {
    "input_per_mtok": "input_cost_per_token",
    "output_per_mtok": "output_cost_per_token",
    "cached_input_per_mtok": "cache_read_input_token_cost",
    "cache_write_per_mtok": "cache_creation_input_token_cost",
}
_LIMIT_FIELDS = {"context_window": "max_input_tokens", "max_output_tokens": "max_output_tokens"}


@dataclass(frozen=True)
class FieldChange:
    model: str
    field: str
    old: str | None
    new: str

    def __str__(self) -> str:
        return f"{self.model}: {self.field} {self.old or '-'} -> {self.new}"


@dataclass(frozen=True)
class ImportResult:
    text: str  # the updated catalog YAML
    changes: tuple[FieldChange, ...]
    matched: tuple[str, ...]  # catalog models that had an entry in the file
    unmatched: tuple[str, ...]


def parse_litellm(text: str) -> dict[str, dict[str, Any]]:
    """The entries of a LiteLLM price file, numbers as Decimal (``sample_spec`` dropped)."""
    try:
        data = json.loads(text, parse_float=Decimal)
    except json.JSONDecodeError as exc:
        raise ConfigError(f"price file is not JSON: {exc.msg} (line {exc.lineno})") from exc
    if not isinstance(data, dict):
        raise ConfigError("price file must be a JSON object of model -> prices")
    return {
        key: entry
        for key, entry in data.items()
        if key != "sample_spec" and isinstance(entry, dict)
    }


def per_million(per_token: Any) -> Decimal:
    """A per-token price as an exact per-million Decimal, in plain notation."""
    value = per_token if isinstance(per_token, Decimal) else Decimal(str(per_token))
    scaled = (value * MILLION).normalize()
    return scaled.quantize(Decimal(1)) if scaled == scaled.to_integral() else scaled


def find_entry(
    entries: Mapping[str, Mapping[str, Any]],
    provider: str,
    names: tuple[str, ...],
    provider_map: Mapping[str, str],
) -> Mapping[str, Any] | None:
    """The entry for a catalog model of ``provider`` known by any of ``names``."""
    for key, entry in entries.items():
        litellm_provider = str(entry.get("litellm_provider", ""))
        if provider_map.get(litellm_provider) != provider:
            continue
        bare = key.split("/", 1)[1] if key.startswith(f"{litellm_provider}/") else key
        if key in names or bare in names:
            return entry
    return None


def updates_for(entry: Mapping[str, Any]) -> dict[str, Decimal | int]:
    """Catalog field -> new value, for the fields the entry carries."""
    values: dict[str, Decimal | int] = {}
    for field, source in _PRICE_FIELDS.items():
        if entry.get(source) is not None:
            values[field] = per_million(entry[source])
    for field, source in _LIMIT_FIELDS.items():
        if isinstance(entry.get(source), int | Decimal):
            values[field] = int(entry[source])
    return values


def import_prices(
    catalog_text: str,
    litellm_text: str,
    *,
    provider_map: Mapping[str, str] = DEFAULT_PROVIDER_MAP,
    price_source: str,
    price_date: str,
) -> ImportResult:
    """Update the prices of every catalog model found in the LiteLLM file."""
    raw = yaml.safe_load(catalog_text) or {}
    entries = parse_litellm(litellm_text)
    models: dict[str, Any] = raw.get("models") or {}
    text = catalog_text
    changes: list[FieldChange] = []
    matched: list[str] = []
    unmatched: list[str] = []
    for name, spec in models.items():
        spec = spec or {}
        names = (str(spec.get("upstream_model") or name), name)
        entry = find_entry(entries, str(spec.get("provider")), names, provider_map)
        if entry is None:
            unmatched.append(name)
            continue
        matched.append(name)
        new_values: dict[str, str] = {}
        for field, value in updates_for(entry).items():
            old = spec.get(field)
            if old is None or Decimal(str(old)) != value:
                before = None if old is None else str(old)
                changes.append(FieldChange(name, field, before, str(value)))
                new_values[field] = str(value)
        if new_values:
            new_values["price_source"] = json.dumps(price_source)
            new_values["price_date"] = json.dumps(price_date)
            text = set_model_fields(text, name, new_values)
    parse_catalog(yaml.safe_load(text), env={}, source="the updated catalog")
    return ImportResult(text, tuple(changes), tuple(matched), tuple(unmatched))


_TOP_KEY = re.compile(r"^(\S[^:#]*):")


def set_model_fields(text: str, model: str, values: Mapping[str, str]) -> str:
    """Set ``values`` (YAML scalars as text) in the block of ``models.<model>``."""
    lines = text.splitlines(keepends=True)
    start, end, indent = _model_block(lines, model)
    remaining = dict(values)
    for i in range(start + 1, end):
        match = re.match(rf"^{indent}([A-Za-z_]+):(\s*)([^#\n]*?)(\s*#.*)?$", lines[i].rstrip("\n"))
        if match and match.group(1) in remaining:
            comment = match.group(4) or ""
            value = remaining.pop(match.group(1))
            lines[i] = f"{indent}{match.group(1)}: {value}{comment}\n"
    last = end
    while last > start + 1 and not lines[last - 1].strip():
        last -= 1
    extra = [f"{indent}{field}: {value}\n" for field, value in remaining.items()]
    if last == len(lines) and lines and not lines[-1].endswith("\n"):
        lines[-1] += "\n"
    return "".join(lines[:last] + extra + lines[last:])


def _model_block(lines: list[str], model: str) -> tuple[int, int, str]:
    """(first line, end line, field indent) of a model's block-style mapping."""
    try:
        models_at = next(i for i, line in enumerate(lines) if re.match(r"^models:\s*(#.*)?$", line))
    except StopIteration:
        raise ConfigError("catalog has no block-style 'models:' section") from None
    key = re.compile(rf"^(\s+)[\"']?{re.escape(model)}[\"']?:\s*(#.*)?$")
    for i in range(models_at + 1, len(lines)):
        if _TOP_KEY.match(lines[i]):
            break
        found = key.match(lines[i])
        if found:
            own = len(found.group(1))
            end = i + 1
            while end < len(lines) and (
                not lines[end].strip() or _indent(lines[end]) > own
            ):
                end += 1
            field_indent = next(
                (lines[j][: _indent(lines[j])] for j in range(i + 1, end) if lines[j].strip()),
                " " * (own + 2),
            )
            return i, end, field_indent
    raise ConfigError(f"model {model!r} is not a block-style entry under 'models:'")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))
