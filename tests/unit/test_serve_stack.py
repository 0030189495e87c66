"""`serve --loop/--http`: what ``auto`` stands for, and the fallback when a fast one is missing."""

from __future__ import annotations

import importlib.util
import signal

import pytest

from llm_router_local.cli import serve


def test_auto_names_the_fast_pair_when_installed() -> None:
    pytest.importorskip("uvloop")
    pytest.importorskip("httptools")
    assert serve.server_stack("auto", "auto") == ("uvloop", "httptools")


def test_auto_falls_back_to_the_standard_pair(monkeypatch: pytest.MonkeyPatch) -> None:
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name in ("uvloop", "httptools") else real(name))
    assert serve.server_stack("auto", "auto") == ("asyncio", "h11")
    with pytest.raises(SystemExit, match="uvloop is not installed"):
        serve.server_stack("uvloop", "h11")
    with pytest.raises(SystemExit, match="httptools is not installed"):
        serve.server_stack("asyncio", "httptools")


def test_the_standard_pair_is_taken_as_named() -> None:
    assert serve.server_stack("asyncio", "h11") == ("asyncio", "h11")


def test_the_parser_offers_the_fallback() -> None:
    from llm_router_local.cli import build_parser

    argv = ["serve", "--loop", "asyncio", "--http", "h11"]
    args = build_parser(argv).parse_args(argv)
    assert (args.loop, args.http) == ("asyncio", "h11")
    assert build_parser(["serve"]).parse_args(["serve"]).loop == "auto"


def _server() -> serve.ReadyServer:
    import uvicorn

    return serve.ReadyServer(uvicorn.Config(app=lambda *a: None), on_ready=lambda: None)


def test_a_signal_whose_re_raise_was_dropped_still_decides_the_exit() -> None:
    # uvicorn re-raises the signal that stopped it from inside the loop; a
    # KeyboardInterrupt that lands in a finalizer is dropped and `serve` exited 0.
    server = _server()
    server.handle_exit(signal.SIGINT, None)
    assert server.should_exit
    with pytest.raises(KeyboardInterrupt):
        server.exit_as_signalled()
    server = _server()
    server.handle_exit(signal.SIGTERM, None)
    with pytest.raises(SystemExit) as stop:
        server.exit_as_signalled()
    assert stop.value.code == 128 + signal.SIGTERM


def test_a_server_no_signal_stopped_leaves_quietly() -> None:
    _server().exit_as_signalled()  # returns: `serve` exits 0
