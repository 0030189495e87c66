"""F1 (``MatchPolicy.nearest_floor``, ``cache.verifier_floor_nearest``): where no candidate
of a lookup reaches the floor, the nearest entry alone is verified if its cosine reaches
the lower floor; a lookup with a candidate at the floor is as without it. Synthetic
vectors put each entry at the cosine asked; a table stands for the verifier."""

from collections.abc import Sequence

import pydantic
import pytest

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex
from llm_router.cache.policy import MatchPolicy, policy_for, verified_policy
from llm_router.catalog import CacheConfig
from tests.unit.cache.test_index_rank import DIM, at_cosine, unit

CUT = 0.9
QUERY = "the query"


class TableVerifier:
    """The probability of each cached text, whatever the query; what it was handed
    (``prepared``, the batched pass) and asked (``read``)."""

    threshold = CUT

    def __init__(self, table: dict[str, float]):
        self.table = table
        self.prepared: list[str] = []
        self.read: list[str] = []

    def prepare_many(self, texts: Sequence[str]) -> None:
        self.prepared += [t for t in texts if t != QUERY]

    def probability(self, cached: str, query: str, cosine: float) -> float:
        self.read.append(cached)
        return self.table[cached]


def lookup(entries: dict[str, tuple[float, float]], nearest_floor: float | None,
           nearest_cut: float | None = None
           ) -> tuple[str | None, TableVerifier, str | None]:
    """Search an index of ``entries`` (text -> (cosine with the query, probability)) with
    the floor at 0.5, F1 at ``nearest_floor`` and its candidate's cut ``nearest_cut`` (rule
    FC): (the answer, the verifier, the refusal)."""
    query = unit(1)
    index = TenantIndex(dim=DIM)
    for i, (text, (cosine, _)) in enumerate(entries.items()):
        index.add(IndexRecord(text, "c", text, at_cosine(query, cosine, i), 2**40, f"J#{text}"))
    verifier = TableVerifier({text: p for text, (_, p) in entries.items()})
    policy = MatchPolicy(0.5, False, verifier, CUT, spelling=False,  # type: ignore[arg-type]
                         rank_margin=3.0, nearest_floor=nearest_floor,
                         nearest_cut=nearest_cut)
    found = index.search(query, "c", 0, policy, QUERY)
    return (None if found.match is None else found.match.key), verifier, found.refused_by


@pytest.mark.parametrize("f", [None, 0.45, 0.40])
def test_a_lookup_with_a_candidate_at_the_floor_is_unchanged(f: float | None) -> None:
    """The candidate at 0.55 is refused, the one at 0.47 is never read whatever F1's floor:
    the lookup judged a candidate, so it is as without F1."""
    key, verifier, refused = lookup({"over": (0.55, 0.2), "under": (0.47, 0.99)}, f)
    assert key is None and refused == "verifier"
    assert verifier.read == ["over"] and verifier.prepared == ["over"]
    key, verifier, _ = lookup({"over": (0.55, 0.95), "under": (0.47, 0.99)}, f)
    assert key == "over" and verifier.read == ["over"]


def test_the_nearest_under_the_floor_is_verified_alone() -> None:
    """Best at 0.47, second at 0.46, F1 at 0.45: the verifier is handed and asked the
    nearest only; it answers if it passes, and the second is never read when it does not."""
    key, verifier, _ = lookup({"best": (0.47, 0.95), "second": (0.46, 0.99)}, 0.45)
    assert key == "best" and verifier.read == ["best"] and verifier.prepared == ["best"]
    key, verifier, refused = lookup({"best": (0.47, 0.5), "second": (0.46, 0.99)}, 0.45)
    assert key is None and refused == "verifier"
    assert verifier.read == ["best"] and verifier.prepared == ["best"]


def test_without_f1_or_under_its_floor_nothing_is_asked() -> None:
    for entries, f in (({"best": (0.47, 0.99), "second": (0.46, 0.99)}, None),
                       ({"best": (0.44, 0.99), "second": (0.43, 0.99)}, 0.45)):
        key, verifier, refused = lookup(entries, f)
        assert key is None and refused == "threshold"
        assert verifier.read == [] and verifier.prepared == []


