from llm_router.bootstrap import resolve_secrets
from llm_router.catalog import parse_catalog

CATALOG = {
    "providers": {
        "openai": {"kind": "openai", "base_url": "http://o/v1", "api_key": "${NOPE}"},
        "groq": {"kind": "openai", "base_url": "http://g/v1", "api_key": "${NOPE}"},
        "anthropic": {"kind": "anthropic", "base_url": "http://a",
                      "api_key_parameter": "/custom/anthropic"},
        "ollama": {"kind": "openai", "base_url": "http://l/v1", "local": True},
        "set": {"kind": "openai", "base_url": "http://s/v1", "api_key": "already"},
    }
}


def test_keys_come_from_the_prefix_in_one_call_and_named_parameters() -> None:
    calls: list[tuple[str, bool]] = []

    def fetch(name: str, by_path: bool):
        calls.append((name, by_path))
        if by_path:
            return {"openai/api_key": "sk-o", "other/api_key": "x"}
        return "sk-a"

    catalog = resolve_secrets(parse_catalog(CATALOG, env={}), "/llm-router/prod/providers/",
                              fetch)
    p = catalog.providers
    assert p["openai"].api_key == "sk-o"
    assert p["anthropic"].api_key == "sk-a"
    assert p["groq"].api_key is None and not p["groq"].configured  # absent: skipped, no error
    assert p["set"].api_key == "already"
    assert calls == [("/llm-router/prod/providers", True), ("/custom/anthropic", False)]


def test_nothing_fetched_without_prefix_or_need() -> None:
    def fetch(name: str, by_path: bool):
        raise AssertionError("no SSM call expected")

    catalog = parse_catalog({"providers": {"x": {"kind": "openai", "base_url": "http://x",
                                                 "api_key": "k"}}}, env={})
    assert resolve_secrets(catalog, "/p", fetch) is catalog
    no_prefix = parse_catalog({"providers": {"x": {"kind": "openai", "base_url": "http://x"}}},
                              env={})
    assert resolve_secrets(no_prefix, None, fetch).providers["x"].api_key is None
