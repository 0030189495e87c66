"""The shared artefact reader: same arrays as ``np.load``, views where it can, refusals
where it must."""

from __future__ import annotations

import hashlib
import io
import zipfile
from pathlib import Path

import numpy as np
import pytest

from llm_router.artefacts import _NPY_V1, _array_header, npz_arrays, read_verified
from llm_router.embedding.artefact import npz_bytes
from llm_router.errors import ConfigError

ARRAYS = {
    "f16": np.arange(12, dtype=np.float16).reshape(3, 4),
    "f32": np.linspace(-1, 1, 7, dtype=np.float32),
    "i64": np.array([[1, 2], [3, 4]], dtype=np.int64),
    "empty": np.zeros((0, 4), dtype=np.float32),
}
# What npz_bytes cannot keep (it writes C-ordered arrays of at least one dimension).
NUMPY_ONLY = {
    "fortran": np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)),
    "scalar": np.array(3.5, dtype=np.float64),
}


def _same(loaded: dict[str, np.ndarray], expected: dict[str, np.ndarray]) -> None:
    assert sorted(loaded) == sorted(expected)
    for name, array in expected.items():
        assert loaded[name].dtype == array.dtype, name
        assert loaded[name].shape == array.shape, name
        np.testing.assert_array_equal(loaded[name], array)


def _root(array: np.ndarray) -> object:
    base: object = array
    while isinstance(base, np.ndarray):
        base = base.base
    return base


def test_stored_npz_matches_np_load_and_shares_the_bytes() -> None:
    data = npz_bytes(ARRAYS)
    loaded = npz_arrays(data)
    _same(loaded, ARRAYS)
    with np.load(io.BytesIO(data), allow_pickle=False) as npz:
        _same(loaded, {name: npz[name] for name in npz.files})
    views = [a for a in loaded.values() if _root(a) is data]
    assert views, "aligned members are views of the file's bytes, not copies"
    assert all(not a.flags.writeable for a in views)  # nobody edits a shipped artefact


def test_compressed_and_numpy_written_npz_load_too() -> None:
    for save in (np.savez, np.savez_compressed):
        buffer = io.BytesIO()
        save(buffer, **ARRAYS, **NUMPY_ONLY)
        loaded = npz_arrays(buffer.getvalue())
        _same(loaded, ARRAYS | NUMPY_ONLY)
        assert loaded["fortran"].flags.f_contiguous


def test_misaligned_member_is_copied_aligned() -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_STORED) as archive:
        for name in ("x.npy", "yy.npy"):  # name lengths shift the second member's data
            with archive.open(name, "w") as handle:
                np.lib.format.write_array(handle, np.arange(5, dtype=np.float64))
    loaded = npz_arrays(buffer.getvalue())
    for array in loaded.values():
        assert array.flags.aligned
        np.testing.assert_array_equal(array, np.arange(5, dtype=np.float64))
    # A caller that copies every array itself (the MiniLM loader) gets the views as they
    # lie, misaligned ones included, and reads the same numbers through them.
    views = npz_arrays(buffer.getvalue(), copy_misaligned=False)
    assert not all(a.flags.aligned for a in views.values())
    for array in views.values():
        np.testing.assert_array_equal(array.astype(np.float32), np.arange(5))


def test_object_arrays_and_garbage_are_refused() -> None:
    buffer = io.BytesIO()
    np.savez(buffer, objects=np.array([{"a": 1}], dtype=object))
    with pytest.raises(ConfigError, match="Python objects"):
        npz_arrays(buffer.getvalue())
    with pytest.raises(ConfigError, match="npz"):
        npz_arrays(b"not a zip file")


def test_truncated_member_is_refused() -> None:
    data = bytearray(npz_bytes({"big": np.arange(1000, dtype=np.float32)}))
    with zipfile.ZipFile(io.BytesIO(bytes(data))) as archive:
        info = archive.getinfo("big.npy")
    header = np.lib.format.header_data_from_array_1_0(np.arange(1000, dtype=np.float32))
    header["shape"] = (2000,)  # the header now claims twice the data there is
    fixed = io.BytesIO()
    np.lib.format.write_array_header_1_0(fixed, header)
    name_len = len(info.filename)
    extra_len = int.from_bytes(data[info.header_offset + 28:info.header_offset + 30], "little")
    start = info.header_offset + 30 + name_len + extra_len
    old = io.BytesIO(bytes(data[start:start + 256]))
    np.lib.format.read_magic(old)
    np.lib.format.read_array_header_1_0(old)
    assert len(fixed.getvalue()) == old.tell()  # same header length, only the shape differs
    data[start:start + old.tell()] = fixed.getvalue()
    with pytest.raises(ConfigError, match="shorter"):
        npz_arrays(bytes(data))


def test_read_verified_checks_the_hash_and_names_what_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "weights.npz"
    path.write_bytes(b"payload")
    good = hashlib.sha256(b"payload").hexdigest()
    assert read_verified(path, good, what="test weights") == b"payload"
    with pytest.raises(ConfigError, match="test weights .* does not match the sha256"):
        read_verified(path, "0" * 64, what="test weights")
    with pytest.raises(ConfigError, match="test weights missing"):
        read_verified(tmp_path / "absent.npz", good, what="test weights")


@pytest.mark.parametrize("array", [
    np.zeros((30522, 384), np.float16), np.arange(384, dtype=np.float32), np.array(3.5),
    np.zeros((2, 3, 4), np.int64), np.ones(5, np.bool_), np.asfortranarray(np.eye(3, 4)),
    np.arange(3, dtype=">f4"), np.array(["ab", "c"]), np.zeros((0, 7), np.uint32),
])
def test_npy_headers_read_as_numpy_reads_them(array: np.ndarray) -> None:
    """The direct match of numpy's own header text gives what numpy's reader gives
    (and a header it does not match, here a unicode dtype, goes to numpy's reader)."""
    buffer = io.BytesIO()
    np.lib.format.write_array(buffer, array)
    raw = buffer.getvalue()
    reader = io.BytesIO(raw)
    np.lib.format.read_magic(reader)
    expected = np.lib.format.read_array_header_1_0(reader)
    assert _array_header(raw) == (*expected, reader.tell())
    assert (_NPY_V1.match(raw) is None) == (array.dtype.kind == "U")
    # A header whose length field disagrees is left to numpy, which refuses it.
    bad = raw[:8] + (int.from_bytes(raw[8:10], "little") + 16).to_bytes(2, "little") + raw[10:]
    with pytest.raises(ValueError):
        _array_header(bad)
