"""The official ``openai`` client, as the integration tests make it: each one is closed
at the end of the test that made it (``tests/integration/conftest.py``'s autouse
``close_openai_clients``).

An ``openai.OpenAI`` left open keeps its pooled keep-alive socket until the garbage
collector frees the client; the client and its resources form a reference cycle, so
that happens in a later collection, during whichever test is running then, and when the
socket is finalised before the client's own ``__del__`` closes it, Python warns
"unclosed <socket ...>" against that later test (how test_benchmark_job.py failed under
load in session 10: the socket's peer was test_gateway.py's router).
"""

from __future__ import annotations

from typing import Any

import openai

_open: list[openai.OpenAI] = []


def openai_client(base_url: str, api_key: str, **options: Any) -> openai.OpenAI:
    """``openai.OpenAI(base_url=..., api_key=..., max_retries=0, **options)``, closed when
    the test ends."""
    client = openai.OpenAI(base_url=base_url, api_key=api_key,
                           **{"max_retries": 0, **options})
    _open.append(client)
    return client


def close_all() -> None:
    while _open:
        _open.pop().close()
