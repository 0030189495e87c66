"""Which tiktoken encoding counts a model's tokens, and where its BPE file comes from.

The two BPE files ship in the layer (``llm_router/data/tiktoken``) with their SHA-256
in ``MANIFEST.json``; ``get_encoding`` reads them from there (never the network, and
whatever ``TIKTOKEN_CACHE_DIR`` says). They carry the names tiktoken's own cache uses
(the SHA-1 hex of the download URL), so pointing ``TIKTOKEN_CACHE_DIR`` at that
directory also makes a direct ``tiktoken.get_encoding`` (benchmarks, other encodings'
code paths) read them instead of downloading. The process edges (CLI, Lambda handlers,
the bench) call ``use_vendored_encodings(os.environ)`` once at start; library code
never reads the environment.
"""

from __future__ import annotations

import json
import threading
from collections.abc import MutableMapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import tiktoken

from llm_router.artefacts import read_verified
from llm_router.errors import ConfigError
from llm_router.tokens.counter import TokenCounter
from llm_router.tokens.ranks import (
    RankFileError,
    RankTable,
    parse_ranks,
    prebuilt_name,
    read_prebuilt,
)

CACHE_ENV = "TIKTOKEN_CACHE_DIR"
O200K = "o200k_base"
CL100K = "cl100k_base"

# Ordered: the first prefix that matches wins, so longer families come before
# their shorter relatives (gpt-4o and gpt-4.1 before gpt-4). A prefix matches the
# whole name or a name continuing with "-", "." or ":" (gpt-4o-2024-08-06, gpt-5.1).
# These are OpenAI's chat models and the encodings tiktoken's model table gives them.
_OPENAI_FAMILIES: tuple[tuple[str, str], ...] = (
    ("chatgpt-4o", O200K),
    ("gpt-4o", O200K),
    ("gpt-4.1", O200K),
    ("gpt-4.5", O200K),
    ("gpt-5", O200K),
    ("o1", O200K),
    ("o3", O200K),
    ("o4-mini", O200K),
    ("gpt-4", CL100K),
    ("gpt-3.5-turbo", CL100K),
    ("gpt-35-turbo", CL100K),  # Azure deployment spelling
)
# Llama 3's 128k vocabulary starts with cl100k's 100k tokens, so cl100k is the
# nearer estimate for Llama-family models; every other non-OpenAI model gets o200k.
_CL100K_ESTIMATE_PREFIXES = ("llama-3", "llama3", "meta-llama-3", "llama-4")


# tiktoken_ext.openai_public's split patterns and special tokens for the vendored files.
_SPECS: dict[str, tuple[str, dict[str, int]]] = {
    O200K: (
        "|".join((
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",  # noqa: E501
            r"""[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*(?i:'s|'t|'re|'ve|'m|'ll|'d)?""",  # noqa: E501
            r"""\p{N}{1,3}""",
            r""" ?[^\s\p{L}\p{N}]+[\r\n/]*""",
            r"""\s*[\r\n]+""",
            r"""\s+(?!\S)""",
            r"""\s+""",
        )),
        {"<|endoftext|>": 199999, "<|endofprompt|>": 200018},
    ),
    CL100K: (
        r"""'(?i:[sdmt]|ll|ve|re)|[^\r\n\p{L}\p{N}]?+\p{L}++|\p{N}{1,3}+| ?[^\s\p{L}\p{N}]++[\r\n]*+|\s++$|\s*[\r\n]|\s+(?!\S)|\s""",  # noqa: E501
        {"<|endoftext|>": 100257, "<|fim_prefix|>": 100258, "<|fim_middle|>": 100259,
         "<|fim_suffix|>": 100260, "<|endofprompt|>": 100276},
    ),
}
_LOADED: dict[str, TokenCounter] = {}
_LOAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class VendoredFile:
    name: str
    url: str
    cache_name: str
    sha256: str


class EncodingChoice(NamedTuple):
    """The encoding used for a model, and whether it is that model's own tokenizer."""

    encoding: TokenCounter
    exact: bool


def vendored_dir() -> Path:
    """The directory holding the vendored BPE files (inside the installed package)."""
    return Path(str(resources.files("llm_router").joinpath("data/tiktoken")))


def vendored_files(directory: Path | None = None) -> dict[str, VendoredFile]:
    """The manifest: encoding name -> URL, tiktoken cache file name and SHA-256."""
    manifest = (directory or vendored_dir()) / "MANIFEST.json"
    data = json.loads(manifest.read_text("utf-8"))
    return {name: VendoredFile(name=name, **entry) for name, entry in data.items()}


