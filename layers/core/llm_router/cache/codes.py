"""Formats a question names by their file extension, and whether two texts name different
ones at the same place (pure; no I/O).

"How many rows can an xls file hold" and "... an xlsx file hold" read alike to every model
here, and the verifier passed them (p 0.997): one letter, two formats, two answers. Codes
that mix letters and digits ("ps4", "gpt-4o") are ids, compared wherever they stand
(``quantities.ids``); a file extension is a word (``lexicon.FILE_EXTENSIONS``).
"""

from __future__ import annotations

from collections.abc import Sequence
from difflib import SequenceMatcher

from llm_router.cache.lexicon import FILE_EXTENSIONS

# difflib's alignment takes up to cubic time in the words of a text that repeats itself
# (20,000 characters of "the xls of x " against "the xlsx of x ": over 200 s of CPU; 200
# words: 10 ms): longer texts are not aligned, their places left to the verifier.
MAX_ALIGNED = 200

# Two extensions of one format: "jpg" / "jpeg" name the same files.
_SAME_FORMAT = {"jpeg": "jpg", "htm": "html", "tiff": "tif", "yml": "yaml"}


def code_places(words: Sequence[str]) -> frozenset[int]:
    """Which of a text's words (lower case) are file extensions."""
    return frozenset(i for i, word in enumerate(words) if word in FILE_EXTENSIONS)


def other_codes(a: Sequence[str], a_codes: frozenset[int], b: Sequence[str],
                b_codes: frozenset[int]) -> bool:
    """Two word sequences name different codes at the same place: where they differ
    (difflib's alignment) by as many words on each side, a code stands against a code
    that the other text names nowhere ("xls" / "xlsx", "CSV" / "PDF"; "JSON to CSV" /
    "CSV to JSON" is left to the verifier, which reads directions). A code against
    several words is left alone, as is a plural "s" ("PDF" / "PDFs") and one format's two
    extensions ("jpg" / "jpeg")."""
    if not a_codes or not b_codes:
        return False
    mine = {_format(a[i]) for i in a_codes}
    theirs = {_format(b[j]) for j in b_codes}
    if mine == theirs:
        return False
    for i1, i2, j1, j2 in replaced(a, b):
        if i2 - i1 != j2 - j1:
            continue
        for i, j in zip(range(i1, i2), range(j1, j2), strict=True):
            if (i in a_codes and j in b_codes and _format(a[i]) not in theirs
                    and _format(b[j]) not in mine):
                return True
    return False


def replaced(a: Sequence[str], b: Sequence[str]) -> list[tuple[int, int, int, int]]:
    """Where two word sequences differ by words put in the place of others (difflib's
    alignment): each such span, ``a[i1:i2]`` against ``b[j1:j2]``; none where either is
    longer than ``MAX_ALIGNED`` words."""
    return [(i1, i2, j1, j2) for tag, i1, i2, j1, j2 in aligned(a, b) if tag == "replace"]


def aligned(a: Sequence[str], b: Sequence[str]) -> Sequence[tuple[str, int, int, int, int]]:
    """difflib's alignment of two word sequences (its opcodes: "equal", "replace",
    "insert", "delete" and the spans ``a[i1:i2]``, ``b[j1:j2]``); none where either is
    longer than ``MAX_ALIGNED`` words."""
    if len(a) > MAX_ALIGNED or len(b) > MAX_ALIGNED:
        return []
    return SequenceMatcher(None, a, b, autojunk=False).get_opcodes()


def _format(word: str) -> str:
    bare = word if word in FILE_EXTENSIONS else word.removesuffix("s")
    return _SAME_FORMAT.get(bare, bare)
