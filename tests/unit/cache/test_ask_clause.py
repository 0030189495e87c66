"""The asking clause's second vector (``cache.ask_clause``, off; session 31): the clause
``narrowing.asking_clause`` cuts from a query that tells a case first, and a lookup that
scores each entry by the larger of its cosines to the whole query and to that clause.
Synthetic vectors put each entry at the cosines asked; a table stands for the verifier."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from llm_router.cache.entry import IndexRecord
from llm_router.cache.index import TenantIndex, search_prescored
from llm_router.cache.narrowing import asking_clause
from llm_router.cache.policy import MatchPolicy
from llm_router.cache.service import ResponseCache
from llm_router.catalog import CacheConfig
from tests.unit.cache.test_answers import Store
from tests.unit.cache.test_index_rank import DIM, at_cosine, unit

CUT = 0.9
QUERY = "My son lives in Rotterdam; would you be able to post our tea to him there?"


@pytest.mark.parametrize(("text", "ask"), [
    (QUERY, "would you be able to post our tea to him there?"),
    ("I committed by mistake, how can I revert the most recent commit in git?",
     "how can I revert the most recent commit in git?"),
    # The asking clause runs to its sentence's end, a comma inside it kept.
    ("Hi, how do I reset it, given that it is locked? It broke yesterday.",
     "how do I reset it, given that it is locked?"),
    # No question word opens a clause: the last clause.
    ("Please help. My order has not arrived", "My order has not arrived"),
    # A dot inside a number or an abbreviation cuts nothing.
    ("the price is 3.5 euros, is that right?", "is that right?"),
])
def test_the_asking_clause_is_cut_from_the_text_itself(text: str, ask: str) -> None:
    assert asking_clause(text) == ask


@pytest.mark.parametrize("text", [
    "How do I undo my last git commit?",  # one clause
    "hello!",
    "",
    # The asking clause opens the text and runs to its end: all of it.
    "Can I, as a student, apply for a loan?",
    "How do I undo my last commit, I committed by mistake",
])
def test_no_asking_clause_of_its_own(text: str) -> None:
    assert asking_clause(text) is None


def test_to_the_clause_end_only_when_asked() -> None:
    assert asking_clause("How do I undo my last commit, I committed by mistake",
                         to_sentence_end=False) == "How do I undo my last commit"


class TableVerifier:
    """The probability of each cached text, whatever the query; the queries it read."""

    threshold = CUT

    def __init__(self, table: dict[str, float]):
        self.table = table
        self.queries: list[str] = []

    def prepare_many(self, texts: Sequence[str]) -> None:
        pass

    def probability(self, cached: str, query: str, cosine: float) -> float:
        self.queries.append(query)
        return self.table[cached]


def index_of(query: np.ndarray, ask: np.ndarray, entries: dict[str, tuple[float, float]]
             ) -> TenantIndex:
    """An index of ``entries``: text -> (cosine to ``query``, cosine to ``ask``), each
    vector in the plane of the two (``query`` and ``ask`` orthogonal)."""
    index = TenantIndex(dim=DIM)
    rest = np.random.default_rng(7).normal(size=DIM)
    rest -= (rest @ query) * query + (rest @ ask) * ask
    rest /= np.linalg.norm(rest)
    for n, (text, (to_query, to_ask)) in enumerate(entries.items()):
        v = to_query * query + to_ask * ask
        v = v + np.sqrt(max(0.0, 1 - float(v @ v))) * rest
        index.add(IndexRecord(text, "c", text, v.astype(np.float32), 2**40, f"J#{n}"))
    return index


def plane() -> tuple[np.ndarray, np.ndarray]:
    query = unit(1)
    ask = at_cosine(query, 0.0, 3)
    return query, ask


def policy(table: dict[str, float]) -> tuple[MatchPolicy, TableVerifier]:
    verifier = TableVerifier(table)
    return MatchPolicy(0.5, False, verifier, CUT, spelling=False,  # type: ignore[arg-type]
                       rank_margin=3.0), verifier


def test_an_entry_near_the_asking_clause_alone_reaches_the_floor() -> None:
    """The entry sits at 0.3 to the whole query and 0.8 to its asking clause: without the
    second vector it is under the floor; with it, a candidate at 0.8 that the verifier
    reads against the WHOLE query."""
    query, ask = plane()
    index = index_of(query, ask, {"can you send tea to the Netherlands?": (0.3, 0.8)})
    judge, verifier = policy({"can you send tea to the Netherlands?": 0.99})
    off = search_prescored(index, query, "c", 0, judge, QUERY)
    assert off.match is None and off.refused_by == "threshold"
    assert off.best_similarity == pytest.approx(0.3, abs=1e-5)
    on = search_prescored(index, query, "c", 0, judge, QUERY, ask=ask)
    assert on.match is not None and on.match.similarity == pytest.approx(0.8, abs=1e-5)
    assert verifier.queries == [QUERY]


def test_the_verifier_still_decides() -> None:
    query, ask = plane()
    index = index_of(query, ask, {"near the clause": (0.3, 0.8)})
    judge, _ = policy({"near the clause": 0.2})
    found = search_prescored(index, query, "c", 0, judge, QUERY, ask=ask)
    assert found.match is None and found.refused_by == "verifier"


def test_candidates_are_ranked_by_the_larger_cosine() -> None:
    """The whole query's nearest (0.7) comes after the clause's (0.9); an entry near
    neither stays out."""
    query, ask = plane()
    entries = {"whole": (0.7, 0.1), "clause": (0.2, 0.9), "neither": (0.2, 0.2)}
    index = index_of(query, ask, entries)
    got = [(index.text(row), round(s, 4)) for row, s in index.nearest(query, "c", 0, ask=ask)]
    assert got[:2] == [("clause", 0.9), ("whole", 0.7)]
    assert [index.text(row) for row, _ in index.nearest(query, "c", 0)][0] == "whole"


def test_the_subset_path_reads_both_vectors() -> None:
    """A context holding few of the tenant's rows is scored on its rows alone: the second
    vector is read there too."""
    query, ask = plane()
    index = index_of(query, ask, {f"other {n}": (0.1, 0.1) for n in range(12)})
    index.add(IndexRecord("mine", "small", "mine",
                          (0.2 * query + 0.9 * ask).astype(np.float32)
                          / np.float32(np.linalg.norm(0.2 * query + 0.9 * ask)), 2**40, "J#x"))
    (row, s), = index.nearest(query, "small", 0, ask=ask)
    assert index.text(row) == "mine" and s > 0.9


def test_without_a_second_vector_the_lookup_is_unchanged() -> None:
    query, ask = plane()
    index = index_of(query, ask, {"a": (0.8, 0.1), "b": (0.6, 0.7)})
    judge, _ = policy({"a": 0.95, "b": 0.95})
    plain = index.search(query, "c", 0, judge, QUERY)
    none = index.search(query, "c", 0, judge, QUERY, ask=None)
    assert plain == none and plain.match is not None and plain.match.key == "a"


def test_a_first_round_read_with_another_vector_is_not_reused() -> None:
    """``search`` reuses a prescored first round only when it was read with the same
    second vector."""
    query, ask = plane()
    index = index_of(query, ask, {"clause": (0.3, 0.8)})
    judge, _ = policy({"clause": 0.99})
    first = index.first_round(query, "c", 0, judge, QUERY)  # without the clause
    found = index.search(query, "c", 0, judge, QUERY, prescored=first, ask=ask)
    assert found.match is not None and found.match.key == "clause"


class Embedder:
    """Counts the texts it embeds."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed_one(self, text: str) -> np.ndarray:
        self.texts.append(text)
        return unit(len(self.texts))


