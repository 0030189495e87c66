"""One MiniLM per process: the tier picker and the cache verifier share it; it reads its
word table in place from the mapped export and widens the rest once."""

from __future__ import annotations

import numpy as np

from llm_router.cache.verifier import load_verifier
from llm_router.complexity import TierPicker
from llm_router.embedding.minilm import MiniLMEmbedder, shared_embedder


def test_picker_and_verifier_share_one_embedder():
    picker = TierPicker.load()
    verifier = load_verifier()
    assert picker.embedder is shared_embedder()
    assert verifier.embedder is shared_embedder()
    assert verifier.vocabulary is not None


def test_word_table_is_read_in_place_and_the_rest_is_widened():
    embedder = MiniLMEmbedder.load()
    # The float16 word table is a view of the mapped file (only the rows queries use are
    # ever read); everything else is float32, in one block of its own.
    assert embedder.word_table.dtype == np.float16
    assert not embedder.word_table.flags.writeable
    layer = embedder._layers[0]
    assert layer.w_qkv.dtype == np.float32 and layer.w_qkv.flags.writeable
