"""bench/pipeline_instructions.py: the outcomes line read from a run's output, the driver it
runs (counting on only from the measured arm's first request to its last answer)."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import pipeline_instructions as pi  # noqa: E402


def test_the_outcomes_line_is_read_among_others() -> None:
    seen = {"digest": "ab12", "cache": {"miss": 2}, "cpu_s": 0.5,
            "rows": [[200, "m", "", "miss"]]}
    out = ("==1== Callgrind\nsome log line\nOUTCOMES " + json.dumps(seen)
           + "\n==1== Collected : 9\n")
    assert pi.outcomes(out) == seen


def test_a_run_without_outcomes_stops() -> None:
    with pytest.raises(SystemExit, match="printed no outcomes"):
        pi.outcomes("==1== valgrind: the 'impossible' happened\n")


def test_the_driver_counts_the_measured_arm_only() -> None:
    text = pi.driver(80, 10, "/tmp/x", None)
    compile(text, "driver", "exec")
    assert "PROFILE, FOLDER, REQUESTS = None, Path('/tmp/x'), 80" in text
    # The warm-up arm runs before counting may start; the measured arm's first request
    # waits for the controller (ready/go), its last answer hands back (done/gone).
    warm = text.index('await bench.run_arm(Arm("router"), warm)')
    measuring = text.index('state["measuring"] = True')
    assert warm < measuring < text.index('await bench.run_arm(Arm("router"), measured)')
    assert 'wait("ready", "go")' in text and 'wait("done", "gone")' in text
    assert "concurrency=1" in text
    assert "items[:REQUESTS]" in text and "items[len(items) - 10:]" in text


def test_the_profiling_driver_times_threads_on_their_own_clock() -> None:
    text = pi.driver(5, 2, "/tmp/x", "/tmp/p.prof")
    compile(text, "driver", "exec")
    assert "cProfile.Profile(time.thread_time)" in text
    assert text.index("threading.setprofile(start)") < text.index(
        'await bench.run_arm(Arm("router"), warm)')
