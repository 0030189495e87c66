from decimal import Decimal
from pathlib import Path

import pytest

from llm_router.catalog import interpolate, load_catalog, parse_catalog
from llm_router.errors import ConfigError, ModelNotFoundError

# The minimal file DESIGN.md promises `llm-router serve --config FILE` always accepts.
DESIGN_MINIMAL = (Path(__file__).parents[1] / "data" / "design_minimal.yaml").read_text()


def test_design_minimal_file_loads_as_written(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(DESIGN_MINIMAL)
    catalog = load_catalog(path, env={})
    small = catalog.models["small-model"]
    assert small.upstream_model == "up-small"
    assert small.input_per_mtok == Decimal("0.15")  # exact, not 0.1499999...
    assert catalog.providers["testup"].kind == "openai"
    assert catalog.providers["testup"].configured
    assert catalog.limits.max_body_bytes > 0  # missing sections take defaults


def test_upstream_model_defaults_to_the_name() -> None:
    catalog = parse_catalog({
        "providers": {"p": {"kind": "openai-compatible", "base_url": "http://x/v1/"}},
        "models": {"m": {"provider": "p", "input_per_mtok": 1, "output_per_mtok": 2}},
    }, env={})
    assert catalog.models["m"].upstream_model == "m"
    assert catalog.providers["p"].base_url == "http://x/v1"
    assert not catalog.providers["p"].configured


def test_interpolation() -> None:
    env = {"KEY": "abc", "EMPTY": ""}
    assert interpolate("${KEY}", env) == "abc"
    assert interpolate("${MISSING}", env) is None
    assert interpolate("${EMPTY}", env) is None
    assert interpolate("${MISSING:-fallback}", env) == "fallback"
    assert interpolate("Bearer ${KEY}!", env) == "Bearer abc!"
    assert interpolate({"a": ["${KEY}", 3]}, env) == {"a": ["abc", 3]}


def test_unknown_provider_reference_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match="names provider 'ghost'"):
        parse_catalog({"models": {"m": {"provider": "ghost", "input_per_mtok": 1,
                                        "output_per_mtok": 1}}}, env={})


def test_bad_kind_names_the_field() -> None:
    with pytest.raises(ConfigError, match="providers.p.kind"):
        parse_catalog({"providers": {"p": {"kind": "soap", "base_url": "http://x"}}}, env={})


def test_invalid_yaml_and_missing_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("providers: [unclosed")
    with pytest.raises(ConfigError, match="not valid YAML") as refused:
        load_catalog(bad)
    assert "\n" not in str(refused.value)  # the CLI's errors are one line
    with pytest.raises(ConfigError, match="cannot read"):
        load_catalog(tmp_path / "absent.yaml")


def test_resolve_by_name_and_provider_slash_upstream(tmp_path: Path) -> None:
    path = tmp_path / "c.yaml"
    path.write_text(DESIGN_MINIMAL)
    catalog = load_catalog(path, env={})
    assert catalog.resolve("small-model").name == "small-model"
    assert catalog.resolve("testup/up-large").name == "large-model"
    assert catalog.resolve("testup/small-model").name == "small-model"
    with pytest.raises(ModelNotFoundError) as info:
        catalog.resolve("otherprov/up-large")
    assert info.value.status == 404 and info.value.param == "model"


def test_default_catalog_loads_without_keys() -> None:
    catalog = load_catalog(None, env={})
    assert catalog.models
    assert not any(p.api_key for p in catalog.providers.values())


def test_environment_weights_default_and_override_per_weight() -> None:
    default = parse_catalog({}).routing.environments
    assert (default["dev"].local, default["dev"].free) == (50, 25)
    assert (default["prod"].local, default["prod"].free) == (0, 0)
    tuned = parse_catalog({"routing": {"environments": {"dev": {"free": 5},
                                                         "prod": {"free": 10}}}})
    assert (tuned.routing.environments["dev"].local, tuned.routing.environments["dev"].free) \
        == (50, 5)
    assert tuned.routing.environments["prod"].free == 10
    with pytest.raises(ConfigError, match="environments"):
        parse_catalog({"routing": {"environments": {"staging": {"free": 5}}}})
