"""``llm-router COMMAND`` imports only that command's module (the others' imports, the
server's app among them, cost ~0.9 s of CPU at every start of a one-shot command)."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from llm_router_local.cli import COMMANDS, build_parser


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
