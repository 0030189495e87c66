"""Session 33's OM: the cross-encoder distilled to its own two-order mean
(``cross_continue fit --order-mean``): the target is sigmoid of the mean of the starting
model's two logits, and every pair of a step is read in both orders with that one target."""

from __future__ import annotations

import math

import numpy as np
import pytest

from train.cache_verifier.cross import CLS, MAX_SIDE, SEP, assemble, order_rows
from train.cache_verifier.cross_continue import Subset, distilled, order_mean, subset_of


def _side(rows: list[list[int]]) -> np.ndarray:
    """Word-piece rows as a bundle holds a side: int16, padded to MAX_SIDE."""
    out = np.zeros((len(rows), MAX_SIDE), np.int16)
    for n, row in enumerate(rows):
        out[n, : len(row)] = row
    return out


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def test_order_mean_is_the_sigmoid_of_the_two_logits_mean() -> None:
    a_first = np.array([2.0, -1.0, 4.0, 0.0])
    b_first = np.array([0.0, 3.0, -4.0, 0.0])
    got = order_mean(a_first, b_first)
    assert got.dtype == np.float32
    assert got.tolist() == pytest.approx([_sigmoid(1.0), _sigmoid(1.0), 0.5, 0.5], abs=1e-7)
    # the mean of the logits, not of the probabilities: sigmoid(2) and sigmoid(0) average
    # to 0.690, their logits' mean gives 0.731
    assert got[0] == pytest.approx(_sigmoid(1.0)) and got[0] != pytest.approx(
        (_sigmoid(2.0) + 0.5) / 2, abs=1e-3)
    assert order_mean(b_first, a_first).tolist() == got.tolist()  # either order first
    assert order_mean(a_first, a_first) == pytest.approx([_sigmoid(x) for x in a_first])


def test_distilled_mixes_the_teacher_with_the_label() -> None:
    labels = np.array([1, 0, 1], np.float32)
    soft = np.array([0.2, 0.9, 0.6], np.float32)
    assert distilled(labels, soft, 1.0).tolist() == pytest.approx(soft.tolist())
    assert distilled(labels, soft, 0.75).tolist() == pytest.approx([0.4, 0.675, 0.7])
    assert distilled(labels, soft, 0.75).dtype == np.float32


def test_order_rows_reads_every_pair_both_ways_once() -> None:
    idx = np.array([3, 1, 4])
    swap = np.array([True, False, True, False, False])
    rows, flip = order_rows(idx, swap, True)
    assert rows.tolist() == [3, 1, 4, 3, 1, 4]
    assert flip.tolist() == [False, False, False, True, True, True]
    # each pair once in each order
    assert sorted(zip(rows.tolist(), flip.tolist(), strict=True)) == [
        (1, False), (1, True), (3, False), (3, True), (4, False), (4, True)]
    # off: one row a pair, in the order drawn for it
    rows, flip = order_rows(idx, swap, False)
    assert rows.tolist() == [3, 1, 4] and flip.tolist() == [False, False, False]
    rows, flip = order_rows(np.array([0, 2]), swap, False)
    assert flip.tolist() == [True, True]


def test_both_orders_rows_hold_one_target_and_each_text_first_once() -> None:
    # two pairs: a is the cached text, b the query (the bundle's sides)
    a = _side([[11, 12], [21]])
    a_len = np.array([2, 1])
    b = _side([[13], [22, 23, 24]])
    b_len = np.array([1, 3])
    targets = np.array([0.8, 0.1], np.float32)
    rows, flip = order_rows(np.array([0, 1]), np.zeros(2, np.bool_), True)
    ids, types, mask = assemble(a[rows], a_len[rows], b[rows], b_len[rows], flip)
    assert ids[0, :6].tolist() == [CLS, 11, 12, SEP, 13, SEP]  # pair 0, cached first
    assert ids[2, :6].tolist() == [CLS, 13, SEP, 11, 12, SEP]  # pair 0, query first
    assert ids[1, :7].tolist() == [CLS, 21, SEP, 22, 23, 24, SEP]
    assert ids[3, :7].tolist() == [CLS, 22, 23, 24, SEP, 21, SEP]
    assert mask.sum(1).tolist() == [6, 7, 6, 7]  # the same length either way
    assert types[2, :6].tolist() == [0, 0, 0, 1, 1, 1]
    assert targets[rows].tolist() == pytest.approx([0.8, 0.1, 0.8, 0.1])


def test_order_logits_reads_the_cached_text_first_then_the_query() -> None:
    from train.cache_verifier.cross_continue import order_logits

    # a toy model whose logit is the first word piece it reads: which side came first
    def forward(params: object, word: object, ids: object, types: object, mask: object
                ) -> object:
        return ids[:, 1].astype(np.float32)  # type: ignore[index]

    a = _side([[11], [21], [31, 32]])
    b = _side([[13, 14], [22], [33]])
    a_first, b_first = order_logits({}, None, forward, (a, np.array([1, 1, 2]), b,
                                                        np.array([2, 1, 1])), chunk=2,
                                          jit=lambda f: f)
    assert a_first.tolist() == [11.0, 21.0, 31.0]
    assert b_first.tolist() == [13.0, 22.0, 33.0]


def test_subset_keeps_a_seeded_draw_of_the_pairs_arrays_only() -> None:
    keep = subset_of(10, 4, seed=33)
    assert keep.tolist() == sorted(keep.tolist()) and len(set(keep.tolist())) == 4
    assert subset_of(10, 4, seed=33).tolist() == keep.tolist()  # the seed's draw
    assert subset_of(10, None, seed=33).tolist() == list(range(10))
    assert subset_of(10, 12, seed=33).tolist() == list(range(10))

    class Bundle:
        files = ["train.label", "train.held", "word.ids"]

        def __getitem__(self, key: str) -> np.ndarray:
            return {"train.label": np.arange(10) % 2, "train.held": np.arange(10) >= 5,
                    "word.ids": np.arange(7)}[key]

    sub = Subset(Bundle(), keep)
    assert sub.files == Bundle.files
    assert sub["train.label"].tolist() == [k % 2 for k in keep.tolist()]
    assert sub["train.held"].tolist() == [k >= 5 for k in keep.tolist()]
    assert sub["word.ids"].tolist() == list(range(7))  # not a per-pair array
