"""The alignment model's numpy inference (``llm_router.cache.align``), on random weights:
its arrays round-trip, it is symmetric in the two texts, and it reads token order only
through the states (a text's tokens shuffled give the same pooled alignment)."""

import numpy as np

from llm_router.cache.align import PARAMS, AlignEnsemble, AlignNet


def _net(seed: int, d: int = 8, h: int = 6, top: int = 5, features: int = 4) -> AlignNet:
    rng = np.random.default_rng(seed)
    shapes = {"proj": (384, d), "comp_w": (4 * d + 1, h), "comp_b": (h,),
              "top_w": (4 * h + features, top), "top_b": (top,), "out_w": (top, 1),
              "out_b": (1,), "mean": (features,), "scale": (features,)}
    arrays = {k: rng.normal(0, 0.3, shapes[k]).astype(np.float32) for k in PARAMS}
    arrays["scale"] = np.abs(arrays["scale"]) + 0.5
    return AlignNet.from_arrays(arrays)


def _states(rng: np.random.Generator, n: int) -> np.ndarray:
    x = rng.normal(size=(n, 384)).astype(np.float32)
    return x / np.linalg.norm(x, axis=1, keepdims=True)


def test_symmetric_in_the_two_texts_and_arrays_round_trip() -> None:
    rng = np.random.default_rng(1)
    a, b, x = _states(rng, 7), _states(rng, 11), rng.normal(size=4).astype(np.float32)
    net = _net(0)
    assert np.isclose(net.logit(a, b, x), net.logit(b, a, x), atol=1e-5)
    again = AlignNet.from_arrays(net.arrays())
    assert again.logit(a, b, x) == net.logit(a, b, x)
    ensemble = AlignEnsemble((net, _net(1)))
    restored = AlignEnsemble.from_arrays(ensemble.arrays())
    p = ensemble.score(a, b, x)
    assert 0 < p < 1 and restored.score(a, b, x) == p
    logits = [net.logit(a, b, x), _net(1).logit(a, b, x)]
    assert np.isclose(p, np.mean(1 / (1 + np.exp(-np.asarray(logits)))), atol=1e-6)


def test_a_text_aligned_with_itself_differs_from_an_unrelated_pair() -> None:
    rng = np.random.default_rng(2)
    a, b, x = _states(rng, 9), _states(rng, 9), np.zeros(4, np.float32)
    net = _net(3)
    assert net.logit(a, a, x) != net.logit(a, b, x)
    order = rng.permutation(9)
    assert np.isclose(net.logit(a[order], b, x), net.logit(a, b, x), atol=1e-5)