def test_the_nearest_must_be_the_partitions_nearest() -> None:
    """An entry the hard check left out was nearer: F1 verifies nothing (``best`` is the
    partition's highest cosine, the candidate under it)."""
    policy = MatchPolicy(0.5, nearest_floor=0.45)
    assert policy.floor_for_nearest(0.47, 0.47) == 0.45
    assert policy.floor_for_nearest(0.47, 0.48) is None  # a nearer entry was left out
    assert policy.floor_for_nearest(0.44, 0.44) is None  # under F1's floor
    assert policy.floor_for_nearest(0.5, 0.5) is None  # at the floor: the plain lookup
    assert MatchPolicy(0.5).floor_for_nearest(0.47, 0.47) is None  # off


def test_the_setting_is_off_by_default_and_a_tenants_own_floor_has_none() -> None:
    assert CacheConfig().verifier_floor_nearest is None
    config = CacheConfig(verifier_floor_nearest=0.45, tenant_thresholds={"strict": 0.7})
    assert policy_for(config, "acme").nearest_floor == 0.45
    assert policy_for(config, "acme/k1").nearest_floor == 0.45
    assert policy_for(config, "strict").nearest_floor is None  # its floor cuts every one
    assert policy_for(CacheConfig(), "acme").nearest_floor is None
    # cache-probe builds the same policy: F1 as the catalog sets it, under any --threshold
    verifier = TableVerifier({})
    assert verified_policy(config, 0.6, verifier, CUT).nearest_floor == 0.45  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        CacheConfig(verifier_floor_nearest=0.0)


def test_fc_judges_f1s_candidate_alone_at_its_cut() -> None:
    """Rule FC (``nearest_cut``, ``cache.verifier_floor_nearest_cut``): the one candidate F1
    admits under the floor is held to the cut 0.97 instead of 0.9; a candidate at the floor
    or over keeps 0.9, as does every candidate when F1 does not apply."""
    key, verifier, refused = lookup({"best": (0.47, 0.95), "second": (0.46, 0.99)}, 0.45, 0.97)
    assert key is None and refused == "verifier" and verifier.read == ["best"]
    key, _, _ = lookup({"best": (0.47, 0.98), "second": (0.46, 0.99)}, 0.45, 0.97)
    assert key == "best"
    key, _, _ = lookup({"best": (0.47, 0.95), "second": (0.46, 0.99)}, 0.45)  # off: 0.9
    assert key == "best"
    # over the floor the cut is the verifier's, F1's cut or not
    for cut in (None, 0.97):
        key, _, _ = lookup({"over": (0.55, 0.95), "under": (0.47, 0.99)}, 0.45, cut)
        assert key == "over"
    # without F1 the setting reads nothing
    key, verifier, refused = lookup({"over": (0.55, 0.95)}, None, 0.97)
    assert key == "over"
    policy = MatchPolicy(0.5, False, TableVerifier({"c": 0.95}), CUT,  # type: ignore[arg-type]
                         spelling=False, nearest_cut=0.97)
    assert policy.judge(0.6, None, None, "c", QUERY).hit  # at the floor: the verifier's cut
    assert not policy.judge(0.47, None, None, "c", QUERY, floor=0.45).hit  # F1's: 0.97


def test_fcs_setting_is_off_by_default_and_goes_with_f1() -> None:
    assert CacheConfig().verifier_floor_nearest_cut is None
    assert policy_for(CacheConfig(), "acme").nearest_cut is None
    config = CacheConfig(verifier_floor_nearest=0.45, verifier_floor_nearest_cut=0.97,
                         tenant_thresholds={"strict": 0.7})
    assert policy_for(config, "acme").nearest_cut == 0.97
    assert policy_for(config, "strict").nearest_cut is None  # its floor cuts every one
    verifier = TableVerifier({})
    assert verified_policy(config, 0.6, verifier, CUT).nearest_cut == 0.97  # type: ignore[arg-type]
    with pytest.raises(pydantic.ValidationError):
        CacheConfig(verifier_floor_nearest_cut=1.5)
