"""A long text is embedded from a prefix, with exactly the tokens the whole text gives,
cut to the window as the tokenizer's own truncation would cut them."""

from __future__ import annotations

import pytest
from tokenizers import Tokenizer

from llm_router.embedding.artefact import load_model_files
from llm_router.embedding.minilm import MAX_SEQ_LENGTH

TEXTS = [
    "How do I return a damaged parcel? " * 400,  # the prefix fills the window
    "x" * 5000 + " then a few words",  # one huge word: the prefix cannot, whole text used
    "word, " * 900 + "end",  # punctuation between words
    " " * 5000 + "hi",  # only whitespace before the words
    # around the window: 252 to 258 tokens with [CLS] and [SEP]
    *("parcel " * n for n in range(250, 257)),
    "unbelievably " * 120,  # several pieces a word: the cut falls inside a word
]


@pytest.fixture(scope="module")
def truncating() -> Tokenizer:
    """The export's tokenizer with its own truncation at the window (the embedder's
    tokenizer has none: the cache verifier shares it)."""
    tokenizer = Tokenizer.from_str(load_model_files().tokenizer_json)
    tokenizer.no_padding()
    tokenizer.enable_truncation(max_length=MAX_SEQ_LENGTH)
    return tokenizer


@pytest.mark.parametrize("text", TEXTS)
def test_prefix_tokens_equal_whole_text_tokens(minilm, truncating, text: str) -> None:
    assert minilm._token_ids(text) == truncating.encode(text).ids


def test_batches_are_cut_to_the_window_too(minilm, truncating) -> None:
    texts = TEXTS[4:]
    batch = minilm.embed(texts)
    for text, row in zip(texts, batch, strict=True):
        assert float(row @ minilm.embed_one(text)) > 0.99999
    assert max(len(minilm._token_ids(t)) for t in texts) == MAX_SEQ_LENGTH


def test_a_one_megabyte_text_embeds_like_its_first_words(minilm) -> None:
    text = "The parcel arrived late and the box was damaged. " * 21000
    assert len(text) > 1_000_000
    head = "The parcel arrived late and the box was damaged. " * 100
    assert float(minilm.embed_one(text) @ minilm.embed_one(head)) > 0.999
