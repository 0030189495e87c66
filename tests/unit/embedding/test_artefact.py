"""Export format and hash verification, on tiny synthetic files."""

from __future__ import annotations

import io
import json
import shutil
import struct
from pathlib import Path

import numpy as np
import pytest

from llm_router.embedding.artefact import (
    DEFAULT_DIR,
    MANIFEST,
    TOKENIZER,
    load_model_files,
    npz_bytes,
)
from llm_router.embedding.export import read_safetensors
from llm_router.errors import ConfigError


def _safetensors(tensors: dict[str, np.ndarray]) -> bytes:
    header: dict[str, object] = {"__metadata__": {"format": "pt"}}
    body = b""
    for name, array in tensors.items():
        dtype = {np.float32: "F32", np.float16: "F16", np.int64: "I64"}[array.dtype.type]
        data = array.astype(array.dtype.newbyteorder("<")).tobytes()
        header[name] = {
            "dtype": dtype,
            "shape": list(array.shape),
            "data_offsets": [len(body), len(body) + len(data)],
        }
        body += data
    raw_header = json.dumps(header).encode()
    return struct.pack("<Q", len(raw_header)) + raw_header + body


def test_read_safetensors_round_trips(tmp_path: Path) -> None:
    tensors = {
        "a.weight": np.arange(6, dtype=np.float32).reshape(2, 3),
        "ids": np.array([[0, 1, 2]], dtype=np.int64),
        "h": np.array([1.5, -2.0], dtype=np.float16),
    }
    (tmp_path / "m.safetensors").write_bytes(_safetensors(tensors))
    loaded = read_safetensors(tmp_path / "m.safetensors")
    assert loaded.keys() == tensors.keys()
    for name, array in tensors.items():
        np.testing.assert_array_equal(loaded[name], array)
        assert loaded[name].dtype == array.dtype


def test_npz_bytes_is_deterministic_and_loadable() -> None:
    arrays = {"b": np.ones((2, 2), np.float16), "a": np.zeros(3, np.float16)}
    first, second = npz_bytes(arrays), npz_bytes(dict(reversed(arrays.items())))
    assert first == second
    with np.load(io.BytesIO(first)) as npz:
        np.testing.assert_array_equal(npz["b"], arrays["b"])


@pytest.fixture()
def export_copy(tmp_path: Path) -> Path:
    for path in DEFAULT_DIR.iterdir():
        if path.suffix == ".npz":  # large and never edited here: link, do not copy
            (tmp_path / path.name).symlink_to(path)
        else:
            shutil.copy(path, tmp_path / path.name)
    return tmp_path


def test_default_export_loads_with_float16_weights(export_copy: Path) -> None:
    files = load_model_files(export_copy)
    assert files.weights["embeddings.word_embeddings.weight"].dtype == np.float16
    assert files.weights["embeddings.word_embeddings.weight"].shape == (30522, 384)
    assert "pooler.dense.weight" not in files.weights


def test_tampered_file_is_refused(export_copy: Path) -> None:
    tokenizer = export_copy / TOKENIZER
    tokenizer.write_text(tokenizer.read_text(encoding="utf-8") + " ", encoding="utf-8")
    with pytest.raises(ConfigError, match="does not match"):
        load_model_files(export_copy)


def test_missing_manifest_says_how_to_fix(export_copy: Path) -> None:
    (export_copy / MANIFEST).unlink()
    with pytest.raises(ConfigError, match="make data"):
        load_model_files(export_copy)
