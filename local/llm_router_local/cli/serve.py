"""``llm-router serve``: the router on uvicorn, with embedded storage and simulator."""

from __future__ import annotations

import argparse
import gc
import importlib.util
import signal
import socket
import sys
from collections.abc import Callable
from types import FrameType

import uvicorn

from llm_router.api.app import create_app
from llm_router.bootstrap import build_encoders, build_services
from llm_router.catalog import Catalog, load_catalog
from llm_router.heap import bound_heap
from llm_router.providers.session import UpstreamHttp
from llm_router.settings import RouterSettings
from llm_router_local.one_send import one_send_protocol
from llm_router_local.processes import sigterm_exits
from llm_router_local.sockets import listening_socket
from llm_router_local.stack import DEV_TENANT, LocalStack
from llm_router_local.stack_dump import dump_stacks_on


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "serve",
        help="run the router locally (embedded store, simulator when no keys)",
        description=(
            "Run the OpenAI-compatible router on uvicorn. Without LLM_ROUTER_AWS_ENDPOINT_URL "
            "it embeds a local store that speaks DynamoDB's API (SQLite underneath) with the "
            "tables of template.yaml; without provider API keys in the environment it serves "
            "every provider from the provider simulator."
        ),
    )
    p.add_argument("--config", help="catalog YAML (default: LLM_ROUTER_CONFIG_PATH, "
                                     "else the shipped catalog)")
    p.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=8080, help="port (default 8080; 0 picks a free one)")
    p.add_argument("--dev-key", help="register this API key for tenant 'dev'")
    p.add_argument(
        "--simulate",
        choices=("auto", "on", "off"),
        default="auto",
        help="use the provider simulator: auto (the default) = only when no provider "
        "key is set",
    )
    # uvicorn's fast path (requirements/serve.txt) by default; the stdlib pair is there to
    # rule them out when debugging. auto: the first of each pair that imports.
    p.add_argument("--loop", choices=("auto", "uvloop", "asyncio"), default="auto",
                   help="event loop (default auto: uvloop when installed, else asyncio)")
    p.add_argument("--http", choices=("auto", "httptools", "h11"), default="auto",
                   help="HTTP/1.1 parser (default auto: httptools when installed, else h11)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    # Locally, the dev tenant's key (--dev-key) also reads the API docs.
    settings = RouterSettings(environment="dev", api_docs=True, admin_tenant=DEV_TENANT)
    if args.config:
        settings = settings.model_copy(update={"config_path": args.config})
    catalog = load_catalog(settings.config_path)
    dump_stacks_on()  # kill -USR1: where a serve that does not stop is waiting
    with sigterm_exits():
        _serve(args, settings, catalog)
    return 0


def _serve(args: argparse.Namespace, settings: RouterSettings, catalog: Catalog) -> None:
    """Everything started here is stopped on the way out: normal exit, Ctrl-C, SIGTERM."""
    bound_heap()  # before the models load (the mmap threshold) and any thread (the arenas)
    loop, http = server_stack(args.loop, args.http)
    stack = LocalStack.start(settings, catalog, simulate=args.simulate)
    try:
        if args.dev_key:
            stack.register_dev_key(args.dev_key)
        sock = listening_socket(args.host, args.port)
        host, port = sock.getsockname()[:2]
        services = build_services(
            stack.settings, http=UpstreamHttp(), catalog=stack.catalog, mode=stack.mode
        )
        build_encoders()  # before it listens: o200k's build holds the GIL (bootstrap)
        app = create_app(services)
        # What start-up built lives until exit; frozen, the collector no longer walks it,
        # neither in full collections while serving nor in those the interpreter runs as
        # it exits: 2.8-6.5 s of each exit after Ctrl-C under load (average 9-14 on 2
        # cores), 0.1-0.3 s frozen (bench/serve_exit.py). Lambda's init freezes too.
        gc.freeze()
        config = uvicorn.Config(app, loop=loop, http=one_send_protocol(http),
                                log_level="warning", access_log=False)
        # run(), not asyncio.run(serve()): run() builds the loop that `loop` names.
        server = ReadyServer(config, lambda: _banner(stack, f"http://{host}:{port}",
                                                     f"{loop} + {http}"))
        server.run(sockets=[sock])
        server.exit_as_signalled()
    finally:
        stack.stop()


class ReadyServer(uvicorn.Server):
    """uvicorn's server that calls ``on_ready`` once it accepts connections with its own
    SIGINT and SIGTERM handlers in place (``Server.serve`` installs them before
    ``startup``), so scripts that signal ``serve`` as soon as it says it is listening
    get uvicorn's shutdown. Before that a Ctrl-C is a KeyboardInterrupt raised wherever
    the main thread is, and one raised in a weakref callback is printed and dropped:
    ``serve`` then served on, deaf to the Ctrl-C it was sent (the flaky
    test_process_cleanup run, reproduced under load)."""

    def __init__(self, config: uvicorn.Config, on_ready: Callable[[], None]) -> None:
        super().__init__(config)
        self._on_ready = on_ready
        self.caught: list[int] = []  # signals uvicorn's handler caught, in order

    async def startup(self, sockets: list[socket.socket] | None = None) -> None:
        await super().startup(sockets=sockets)
        if self.started and not self.should_exit:
            self._on_ready()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        self.caught.append(sig)
        super().handle_exit(sig, frame)

    def exit_as_signalled(self) -> None:
        """Leave as the signal that stopped the server asks, when ``run`` returned.

        Once shut down, uvicorn raises that signal again for the default handler (a
        KeyboardInterrupt for Ctrl-C) from inside the event loop; the handler runs at
        the next Python line, which can be a finalizer's, where the KeyboardInterrupt is
        printed and dropped: ``serve`` then exited 0 after a Ctrl-C (a full integration
        run under load, twice). Reaching here after a caught signal means it was dropped."""
        if signal.SIGINT in self.caught:
            raise KeyboardInterrupt
        if signal.SIGTERM in self.caught:
            raise SystemExit(128 + signal.SIGTERM)


def server_stack(loop: str, http: str) -> tuple[str, str]:
    """The event loop and HTTP parser ``auto`` stands for (uvicorn's own choice, named
    here so the banner says what runs); a named one that is not installed is an error."""
    return _installed("uvloop", loop), _installed("httptools", http)


def _installed(fast: str, choice: str) -> str:
    if choice not in ("auto", fast):
        return choice
    if importlib.util.find_spec(fast) is not None:
        return fast
    if choice == fast:
        raise SystemExit(f"{fast} is not installed (pip install -r requirements/serve.txt)")
    return "asyncio" if fast == "uvloop" else "h11"


def _banner(stack: LocalStack, url: str, server: str) -> None:
    lines = ["", "=" * 72, f"llm-router {stack.mode.upper()} mode"]
    lines += [f"  {note}" for note in stack.notes]
    lines += [f"  server: uvicorn on {server}"]
    names = list(stack.catalog.models)
    shown = ", ".join(names[:6]) + (f" and {len(names) - 6} more" if len(names) > 6 else "")
    lines += [f"  models: {shown} (GET /v1/models lists them)",
              f"  OpenAI base URL: {url}/v1", "=" * 72]
    print("\n".join(lines), flush=True)
    # The one line scripts wait for; keep its wording stable.
    print(f"llm-router listening on {url}", flush=True)
    sys.stdout.flush()
