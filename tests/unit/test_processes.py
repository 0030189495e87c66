"""A child's pipes: its one reader passes on every line, and both pipes end closed."""

import subprocess
import sys

import pytest

from llm_router.errors import ConfigError
from llm_router.keys import hash_key, key_id_of
from llm_router_local.processes import close_pipes, stop_process, wait_for_line


def child(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)


def test_every_line_reaches_on_line_before_close_pipes_returns() -> None:
    seen: list[str] = []
    proc = child("print('a'); print('ready', flush=True); print('b'); print('c')")
    assert wait_for_line(proc, "ready", 30, on_line=seen.append) == "ready\n"
    proc.wait(timeout=30)
    close_pipes(proc)
    assert seen == ["a\n", "ready\n", "b\n", "c\n"]
    assert proc.stdout is not None and proc.stdout.closed
    assert proc.stdin is not None and proc.stdin.closed


def test_stop_process_closes_the_pipes_of_a_child_nobody_read() -> None:
    proc = child("import time; print('never read', flush=True); time.sleep(60)")
    stop_process(proc)
    assert proc.returncode == -15
    assert proc.stdout is not None and proc.stdout.closed
    assert proc.stdin is not None and proc.stdin.closed


def test_a_child_that_dies_first_is_one_line_with_its_last_output() -> None:
    proc = child("import sys; print('first'); print('Traceback ...'); sys.exit('boom: 3')")
    with pytest.raises(ConfigError) as died:
        wait_for_line(proc, "ready", 30)
    close_pipes(proc)
    message = str(died.value)
    assert "\n" not in message  # the CLI prints it as its one-line error
    assert message.endswith("exited with status 1; last output: first / Traceback ... / "
                            "boom: 3")


def test_a_key_in_the_command_or_its_output_is_named_by_its_id_in_the_error() -> None:
    """``demo`` starts ``serve --dev-key KEY``: an error names that key as ``keys list``
    and the ledger do, by its id, wherever it appears (the command, the child's output)."""
    key, other = "sk-lr-demo-Secret123", "sk-lr-demo-Other456"
    proc = subprocess.Popen(
        [sys.executable, "-c", "import sys; print('got', sys.argv[1:]); sys.exit(2)",
         "--dev-key", key, f"--dev-key={other}"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    with pytest.raises(ConfigError) as died:
        wait_for_line(proc, "ready", 30)
    close_pipes(proc)
    message = str(died.value)
    assert key not in message and other not in message and "Secret123" not in message
    assert message.count(key_id_of(hash_key(key))) == 2  # the command and the output
    assert message.count(key_id_of(hash_key(other))) == 2
    assert "exited with status 2" in message
