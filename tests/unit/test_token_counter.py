"""The counter that reads the rank table directly gives tiktoken's counts, exactly.

The reference is tiktoken's own encoder (``encode_ordinary``) over the same vendored
files. The exactness tests call the Python path itself (``count_python``, with no bound
on its merge work), not the encoder the counter builds for long texts.
"""

from __future__ import annotations

import pickle
import random
from pathlib import Path

import pytest
import tiktoken

from llm_router.tokens import counter as counter_module
from llm_router.tokens.counter import PYTHON_MAX_CHARS, PYTHON_MAX_MERGE_WORK, TokenCounter
from llm_router.tokens.encodings import load_counter, load_encoding, load_ranks
from llm_router.tokens.ranks import RankTable, read_prebuilt

ROOT = Path(__file__).resolve().parents[2]
ENCODINGS = ("o200k_base", "cl100k_base")
# Letters of many scripts and cases, marks, digits of several systems, letter-numbers,
# apostrophes (the patterns' contractions), every kind of white space, emoji with
# joiners and flags, controls: the classes the split patterns tell apart.
ALPHABET = [*" \t\n\r\x0b\x0c'sStTdDmMlLvVrReE0123456789aZ!?.,;:-_/\\()[]{}<>|@#$%^&*+=~`\"",
            *"éÉñßİıĲǅǈῼ𝐀𝟎٣४中文日한ابאΩяЯﬁⅫ½²", "\u00a0", "\u2028", "\u3000", "\u200b",
            "\u0301", "\u0300", "🤖", "👨\u200d👩\u200d👧", "🇫🇷", "\U0010ffff", "\x00", "\x7f",
            "'s", "'LL", "\r\n", "  ", "123456"]


@pytest.fixture(scope="module", params=ENCODINGS)
def pair(request: pytest.FixtureRequest) -> tuple[RankTable, str, tiktoken.Encoding]:
    name = request.param
    reference = load_encoding(name)
    return load_ranks(name), reference._pat_str, reference


def python_count(pair: tuple[RankTable, str, tiktoken.Encoding], text: str) -> int:
    ranks, pattern, reference = pair

    def refuse() -> tiktoken.Encoding:
        raise AssertionError("the Python path should have counted this text")

    counter = TokenCounter(reference.name, ranks, pattern, refuse)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(counter_module, "PYTHON_MAX_MERGE_WORK", 1 << 40)
        counted = counter.count_python(text)
    assert counted is not None
    return counted


def corpus() -> list[str]:
    texts = [p.read_text("utf-8") for p in sorted((ROOT / "bench" / "corpus").glob("*.txt"))]
    texts += [p.read_text("utf-8")[:20_000] for p in (
        ROOT / "README.md", ROOT / "layers" / "core" / "llm_router" / "tokens" / "chat.py")]
    return texts + ["", " ", "hello <|endoftext|> world", "I'm sure they'll've", "a" * 60,
                    " " * 500 + "x", "\n\n\n  \n", "1234567890" * 5, "🤖" * 10, "z" * 700]


def test_python_counts_are_tiktokens_on_the_corpus(pair) -> None:
    for text in corpus():
        assert python_count(pair, text) == len(pair[2].encode_ordinary(text)), text[:60]


def test_remembered_pieces_give_the_same_counts(pair, monkeypatch: pytest.MonkeyPatch) -> None:
    """One counter over the whole corpus twice: pieces seen before come from its memory
    (also across a forgetting, PIECES_SEEN small here)."""
    ranks, pattern, reference = pair
    monkeypatch.setattr(counter_module, "PYTHON_MAX_MERGE_WORK", 1 << 40)
    monkeypatch.setattr(counter_module, "PIECES_SEEN", 500)
    counter = TokenCounter(reference.name, ranks, pattern, lambda: reference)
    for text in corpus() * 2:
        assert counter.count_python(text) == len(reference.encode_ordinary(text)), text[:60]
    assert not counter.built


