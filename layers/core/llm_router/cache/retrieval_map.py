"""A learnt linear map of MiniLM sentence vectors for the semantic cache's retrieval only
(``cache.retrieval_map``: the layer's ``full-mnr.npz`` since rule M2b, docs/cache-history.md
"Session 28: the retrieval map on heldout62-63 (rule M2b)"; built in "Session 27: a learnt
map for the cache's retrieval cosine (exploration)").

With a map, a tenant's index ranks its entries and holds them to the similarity floor by
the cosine of the mapped vectors (W x, renormalised); the classifier, the snapshots and
the verifier's checks keep the raw vector and its cosine. The map is a ``.npz`` holding
``weight`` (dim x dim, float32), fitted by ``train/cache_retrieval/fit.py``: one
matrix-vector product per text and a renormalisation (in float64, rounded to float32 once).

The index holds the mapped row alone (docs/cache-history.md "Session 29: one vector row an
entry"): the raw cosine its checks read is recovered from that row through the inverse
weight (``unmap``), within 1.8e-7 of the float32 product of the raw rows over 9,639 seen
pairs (none of them within 3e-4 of ``own_case``'s 0.62 band). A weight whose condition
number is over ``MAX_CONDITION`` (singular, or near it) is refused at load: the raw vector
could not be read back from its image.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import numpy.typing as npt

from llm_router.errors import ConfigError

Matrix = npt.NDArray[np.float32]
LAYER_DIR = Path(__file__).resolve().parent.parent / "data" / "cache_retrieval"
# The largest condition number (largest over smallest singular value) of a map's weight:
# a float32 mapped row read back through the inverse is off by about this times float32's
# rounding (6e-8), so at most ~6e-5 in a cosine here. The layer's full-mnr.npz: 40.3.
MAX_CONDITION = 1_000.0


@dataclass(frozen=True, eq=False)
class RetrievalMap:
    weight: Matrix  # (dim, dim): a mapped row is x @ weight.T, renormalised
    sha256: str  # of the weight's bytes
    _transposed: npt.NDArray[np.float64] = field(init=False, repr=False)
    # (W^-1)^T, made at the first ``unmap`` (a check reading the raw cosine of a candidate),
    # not at init: about 8 ms of every cold start otherwise, before any request has one.
    _inverse: npt.NDArray[np.float64] | None = field(init=False, repr=False, default=None)

    @classmethod
    def load(cls, path: str | Path, *, check_condition: bool = True) -> RetrievalMap:
        """The map in ``path`` (a ``.npz`` with ``weight``); ConfigError when it is not one.
        ``check_condition=False`` skips the condition number's SVD (about 12 ms at 384
        dimensions, on every cold start): only for the layer's map, whose weight is held to
        its json's sha256 and whose condition a unit test reads instead."""
        try:
            with np.load(Path(path), allow_pickle=False) as npz:
                weight = np.ascontiguousarray(npz["weight"], dtype=np.float32)
        except (OSError, KeyError, ValueError) as exc:
            raise ConfigError(f"cache.retrieval_map {path}: not a retrieval map ({exc})") from exc
        if weight.ndim != 2 or weight.shape[0] != weight.shape[1]:
            raise ConfigError(f"cache.retrieval_map {path}: weight of shape {weight.shape}, "
                              "not square")
        condition = float(np.linalg.cond(weight.astype(np.float64))) if check_condition else 0.0
        if not condition <= MAX_CONDITION:  # inf or nan: singular
            raise ConfigError(f"cache.retrieval_map {path}: weight of condition number "
                              f"{condition:.3g}, over {MAX_CONDITION:g}: the index could not "
                              "read the raw cosine back from a mapped row")
        return cls(weight, hashlib.sha256(weight.tobytes()).hexdigest())

    @property
    def dim(self) -> int:
        return int(self.weight.shape[0])

    def __post_init__(self) -> None:
        # The product runs in float64 and is rounded once: a row mapped alone and the same
        # row in a batch (a snapshot's load, ``TenantIndex.add_many``) come out bit for bit
        # the same, which float32 products of different shapes do not (~2e-7 apart).
        weight = self.weight.astype(np.float64)
        object.__setattr__(self, "_transposed", weight.T.copy())

    def apply(self, vectors: npt.NDArray[np.float32]) -> Matrix:
        """Unit rows of the mapped ``vectors`` (one vector or rows; the shape is kept)."""
        rows = np.atleast_2d(np.asarray(vectors, dtype=np.float64)) @ self._transposed
        rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        return rows.reshape(np.shape(vectors)).astype(np.float32)

    def unmap(self, mapped: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """The raw unit vectors whose images ``apply`` gave as ``mapped`` (rows, or one
        vector; the shape is kept), in float64: W^-1 m, renormalised. Raw vectors of one
        length, as MiniLM's unit rows are, come back within float32's rounding of the map's
        row (times the weight's condition number)."""
        inverse = self._inverse
        if inverse is None:  # two threads may both make it: the same array, kept once
            inverse = np.linalg.inv(self.weight.astype(np.float64)).T.copy()
            object.__setattr__(self, "_inverse", inverse)
        rows = np.atleast_2d(np.asarray(mapped, dtype=np.float64)) @ inverse
        rows /= np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)
        return rows.reshape(np.shape(mapped))


def resolve(path: str) -> Path:
    """Where ``cache.retrieval_map`` points: a bare file name is the layer's
    (``llm_router/data/cache_retrieval/``, beside its ``.json``); any other path as given."""
    return LAYER_DIR / path if Path(path).name == path else Path(path)


@lru_cache(maxsize=4)
def shared_retrieval_map(path: str) -> RetrievalMap:
    """The map ``path`` names (``resolve``), read once per process. A layer's map (a bare
    file name) is held to the weight sha256 its ``.json`` names, as every artefact of the
    layer is: a truncated or swapped file fails here, at init (its condition number is
    tests/unit/cache/test_retrieval_map.py's to check, not every cold start's)."""
    where = resolve(path)
    layer = Path(path).name == path
    found = RetrievalMap.load(where, check_condition=not layer)
    if layer:
        try:
            named = json.loads(where.with_suffix(".json").read_text())["sha256"]
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ConfigError(f"cache.retrieval_map {path}: the layer's map has no readable "
                              f"{where.with_suffix('.json').name} ({exc})") from exc
        if found.sha256 != named:
            raise ConfigError(f"cache.retrieval_map {path}: weight sha256 {found.sha256}, "
                              f"not its json's {named}")
    return found
