"""The one HTTP client of provider calls: an aiohttp session, built on first use.

aiohttp's ``ClientSession.post`` costs a quarter to a third of the CPU of httpx's
transport path per call (bench/upstream_hop.py, docs/performance.md), and the
upstream hop is on every request. The session belongs to the event loop it was built
in (aiohttp requires a running one), so it is built on the first call rather than at
import, and built again if a later call runs in another loop.

Pool and timeouts keep httpx's defaults, which the router ran on before: at most 100
connections, idle ones kept 5 s; one ``timeout`` bounds the connect (pool wait included)
and every read; no redirect followed, no cookie kept; proxies from the environment
(``HTTPS_PROXY``...) when any is set. Differences, documented in docs/performance.md:
aiohttp has no write timeout and no cap on idle connections kept (httpx kept 20), and
it caches DNS answers for 10 s.
"""

from __future__ import annotations

import asyncio
import ssl
import urllib.request
from collections.abc import Sequence
from functools import lru_cache

import aiohttp

MAX_CONNECTIONS = 100
KEEPALIVE_S = 5.0


class UpstreamHttp:
    """Built once per container (bootstrap, ``serve``) and shared by every provider call.

    ``middlewares`` (tests) are aiohttp client middlewares: the seam where a test puts
    faults between the router and a real upstream on 127.0.0.1."""

    def __init__(self, *, middlewares: Sequence[aiohttp.ClientMiddlewareType] = (),
                 limit: int = MAX_CONNECTIONS):
        self._middlewares = tuple(middlewares)
        self._limit = limit
        self._session: aiohttp.ClientSession | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    def session(self) -> aiohttp.ClientSession:
        loop = asyncio.get_running_loop()
        if self._session is None or self._loop is not loop or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._limit,
                                               keepalive_timeout=KEEPALIVE_S,
                                               ssl=_ssl_context()),
                middlewares=self._middlewares,
                cookie_jar=aiohttp.DummyCookieJar(),  # a provider API sets none that matter
                # httpx honoured proxy variables; aiohttp looks them up on every request
                # when told to, so it is told to only where one is set.
                trust_env=_proxy_in_env(),
                # The body is already bytes and the status is ours to map.
                raise_for_status=False,
            )
            self._loop = loop
        return self._session

    async def aclose(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None


@lru_cache(maxsize=16)
def timeout_of(seconds: float) -> aiohttp.ClientTimeout:
    """httpx's ``timeout=seconds``: connect (pool wait included) and each read bounded,
    no bound on the whole exchange (a stream may run as long as its chunks keep coming)."""
    return aiohttp.ClientTimeout(total=None, connect=seconds, sock_connect=seconds,
                                 sock_read=seconds)


def _proxy_in_env() -> bool:
    return any(scheme in ("http", "https", "all") for scheme in urllib.request.getproxies())


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    """certifi's CA bundle, as httpx used, so the same providers are trusted everywhere
    (Lambda's image, a laptop) rather than whatever the host's OpenSSL finds."""
    import certifi

    return ssl.create_default_context(cafile=certifi.where())
