"""Session 39's capacity probe: the deeper start (``train.cache_verifier.deepen``), ``fit
--teacher``'s shared teacher pass and ``fit --stop-file``, on toy arrays."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from train.cache_verifier.cross_continue import stop_step, teacher_file
from train.cache_verifier.deepen import deepened, layer_count, write

NAMES = ("attention.self.query.weight", "attention.self.query.bias", "output.dense.weight")


def _layers(n: int, seed: int, dtype: type = np.float16) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    shapes = {"attention.self.query.weight": (4, 4), "attention.self.query.bias": (4,),
              "output.dense.weight": (4, 8)}
    return {f"encoder.layer.{i}.{k}": rng.standard_normal(shapes[k]).astype(dtype)
            for i in range(n) for k in NAMES}


def _cross() -> dict[str, np.ndarray]:
    return {**_layers(2, 0), "embeddings.LayerNorm.weight": np.ones(4, np.float16),
            "head.weight": np.arange(8, dtype=np.float32), "head.bias": np.zeros(1, np.float32)}


def test_the_deeper_start_keeps_every_array_and_adds_minilms_upper_layers() -> None:
    cross, minilm = _cross(), _layers(4, 1, np.float32)
    deep = deepened(cross, minilm, 4)
    assert layer_count(cross) == 2 and layer_count(deep) == 4
    assert set(deep) == set(cross) | {f"encoder.layer.{i}.{k}" for i in (2, 3) for k in NAMES}
    for k, v in cross.items():  # the fine-tuned layers, embeddings and head untouched
        assert deep[k] is v
    for i in (2, 3):
        for k in NAMES:  # MiniLM's, in the cross-encoder's dtype
            got = deep[f"encoder.layer.{i}.{k}"]
            assert got.dtype == np.float16
            assert np.array_equal(got, minilm[f"encoder.layer.{i}.{k}"].astype(np.float16))
    assert not np.array_equal(deep["encoder.layer.1.output.dense.weight"],
                              minilm["encoder.layer.1.output.dense.weight"].astype(np.float16))


def test_the_deeper_start_refuses_a_shape_a_name_or_a_count_that_does_not_fit() -> None:
    cross = _cross()
    with pytest.raises(ValueError, match="already has 2 layers"):
        deepened(cross, _layers(4, 1), 2)
    with pytest.raises(ValueError, match="has 3 layers, not 4"):
        deepened(cross, _layers(3, 1), 4)
    wide = _layers(3, 1)
    wide["encoder.layer.2.output.dense.weight"] = np.zeros((4, 9), np.float16)
    with pytest.raises(ValueError, match="shape"):
        deepened(cross, wide, 3)
    odd = _layers(3, 1)
    del odd["encoder.layer.2.attention.self.query.bias"]
    with pytest.raises(ValueError, match="names"):
        deepened(cross, odd, 3)


def test_the_deeper_start_is_written_with_its_count_and_sources_byte_identical(
        tmp_path: Path) -> None:
    from train.cache_verifier.cross_export import write_cross

    src, emb = tmp_path / "src", tmp_path / "emb"
    write_cross(src, _cross(), {"layers": 2, "combine": None, "threshold": 0.93})
    emb.mkdir()
    np.savez(emb / "minilm-l6-v2.f16.npz", **_layers(3, 1))  # type: ignore[arg-type]
    first = write(src, 3, tmp_path / "a", emb)
    assert write(src, 3, tmp_path / "b", emb) == first
    written = [(tmp_path / d / "cross.npz").read_bytes() for d in ("a", "b")]
    assert written[0] == written[1]
    meta = json.loads((tmp_path / "a" / "cross.json").read_text())
    assert meta["sha256"] == first and meta["layers"] == 3 and meta["combine"] is None
    assert meta["threshold"] == 0.93
    assert meta["deepened"]["from_sha256"] == json.loads(
        (src / "cross.json").read_text())["sha256"]
    assert meta["deepened"]["from_layers"] == 2
    assert meta["deepened"]["added"] == ["encoder.layer.2.*"]


def test_one_teachers_pass_is_shared_by_fits_from_different_starts(tmp_path: Path) -> None:
    """``fit --teacher``: the cached probabilities are named by the teacher's sha256 and the
    bundle's, whichever model the fit starts from (the default teacher: the start)."""
    s10, deep, bundle = tmp_path / "s10.npz", tmp_path / "deep.npz", tmp_path / "b.npz"
    s10.write_bytes(b"four layers")
    deep.write_bytes(b"six layers")
    bundle.write_bytes(b"pairs")
    shared = teacher_file(tmp_path, s10, bundle, "")
    assert shared.name.startswith("teacher-") and shared.suffix == ".npy"
    assert teacher_file(tmp_path, s10, bundle, "") == shared
    assert teacher_file(tmp_path, deep, bundle, "") != shared
    assert teacher_file(tmp_path, s10, bundle, "-every") != shared
    other = tmp_path / "other.npz"
    other.write_bytes(b"other pairs")
    assert teacher_file(tmp_path, s10, other, "") != shared


def test_the_stop_file_names_the_step_a_fit_ends_at(tmp_path: Path) -> None:
    stop = tmp_path / "stop"
    assert stop_step(None) is None
    assert stop_step(stop) is None
    stop.write_text("")
    assert stop_step(stop) is None
    stop.write_text("700\n")
    assert stop_step(stop) == 700


def test_training_ends_at_the_step_the_stop_names_with_the_full_schedule() -> None:
    jax = pytest.importorskip("jax")
    from train.cache_verifier.cross import MAX_SIDE, train_steps

    def forward(p: dict[str, object], word: object, ids: object, types: object,
                mask: object) -> object:
        return jax.numpy.zeros(ids.shape[0]) + p["head.bias"][0]  # type: ignore[attr-defined,index]

    n = 64
    a = np.ones((n, MAX_SIDE), np.int16)
    lens = np.full(n, 3, np.int8)
    data = (a, lens, a, lens, np.ones(n, np.float32), np.ones(n, np.float32))
    seen: list[int] = []

    def stop() -> int | None:
        seen.append(1)
        return 5

    params, log = train_steps({"head.bias": np.zeros(1, np.float32)}, None, forward, data,
                              batch=8, lr=0.1, total=40, warmup=1, seed=0, name="toy",
                              stop=stop)
    assert len(seen) == 6  # read before each of steps 0-4 and at 5, where it ends
    # Adam on a gradient of one sign moves the bias by about the rate each step: 40 steps'
    # schedule, 0.1 x (1 + 1 + 38/39 + 37/39 + 36/39) = 0.485 (a 5-step one would give 0.35)
    assert float(params["head.bias"][0]) == pytest.approx(0.4846, abs=0.005)
    assert log == [(0, pytest.approx(log[0][1]))]


def test_the_teacher_is_the_start_unless_named_then_read_with_its_own_layers(
        tmp_path: Path) -> None:
    from train.cache_verifier.cross_continue import teacher_of

    start, named = tmp_path / "start.npz", tmp_path / "teacher.npz"
    np.savez(start, **_layers(2, 0))  # type: ignore[arg-type]
    np.savez(named, **_layers(4, 3))  # type: ignore[arg-type]
    assert teacher_of(start, None) == (start, None, None)
    path, arrays, layers = teacher_of(start, named)
    assert path == named and layers == 4 and arrays is not None
    assert np.array_equal(arrays["encoder.layer.3.output.dense.weight"],
                          _layers(4, 3)["encoder.layer.3.output.dense.weight"].astype(np.float32))
