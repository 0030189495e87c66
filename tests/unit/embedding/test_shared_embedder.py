"""One MiniLM per process: the tier picker and the cache verifier share it, and it keeps
no reference to the raw export (45 MB) once built."""

from __future__ import annotations

from llm_router.cache.verifier import load_verifier
from llm_router.complexity import TierPicker
from llm_router.embedding.minilm import MiniLMEmbedder, shared_embedder


def test_picker_and_verifier_share_one_embedder():
    picker = TierPicker.load()
    verifier = load_verifier()
    assert picker.embedder is shared_embedder()
    assert verifier.embedder is shared_embedder()
    assert verifier.vocabulary is not None


def test_word_table_does_not_hold_the_raw_file():
    embedder = MiniLMEmbedder.load()
    # A view into the verified file's bytes would keep all 45 MB of it alive.
    assert not isinstance(embedder.word_table.base, bytes)
    base = embedder.word_table.base
    assert base is None or not isinstance(base.base, bytes)
