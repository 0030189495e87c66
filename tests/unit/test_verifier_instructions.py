"""bench/verifier_instructions.py: callgrind's count read from its output, the driver it
runs (counting on only around the measured lookups)."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))

import verifier_instructions as vi  # noqa: E402


def test_the_last_collected_count_is_read() -> None:
    out = ("==1== Callgrind, a call-graph generating cache profiler\n"
           "==1== Collected : 1234\n==1== \n==1== Collected : 2820269477\n"
           "==1== I   refs:      2,820,269,477\n")
    assert vi.collected(out) == 2820269477


def test_output_without_a_count_stops_the_run() -> None:
    with pytest.raises(SystemExit, match="no instruction count"):
        vi.collected("==1== valgrind: the 'impossible' happened\n")


def test_the_driver_counts_only_the_measured_lookups() -> None:
    text = vi.driver(5, 40, "request")
    compile(text, "driver", "exec")
    on = text.index('"callgrind_control", "-i", "on"')
    measured = text.index("lookup_cost(verifier, pairs, 5, 'request')")
    warm = text.index("lookup_cost(verifier, pairs[:8], 1, 'request')")
    assert warm < on < measured < text.index("os._exit(0)")
    assert "read_jsonl(PAIRS)[: 40 + 5]" in text
