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
