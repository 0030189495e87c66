import numpy as np

from llm_router.cache.similarity import cosine, cosine_scores, top_k


def unit(*values: float) -> np.ndarray:
    v = np.array(values, dtype=np.float32)
    return v / np.linalg.norm(v)


def test_scores_are_dot_products_of_unit_rows() -> None:
    rows = np.stack([unit(1, 0), unit(0, 1), unit(1, 1)])
    scores = cosine_scores(rows, unit(1, 0))
    assert np.allclose(scores, [1.0, 0.0, np.sqrt(0.5)], atol=1e-6)
    assert cosine_scores(np.empty((0, 2), dtype=np.float32), unit(1, 0)).size == 0


def test_top_k_is_sorted_bounded_and_floored() -> None:
    scores = np.array([0.1, 0.9, 0.5, 0.7, 0.95], dtype=np.float32)
    assert top_k(scores, 3, 0.0) == [4, 1, 3]
    assert top_k(scores, 10, 0.6) == [4, 1, 3]
    assert top_k(scores, 0, 0.0) == []
    assert top_k(np.empty(0, dtype=np.float32), 3, 0.0) == []


def test_cosine_of_a_vector_with_itself_is_one() -> None:
    v = unit(3, 4, 5)
    assert abs(cosine(v, v) - 1.0) < 1e-6


def test_top_k_puts_tied_scores_in_index_order_whatever_the_rest_holds() -> None:
    """Two entries of one vector (texts that differ only in case) tie: the lower index
    comes first, however the other scores (masked or not) are laid out."""
    rng = np.random.default_rng(29)
    for trial in range(50):
        scores = rng.uniform(-1, 0.5, 2_000).astype(np.float32)
        a, b = sorted(rng.choice(2_000, 2, replace=False).tolist())
        scores[a] = scores[b] = np.float32(0.9)
        scores[rng.choice(2_000, trial * 20, replace=False)] = np.float32(-2.0)
        scores[a] = scores[b] = np.float32(0.9)
        for k in (1, 2, 5):
            assert top_k(scores, k, -1.0)[:2] == [a, b][:k]
    few = np.full(10, -2.0, dtype=np.float32)
    few[[3, 7]] = 0.5
    assert top_k(few, 5, -1.0) == [3, 7]  # the masked rows under the floor are never sorted
