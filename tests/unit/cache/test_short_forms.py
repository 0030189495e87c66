"""Short forms a lexicon knows (cache/short_forms.py, spelling.py's ``short form`` form): a
country's code or abbreviation, a US state's code, texting shorthand, a unit's short name
stand for their long form; a form with two meanings, a code that is also a word, and a
place not written in capitals do not. Every example is written here."""

import numpy as np
import pytest

from llm_router.cache import short_forms
from llm_router.cache.pair_features import Vocabulary
from llm_router.cache.policy import MatchPolicy, Verdict, verified_policy
from llm_router.cache.spelling import same_spelling
from llm_router.cache.verifier import PairVerifier, load_vocabulary, shared_verifier
from llm_router.catalog import CacheConfig


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(np.ones(30522, np.float32))


@pytest.mark.parametrize(("a", "b"), [
    ("do you charge VAT for customers in KSA", "do you charge VAT for customers in Saudi Arabia"),
    ("how long to post a parcel to PH", "how long to post a parcel to the Philippines"),
    ("do you deliver to NL", "do you deliver to the Netherlands"),
    ("when did the USSR collapse", "when did the Soviet Union collapse"),
    ("is shipping free to TX", "is shipping free to Texas"),
    ("idk how to reset my router", "I don't know how to reset my router"),
    ("btw do you open on sundays", "by the way do you open on sundays"),
    ("fyi the door code changed", "for your information the door code changed"),
    ("im locked out of my account", "I'm locked out of my account"),
    ("is the freezer 7 cu ft", "is the freezer 7 cubic feet"),
    ("do you sell xmas trees", "do you sell christmas trees"),
])
def test_a_short_form_is_its_long_form(vocab: Vocabulary, a: str, b: str) -> None:
    assert same_spelling(a, b, vocab.pieces) is None  # off: not a respelling
    for x, y in ((a, b), (b, a)):
        used = same_spelling(x, y, vocab.pieces, short_forms=True)
        assert used is not None and "short form" in used


@pytest.mark.parametrize(("a", "b"), [
    ("u there?", "you there?"),  # already a contraction the check reads
    ("do you ship to US", "do you ship to United States"),  # an alias already
    ("is ur order ready", "is your order ready"),  # a contraction: "ur" is "your" there
])
def test_forms_the_check_read_before_stay(vocab: Vocabulary, a: str, b: str) -> None:
    assert same_spelling(a, b, vocab.pieces) is not None
    assert same_spelling(a, b, vocab.pieces, short_forms=True) is not None


@pytest.mark.parametrize(("a", "b"), [
    ("do you ship to us", "do you ship to the United States"),  # "us" is a word
    ("do you ship to IN", "do you ship to India"),  # a word
    ("do you need an ID", "do you need an Indonesia"),  # an acronym of another thing
    ("is IT support included", "is Italy support included"),
    ("do you ship to CA", "do you ship to Canada"),  # Canada and California
    ("do you sell varroa tx", "do you sell varroa treatment"),  # treatment and thanks
    ("what is the pH of the soil", "what is the Philippines of the soil"),  # not capitals
    ("do you ship to ph", "do you ship to the Philippines"),
    ("IDK how to reset it", "I do not know how to reset it"),  # texting in lower case only
    ("cu later", "cubic later"),  # a unit's prefix only before a unit
    ("is 2 tbsp enough", "is 3 tablespoons enough"),  # numbers stay the hard check's
    ("do you ship from NZ to PH", "do you ship from New Zealand to Indonesia"),
])
def test_refused(vocab: Vocabulary, a: str, b: str) -> None:
    assert same_spelling(a, b, vocab.pieces, short_forms=True) is None


def test_the_table() -> None:
    places, texting, _ = short_forms.tables()
    assert not short_forms.NOT_PLACES & {k.upper() for k in places}
    assert {"ph", "ksa", "nz", "uae", "tx"} <= set(places)
    assert not {"sa", "ca", "ga", "de", "in", "us", "it", "id", "kg"} & set(places)
    assert not {"tx", "ur"} & set(texting)
    assert places["ru"] == (("russian", "federation"), ("russia",))
    assert len(short_forms.TEXTING.split(";")) <= 150


def test_the_setting_turns_the_form_on() -> None:
    verifier: PairVerifier = shared_verifier()
    assert not verified_policy(CacheConfig(), 0.5, verifier, 0.0).short_forms  # off
    assert verified_policy(CacheConfig(short_forms=True), 0.5, verifier, 0.0).short_forms
    policy = MatchPolicy(0.5, True, verifier, 0.0, short_forms=True)
    assert policy.respelled(0.9, "do you ship to KSA", "do you ship to Saudi Arabia") == Verdict(
        True, 0.9, None, None, ("short form",))
    assert MatchPolicy(0.5, True, verifier, 0.0).respelled(
        0.9, "do you ship to KSA", "do you ship to Saudi Arabia") is None
    # the amounts-and-ids check still runs after a respelled hit
    assert policy.respelled(0.9, "is order 12 going to KSA",
                            "is order 13 going to Saudi Arabia") is None
