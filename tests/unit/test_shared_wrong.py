"""bench/shared_wrong.py: the populated cache's answers by class, their shape, and the
candidates' counts (session 25's exploration of the wrong answers)."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from types import ModuleType

import pytest


@pytest.fixture(scope="module")
def wrong(bench_module: Callable[[str], ModuleType]) -> ModuleType:
    return bench_module("shared_wrong")


def shared_row(label: int, outcome: str, answered: str | None, relation: str | None,
               n: int = 1) -> dict[str, object]:
    return {"variant": "0.5:5", "set": "s", "id": f"p{n:04d}", "label": label,
            "kind": "near_topic" if not label else "short_long", "a": "partner",
            "b": f"query {n}", "outcome": outcome, "answered": answered,
            "relation": relation, "filler": False, "alone": False}


def test_each_answer_has_its_class(wrong: ModuleType) -> None:
    """Nothing answered: no class; the pair's own entry: own or a false hit; another
    entry: by its label relation, a negative's 'right' apart."""
    assert wrong.answer_class(shared_row(1, "refused", None, None)) is None
    assert wrong.answer_class(shared_row(1, "partner", "partner", None)) == "own"
    assert wrong.answer_class(shared_row(0, "partner", "partner", None)) == "false_hit"
    assert wrong.answer_class(shared_row(0, "other", "e", "unknown")) == "wrong_another"
    assert wrong.answer_class(shared_row(0, "other_negative", "e", "wrong")) == "wrong_another"
    assert wrong.answer_class(shared_row(0, "other_same", "e", "right")) == \
        "right_another_negative"
    assert wrong.answer_class(shared_row(1, "other_same", "e", "right")) == "right_another"
    assert wrong.answer_class(shared_row(1, "other", "e", "unknown")) == "unknown_another"
    assert wrong.answer_class(shared_row(1, "other_negative", "e", "wrong")) == \
        "wrong_another_positive"


def test_answers_are_a_pair_set_of_one_variant(wrong: ModuleType) -> None:
    rows = [shared_row(0, "other", "watch battery?", "unknown", 1),
            shared_row(1, "partner", "partner", None, 2),
            shared_row(1, "top_k", None, None, 3),
            {**shared_row(0, "partner", "partner", None, 4), "variant": "0.5:10"}]
    found = wrong.answers(rows, "0.5:5")
    assert [(p["id"], p["a"], p["kind"], p["label"]) for p in found] == [
        ("p0001", "watch battery?", "wrong_another", 0), ("p0002", "partner", "own", 1)]
    assert found[0]["partner"] == "partner" and found[0]["pair_kind"] == "near_topic"
    rows_out = [{k: p[k] for k in ("set", "id", "a", "b", "kind", "label")} for p in found]
    assert [r["pair_kind"] for r in wrong.joined(found, rows_out)] == ["near_topic",
                                                                       "short_long"]
    with pytest.raises(SystemExit):
        wrong.joined(found, rows_out[:1])
    with pytest.raises(SystemExit):
        wrong.joined(found, [rows_out[1], {**rows_out[0], "id": "p0002"}])


def test_the_shape_of_a_short_entry_and_a_long_query(wrong: ModuleType) -> None:
    views = wrong.Views(wrong.vocabulary())
    got = wrong.features(views("watch battery?"), views(
        "After you put a new battery in my watch it's stopped keeping time, what's gone "
        "wrong?"))
    assert got["entry_words"] == 2 and got["query_words"] == 18 and got["ratio"] == 9.0
    assert got["missing"] == 5 and got["extra"] == 0 and not got["amounts"]
    assert "battery" not in " ".join(got["missing_words"])
    lesson = wrong.features(views("how much is a lesson"),
                            views("How much is a lesson with your senior instructor Kwame?"))
    assert lesson["names"] == 1 and lesson["extra"] == 0
    chicken = wrong.features(views("How long do I roast a chicken?"),
                             views("how long to roast a 4kg chicken"))
    assert chicken["amounts"] and chicken["extra"] == 0