def use_vendored_encodings(environ: MutableMapping[str, str]) -> str:
    """Point tiktoken's cache at the vendored files unless the caller already chose a dir.

    Call once at process start with ``os.environ``; returns the directory in effect.
    """
    return environ.setdefault(CACHE_ENV, str(vendored_dir()))


def get_encoding(name: str) -> TokenCounter:
    """The counter for an encoding, one per name for the process. Loading it reads the
    rank table only; tiktoken's encoder is built when a long text needs it
    (``llm_router.tokens.counter``)."""
    counter = _LOADED.get(name)
    if counter is None:
        with _LOAD_LOCK:
            counter = _LOADED.get(name)
            if counter is None:
                counter = _LOADED[name] = load_counter(name)
    return counter


def load_counter(name: str, directory: Path | None = None) -> TokenCounter:
    """A counter for o200k or cl100k over the vendored rank table (see ``load_ranks``)."""
    if name not in _SPECS:
        raise ConfigError(f"no vendored tiktoken encoding {name!r}")
    return TokenCounter(name, load_ranks(name, directory), _SPECS[name][0],
                        lambda ranks: _counting_encoding(name, ranks))


def load_encoding(name: str, directory: Path | None = None) -> tiktoken.Encoding:
    """tiktoken's encoder: o200k and cl100k from the vendored files (``load_ranks``),
    other names from tiktoken. The pattern and special tokens are tiktoken's (a test
    compares the whole encoding)."""
    if name not in _SPECS:
        return tiktoken.get_encoding(name)
    return _tiktoken_encoding(name, load_ranks(name, directory))


def _tiktoken_encoding(name: str, ranks: RankTable) -> tiktoken.Encoding:
    pattern, special_tokens = _SPECS[name]
    return tiktoken.Encoding(name, pat_str=pattern, mergeable_ranks=ranks.to_dict(),
                             special_tokens=special_tokens)


def _counting_encoding(name: str, ranks: RankTable) -> tiktoken.Encoding:
    """The encoder a ``TokenCounter`` counts with, without tiktoken's Python copy of
    the rank table. tiktoken 0.14's ``Encoding`` keeps the ``{bytes: rank}`` dict it was
    built from (``_mergeable_ranks``) only to pickle itself: its Rust ``CoreBPE`` holds
    its own copy, and encoding never reads the dict. With the counter's table dropped
    too, that dict is the last reference to 200,000 byte strings (o200k; about 18 MB of
    ``llm-router serve``'s resident memory). This encoder counts and encodes as any
    other, but pickling it raises (tests/unit/test_token_counter.py)."""
    encoding = _tiktoken_encoding(name, ranks)
    vars(encoding).pop("_mergeable_ranks", None)
    return encoding


def load_ranks(name: str, directory: Path | None = None) -> RankTable:
    """The rank table of a vendored encoding: the one the layer build wrote from the
    hash-checked file (``llm_router.tokens.ranks``: no parse, no dict to build), else
    from the text file itself, sha256-checked as tiktoken would."""
    directory = directory or vendored_dir()
    entry = vendored_files(directory)[name]
    table = read_prebuilt(directory / prebuilt_name(entry.cache_name, entry.sha256))
    if table is None:
        data = read_verified(directory / entry.cache_name, entry.sha256,
                             what=f"vendored tiktoken file for {name}")
        try:
            table = RankTable.from_dict(parse_ranks(data, name))
        except RankFileError as exc:
            raise ConfigError(str(exc)) from exc
    return table


def normalize_model(model: str) -> str:
    """The bare model name: ``openai/gpt-4o`` -> ``gpt-4o``, ``ft:gpt-4o:org::id`` -> ``gpt-4o``."""
    name = model.strip().lower().rsplit("/", 1)[-1]
    if name.startswith("ft:"):
        name = name[3:].split(":", 1)[0]
    return name


def encoding_name_for(model: str) -> tuple[str, bool]:
    """(encoding name, exact) for a model id, without loading the encoding."""
    name = normalize_model(model)
    for prefix, encoding in _OPENAI_FAMILIES:
        if name == prefix or (name.startswith(prefix) and name[len(prefix)] in "-.:"):
            return encoding, True
    if name.startswith(_CL100K_ESTIMATE_PREFIXES):
        return CL100K, False
    return O200K, False


def encoding_for(model: str) -> EncodingChoice:
    """The encoding that counts ``model``'s tokens; ``exact`` is False for estimates."""
    name, exact = encoding_name_for(model)
    return EncodingChoice(get_encoding(name), exact)
