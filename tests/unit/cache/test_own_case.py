"""The own-case check (cache/narrowing.py ``own_case``): a general question cached and a
query that tells the writer's own case and asks something else (a complaint, a chase, a
refund) is refused after the verifier passed it; context before the same ask, a bare topic
cached, a why-question, a cached case and the other direction are kept. v2 (session 18):
under the cosine band, a query about the writer's own plan that asks a question and a
further request is refused too; one ask after the plan, a cached text that asks twice, a
time clause and a pair at the band are kept. Invented pairs only."""

from typing import Any

import pytest

from llm_router.cache.narrowing import PLAN_COSINE, asks_twice, clauses, own_case, told

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


def refused(verifier: Any, cached: str, query: str, cosine: float = 0.9) -> bool:
    return own_case(verifier.view(cached), verifier.view(query), cached, query, cosine)


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


# v2: the writer's plan or situation, a question and a further request (no event told)
CASTLE = ("do you hire out bouncy castles", "my daughter turns six on Sunday, can you bring "
          "the castle to the park and set it up, and how early can you arrive?")
VANS = ("is there parking at the venue", "we are driving up with two vans of equipment on "
        "Friday, can we unload at the stage door and where do we leave the vans overnight?")
CABIN = ("do you allow dogs in the cabins", "our spaniel is nervous around other dogs, can we "
         "have a cabin away from the others and is there a fenced area for her as well?")


@pytest.mark.parametrize("pair", [CASTLE, VANS, CABIN])
def test_the_writers_plan_with_a_further_request_is_refused_under_the_band(
        verifier: Any, pair: tuple[str, str]) -> None:
    assert refused(verifier, *pair, cosine=0.55)
    assert not refused(verifier, *pair, cosine=PLAN_COSINE)  # at the band: the verifier's
    assert not refused(verifier, pair[1], pair[0], cosine=0.55)  # the other direction


@pytest.mark.parametrize("pair", [
    # the plan told, then the cached question asked once
    ("do I need a visa for Spain", "I'm going to Spain next month for a wedding with my "
                                   "family, do I need a visa"),
    ("how do I return an item", "I want to return the jacket I got for my birthday last "
                                "week, how do I return an item"),
    # a time clause is no question: one ask after it
    ("how do I freeze the top row", "when I scroll down my spreadsheet the headings vanish, "
                                    "how do I keep the top row in view?"),
    # the cached text asks twice itself
    ("can I bring my own wine, and is there a corkage fee", "we're having a birthday dinner "
     "on Friday, can we bring two bottles of our own and what do you charge for corkage?"),
    # no person: a longer general question
    ("is the museum open on Mondays", "are the galleries open on bank holiday Mondays and "
                                      "do the cafes keep the same hours?"),
])
def test_one_ask_after_the_plan_and_other_shapes_are_kept(
        verifier: Any, pair: tuple[str, str]) -> None:
    assert not refused(verifier, *pair, cosine=0.55)


@pytest.mark.parametrize(("text", "twice"), [
    ("can she stay in the car, and can I visit her", True),
    ("do you charge the holiday rate for that day as well", True),
    ("can I use a practice room, and what does it cost", True),
    ("when I scroll down, how do I keep the top row", False),  # a time clause
    ("my brother, who lives abroad, wants to know how to apply", False),  # relative
    ("can I pay by card but could not find the terminal", False),  # no subject after
    ("I want the header row to stay on screen", False),  # no question at all
])
def test_asks_twice(verifier: Any, text: str, twice: bool) -> None:
    words = verifier.view(text).words
    assert asks_twice(words, clauses(text, words)) is twice
