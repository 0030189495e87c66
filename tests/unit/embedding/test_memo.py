"""The file-backed embedding memo used by training and benchmarks."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from llm_router.embedding.memo import MemoEmbedder


class CountingEmbedder:
    dim = 3
    model_id = "counting@1"

    def __init__(self) -> None:
        self.seen: list[str] = []

    def embed(self, texts):
        self.seen += list(texts)
        return np.array([[len(t), 1.0, 0.0] for t in texts], dtype=np.float32)

    def embed_one(self, text):
        return self.embed([text])[0]


def test_each_text_is_embedded_once_across_instances_and_order_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "memo.npz"
    inner = CountingEmbedder()
    first = MemoEmbedder(inner, path).embed(["bb", "a", "bb"])
    assert first[:, 0].tolist() == [2.0, 1.0, 2.0]
    assert sorted(inner.seen) == ["a", "bb"]
    again = MemoEmbedder(inner, path)  # a new process would read the same file
    np.testing.assert_array_equal(again.embed(["a", "ccc"])[:, 0], [1.0, 3.0])
    assert inner.seen[-1] == "ccc" and inner.seen.count("a") == 1
    assert again.embed([]).shape == (0, 3)


def test_another_model_id_does_not_reuse_vectors(tmp_path: Path) -> None:
    path = tmp_path / "memo.npz"
    MemoEmbedder(CountingEmbedder(), path).embed(["x"])
    other = CountingEmbedder()
    other.model_id = "counting@2"
    MemoEmbedder(other, path).embed(["x"])
    assert other.seen == ["x"]
