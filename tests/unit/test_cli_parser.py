"""``llm-router COMMAND`` imports only that command's module (the others' imports, the
server's app among them, cost ~0.9 s of CPU at every start of a one-shot command)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from llm_router_local.cli import COMMANDS, CommandError, build_parser


def _commands(parser: argparse.ArgumentParser) -> set[str]:
    sub = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(sub.choices)


def test_a_named_command_registers_only_itself_and_no_name_registers_all() -> None:
    assert _commands(build_parser(["cache-probe", "--explain"])) == {"cache-probe"}
    assert _commands(build_parser([])) == set(COMMANDS)
    assert _commands(build_parser(["--help"])) == set(COMMANDS)
    assert _commands(build_parser(["no-such-command"])) == set(COMMANDS)


def test_cache_probe_does_not_import_the_server() -> None:
    code = ("import json, sys\nfrom llm_router_local.cli import build_parser\n"
            "build_parser(['cache-probe'])\nprint(json.dumps(sorted(sys.modules)))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          check=True, timeout=120)
    loaded = set(json.loads(done.stdout.splitlines()[-1]))
    assert "llm_router_local.cli.cache_probe" in loaded
    assert not {"llm_router_local.cli.serve", "llm_router.api.app"} & loaded


def _parsers(parser: argparse.ArgumentParser, name: str = "llm-router"
             ) -> list[tuple[str, argparse.ArgumentParser]]:
    found = [(name, parser)]
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub_name, sub in action.choices.items():
                found += _parsers(sub, f"{name} {sub_name}")
    return found


def test_every_option_of_every_command_says_what_it_does() -> None:
    # `llm-router COMMAND --help` is how a new user learns an option: none is bare.
    bare = [f"{name} {'/'.join(action.option_strings) or action.dest}"
            for name, parser in _parsers(build_parser([]))
            for action in parser._actions
            if not isinstance(action, argparse._SubParsersAction) and not action.help]
    assert bare == []


def test_a_storage_error_from_unreachable_aws_says_what_to_do() -> None:
    from botocore.exceptions import EndpointConnectionError, NoCredentialsError

    from llm_router.errors import StorageError
    from llm_router_local.cli import aws_hint

    def caused_by(cause: Exception) -> StorageError:
        try:
            raise StorageError("The router's storage is unavailable.") from cause
        except StorageError as exc:
            return exc

    assert "AWS_PROFILE" in aws_hint(caused_by(NoCredentialsError()))
    assert "LLM_ROUTER_AWS_ENDPOINT_URL" in aws_hint(
        caused_by(EndpointConnectionError(endpoint_url="http://127.0.0.1:9")))
    assert aws_hint(caused_by(KeyError("x"))) == ""  # a real outage: no advice invented


def test_every_command_says_what_it_does_in_its_own_help() -> None:
    # `llm-router pricing import --help` printed only its usage line.
    bare = [name for name, parser in _parsers(build_parser([])) if not parser.description]
    assert bare == []


def test_bad_option_values_are_one_line_command_errors(tmp_path: Path) -> None:
    from llm_router_local.cli.bench import _read_json
    from llm_router_local.cli.simulate import state_from

    for latency in ("abc", "openai=-3"):
        args = argparse.Namespace(chunk_delay_ms=15, hang_s=30, latency_ms=[latency])
        with pytest.raises(CommandError, match="--latency-ms"):
            state_from(args)
    with pytest.raises(CommandError, match=r"^cannot read \S+: No such file or directory$"):
        _read_json(tmp_path / "absent.json")
    (tmp_path / "bad.json").write_text("{")
    with pytest.raises(CommandError, match="is not JSON"):
        _read_json(tmp_path / "bad.json")
    bench = build_parser([]).parse_args(["bench", "--pinned"])
    with pytest.raises(CommandError, match="--pinned checks a --workload FILE"):
        bench.run(bench)


def test_a_bad_environment_variable_is_named_in_one_line(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    from pydantic import BaseModel, ValidationError

    from llm_router.settings import RouterSettings
    from llm_router_local.cli import settings_error

    monkeypatch.setenv("LLM_ROUTER_KEY_CACHE_TTL_S", "abc")
    with pytest.raises(ValidationError) as refused:
        RouterSettings()
    assert settings_error(refused.value) == (
        "environment variable LLM_ROUTER_KEY_CACHE_TTL_S='abc': Input should be a valid "
        "number, unable to parse string as a number")

    class Other(BaseModel):
        n: int

    with pytest.raises(ValidationError) as other:
        Other(n="x")  # type: ignore[arg-type]
    assert settings_error(other.value) is None  # not a setting: a bug, with its traceback


def test_a_path_that_cannot_be_written_is_one_line_not_a_traceback(tmp_path: Path) -> None:
    prices = tmp_path / "prices.json"
    prices.write_text("{}")
    out = tmp_path / "missing" / "catalog.yaml"
    done = subprocess.run([sys.executable, "-m", "llm_router_local.cli", "pricing", "import",
                           str(prices), "--out", str(out)],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert done.stderr.splitlines()[-1] == (
        f"llm-router pricing: error: {out}: No such file or directory")
    assert "Traceback" not in done.stderr


def test_a_reader_that_stops_early_ends_the_command_quietly(tmp_path: Path) -> None:
    # `llm-router tokens --model M < big.jsonl | head -1`: no "Broken pipe" error, no trace.
    lines = tmp_path / "requests.jsonl"
    lines.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n' * 20_000)
    with lines.open() as stdin:
        proc = subprocess.Popen([sys.executable, "-m", "llm_router_local.cli", "tokens",
                                 "--model", "gpt-4o-mini"], stdin=stdin,
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        assert proc.stdout is not None and proc.stderr is not None
        assert proc.stdout.readline().startswith(b'{"prompt_tokens"')
        proc.stdout.close()  # 1.2 MB of answers: far past what the pipe holds
        with proc.stderr:
            stderr = proc.stderr.read()
        assert proc.wait(timeout=120) == 141
    assert stderr == b""
