"""The ``llm-router`` command. Each sub-command lives in its own module here and
exposes ``register(subparsers)``; ``main`` turns any ``RouterError`` or bad input into a
one-line error on stderr and a non-zero exit, as the command-line contract requires."""

from __future__ import annotations

import argparse
import importlib
import os
import sys

# One BLAS thread per call, set before numpy loads. OpenBLAS's worker threads spin while
# they wait; with more of them than idle cores (concurrent requests, other processes) one
# MiniLM embedding took 700 ms instead of 20 ms on the 2-core dev machine under load.
# Requests run in parallel on their own; a single small matrix product does not need to.
for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

from pydantic import ValidationError  # noqa: E402

from llm_router import __version__  # noqa: E402
from llm_router.errors import RouterError  # noqa: E402
from llm_router_local.processes import die_with_parent  # noqa: E402

# Sub-command modules, in the order `llm-router --help` lists them.
COMMANDS = ("serve", "demo", "simulate", "keys", "tokens", "pricing", "train", "classify",
            "ledger", "alerts", "analytics", "cache-probe", "bench")


class CommandError(Exception):
    """Bad input to a command: printed as one line, exit status 2."""


# What to do when AWS cannot be reached at all, said for a shell user (which variables to
# set); the router's own message says only what kind of failure it is.
_AWS_HINTS = {
    "NoCredentialsError": "No AWS credentials found: set AWS_PROFILE or AWS_ACCESS_KEY_ID "
    "and AWS_SECRET_ACCESS_KEY, or point LLM_ROUTER_AWS_ENDPOINT_URL at a local store "
    "(a moto server, or the embedded store `llm-router serve` prints).",
    "PartialCredentialsError": "The AWS credentials in the environment are incomplete.",
    "EndpointConnectionError": "Nothing answers at the AWS endpoint: is "
    "LLM_ROUTER_AWS_ENDPOINT_URL (or the region) right, and is that server running?",
}


def aws_hint(exc: BaseException) -> str:
    """`` <what to do>`` when ``exc`` was caused by AWS being unreachable, else ``""``."""
    hint = _AWS_HINTS.get(type(exc.__cause__).__name__)
    return f" {hint}" if hint else ""


def settings_error(exc: ValidationError) -> str | None:
    """One line naming the environment variable a settings model refused, or None when
    ``exc`` is not about settings (a bug: its traceback is wanted)."""
    if not exc.title.endswith("Settings"):
        return None
    first = exc.errors()[0]
    name = f"LLM_ROUTER_{str(first['loc'][0]).upper()}" if first["loc"] else exc.title
    return f"environment variable {name}={first.get('input')!r}: {first['msg']}"


def build_parser(argv: list[str] | None = None) -> argparse.ArgumentParser:
    """Every sub-command's parser; or, when ``argv`` names one, only that one's: a
    command's module imports what it runs, and importing all of them (the server's app
    among them) cost ~0.9 s of CPU at each start of a one-shot command."""
    parser = argparse.ArgumentParser(
        prog="llm-router",
        description="Serverless LLM gateway: OpenAI-compatible API, routing, cache, ledger.",
    )
    parser.add_argument("--version", action="version", version=f"llm-router {__version__}")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    first = next((a for a in argv or () if not a.startswith("-")), None)
    for name in (first,) if first in COMMANDS else COMMANDS:
        importlib.import_module(f"llm_router_local.cli.{name.replace('-', '_')}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    # Every command counts tokens offline, from the BPE files shipped with the package.
    from llm_router.tokens import use_vendored_encodings

    use_vendored_encodings(os.environ)
    die_with_parent(os.environ)
    argv = sys.argv[1:] if argv is None else argv
    args = build_parser(argv).parse_args(argv)
    try:
        return int(args.run(args) or 0)
    except (CommandError, RouterError) as exc:
        print(f"llm-router {args.command}: error: {exc}{aws_hint(exc)}", file=sys.stderr)
        return 2
    except ValidationError as exc:
        message = settings_error(exc)
        if message is None:
            raise
        print(f"llm-router {args.command}: error: {message}", file=sys.stderr)
        return 2
    except BrokenPipeError:
        # The reader went away (`| head`): not an error; quiet, as Unix tools are. Later
        # writes (the interpreter's last flush) go nowhere.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141  # 128 + SIGPIPE, what a shell reports for a tool the pipe stopped
    except OSError as exc:
        # A file or socket the user named: an --out in a folder that is not there, a
        # port in use. Said in one line, as bad input; not a traceback.
        where = f"{exc.filename}: " if exc.filename else ""
        print(f"llm-router {args.command}: error: {where}{exc.strerror or exc}",
              file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
