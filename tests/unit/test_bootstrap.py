import types

import pytest

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


def test_serve_builds_the_encoders_before_it_listens(monkeypatch: pytest.MonkeyPatch) -> None:
    """tiktoken's encoder build holds the GIL for ~0.2 s: a server answering concurrent
    requests must pay it before serving, not inside the first long prompt (loop stall)."""
    import argparse

    from llm_router.tokens.encodings import get_encoding
    from llm_router_local.cli import serve

    order: list[str] = []
    monkeypatch.setattr(serve.LocalStack, "start",
                        staticmethod(lambda *a, **k: types.SimpleNamespace(
                            settings=None, catalog=None, mode="simulator",
                            stop=lambda: order.append("stopped"))))
    monkeypatch.setattr(serve, "listening_socket",
                        lambda host, port: types.SimpleNamespace(getsockname=lambda: (host, port)))
    monkeypatch.setattr(serve, "build_services", lambda *a, **k: None)
    monkeypatch.setattr(serve, "create_app", lambda services: None)
    monkeypatch.setattr(serve, "_banner", lambda stack, url, server: None)

    real_build = serve.build_encoders

    def build_and_record() -> None:
        real_build()
        order.append(f"o200k built: {get_encoding('o200k_base').built}")

    monkeypatch.setattr(serve, "build_encoders", build_and_record)

    class Server:
        def __init__(self, config: object, on_ready: object) -> None:
            pass

        def run(self, sockets: object) -> None:
            order.append("serving")

        def exit_as_signalled(self) -> None:
            order.append("no signal")

    monkeypatch.setattr(serve, "ReadyServer", Server)
    monkeypatch.setattr(serve.uvicorn, "Config", lambda app, **k: None)
    serve._serve(argparse.Namespace(host="127.0.0.1", port=0, dev_key=None, simulate="on",
                                    loop="asyncio", http="h11"),
                 None, None)  # type: ignore[arg-type]
    assert order == ["o200k built: True", "serving", "no signal", "stopped"]
