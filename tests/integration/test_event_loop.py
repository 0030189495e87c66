"""Work proportional to a 1 MB prompt runs off the event loop, once per request.

Structural, not timed: every function that reads the whole prompt (body parse, input
guards, cache keys, token counts, classifier features, embedding, the upstream body's
JSON) is wrapped to record whether it ran in the event loop's thread, and how often.
The timing this buys (a concurrent /health held up by at most 50 ms) is measured by
``bench/loop_stall.py``; that the scans let go of the interpreter lock while they run
is tested in tests/unit/test_textscan.py.
"""

from __future__ import annotations

import asyncio
import importlib
import json
from collections import Counter
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

import anyio
import httpx
import pytest
import yaml

from llm_router.api.app import create_app
from llm_router.bootstrap import build_services
from llm_router.catalog import Catalog, parse_catalog
from llm_router.complexity import TierPicker
from llm_router.providers.session import UpstreamHttp
from llm_router.tokens import encoding_name_for
from llm_router_local.simulated import SimulatorProcess

from .conftest import Storage, sim_catalog

pytestmark = pytest.mark.integration
KEY = "sk-test-big-prompt"
PROMPT_CHARS = 1_000_000
GUARDS = "guards: {input: sanitize, injection: flag, pii: redact}\n"


def big_prompt(i: int) -> str:
    sentence = (f"Note {i}: the parcel arrived late, should I ask for a refund of $12.50 "
                "or wait? `def f(): return 1`\n")
    return (sentence * (PROMPT_CHARS // len(sentence) + 1))[:PROMPT_CHARS]


def on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@dataclass
class Recorder:
    """Which wrapped function ran where: (name, in the event loop's thread)."""

    calls: list[tuple[str, bool]] = field(default_factory=list)

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            self.calls.append((name, on_event_loop()))
            return fn(*args, **kwargs)
        return wrapper

    def on_loop(self) -> list[str]:
        return [name for name, loop in self.calls if loop]

    def counts(self) -> Counter[str]:
        return Counter(name for name, _ in self.calls)


# (module, attribute): every function on the request path that reads the whole prompt.
WHOLE_TEXT = [
    ("llm_router.service", "parse_chat_request"),
    ("llm_router.service", "guard_input"),
    ("llm_router.service", "requested_model"),
    ("llm_router.cache.service", "exact_key"),
    ("llm_router.preflight", "count_prompt"),
    ("llm_router.classifier.runtime", "text_features"),
    ("llm_router.providers.transport", "_json_bytes"),
    ("httpx._content", "encode_json"),  # httpx's json=: must not see a 1 MB body
]


@dataclass
class Setup:
    storage: Storage
    catalog: Catalog
    tiers: TierPicker

    @asynccontextmanager
    async def app(self) -> AsyncIterator[Any]:
        """A fresh app per test: its HTTP client belongs to the test's event loop, and is
        closed in it on the way out (as the app's lifespan closes it on shutdown)."""
        services = build_services(
            self.storage.settings, http=UpstreamHttp(), catalog=self.catalog,
            dynamodb=self.storage.client, tiers=self.tiers)
        try:
            yield create_app(services)
        finally:
            await services.chat.aclose()


@pytest.fixture(scope="module")
def setup(simulator: SimulatorProcess, storage: Storage) -> Setup:
    data = yaml.safe_load(sim_catalog(simulator.url, max_body_bytes=4 * PROMPT_CHARS) + GUARDS)
    catalog = parse_catalog(data)
    storage.add_key(KEY)
    return Setup(storage, catalog, TierPicker.load(
        under_cost=catalog.routing.under_routing_cost))


@pytest.fixture
def recorder(setup: Setup, monkeypatch: pytest.MonkeyPatch) -> Recorder:
    rec = Recorder()
    for module_name, attr in WHOLE_TEXT:
        module = importlib.import_module(module_name)
        monkeypatch.setattr(module, attr, rec.wrap(attr, getattr(module, attr)))
    embedder = setup.tiers.embedder
    monkeypatch.setattr(embedder, "embed_one", rec.wrap("embed_one", embedder.embed_one))
    return rec


def send(setup: Setup, *bodies: dict[str, Any] | bytes) -> list[httpx.Response]:
    """The bodies, one after another, to a fresh in-process app."""
    async def go() -> list[httpx.Response]:
        async with setup.app() as app, httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://router",
                timeout=300) as client:
            return [await client.post(
                "/v1/chat/completions",
                content=body if isinstance(body, bytes) else json.dumps(body).encode(),
                headers={"authorization": f"Bearer {KEY}", "content-type": "application/json"})
                for body in bodies]
    return anyio.run(go)


def chat(model: str, i: int, **extra: Any) -> dict[str, Any]:
    return {"model": model, "max_tokens": 20, **extra,
            "messages": [{"role": "user", "content": big_prompt(i)}]}


def test_explicit_model_guards_and_cache_off_the_loop(setup: Setup, recorder: Recorder) -> None:
    [resp] = send(setup, chat("small-model", 1))
    assert resp.status_code == 200, resp.text
    assert recorder.on_loop() == []
    counts = recorder.counts()
    assert counts["parse_chat_request"] == 1
    assert counts["guard_input"] == 1
    assert counts["exact_key"] >= 1  # lookup and store ask; the key is made once (memo)
    assert counts["_json_bytes"] == 1  # the upstream body, encoded in a worker thread
    assert counts["encode_json"] == 0  # ... and not by httpx on the loop


def test_auto_routing_and_cost_cap_off_the_loop(setup: Setup, recorder: Recorder) -> None:
    [resp] = send(setup, chat("auto", 2, max_cost_usd=5))
    assert resp.status_code == 200, resp.text
    assert resp.headers["x-router-tier"]
    assert recorder.on_loop() == []
    counts = recorder.counts()
    assert counts["text_features"] == 1
    assert counts["embed_one"] == 1  # one embedding, for the classifier
    # The prompt's tokens are counted once per encoding, not per model or step.
    encodings = {encoding_name_for(m.upstream_model)[0] for m in setup.catalog.models.values()}
    assert 1 <= counts["count_prompt"] <= len(encodings)


def test_stream_and_bad_body_off_the_loop(setup: Setup, recorder: Recorder) -> None:
    bad = json.dumps(chat("small-model", 4, temperature="hot")).encode()
    streamed, refused = send(setup, chat("small-model", 3, stream=True), bad)
    assert streamed.status_code == 200, streamed.text
    assert "data: [DONE]" in streamed.text
    assert refused.status_code == 400, refused.text
    assert recorder.on_loop() == []
    counts = recorder.counts()
    assert counts["parse_chat_request"] == 2
    assert counts["requested_model"] == 1  # the refused body's model, for its ledger item
    assert counts["encode_json"] == 0
