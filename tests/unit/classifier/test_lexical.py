"""Hashed n-grams: stable across processes, digits folded, rows of unit norm, and a long
text read only at its two ends."""

from __future__ import annotations

import subprocess
import sys

import numpy as np

from llm_router.classifier.lexical import hashed_ngrams, ngrams
from llm_router.classifier.view import EDGE


def test_ngrams_are_lowercased_words_and_pairs_with_digits_folded() -> None:
    assert ngrams("How many SECONDS in 2024?") == [
        "how", "many", "seconds", "in", "0", "?",
        "how many", "many seconds", "seconds in", "in 0", "0 ?",
    ]
    assert ngrams("") == []


def test_rows_are_unit_norm_binary_and_the_same_in_another_process() -> None:
    texts = ["why is my bill higher this month", "", "order #4411 never arrived"]
    rows = hashed_ngrams(texts, 256)
    assert rows.shape == (3, 256) and rows.dtype == np.float32
    np.testing.assert_allclose(np.linalg.norm(rows, axis=1), [1.0, 0.0, 1.0], rtol=1e-6)
    assert len(set(rows[0][rows[0] > 0].round(6))) == 1  # indicators, one value per row
    code = ("import sys; from llm_router.classifier.lexical import hashed_ngrams; "
            "sys.stdout.write(hashed_ngrams(['order #4411 never arrived'], 256).tobytes().hex())")
    other = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                           check=True).stdout
    assert bytes.fromhex(other) == rows[2].tobytes()


def test_a_long_text_is_read_at_its_two_ends() -> None:
    middle = " filler" * (EDGE // 2)
    text = "please refund" + middle + " zzmiddle" + middle + " the order"
    grams = set(ngrams(text))
    assert {"please refund", "the order"} <= grams
    assert "zzmiddle" not in grams
