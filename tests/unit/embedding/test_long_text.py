"""A long text is embedded from a prefix, with exactly the tokens the whole text gives."""

from __future__ import annotations

import pytest

TEXTS = [
    "How do I return a damaged parcel? " * 400,  # the prefix fills the window
    "x" * 5000 + " then a few words",  # one huge word: the prefix cannot, whole text used
    "word, " * 900 + "end",  # punctuation between words
    " " * 5000 + "hi",  # only whitespace before the words
]


@pytest.mark.parametrize("text", TEXTS)
def test_prefix_tokens_equal_whole_text_tokens(minilm, text: str) -> None:
    assert minilm._token_ids(text) == minilm._tokenizer.encode(text).ids


def test_a_one_megabyte_text_embeds_like_its_first_words(minilm) -> None:
    text = "The parcel arrived late and the box was damaged. " * 21000
    assert len(text) > 1_000_000
    head = "The parcel arrived late and the box was damaged. " * 100
    assert float(minilm.embed_one(text) @ minilm.embed_one(head)) > 0.999
