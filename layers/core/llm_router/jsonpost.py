"""JSON POSTs for the few blocking callers (alert notifications, the remote embedder),
on the standard library: urllib.request with an explicit timeout on every call and
certifi's CA bundle (the bundle the provider path trusts, llm_router.providers.session).

These callers are synchronous and rare, so they do not need a client library of their
own in the layer (httpx was one, 1.1 MB with httpcore). Like httpx's defaults before:
redirects are not followed (a 3xx is returned as a response), proxies are read from the
environment, and an HTTP error status is a response, not an exception. Only a request
that got no answer raises: ``PostTimeout`` when a connect or read ran past the timeout,
``PostFailed`` for anything else below HTTP (refused, reset, DNS, TLS, a broken reply).
"""

from __future__ import annotations

import http.client
import json
import ssl
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any


class PostFailed(Exception):
    """The request got no HTTP answer."""


class PostTimeout(PostFailed):
    """Connecting or reading took longer than the timeout."""


@dataclass(frozen=True)
class PostResponse:
    status: int
    body: bytes

    @property
    def is_success(self) -> bool:
        return 200 <= self.status < 300

    def json(self) -> Any:
        """The body parsed; ``ValueError`` when it is not JSON."""
        return json.loads(self.body)


class JsonPoster:
    """POSTs JSON to ``base_url`` + path (or to a full URL when ``base_url`` is empty),
    with ``headers`` on every request. Build one per container and pass it in."""

    def __init__(self, base_url: str = "", *, headers: Mapping[str, str] | None = None,
                 timeout: float = 5.0):
        self._base = base_url.rstrip("/")
        self._headers = {"Content-Type": "application/json", "Accept": "application/json",
                         **(headers or {})}
        self._timeout = timeout
        self._opener = urllib.request.build_opener(
            _NoRedirect, urllib.request.HTTPSHandler(context=_ssl_context()))

    def post(self, path: str, payload: Any, *, timeout: float | None = None) -> PostResponse:
        url = f"{self._base}/{path.lstrip('/')}" if self._base else path
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode()
        request = urllib.request.Request(url, data=body, headers=self._headers, method="POST")
        try:
            with self._opener.open(request, timeout=timeout or self._timeout) as reply:
                return PostResponse(reply.status, reply.read())
        except urllib.error.HTTPError as exc:  # an answer with an error status
            with exc:
                return PostResponse(exc.code, exc.read())
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise PostTimeout(f"POST {url}: timed out") from exc
            raise PostFailed(f"POST {url}: {exc.reason}") from exc
        except TimeoutError as exc:  # the read after the connect
            raise PostTimeout(f"POST {url}: timed out") from exc
        except (OSError, http.client.HTTPException, ValueError) as exc:
            raise PostFailed(f"POST {url}: {type(exc).__name__}: {exc}") from exc


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A 3xx comes back as it is (urllib would follow it, turning the POST into a GET)."""

    def redirect_request(self, req: urllib.request.Request, fp: Any, code: int, msg: str,
                         headers: Any, newurl: str) -> None:
        return None


@lru_cache(maxsize=1)
def _ssl_context() -> ssl.SSLContext:
    import certifi

    return ssl.create_default_context(cafile=certifi.where())