def test_python_counts_are_tiktokens_on_random_unicode(pair) -> None:
    rng = random.Random(20261203)
    for _ in range(3000):
        text = "".join(rng.choice(ALPHABET) for _ in range(rng.choice((1, 2, 4, 9, 30, 120))))
        assert python_count(pair, text) == len(pair[2].encode_ordinary(text)), repr(text)


def test_lone_surrogates_are_replaced_as_tiktoken_does(pair) -> None:
    text = "caf\ud800e \udfff end"
    assert python_count(pair, text) == len(pair[2].encode_ordinary(text))


def test_long_texts_and_long_pieces_go_to_tiktokens_encoder() -> None:
    ranks, reference = load_ranks("o200k_base"), load_encoding("o200k_base")
    builds: list[int] = []

    def build(table: RankTable) -> tiktoken.Encoding:
        assert table is ranks
        builds.append(1)
        return reference

    counter = TokenCounter("o200k_base", ranks, reference._pat_str, build)
    short = "How do I get a replacement? " * 10
    assert counter.count(short) == len(reference.encode_ordinary(short))
    assert not counter.built and builds == []
    piece = "z" * (int(PYTHON_MAX_MERGE_WORK ** 0.5) + 1)  # one piece, not in the table
    assert counter.count(piece) == len(reference.encode_ordinary(piece))
    assert counter.built and builds == [1]
    long = "x " * PYTHON_MAX_CHARS
    assert counter.count(long) == len(reference.encode_ordinary(long))
    assert builds == [1]  # built once, then used for every text


def test_a_long_text_builds_the_encoder_on_first_need(monkeypatch: pytest.MonkeyPatch) -> None:
    ranks, reference = load_ranks("cl100k_base"), load_encoding("cl100k_base")
    counter = TokenCounter("cl100k_base", ranks, reference._pat_str, lambda _: reference)
    monkeypatch.setattr(counter_module, "PYTHON_MAX_CHARS", 10)
    assert counter.count("short text") == 2 and not counter.built
    assert counter.count("a longer text") == 3 and counter.built


def test_once_built_the_encoder_counts_without_any_python_table() -> None:
    """The counter drops its rank table and remembered pieces when the encoder is built,
    and the encoder it builds keeps no Python copy of the table either (``llm-router
    serve`` builds o200k's before it listens)."""
    counter, reference = load_counter("o200k_base"), load_encoding("o200k_base")
    short = "Where is my order? It was due on Monday."
    assert counter.count(short) == len(reference.encode_ordinary(short))
    encoding = counter.encoding()
    assert counter.built and counter._ranks is None and counter._seen == {}
    assert "_mergeable_ranks" not in vars(encoding)
    assert counter.count_python(short) is None  # the Python path has nothing to count with
    for text in corpus()[:5] + [short]:
        assert counter.count(text) == len(reference.encode_ordinary(text)), text[:60]
    assert encoding.decode(encoding.encode(short)) == short
    with pytest.raises(AttributeError):
        pickle.dumps(encoding)


def test_rank_table_lookups_and_round_trip(tmp_path: Path) -> None:
    table = RankTable.from_dict({b"b": 5, b"ab": 0, b"\xff\x00": 7, b"": 3})
    assert [table.get(t, -1) for t in (b"b", b"ab", b"\xff\x00", b"")] == [5, 0, 7, 3]
    assert [table.get(t, -1) for t in (b"a", b"abc", b"c", b"\xff", b"\xff\x00\x00")] == [-1] * 5
    assert b"ab" in table and b"a" not in table and len(table) == 4
    path = tmp_path / "table"
    path.write_bytes(table.dumps())
    again = read_prebuilt(path)
    assert again is not None and again.to_dict() == table.to_dict()
    path.write_bytes(b"\x00garbage")
    assert read_prebuilt(path) is None
