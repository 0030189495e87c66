from __future__ import annotations

import numpy as np

from llm_router.classifier.evaluate import evaluate


def test_report_on_a_hand_checked_example() -> None:
    y_true = np.array([0, 0, 1, 2, 3, 3])
    y_pred = np.array([0, 1, 1, 1, 3, 2])
    report = evaluate(y_true, y_pred)
    assert report.n == 6
    assert report.accuracy == 3 / 6
    assert report.under_routing == 2 / 6  # 2 -> 1 and 3 -> 2
    assert report.over_routing == 1 / 6  # 0 -> 1
    assert report.confusion == [[1, 1, 0, 0], [0, 1, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1]]
    assert report.precision["moderate"] == 1 / 3
    assert report.recall["simple"] == 1 / 2
    assert report.precision["complex"] == 0.0 and report.recall["reasoning"] == 1 / 2
