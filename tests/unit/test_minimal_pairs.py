"""train/cache_verifier/minimal_pairs.py (session 30, S8's bundle): a toy bundle's one-span
swap negatives get a positive on their template where a writer and WordNet (a toy) vouch
for a synonym, the rest are skipped, and the bundle is written with them appended; and
``cross_continue.pair_weights`` weighs them by ``--minimal-weight`` (an older bundle as before)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from train.cache_verifier import cross_continue as cc
from train.cache_verifier import minimal_pairs as mp

# (cached, query, label, hand)
PAIRS = [
    ("can I buy shoes here", "can I purchase shoes here", 1, True),  # vouches buy -> purchase
    ("how do I start a course", "how do I begin a course", 1, True),  # start -> begin
    ("how do I buy a ticket", "how do I sell a ticket", 0, True),  # -> purchase
    ("what time does the show start", "what time does the show end", 0, False),  # -> begin
    ("do you ship to Spain", "do you ship to France", 0, True),  # a name: skipped
    ("is it 5 per day", "is it 6 per day", 0, True),  # a digit: skipped
    ("do you sell gift cards", "don't you sell gift cards", 0, True),  # a negation: skipped
    ("how do I sell a bike", "how do I rent a bike", 0, True),  # sell: no synonym vouched
    ("how do I buy a red ticket", "how do I buy two red tickets", 0, True),  # two opcodes
]

# WordNet 3.0's files, the few lines the toy reads: buy / purchase (v, sense 1 of both),
# sell (v), start / begin (v), end (v), course, ticket, show (n).
INDEX = {
    "verb": ["buy v 1 1 @ 1 1 00000001  ", "purchase v 1 1 @ 1 1 00000001  ",
             "sell v 1 1 @ 1 1 00000002  ", "start v 1 1 @ 1 1 00000003  ",
             "begin v 1 1 @ 1 1 00000003  ", "end v 1 1 @ 1 1 00000004  ",
             "rent v 1 1 @ 1 1 00000005  "],
    "noun": ["ticket n 1 1 @ 1 1 00000010  ", "course n 1 1 @ 1 1 00000011  "],
    "adj": [], "adv": [],
}
DATA = {
    "verb": ["00000001 40 v 02 buy 0 purchase 0 000 | obtain by paying",
             "00000002 40 v 01 sell 0 000 | exchange for money",
             "00000003 30 v 02 start 0 begin 0 000 | take the first step",
             "00000004 30 v 01 end 0 000 | bring to an end",
             "00000005 40 v 01 rent 0 000 | let for money"],
    "noun": ["00000010 06 n 01 ticket 0 000 | a pass",
             "00000011 06 n 01 course 0 000 | a class"],
    "adj": [], "adv": [],
}
COUNTS = ["buy%2:40:00:: 1 20", "purchase%2:40:00:: 1 8", "sell%2:40:00:: 1 15",
          "start%2:30:00:: 1 30", "begin%2:30:00:: 1 40", "end%2:30:00:: 1 10",
          "rent%2:40:00:: 1 3", "ticket%1:06:00:: 1 5", "course%1:06:00:: 1 5"]
SYNONYMS = {frozenset(("buy", "purchase")), frozenset(("start", "begin"))}


def toy_wordnet(folder: Path) -> Path:
    for name in ("noun", "verb", "adj", "adv"):
        (folder / f"index.{name}").write_text("".join(x + "\n" for x in INDEX[name]))
        (folder / f"data.{name}").write_text("".join(x + "\n" for x in DATA[name]))
        (folder / f"{name}.exc").write_text("bought buy\n" if name == "verb" else "")
    (folder / "cntlist.rev").write_text("".join(x + "\n" for x in COUNTS))
    return folder


def same(a: Sequence[str], b: Sequence[str]) -> bool:
    return frozenset((" ".join(a), " ".join(b))) in SYNONYMS


def chooser(folder: Path) -> mp.Chooser:
    probe = [{"cached": a, "query": b} for a, b, _, _ in PAIRS]
    labels = np.asarray([p[2] for p in PAIRS], np.int8)
    ch = mp.Chooser(mp.WordNet.read(toy_wordnet(folder)), same, frozenset({("buy", "sell")}),
                    frozenset({"do", "you", "i", "how", "can", "a", "the", "to", "is", "it",
                               "what", "does", "here"}), frozenset({"don't", "not"}))
    ch.attested = mp.attested(probe, labels)
    return ch


def toy_tokens(rows: list[dict[str, str]]) -> dict[str, np.ndarray]:
    """Word ids: each word's letters summed (so a new word gets a new id), two sides."""
    def side(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        ids = np.zeros((len(texts), 38), np.int16)
        lengths = np.zeros(len(texts), np.int8)
        for n, t in enumerate(texts):
            w = [sum(map(ord, x)) for x in t.lower().split()][:38]
            ids[n, : len(w)] = w
            lengths[n] = len(w)
        return ids, lengths

    a, a_len = side([r["cached"] for r in rows])
    b, b_len = side([r["query"] for r in rows])
    return {"train.a": a, "train.a_len": a_len, "train.b": b, "train.b_len": b_len}


def write_toy(folder: Path) -> Path:
    n = len(PAIRS)
    rows = [{"cached": a, "query": b} for a, b, _, _ in PAIRS]
    arrays = dict(toy_tokens(rows))
    used = np.unique(np.concatenate([arrays["train.a"].ravel(), arrays["train.b"].ravel()]))
    used = used[used != sum(map(ord, "purchase"))]  # a word the table lacks (a toy's licence)
    arrays |= {"train.label": np.asarray([p[2] for p in PAIRS], np.int8),
               "train.hand": np.asarray([p[3] for p in PAIRS], np.bool_),
               "train.mined": np.zeros(n, np.bool_),
               "train.new": np.asarray([1] + [0] * (n - 1), np.bool_),
               "train.qneg": np.zeros(n, np.bool_),
               "decision.a": np.zeros((0, 38), np.int16),
               "decision.label": np.zeros(0, np.int8),
               "word.ids": used.astype(np.int32),
               "word.rows": np.tile(used[:, None], (1, 4)).astype(np.float16),
               "init.embeddings.LayerNorm.bias": np.ones(4, np.float16)}
    bundle = folder / "bundle.npz"
    np.savez_compressed(bundle, **arrays)  # type: ignore[arg-type]
    bundle.with_suffix(".json").write_text(json.dumps({
        "train_pairs": n, "mined": 0, "seed": 12, "train_sources": {"heldout30": n}}))
    (folder / "bundle-probe.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    return bundle


def test_one_span_is_one_replace_of_one_or_two_words() -> None:
    assert mp.one_span("how do I buy a ticket", "How do I sell a ticket?") == ((3, 4), (3, 4))
    assert mp.one_span("do you sell cards", "don't you sell cards") == ((0, 1), (0, 1))
    assert mp.one_span("do you sell cards", "do you not sell cards") is None  # an insert
    assert mp.one_span("buy a ticket", "buy two tickets") == ((1, 3), (1, 3))  # one of two
    assert mp.one_span("buy a red ticket", "buy two red tickets") is None  # two, apart
    assert mp.one_span("a b c d e", "a x y z e") is None  # three words a side


def test_a_vouched_synonym_makes_the_positive_and_the_rest_are_skipped(tmp_path: Path) -> None:
    ch = chooser(tmp_path)
    probe = [{"cached": a, "query": b} for a, b, _, _ in PAIRS]
    labels = np.asarray([p[2] for p in PAIRS], np.int8)
    pairs, counts = mp.generate(probe, labels, ch, guard=set())
    got = [(p["i"], p["side"], p["cached"], p["query"]) for p in pairs]
    assert got == [(2, "cached", "how do I buy a ticket", "how do I purchase a ticket"),
                   (3, "cached", "what time does the show start", "what time does the show begin")]
    assert all(p["how"] == "writer" for p in pairs)
    assert counts["counts"]["negatives"] == 7 and counts["counts"]["one_span"] == 6
    skips = counts["skips"]
    assert skips["a capital inside the text (a name)"] == 2  # Spain, then France
    assert skips["a digit in a span"] == 2 and skips["a negation or contraction in a span"] == 2
    assert skips["no synonym passes"] == 2  # sell, then rent: no writer swapped them
    # the guard drops a pair sharing a text; the cap draws
    guarded, _ = mp.generate(probe, labels, chooser(tmp_path),
                             guard={cc._text("What time does the show begin?")})
    assert [p["i"] for p in guarded] == [2]
    capped, c = mp.generate(probe, labels, chooser(tmp_path), guard=set(), cap=1, seed=30)
    assert len(capped) == 1 and c["counts"]["candidates"] == 2 and c["counts"]["kept"] == 1


def test_an_unvouched_synonym_passes_only_with_the_wordnet_path(tmp_path: Path) -> None:
    ch = chooser(tmp_path)
    ch.attested = {}
    assert ch.synonym("how do I buy a ticket", (3, 4), "how do I sell a ticket", (3, 4)) is None
    ch.wordnet_path = True
    assert ch.synonym("how do I buy a ticket", (3, 4), "how do I sell a ticket",
                      (3, 4)) == "how do I purchase a ticket"
    assert ch.synonym("Buy a ticket", (0, 1), "Sell a ticket", (0, 1)) == "Purchase a ticket"
    assert ch.synonym("bought a ticket", (0, 1), "sold a ticket", (0, 1)) is None  # inflected


def test_the_bundle_gets_the_pairs_appended_and_keeps_the_rest(tmp_path: Path) -> None:
    bundle = write_toy(tmp_path)
    probe = mp.read_probe(tmp_path / "bundle-probe.jsonl")
    labels = np.load(bundle)["train.label"]
    pairs, _ = mp.generate(probe, labels, chooser(tmp_path), guard=set())
    out = tmp_path / "out" / "bundle.npz"
    written = mp.add_pairs(bundle, out, pairs, probe=probe, tokens=toy_tokens,
                           rows_of=lambda ids: np.tile(ids[:, None], (1, 4)))
    n = len(PAIRS)
    assert (written["pairs"], written["minimal"], written["train_pairs"]) == (n, 2, n + 2)
    was, now = np.load(bundle), np.load(out)
    assert set(now.files) == set(was.files) | {"train.minimal"}
    for k in was.files:
        if k.startswith("train."):
            assert np.array_equal(now[k][:n], was[k]), k
        elif not k.startswith("word."):
            assert np.array_equal(now[k], was[k]), k
    assert now["train.label"][n:].tolist() == [1, 1]
    assert now["train.hand"][n:].tolist() == [True, False]  # their negatives'
    assert not now["train.new"][n:].any() and not now["train.mined"][n:].any()
    assert now["train.minimal"].tolist() == [False] * n + [True, True]
    new = toy_tokens([{"cached": p["cached"], "query": p["query"]} for p in pairs])
    assert np.array_equal(now["train.b"][n:], new["train.b"])
    # the new word's row ("purchase") joined the table, the old rows kept
    ids, rows = now["word.ids"], now["word.rows"]
    assert np.all(np.diff(ids) > 0) and written["new_word_rows"] == 1
    assert set(was["word.ids"]) < set(ids)
    assert np.array_equal(rows[:, 0], ids.astype(np.float16))
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["train_pairs"] == n + 2 and meta["train_sources"]["minimal"] == 2
    assert meta["seed"] == 12 and meta["minimal"]["rule"] == mp.RULE
    lines = (tmp_path / "out" / "bundle-probe.jsonl").read_text().splitlines()
    assert len(lines) == n + 2 and json.loads(lines[-1])["query"].endswith("show begin")


def test_minimal_weight_and_an_older_bundle(tmp_path: Path) -> None:
    bundle = write_toy(tmp_path)
    probe = mp.read_probe(tmp_path / "bundle-probe.jsonl")
    pairs, _ = mp.generate(probe, np.load(bundle)["train.label"], chooser(tmp_path), set())
    out = tmp_path / "out" / "bundle.npz"
    mp.add_pairs(bundle, out, pairs, probe=probe, tokens=toy_tokens,
                 rows_of=lambda ids: np.tile(ids[:, None], (1, 4)))
    old, new = np.load(bundle), np.load(out)
    w_old, first_old, replay_old = cc.pair_weights(old, new_weight=3, hand_weight=3)
    assert cc.flag(old, "minimal").tolist() == [False] * len(PAIRS)
    w_none, _, replay_none = cc.pair_weights(new, new_weight=3, hand_weight=3)
    w3, first, replay = cc.pair_weights(new, new_weight=3, hand_weight=3, minimal_weight=9)
    n = len(PAIRS)
    # without --minimal-weight a minimal pair weighs as any pair of its kind (hand 3, else 1)
    raw = w_none / w_none[0] * 3
    assert np.allclose(raw[n:], [3, 1])
    raw3 = w3 / w3[0] * 3
    assert np.allclose(raw3[n:], [9, 9]) and np.allclose(raw3[:n], w_old / w_old[0] * 3)
    # minimal pairs are no replay (their target is their label), nor new
    assert not replay[n:].any() and not replay_none[n:].any() and not first[n:].any()
    assert np.array_equal(replay[:n], replay_old) and np.array_equal(first[:n], first_old)


def test_outside_span_allows_an_article_or_an_inflection_only() -> None:
    span = (3, 4)  # "buy" in "how do I buy a ticket"
    assert mp.outside_span("how do I buy a ticket", "how do I purchase a ticket", span) == 0
    assert mp.outside_span("get an ATM card", "get a cash machine card", (2, 3)) == 0  # an -> a
    assert mp.outside_span("the fee is high", "the charges are high", (1, 2)) == 0  # is -> are
    assert mp.outside_span("how do I buy a ticket", "how can I purchase a ticket", span) == 1
    assert mp.outside_span("how do I buy a ticket", "how do I purchase a new ticket",
                           span) == 1  # a word inserted outside the span
    assert mp.outside_span("how do I buy a ticket", "how I purchase a ticket", span) == 1


def test_hand_pairs_keep_the_writers_positives_beside_their_negatives(tmp_path: Path) -> None:
    bundle = write_toy(tmp_path)
    probe = mp.read_probe(tmp_path / "bundle-probe.jsonl")

    def given(idx: int, ident: str) -> dict[str, Any]:
        return {"idx": idx, "cached": PAIRS[idx][0], "negative": PAIRS[idx][1], "id": ident}

    inputs = [given(2, "m0-0"), given(3, "m0-1"), given(4, "m0-2"), given(7, "m0-3"),
              given(5, "m0-4"), given(8, "m0-5")]
    outputs: list[dict[str, Any]] = [{"id": "m0-0", "positive": "how do I purchase a ticket"},
               {"id": "m0-1", "positive": "what time does the show begin"},
               {"id": "m0-2", "skip": True},
               {"id": "m0-3", "positive": "how can I vend a bike"},  # outside the span
               {"id": "m0-4", "positive": "is it 6 per day"},  # the negative itself
               {"id": "m0-5", "positive": "how do I purchase a red ticket"}]  # dropped by id
    pairs, counts = mp.hand_pairs(probe, inputs, outputs, guard=set(),
                                  drop_ids=frozenset({"m0-5"}))
    assert [(p["i"], p["id"], p["query"]) for p in pairs] == [
        (2, "m0-0", "how do I purchase a ticket"), (3, "m0-1", "what time does the show begin")]
    c = counts["counts"]
    assert (c["positives"], c["skipped_by_writer"], c["kept"]) == (5, 1, 2)
    assert (c["differs_outside_the_span"], c["equal_to_cached_or_negative"],
            c["dropped_by_lead"]) == (1, 1, 1)
    # the guard and the duplicate check are generate's (admit)
    guarded, g = mp.hand_pairs(probe, inputs[:2], outputs[:2],
                               guard={cc._text("How do I purchase a ticket?")})
    assert [p["id"] for p in guarded] == ["m0-1"] and g["counts"]["dropped_by_text_guard"] == 1
    made: dict[frozenset[str], dict[str, object]] = {}
    tally: Counter[str] = Counter()
    existing = {cc._key(a, b) for a, b, _, _ in PAIRS}
    assert not mp.admit({"cached": "Can I buy shoes here?", "query": "can I purchase shoes here"},
                        made, existing, set(), tally)
    assert mp.admit(pairs[0], made, existing, set(), tally)
    assert not mp.admit(dict(pairs[0]), made, existing, set(), tally)
    assert tally == Counter(already_a_bundle_pair=1, duplicate=1)
    out = tmp_path / "hand" / "bundle.npz"
    written = mp.add_pairs(bundle, out, pairs, probe=probe, tokens=toy_tokens,
                           rows_of=lambda ids: np.tile(ids[:, None], (1, 4)), rule=mp.HAND_RULE)
    assert written["minimal"] == 2
    now = np.load(out)
    n = len(PAIRS)
    assert now["train.minimal"][n:].all() and now["train.label"][n:].tolist() == [1, 1]
    assert now["train.hand"][n:].tolist() == [True, False]  # their negatives'
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["minimal"]["rule"] == mp.HAND_RULE