def test_the_setting_is_off_and_then_embeds_nothing() -> None:
    assert CacheConfig().ask_clause is None
    cache = ResponseCache(CacheConfig(retrieval_map=None), Store(), dim=DIM)  # type: ignore[arg-type]
    embedder = Embedder()
    assert cache.embed_ask(embedder, QUERY) is None  # type: ignore[arg-type]
    assert embedder.texts == []


def test_on_it_embeds_the_asking_clause_of_a_query_that_has_one() -> None:
    cache = ResponseCache(CacheConfig(retrieval_map=None, ask_clause="floor"), Store(),  # type: ignore[arg-type]
                          dim=DIM)
    embedder = Embedder()
    assert cache.embed_ask(embedder, "How do I undo my last git commit?") is None  # type: ignore[arg-type]
    assert cache.embed_ask(embedder, QUERY) is not None  # type: ignore[arg-type]
    assert embedder.texts == ["would you be able to post our tea to him there?"]
    # Without the verifier the floor is the answer's only bar: no second vector.
    lexical = ResponseCache(CacheConfig(retrieval_map=None, ask_clause="rank", verifier=False),
                            Store(), dim=DIM)  # type: ignore[arg-type]
    assert lexical.embed_ask(embedder, QUERY) is None  # type: ignore[arg-type]


def test_floor_only_lifts_the_whole_querys_candidates() -> None:
    """``ask_ranks`` False ("floor"): the entry near the clause alone is no candidate (the
    whole query's five nearest are); one of those five under the floor is lifted over it
    by its cosine to the clause, and the five are then ordered by the larger cosine."""
    query, ask = plane()
    entries = {f"whole {n}": (0.45 - 0.01 * n, 0.0) for n in range(5)}
    entries["clause only"] = (0.1, 0.95)
    entries["whole 4"] = (0.40, 0.7)
    index = index_of(query, ask, entries)
    got = [(index.text(row), round(s, 4))
           for row, s in index.nearest(query, "c", 0, ask=ask, ask_ranks=False)]
    assert got[0] == ("whole 4", 0.7) and "clause only" not in dict(got)
    judge, _ = policy({**{t: 0.2 for t in entries}, "whole 4": 0.95})
    floor_only = MatchPolicy(0.5, False, judge.verifier, CUT, spelling=False,
                             rank_margin=3.0, ask_ranks=False)
    found = search_prescored(index, query, "c", 0, floor_only, QUERY, ask=ask)
    assert found.match is not None and found.match.key == "whole 4"
    # "rank": the clause-only entry is read first and refused; "whole 4" then needs a
    # margin over the cut that 0.95 does not clear.
    assert search_prescored(index, query, "c", 0, judge, QUERY, ask=ask).match is None


def test_the_setting_picks_the_policys_reading() -> None:
    from llm_router.cache.policy import verified_policy

    verifier = TableVerifier({})
    assert verified_policy(CacheConfig(), 0.5, verifier, CUT).ask_ranks  # type: ignore[arg-type]
    assert verified_policy(CacheConfig(ask_clause="rank"), 0.5, verifier, CUT).ask_ranks  # type: ignore[arg-type]
    assert not verified_policy(CacheConfig(ask_clause="floor"), 0.5, verifier,  # type: ignore[arg-type]
                               CUT).ask_ranks
