"""The session-11 fit of the verifier's scores (``train.cache_verifier.stack_fit``): the
pieces its LOSO table rests on."""

import numpy as np
import pytest

from train.cache_verifier.stack_fit import SETS, fit, load_pairs, operating


def test_each_decision_pair_gets_its_source_files_traffic() -> None:
    pairs = load_pairs(SETS)
    assert len(pairs) == 3778
    for name in SETS:
        mine = [p for p in pairs if p["set"] == name]
        assert {p["traffic"] for p in mine} == {"support", "general"}
        assert [p["id"] for p in mine] == [f"p{n:04d}" for n in range(1, len(mine) + 1)]


def test_the_cut_is_the_lowest_that_keeps_false_hits_under_the_limit() -> None:
    # 400 negatives: 0.75 % allows 3 false hits; one is a respelling hit (always a hit).
    label = np.zeros(410, int)
    label[400:] = 1
    stage = np.full(410, "model", "U10")
    stage[0] = "respelling"
    score = np.linspace(0, 1, 410)
    score[1:4] = [5.0, 4.0, 3.0]  # the three highest negatives the model judges
    d = {"label": label, "stage": stage}
    cut = operating(score, d, np.ones(410, bool))
    hits = (stage == "respelling") | ((stage == "model") & (score >= cut))
    assert hits[label == 0].sum() == 3 and score[2] >= cut > score[3]


def test_the_logistic_fit_recovers_known_weights() -> None:
    rng = np.random.default_rng(5)
    x = rng.normal(size=(20_000, 2)) * [1.0, 3.0] + [0.0, 2.0]
    p = 1 / (1 + np.exp(-(0.5 + 1.5 * x[:, 0] - 0.7 * x[:, 1])))
    y = (rng.random(len(p)) < p).astype(float)
    w, b, _ = fit(x, y, l2=1e-6)
    assert w == pytest.approx([1.5, -0.7], abs=0.06) and float(b) == pytest.approx(0.5, abs=0.1)