def test_bare_topics_and_the_candidates(wrong: ModuleType) -> None:
    assert wrong.bare_topic("watch battery?") and wrong.bare_topic("refund for cancelled booking?")
    assert not wrong.bare_topic("how much is a lesson")
    views = wrong.Views(wrong.vocabulary())
    a, b = "uniform express wash?", ("I used the express wash and my uniform came out with "
                                     "a stain, can you help?")
    row = {"a": a, "b": b, "similarity": 0.67, "p": 0.927, "numbers": False,
           "respelling": None, **wrong.features(views(a), views(b))}
    assert wrong.topic_case(row, views)
    assert not wrong.topic_case({**row, "a": "what is the uniform express wash?"}, views)
    named = {c.name: c for c in wrong.CANDIDATES}
    assert named["shape"].refuses(row, views) and named["shape_p093"].refuses(row, views)
    assert not named["band_p093"].refuses(row, views)  # cosine 0.67
    respelled = {**row, "respelling": ["typo"]}
    assert wrong.refused(named["shape"], [row, respelled], views, 0.5, 0.855177) == [row]


def test_hand_kinds_are_read_and_checked(wrong: ModuleType, tmp_path: Path) -> None:
    path = tmp_path / "hand.tsv"
    path.write_text("# set/id<TAB>kind\nheldout46/p0315\tvague\n", encoding="utf-8")
    assert wrong.read_hand(path) == {("heldout46", "p0315"): "vague"}
    path.write_text("heldout46/p0315\tmaybe\n", encoding="utf-8")
    with pytest.raises(SystemExit):
        wrong.read_hand(path)
    assert json.dumps(wrong.HAND) == '["right", "vague", "swap", "off"]'


def test_runs_are_summed(wrong: ModuleType, tmp_path: Path,
                         monkeypatch: pytest.MonkeyPatch) -> None:
    """``runs``: each cache_shared result's user view at the variant, the negatives and
    positives summed; an unfinished run stops it."""
    side = {"n": 10, "own": 1, "another": 2, "another_right": 1, "another_wrong": 0,
            "another_unknown": 1, "none": 7}
    result = {"sets": ["heldout46", "heldout47"], "verifier": {"model": "cross"},
              "entries": 10000, "timings": {"wall_s": 1.0},
              "by_variant": {"0.5:5": {"cpu_ms_per_lookup": 20.0,
                                        "all": {"positives": side, "negatives": side}}}}
    paths = [tmp_path / "a.json", tmp_path / "b.json"]
    for path in paths:
        path.write_text(json.dumps(result), encoding="utf-8")
    out = tmp_path / "out.json"
    monkeypatch.setattr("sys.argv", ["shared_wrong.py", "runs", "--results", *map(str, paths),
                                     "--out", str(out)])
    assert wrong.main() == 0
    got = json.loads(out.read_text(encoding="utf-8"))
    assert got["total"]["negatives"]["another"] == 4 and len(got["runs"]) == 2
    paths[1].write_text(json.dumps({"incomplete": "running"}), encoding="utf-8")
    with pytest.raises(SystemExit):
        wrong.main()


def test_an_answer_is_placed_among_the_nearest(wrong: ModuleType) -> None:
    """``ranks``: 1 is the nearest; an entry outside the list has no place."""
    nearest = [("a", 0.9), ("b", 0.7), ("c", 0.55)]
    assert wrong.placed(nearest, "b") == (2, 0.7)
    assert wrong.placed(nearest, "z") == (None, None)


def test_the_rank_margin_on_every_nearer_candidate(wrong: ModuleType,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """``after_nearer``: the nearest (or a one-entry row) is held to the cut alone; the
    second to the cut's logit plus margin x ln 2 (margin 3, cut 0.916959: p 0.98881)."""
    monkeypatch.setattr(wrong, "shipped_cut", lambda: 0.916959)
    assert not wrong.after_nearer({"p": 0.95})
    assert not wrong.after_nearer({"p": 0.95, "rank": 1})
    assert wrong.after_nearer({"p": 0.988, "rank": 2})
    assert not wrong.after_nearer({"p": 0.9889, "rank": 2})
    assert wrong.after_nearer({"p": 0.9889, "rank": 3})


def test_what_a_user_sees_per_thousand_queries(wrong: ModuleType, tmp_path: Path) -> None:
    """``users``: own answers and another entry's read right are right; false hits and
    another entry's read off, vague or swap are wrong; unread ones apart; the answers must
    be the run's."""
    side = {"n": 4, "none": 2}
    result = {"sets": ["s"], "by_variant": {"0.5:5:m": {"all": {
        "per_pair": {"false_hits": 0.0}, "positives": side, "negatives": {"n": 4,
                                                                          "none": 2}}}}}
    path = tmp_path / "run.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    rows = [{"set": "s", "kind": "own", "pair_label": 1},
            {"set": "s", "kind": "unknown_another", "hand": "swap", "pair_label": 1},
            {"set": "s", "kind": "false_hit", "pair_label": 0},
            {"set": "s", "kind": "wrong_another", "pair_label": 0},
            {"set": "t", "kind": "own", "pair_label": 1}]
    got = wrong.users(rows, [path], "0.5:5:m")["s"]
    assert got["all"] == {"n": 8, "right": 1, "wrong": 2, "none": 4, "unread": 1}
    assert got["per_1000"] == {"right": 125.0, "wrong": 250.0, "none": 500.0, "unread": 125.0}
    with pytest.raises(SystemExit):
        wrong.users(rows[1:], [path], "0.5:5:m")


