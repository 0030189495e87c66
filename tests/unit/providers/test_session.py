"""The provider calls' aiohttp session: httpx's pool and timeout defaults kept, one
session per event loop, proxies from the environment only where one is set."""

from __future__ import annotations

import asyncio

import pytest

from llm_router.providers.session import UpstreamHttp, timeout_of


def _in_a_loop(http: UpstreamHttp, *, close: bool = True):
    async def run():
        session = http.session()
        again = http.session()
        connector = session.connector
        facts = (session is again, connector.limit, connector._keepalive_timeout,
                 session.trust_env, session.timeout.total)
        if close:
            await http.aclose()
        return session, facts

    return asyncio.run(run())


def test_one_session_per_loop_with_httpx_pool_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY", "http_proxy", "https_proxy",
                 "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    http = UpstreamHttp()
    first, (same, limit, keepalive, trust_env, _) = _in_a_loop(http, close=False)
    assert same and limit == 100 and keepalive == 5.0 and not trust_env
    second, _ = _in_a_loop(http)  # another loop (a new asyncio.run): a new session
    assert second is not first and second.closed and not first.closed
    asyncio.run(first.close())  # left open above on purpose; closed here, not by the GC


def test_a_proxy_in_the_environment_is_honoured(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HTTPS_PROXY", "http://proxy.internal:3128")
    _, (_, _, _, trust_env, _) = _in_a_loop(UpstreamHttp())
    assert trust_env


def test_timeout_bounds_the_connect_and_each_read_not_the_whole_exchange() -> None:
    timeout = timeout_of(7.5)
    assert (timeout.connect, timeout.sock_connect, timeout.sock_read) == (7.5, 7.5, 7.5)
    assert timeout.total is None  # a stream may run as long as its chunks keep coming
