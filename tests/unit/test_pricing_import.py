"""Importing prices from LiteLLM's model_prices_and_context_window.json format.

The sample file is in LiteLLM's documented format; its gpt-4o entry carries altered
prices (2 / 8 / cached 1 per million) so that there is something to change.
"""

from __future__ import annotations

import json
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from llm_router.catalog import load_catalog, parse_catalog
from llm_router.errors import ConfigError
from llm_router.pricing_import import import_prices, per_million, set_model_fields

SAMPLE = Path(__file__).parent / "payloads" / "litellm_prices_sample.json"
DEFAULT_CATALOG = (
    Path(__file__).parents[2] / "layers" / "core" / "llm_router" / "data" / "catalog.yaml"
)


def run_import(catalog_text: str) -> tuple[str, list[str]]:
    result = import_prices(catalog_text, SAMPLE.read_text(), price_source="test",
                           price_date="2030-01-02")
    return result.text, [str(c) for c in result.changes]


@pytest.mark.parametrize(("per_token", "expected"), [
    ("1.5e-07", "0.15"), ("2.5e-06", "2.5"), ("1.5e-05", "15"), ("7.5e-08", "0.075"),
    ("1.25e-07", "0.125"), ("5.46875e-07", "0.546875"), ("0.0", "0"), ("3e-06", "3")])
def test_per_million_is_exact(per_token: str, expected: str) -> None:
    value = json.loads(per_token, parse_float=Decimal)
    assert str(per_million(value)) == expected


def test_float_input_goes_through_its_repr() -> None:
    assert per_million(2.5e-06) == Decimal("2.5")


def test_updates_only_changed_prices_and_reports_them() -> None:
    text, changes = run_import(DEFAULT_CATALOG.read_text())
    assert changes == [
        "gpt-4o: input_per_mtok 2.5 -> 2",
        "gpt-4o: output_per_mtok 10.0 -> 8",
        "gpt-4o: cached_input_per_mtok 1.25 -> 1",
        "llama-3.3-70b-versatile: context_window 131072 -> 128000",
    ]
    catalog = parse_catalog(yaml.safe_load(text), env={})
    gpt4o = catalog.models["gpt-4o"]
    assert (gpt4o.input_per_mtok, gpt4o.output_per_mtok, gpt4o.cached_input_per_mtok) == (
        Decimal("2"), Decimal("8"), Decimal("1"))
    assert (gpt4o.price_source, gpt4o.price_date) == ("test", "2030-01-02")
    # Unchanged models keep their own source and date.
    mini = catalog.models["gpt-4o-mini"]
    assert mini.price_date != "2030-01-02"


def test_keeps_comments_placeholders_and_everything_else() -> None:
    original = DEFAULT_CATALOG.read_text()
    text, _ = run_import(original)
    assert "api_key: ${OPENAI_API_KEY}" in text
    assert "# --- OpenAI: https://openai.com/api/pricing/" in text
    changed = {i for i, (a, b) in enumerate(zip(original.splitlines(), text.splitlines(),
                                                strict=True)) if a != b}
    # gpt-4o: 3 prices + source + date; llama-3.3-70b: context window + source + date
    assert len(changed) == 8
    assert load_catalog(env={}).models.keys() == parse_catalog(
        yaml.safe_load(text), env={}).models.keys()


def test_matches_by_upstream_name_and_provider_prefix() -> None:
    catalog = """\
providers:
  groq: {kind: openai, base_url: https://api.groq.com/openai/v1}
  anthropic: {kind: anthropic, base_url: https://api.anthropic.com}
models:
  fast:
    provider: groq
    upstream_model: llama-3.3-70b-versatile
    input_per_mtok: 1
    output_per_mtok: 1
  haiku:
    provider: anthropic
    upstream_model: claude-3-5-haiku-20241022
    input_per_mtok: 1
    output_per_mtok: 1
"""
    text, _ = run_import(catalog)
    models = parse_catalog(yaml.safe_load(text), env={}).models
    assert models["fast"].input_per_mtok == Decimal("0.59")
    assert models["haiku"].cache_write_per_mtok == Decimal("1")
    assert models["haiku"].cached_input_per_mtok == Decimal("0.08")
    assert models["haiku"].max_output_tokens == 8192


def test_other_providers_entries_never_match() -> None:
    catalog = """\
providers:
  azure-ish: {kind: openai, base_url: https://example.invalid/v1}
models:
  gpt-4o-mini:
    provider: azure-ish
    input_per_mtok: 9
    output_per_mtok: 9
"""
    result = import_prices(catalog, SAMPLE.read_text(), price_source="t", price_date="d")
    assert result.changes == () and result.unmatched == ("gpt-4o-mini",)
    mapped = import_prices(catalog, SAMPLE.read_text(), provider_map={"azure": "azure-ish"},
                           price_source="t", price_date="d")
    assert [str(c) for c in mapped.changes][:2] == [
        "gpt-4o-mini: input_per_mtok 9 -> 0.165", "gpt-4o-mini: output_per_mtok 9 -> 0.66"]


def test_flow_style_models_are_refused_clearly() -> None:
    with pytest.raises(ConfigError, match="block-style"):
        set_model_fields("models:\n  m: {provider: p}\n", "m", {"input_per_mtok": "1"})


def test_bad_json_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="not JSON"):
        import_prices(DEFAULT_CATALOG.read_text(), "{nope", price_source="t", price_date="d")


def test_command_writes_yaml_and_prints_the_diff(tmp_path: Path) -> None:
    out = tmp_path / "catalog.yaml"
    done = subprocess.run(
        [sys.executable, "-m", "llm_router_local.cli", "pricing", "import", str(SAMPLE),
         "--out", str(out), "--date", "2030-01-02"],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "gpt-4o: input_per_mtok 2.5 -> 2" in done.stderr
    catalog = load_catalog(out, env={})
    assert catalog.models["gpt-4o"].price_date == "2030-01-02"


def test_command_fails_in_one_line_on_a_missing_file(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "llm_router_local.cli", "pricing", "import", str(tmp_path / "none")],
        capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