def test_what_a_user_sees_per_traffic_kind(wrong: ModuleType, tmp_path: Path) -> None:
    """``users`` with the pairs' traffic (session 30): per kind its pairs of the run's
    sets, its answers' verdicts and the rest none; a tenant run's fields ride along."""
    result = {"sets": ["s"], "by_variant": {"0.5:5:m": {"all": {
        "per_pair": {}, "positives": {"n": 3, "none": 1}, "negatives": {"n": 2, "none": 1}}}}}
    path = tmp_path / "run.json"
    path.write_text(json.dumps(result), encoding="utf-8")
    traffic = {("s", "p1"): ("support", 1), ("s", "p2"): ("support", 1),
               ("s", "p3"): ("general", 1), ("s", "p4"): ("support", 0),
               ("s", "p5"): ("general", 0), ("t", "p1"): ("general", 0)}
    rows = [{"set": "s", "id": "p1", "kind": "own", "pair_label": 1},
            {"set": "s", "id": "p3", "kind": "unknown_another", "hand": "off",
             "pair_label": 1},
            {"set": "s", "id": "p5", "kind": "false_hit", "pair_label": 0}]
    got = wrong.users(rows, [path], "0.5:5:m", traffic)["s"]["by_traffic"]
    assert got["support"]["all"] == {"n": 3, "right": 1, "wrong": 0, "none": 2, "unread": 0}
    assert got["general"]["positives"] == {"n": 1, "right": 0, "wrong": 1, "none": 0,
                                           "unread": 0}
    assert got["general"]["per_1000"]["wrong"] == 1000.0
    row = {**shared_row(0, "other", "e", "unknown"), "variant": "0.5:5", "tenant": "s/x",
           "traffic": "support"}
    found = wrong.answers([row], "0.5:5")
    assert (found[0]["tenant"], found[0]["traffic"]) == ("s/x", "support")
    rows_out = [{k: found[0][k] for k in ("set", "id", "a", "b", "kind", "label")}]
    assert wrong.joined(found, rows_out)[0]["traffic"] == "support"


def test_another_entrys_answers_by_where_it_lives(wrong: ModuleType) -> None:
    """``by_source``: an entry of the query's own set and domain, only another's, or no
    set's (a filler), each with its verdicts; answers of the pair's own entry left out."""
    homes = wrong.Homes({"shop hours?": frozenset({"s/shop"}),
                         "opening hours?": frozenset({"s/shop", "s/bakery"}),
                         "bread hours?": frozenset({"s/bakery"})},
                        {("s", "p1"): "s/shop", ("s", "p2"): "s/shop", ("s", "p3"): "s/shop",
                         ("s", "p4"): "s/shop", ("s", "p5"): "s/shop"})
    rows = [{"set": "s", "id": "p1", "a": "shop hours?", "kind": "unknown_another",
             "hand": "right"},
            {"set": "s", "id": "p2", "a": "opening hours?", "kind": "unknown_another",
             "hand": "vague"},
            {"set": "s", "id": "p3", "a": "bread hours?", "kind": "wrong_another",
             "hand": "right"},
            {"set": "s", "id": "p4", "a": "What is love?", "kind": "wrong_another",
             "hand": "off"},
            {"set": "s", "id": "p5", "a": "shop hours?", "kind": "own"}]
    assert wrong.by_source(rows, homes) == {"own_tenant": {"right": 1, "wrong": 1},
                                            "another_tenant": {"right": 1},
                                            "filler": {"wrong": 1}}
