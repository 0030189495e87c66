from __future__ import annotations

import pytest

from llm_router.embedding.minilm import MiniLMEmbedder
from llm_router.errors import ConfigError


@pytest.fixture(scope="session")
def minilm() -> MiniLMEmbedder:
    try:
        return MiniLMEmbedder.load()
    except ConfigError as exc:
        pytest.fail(f"{exc} (the unit target depends on `make data`)")
