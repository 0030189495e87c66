"""The extra-ask check (cache/extra_ask.py): a query that holds the cached question's ask
and adds a further request is refused after the verifier passed it; context before the
ask, a bare topic cached, a follow-up that names nothing new, a relative clause, an
alternative ("or do I ...") and the other direction are kept. ``asks_first`` (session 31,
off by default): the further act asked first and the cached ask joined after it. Invented
pairs only."""

from typing import Any

import pytest

from llm_router.cache.codes import aligned, replaced
from llm_router.cache.extra_ask import asks_first, asks_more
from llm_router.cache.narrowing import clauses, further_request

SAVINGS = ("how do I close my savings account", "how do I close my savings account but still "
           "keep the standing orders running on my current account")
CARPETS = ("can you clean my carpets", "can you clean my carpets and also remove the wine "
           "stain on the sofa cushions")
GYM = ("what time does the gym open", "what time does the gym open, and is there a sauna for "
       "members on the basic plan")
CONTACTS = ("how do I export my contacts", "how do I export my contacts? where do I import "
            "them into the new email provider afterwards")


@pytest.fixture(scope="module")
def verifier() -> Any:
    from llm_router.cache.verifier import shared_verifier

    return shared_verifier()


def more(verifier: Any, cached: str, query: str) -> bool:
    return asks_more(verifier.view(cached), verifier.view(query), query)


BOX = ("how do I cancel my subscription", "how do I cancel my subscription, but can I keep "
       "the box that was already packed this week")
SCORE = ("what is a credit score", "everyone mentions a credit score before lending, so "
         "what is a credit score, and how do lenders calculate the number")


@pytest.mark.parametrize("pair", [SAVINGS, CARPETS, GYM, CONTACTS, BOX, SCORE])
def test_the_same_question_and_a_further_request_is_refused(verifier: Any,
                                                            pair: tuple[str, str]) -> None:
    assert more(verifier, *pair)


@pytest.mark.parametrize(("cached", "query"), [
    # context before the ask, nothing after it
    ("how do I reset my router", "Hi, my internet dropped this morning and the lights keep "
     "blinking, how do I reset my router?"),
    # a bare topic asks nothing a longer question could go beyond
    ("late checkout", "is a late checkout possible on my last day, and is there a charge for "
     "the extra hours at the hotel"),
    # a follow-up that names too little that is new
    ("what is a mortgage broker", "what is a mortgage broker, and why would I use one"),
    # a relative clause is no second question
    ("how do I repair my bike chain", "how do I repair my bike chain, which snapped while "
     "climbing a steep hill yesterday"),
    # an alternative is the same question
    ("can I pay by card", "can I pay by card or do I need to bring cash to the market stall "
     "on saturday"),
    # the query does not hold the cached ask ("cancel")
    ("how do I cancel my gym membership", "how do I freeze my gym membership and also pause "
     "the direct debit for two months"),
    # a statement after "but": an auxiliary asks only before its subject
    ("how do I reset my password", "how do I reset my password? I looked around your "
     "website but couldn't find a clear answer anywhere"),
    # the question asked again after its own context: read at its last mention
    ("what is a credit score", "my bank and my landlord both keep mentioning my credit "
     "score when I apply for things and I'm lost. what is a credit score?"),
    # the other direction: the cached answer covers the shorter question
    (CARPETS[1], CARPETS[0]),
    ("how do I export my contacts", "how do I export my contacts"),
])
def test_kept(verifier: Any, cached: str, query: str) -> None:
    assert not more(verifier, cached, query)


def test_a_further_request_is_read_after_the_shared_part_only(verifier: Any) -> None:
    text = "can you also fix the door, and is there a fee"
    words = verifier.view(text).words
    cut = clauses(text, words)
    assert further_request(words, cut, 0)
    assert further_request(words, cut, words.index("door"))  # ", and is there"
    assert not further_request(words, cut, len(words) - 1)
    who = "how do I add my brother, who lives abroad, to the account"
    words = verifier.view(who).words
    assert not further_request(words, clauses(who, words), 1)
    asked = "how do I add my brother, who is allowed to sign for me"
    words = verifier.view(asked).words
    assert further_request(words, clauses(asked, words), 1)
    for text, asks in (("I paid, but could I pay the rest by card", True),
                       ("I paid, but could not find the receipt", False),
                       ("it broke, and is there a fee for the repair", True),
                       ("it broke, and is covered by the warranty", False)):
        words = verifier.view(text).words
        assert further_request(words, clauses(text, words), 2) is asks, text


def test_the_alignment_is_codes_one() -> None:
    a, b = ["cancel", "subscription"], ["cancel", "subscription", "keep", "box"]
    assert aligned(a, b) == [("equal", 0, 2, 0, 2), ("insert", 2, 2, 2, 4)]
    assert replaced(["the", "xls", "file"], ["the", "xlsx", "file"]) == [(1, 2, 1, 2)]
    assert aligned(["x"] * 201, ["x"]) == []  # longer than MAX_ALIGNED: not aligned


# asks_first: a further act asked of the business first, the cached ask joined after it
BOILERS = ("do you service boilers", "could someone from your firm come out to our farm and "
           "service boilers in the two cottages")
PIANO = ("can you tune a piano", "would you travel up to our village hall to tune a piano "
         "before the concert")


def first(verifier: Any, cached: str, query: str) -> bool:
    return asks_first(verifier.view(cached), verifier.view(query))


@pytest.mark.parametrize("pair", [BOILERS, PIANO])
def test_a_further_act_first_and_the_cached_ask_joined_after_it_is_refused(
        verifier: Any, pair: tuple[str, str]) -> None:
    assert first(verifier, *pair)
    assert not more(verifier, *pair)  # nothing asked after the shared words


@pytest.mark.parametrize(("cached", "query"), [
    # the act names one new word ("come"): a visit to do what the cached question asks
    ("do you clean carpets", "can you come and clean carpets in our rented flat this friday"),
    # a question word inside the act: the shared words are part of what is asked
    ("how do I bleed a radiator", "can you explain when and how I should check the valve and "
     "bleed a radiator"),
    # nobody addressed: the writer's own plan
    ("do you clean carpets", "I was hoping to move house next week and clean carpets before "
     "the inspection"),
    # the cached ask is a second question, not joined to the act
    ("do you clean carpets", "could your team come to our office, do you clean carpets there "
     "too"),
    # a bare topic cached
    ("carpet cleaning", "could your team come out to our office and do carpet cleaning"),
    # the other direction, and the same text
    (BOILERS[1], BOILERS[0]),
    (BOILERS[0], BOILERS[0]),
])
def test_kept_by_asks_first(verifier: Any, cached: str, query: str) -> None:
    assert not first(verifier, cached, query)
