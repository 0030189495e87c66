"""The provider simulator on 127.0.0.1, served by uvicorn inside the running event loop.

Provider calls go through aiohttp (``providers.session``), which has no in-process
transport, so the benchmark engine reaches the simulator over loopback TCP as a real
provider is reached; the port is picked free, the server stopped on the way out.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import uvicorn

from llm_router_local.simulator.app import create_app

STARTUP_TIMEOUT_S = 10.0


@asynccontextmanager
async def simulator_on_loopback() -> AsyncIterator[str]:
    """A fresh simulator (its own scripted faults and counters); yields its base URL."""
    config = uvicorn.Config(create_app(), host="127.0.0.1", port=0, log_level="warning",
                            access_log=False, lifespan="off")
    server = uvicorn.Server(config)
    serving = asyncio.create_task(server.serve())
    try:
        async with asyncio.timeout(STARTUP_TIMEOUT_S):
            while not server.started:
                if serving.done():  # it failed to start: say why
                    serving.result()
                    raise RuntimeError("the simulator stopped before it listened")
                await asyncio.sleep(0.005)
        port = server.servers[0].sockets[0].getsockname()[1]
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        await serving
