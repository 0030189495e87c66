"""One question against a cache holding one answer: the path of ``cache-probe`` and of
the evaluation in bench/, through the same index and policy the router uses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex, search_prescored
from llm_router.cache.policy import MatchPolicy, Refusal
from llm_router.cache.retrieval_map import RetrievalMap

_CONTEXT = "probe"
_FOREVER = 2**62


@dataclass(frozen=True)
class ProbeResult:
    hit: bool
    similarity: float  # the retrieval cosine: the mapped vectors' with a retrieval map
    refused_by: Refusal | None
    probability: float | None = None  # the verifier's
    respelling: tuple[str, ...] | None = None  # a hit by ``spelling.same_spelling``


def probe(cached_text: str, cached_vec: npt.NDArray[np.float32], query_text: str,
          query_vec: npt.NDArray[np.float32], policy: MatchPolicy,
          retrieval_map: RetrievalMap | None = None,
          ask_vec: npt.NDArray[np.float32] | None = None) -> ProbeResult:
    """``ask_vec``: the query's asking clause's vector (``cache.ask_clause``), read as the
    lookup reads it (``TenantIndex.search``'s ``ask``)."""
    index = TenantIndex(dim=int(cached_vec.size), capacity=1, retrieval_map=retrieval_map)
    index.add(IndexRecord("probe", _CONTEXT, cached_text, cached_vec, _FOREVER, ""))
    lookup = search_prescored(index, query_vec, _CONTEXT, 0, policy, query_text, ask=ask_vec)
    # The index's one live row in the probe's context: its score is the retrieval cosine
    # the floor read (the mapped vectors' with a map), computed once there.
    return ProbeResult(lookup.match is not None, lookup.best_similarity,
                       lookup.refused_by, lookup.probability, lookup.respelling)
