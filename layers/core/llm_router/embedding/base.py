"""The ``Embedder`` port and the one piece of math every backend shares."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, runtime_checkable

import numpy as np
import numpy.typing as npt

Matrix = npt.NDArray[np.float32]


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into float32 rows of unit L2 norm, one row per text, in order."""

    @property
    def dim(self) -> int: ...

    @property
    def model_id(self) -> str:
        """Names the model and its weights; artefacts trained on one embedder record it."""
        ...

    def embed(self, texts: Sequence[str]) -> Matrix: ...

    def embed_one(self, text: str) -> Matrix: ...


def normalise_rows(rows: npt.NDArray[np.floating]) -> Matrix:
    """Scale each row to unit L2 norm (a zero row stays zero), as float32."""
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.maximum(norms, np.float32(1e-12))
