"""The own-case check (cache/narrowing.py ``own_case``): a general question cached and a
query that tells the writer's own case and asks something else (a complaint, a chase, a
refund) is refused after the verifier passed it; context before the same ask, a bare topic
cached, a why-question, a cached case and the other direction are kept. Invented pairs
only."""

from typing import Any

import pytest

from llm_router.cache.narrowing import own_case, told

PASSPORT = ("how long does a passport renewal take", "I sent my renewal form six weeks ago "
            "and nobody answers the phone, can you chase it up")
COAT = ("do you sell winter coats", "the winter coat I bought from you ripped at the seam "
        "after two weeks, what are my options")
PLUMBER = ("is your plumber available on saturday", "your plumber flooded my kitchen floor "
           "and never came back to finish the job")
GYM = ("how much is the gym membership", "I was billed three times for my gym membership "
       "this month, please refund two of them")


@pytest.fixture(scope="module")
def verifier() -> Any:
    from llm_router.cache.verifier import shared_verifier

    return shared_verifier()


def refused(verifier: Any, cached: str, query: str) -> bool:
    return own_case(verifier.view(cached), verifier.view(query), cached, query)


@pytest.mark.parametrize("pair", [PASSPORT, COAT, PLUMBER, GYM])
def test_the_general_question_and_the_writers_own_case_is_refused(
        verifier: Any, pair: tuple[str, str]) -> None:
    assert refused(verifier, *pair)
    assert not refused(verifier, pair[1], pair[0])  # the other direction


@pytest.mark.parametrize("pair", [
    # the case told, then the cached question asked again
    ("how do I return an item", "I bought a jacket last week and it's too small, how do I "
                                "return the item"),
    # no case told: a longer general question
    ("how long does a passport renewal take", "what is the usual waiting time for renewing "
                                              "a passport by post these days"),
    # a bare topic cached asks nothing the case goes beyond
    ("card not arrived", "I requested a new debit card ten days ago and it still hasn't "
                         "arrived, what should I do?"),
    # a why-question asks the cause of what the query tells
    ("why did my bread collapse", "my loaf collapsed in the oven after rising well for an "
                                  "hour, what went wrong?"),
    # the cached question tells a case of its own
    ("I bought boots that split, can I get a refund?", "the boots I ordered from you "
                                                      "cracked after a week, what now"),
    # a state, not an event: "a rented flat"
    ("can I keep a cat in my flat", "my landlord owns a rented flat with a small garden, "
                                    "what do you think about a pet cat there"),
    # too few words the cached question lacks
    ("can I change my booking", "I booked online, can I change it"),
])
def test_context_and_other_shapes_are_kept(verifier: Any, pair: tuple[str, str]) -> None:
    assert not refused(verifier, *pair)


def test_told_reads_events_not_states() -> None:
    assert told(("i", "booked", "it"), range(3))
    assert told(("the", "pads", "fell", "off"), range(4))
    assert not told(("it", "is", "allowed"), range(3))
    assert not told(("a", "rented", "flat"), range(3))
    assert not told(("i", "need", "speed"), range(3))  # "-eed" is no past
    assert not told(("i", "booked", "it"), [2])  # only the places given
