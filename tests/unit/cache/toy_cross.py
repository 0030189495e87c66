"""A toy cross-encoder over the shipped MiniLM weights (two layers, seed 11), written once per
test module and installed as the process's shared "cross" verifier: the lookup tests'
common fixture bodies (test_cross_lookup, test_lookup_lock)."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm_router.cache import verifier as verifier_module
from llm_router.cache.cross import CrossVerifier, load_cross_verifier
from llm_router.embedding.minilm import MiniLMEmbedder
from train.cache_verifier.cross_export import from_minilm, write_cross


def toy_artefact(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the toy cross-encoder's ``cross.npz`` and ``cross.json``."""
    directory = tmp_path_factory.mktemp("cross")
    write_cross(directory, *from_minilm(2, seed=11))
    return directory


def installed(embedder: MiniLMEmbedder, artefact: Path,
              monkeypatch: pytest.MonkeyPatch) -> CrossVerifier:
    """A fresh verifier loaded from ``artefact``, also the process's shared "cross" one
    for the test's duration."""
    verifier = load_cross_verifier(embedder, artefact)
    monkeypatch.setitem(verifier_module._SHARED, "cross", verifier)
    return verifier
