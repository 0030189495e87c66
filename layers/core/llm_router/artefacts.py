"""Shipped model artefacts: read a file, check it against the sha256 its metadata names,
and open the uncompressed ``.npz`` inside without copying it.

Every artefact in the layer (MiniLM weights, classifier, cache verifier) is committed or
exported with its sha256, so a truncated or swapped file fails at start-up instead of
giving garbage (a mapped file the layer build already hashed is checked by its size:
``llm_router.checked_files``). The arrays are read-only views of the verified bytes: no
second copy of the weights, no zip CRC pass over data the sha256 already covered
(``np.load`` did both, about a tenth of the cold start for the 45 MB MiniLM export). A
compressed member is read the ordinary way; one whose data sits misaligned for its
dtype is copied, unless the caller converts every array itself anyway
(``copy_misaligned=False``: numpy reads misaligned views correctly, only more slowly).
"""

from __future__ import annotations

import hashlib
import io
import mmap
import re
import struct
import zipfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import IO, Any, cast

import numpy as np
import numpy.typing as npt

from llm_router.checked_files import checked_at_build
from llm_router.errors import ConfigError

_LOCAL_HEADER = struct.Struct("<4s22xHH")  # signature .. file name length, extra length
_LOCAL_SIGNATURE = b"PK\x03\x04"


def read_verified(path: Path, sha256: str, *, what: str) -> bytes:
    """The file's bytes, if its sha256 is ``sha256``; ConfigError naming ``what`` if
    it is missing or differs."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ConfigError(f"{what} missing: {path} ({exc.strerror})") from exc
    if hashlib.sha256(data).hexdigest() != sha256:
        raise ConfigError(f"{what} {path} does not match the sha256 hash its metadata names")
    return data


def map_verified(path: Path, sha256: str, *, what: str) -> mmap.mmap:
    """``read_verified`` for a large file: the file mapped read-only instead of read into
    memory (the sha256 then reads the page cache directly, without first copying 45 MB
    for the MiniLM export), or, in a built layer, hashed once by the build
    (``llm_router.checked_files``). Arrays ``npz_arrays`` makes from it are read-only
    views that keep the mapping alive."""
    try:
        with path.open("rb") as handle:
            mapped = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
    except (OSError, ValueError) as exc:  # ValueError: an empty file cannot be mapped
        raise ConfigError(f"{what} missing or empty: {path} ({exc})") from exc
    if checked_at_build(path, sha256):  # a built layer: hashed once, by the build
        return mapped
    if hashlib.sha256(mapped).hexdigest() != sha256:
        raise ConfigError(f"{what} {path} does not match the sha256 hash its metadata names")
    return mapped


def npz_arrays(data: bytes | mmap.mmap, *, copy_misaligned: bool = True
               ) -> dict[str, npt.NDArray[np.generic]]:
    """The arrays of an ``.npz`` held in ``data`` (bytes, or a file ``map_verified``
    mapped; object arrays refused, as with ``allow_pickle=False``), by name without the
    ``.npy`` suffix."""
    # A mapping has the file methods ZipFile uses (read, seek, tell); bytes need a BytesIO.
    source = cast(IO[bytes], data) if isinstance(data, mmap.mmap) else io.BytesIO(data)
    try:
        with zipfile.ZipFile(source) as archive:
            return {info.filename.removesuffix(".npy"):
                    _member(data, archive, info, copy_misaligned)
                    for info in archive.infolist()}
    except (zipfile.BadZipFile, ValueError, struct.error) as exc:
        raise ConfigError(f"not a readable .npz: {exc}") from exc


def _member(data: bytes | mmap.mmap, archive: zipfile.ZipFile, info: zipfile.ZipInfo,
            copy_misaligned: bool) -> npt.NDArray[np.generic]:
    if info.compress_type != zipfile.ZIP_STORED:
        with archive.open(info) as handle:
            return np.lib.format.read_array(handle, allow_pickle=False)
    signature, name_len, extra_len = _LOCAL_HEADER.unpack_from(data, info.header_offset)
    if signature != _LOCAL_SIGNATURE:
        raise ValueError(f"bad local header for {info.filename}")
    start = info.header_offset + _LOCAL_HEADER.size + name_len + extra_len
    shape, fortran, dtype, header_size = _array_header(
        data[start:start + min(info.file_size, 1 << 16)])
    if dtype.hasobject:
        raise ValueError(f"{info.filename} holds Python objects")
    offset = start + header_size
    count = int(np.prod(shape, dtype=np.int64))
    if offset + count * dtype.itemsize > start + info.file_size:
        raise ValueError(f"{info.filename} is shorter than its header says")
    array = np.frombuffer(data, dtype=dtype, count=count, offset=offset)
    if copy_misaligned and offset % dtype.alignment:
        array = array.copy()
    return array.reshape(shape, order="F" if fortran else "C")


def _array_header(head: bytes) -> tuple[tuple[int, ...], bool, np.dtype[Any], int]:
    """An ``.npy`` header: shape, Fortran order, dtype and its size in bytes. The
    version 1.0 header numpy writes for a plain dtype is matched directly (numpy's own
    reader evaluates the header as a Python literal: about 0.05 ms a member, 5 ms for
    the MiniLM export's 101); any other goes to numpy's reader."""
    match = _NPY_V1.match(head)
    if match is not None and match.end() == 10 + int.from_bytes(head[8:10], "little"):
        descr, fortran, dims = match.groups()
        shape = tuple(int(d) for d in dims.split(b",") if d.strip())
        return shape, fortran == b"True", np.dtype(descr.decode()), match.end()
    header = io.BytesIO(head)
    version = np.lib.format.read_magic(header)
    read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                   else np.lib.format.read_array_header_2_0)
    shape, fortran, dtype = read_header(header)
    return shape, fortran, dtype, header.tell()


# Magic, version 1.0, the header's length (uint16, little-endian; the dict, its padding
# and the newline must end exactly there), then the dict as numpy writes it.
_NPY_V1 = re.compile(rb"\x93NUMPY\x01\x00..\{'descr': '([<>|][a-z]\d{1,2})', "
                     rb"'fortran_order': (True|False), 'shape': \(([\d, ]*)\), \} *\n",
                     re.DOTALL)


def members_npz(members: Sequence[Mapping[str, Any]], prefix: str) -> dict[str, Any]:
    """An ensemble's members' arrays in one npz namespace: ``<prefix><i>.<name>``."""
    return {f"{prefix}{i}.{k}": v for i, m in enumerate(members) for k, v in m.items()}


def npz_members(arrays: Mapping[str, Any], prefix: str) -> list[dict[str, Any]]:
    """The inverse of ``members_npz``: each member's arrays, in order."""
    count = len({k.split(".", 1)[0] for k in arrays if k.startswith(prefix) and "." in k})
    return [{k.split(".", 1)[1]: v for k, v in arrays.items() if k.startswith(f"{prefix}{i}.")}
            for i in range(count)]
