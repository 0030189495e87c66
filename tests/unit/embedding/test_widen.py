"""float16 -> float32 widening by shifts: the exact values numpy's cast gives."""

from __future__ import annotations

import numpy as np

from llm_router.embedding.widen import widen


def _bits(a: np.ndarray) -> np.ndarray:
    return a.view(np.uint32)


def test_every_float16_value_widens_exactly() -> None:
    every = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    finite = every[np.isfinite(every)]  # normals, subnormals, both zeros
    (wide,) = widen([[finite]])
    assert wide.dtype == np.float32
    np.testing.assert_array_equal(_bits(wide), _bits(finite.astype(np.float32)))


def test_infinities_and_nans_fall_back_to_the_cast() -> None:
    values = np.array([1.5, np.inf, -np.inf, -2.0, np.nan], dtype=np.float16)
    (wide,) = widen([[values]])
    np.testing.assert_array_equal(wide, values.astype(np.float32))  # NaN == NaN here


def test_groups_stack_along_the_first_axis_from_unaligned_views() -> None:
    rng = np.random.default_rng(0)
    parts = [rng.standard_normal((3, 4)).astype(np.float16) for _ in range(3)]
    vector = rng.standard_normal(5).astype(np.float16)
    raw = b"\0" + b"".join(p.tobytes() for p in parts) + vector.tobytes()
    views = [np.frombuffer(raw, np.float16, 12, 1 + 24 * i).reshape(3, 4) for i in range(3)]
    tail = np.frombuffer(raw, np.float16, 5, 1 + 72)
    assert not views[0].flags.aligned
    stacked, single = widen([views, [tail]])
    assert stacked.shape == (9, 4) and single.shape == (5,)
    np.testing.assert_array_equal(stacked, np.concatenate(parts).astype(np.float32))
    np.testing.assert_array_equal(single, vector.astype(np.float32))
