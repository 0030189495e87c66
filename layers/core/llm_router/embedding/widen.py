"""float16 weights to float32, the values ``astype`` gives, in about a third of its time.

numpy's float16 -> float32 cast converts element by element (about 6 ns each here: no
vectorised path for it on this CPU generation), which made widening MiniLM's 10.6
million encoder weights about 0.05 s of every cold start. The same values come from
integer shifts numpy does vectorised, over one block holding every array:

- the 16 bits go to the top of an int32, then an arithmetic shift right by 3 puts the
  five exponent bits at float32's exponent field and the ten mantissa bits at the top of
  its mantissa, the sign at bit 31 (and copied into bits 28-30, which a mask clears);
- read as float32 that is the float16 value times 2**-112 (float16's exponent bias is
  15, float32's 127), for normal and subnormal values alike; one multiplication by
  2**112, exact for a power of two, rescales it.

Infinities and NaNs would come out as finite values of 65536 or more, larger than any
float16 can hold, so a block with one is widened with ``astype`` instead.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

F16 = npt.NDArray[np.float16]
F32 = npt.NDArray[np.float32]
_SCALE = np.float32(2.0**112)
_CLEAR_SIGN_COPIES = np.int32(-0x70000001)  # 0x8FFFFFFF
_FLOAT16_MAX = np.float32(np.finfo(np.float16).max)


def widen(groups: Sequence[Sequence[F16]]) -> list[F32]:
    """Each group's float16 arrays stacked along their first axis (as ``np.concatenate``
    would; one array: itself) as float32, every group in one contiguous block. The
    arrays may be unaligned views (of a mapped file)."""
    sizes = [sum(a.size for a in group) for group in groups]
    block = np.empty(sum(sizes), dtype=np.float32)
    bits = block.view(np.int32)
    at = 0
    for group in groups:
        for array in group:
            np.copyto(bits[at : at + array.size], array.reshape(-1).view(np.uint16))
            at += array.size
    bits <<= 16
    bits >>= 3
    bits &= _CLEAR_SIGN_COPIES
    block *= _SCALE
    if block.size and (block.max() > _FLOAT16_MAX or block.min() < -_FLOAT16_MAX):
        at = 0  # an infinity or NaN among the inputs: the element-wise cast
        for group in groups:
            for array in group:
                block[at : at + array.size] = array.reshape(-1)
                at += array.size
    out, at = [], 0
    for group, size in zip(groups, sizes, strict=True):
        shape = (sum(a.shape[0] for a in group), *group[0].shape[1:]) if group[0].ndim else ()
        out.append(block[at : at + size].reshape(shape))
        at += size
    return out
