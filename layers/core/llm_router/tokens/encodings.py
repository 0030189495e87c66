"""Which tiktoken encoding counts a model's tokens, and where its BPE file comes from.

The two BPE files ship in the layer (``llm_router/data/tiktoken``) under the names
tiktoken's own cache uses (the SHA-1 hex of the download URL), so pointing
``TIKTOKEN_CACHE_DIR`` at that directory makes ``tiktoken.get_encoding`` read them
and never open a socket. tiktoken checks each file's SHA-256 against the hash it
expects before using it. The process edges (CLI, Lambda handlers, the bench) call
``use_vendored_encodings(os.environ)`` once at start; library code never reads the
environment.
"""

from __future__ import annotations

import json
from collections.abc import MutableMapping
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import NamedTuple

import tiktoken

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


@dataclass(frozen=True)
class VendoredFile:
    name: str
    url: str
    cache_name: str
    sha256: str


class EncodingChoice(NamedTuple):
    """The encoding used for a model, and whether it is that model's own tokenizer."""

    encoding: tiktoken.Encoding
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


def get_encoding(name: str) -> tiktoken.Encoding:
    """A loaded encoding; tiktoken keeps one instance per name for the process."""
    return tiktoken.get_encoding(name)


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
