"""Exact token counts for one encoding, without building tiktoken's encoder at start-up.

tiktoken's encoder (``tiktoken.Encoding``, whose Rust ``CoreBPE`` copies the whole rank
table in) takes about 0.16 s of CPU to build for o200k: the largest step of the router's
cold start after the imports. Counting a short prompt does not need it. Byte-pair
encoding a piece of text only looks up the ranks of byte strings inside that piece, so
the rank table (``ranks.RankTable``, read from the layer's prebuilt file in about
0.015 s) and the encoding's split pattern are all it takes: ``TokenCounter`` splits with tiktoken's
pattern (the ``regex`` module, which tiktoken depends on and its own pure-Python
reference encoder uses) and merges each piece the way tiktoken's ``byte_pair_merge``
does: the adjacent pair whose joined bytes have the lowest rank, until none is in the
table. Tests compare it with tiktoken on a corpus and on random unicode text.

Python is several to a hundred times slower than the Rust encoder (pieces it has not
seen before, and CJK text, whose pieces are long, are the slow end), and it holds the
GIL while it counts, so it only counts short texts, and only until it has spent
``PYTHON_BUDGET_S`` of CPU in all. The counter builds tiktoken's encoder, once, for
the first text longer than ``PYTHON_MAX_CHARS``, or whose pieces outside the table
would cost the merge loop more than ``PYTHON_MAX_MERGE_WORK`` (it is quadratic in a
piece's length), or once that budget is spent, and counts everything with it from then
on. So start-up no longer pays the build; the request that first needs the encoder
does (about 0.2 s of CPU for o200k, with the dict it takes), and a container whose
requests are all short meets it only after about as much CPU as the build costs has
gone into Python counting (a bounded detour: about twice what building at start-up
cost, at most).
"""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Callable

import regex
import tiktoken

from llm_router.tokens.ranks import RankTable

# Above this many characters a text is counted by tiktoken's encoder (built then, once).
# 2,000 characters of English take Python a few milliseconds the first time and under
# one once its words are remembered (``bench/tokens_bench.py``, "python counter").
PYTHON_MAX_CHARS = 2_000
# The merge loop's bound on its work for one text: the sum of the squared byte lengths
# of the pieces it merges (a 66-byte piece of Japanese is 4,356; CJK text has no spaces
# to split at). Past it, tiktoken's encoder counts the text.
PYTHON_MAX_MERGE_WORK = 20_000
# Python counting's CPU budget for the process (about what building the encoder costs).
PYTHON_BUDGET_S = 0.15
# Pieces remembered (then forgotten all at once): a few MB at most.
PIECES_SEEN = 50_000
_NONE = 1 << 62  # the rank of a pair that is not in the table: above every real rank


class TokenCounter:
    """Exact token counts for one encoding: in Python for short texts until the budget is
    spent, with tiktoken's encoder (built on first need) for the rest. Thread-safe;
    share one per encoding."""

    def __init__(self, name: str, ranks: RankTable, pattern: str,
                 build: Callable[[RankTable], tiktoken.Encoding]):
        self.name = name
        self._ranks: RankTable | None = ranks
        self._split = regex.compile(pattern).findall
        self._build = build
        self._encoding: tiktoken.Encoding | None = None
        self._lock = threading.Lock()
        self._spent = 0.0  # CPU seconds counting in Python (threads may race: approximate)
        # Tokens per piece already counted: words recur, and a dict hit is several times
        # cheaper than the table's binary search.
        self._seen: dict[bytes, int] = {}

    @property
    def built(self) -> bool:
        """True once tiktoken's encoder has been built (a long text needed it)."""
        return self._encoding is not None

    def encoding(self) -> tiktoken.Encoding:
        """tiktoken's encoder for this encoding, built on first call from the rank table
        (``build``), which is dropped then, with the pieces Python counted: from then on
        the encoder counts everything (o200k's table is about 20 MB of Python objects)."""
        encoding = self._encoding
        if encoding is None:
            with self._lock:
                encoding = self._encoding
                if encoding is None and self._ranks is not None:
                    encoding = self._encoding = self._build(self._ranks)
                    self._ranks, self._seen = None, {}
        assert encoding is not None
        return encoding

    def count(self, text: str) -> int:
        """The number of tokens ``tiktoken.Encoding.encode_ordinary(text)`` returns."""
        if (self._encoding is None and len(text) <= PYTHON_MAX_CHARS
                and self._spent < PYTHON_BUDGET_S):
            start = time.thread_time()
            counted = self.count_python(text)
            self._spent += time.thread_time() - start
            if counted is not None:
                return counted
        return len(self.encoding().encode_ordinary(text))

    def count_python(self, text: str) -> int | None:
        """The count in Python, or None when its pieces are too long for the merge loop
        (or the encoder is built and the table gone)."""
        ranks, seen = self._ranks, self._seen
        if ranks is None:
            return None
        try:
            pieces = [piece.encode("utf-8") for piece in self._split(text)]
        except UnicodeEncodeError:
            # A lone surrogate: tiktoken replaces it the same way before encoding.
            text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
            pieces = [piece.encode("utf-8") for piece in self._split(text)]
        if len(seen) > PIECES_SEEN:
            seen.clear()
        total = work = 0
        for piece in pieces:
            tokens = seen.get(piece)
            if tokens is None:
                if piece in ranks:
                    tokens = 1
                else:
                    work += len(piece) ** 2
                    if work > PYTHON_MAX_MERGE_WORK:
                        return None
                    tokens = _merged_length(piece, ranks)
                seen[piece] = tokens
            total += tokens
        return total


def _merged_length(piece: bytes, ranks: RankTable) -> int:
    """How many tokens tiktoken's ``byte_pair_merge`` leaves of ``piece``: merge the
    adjacent pair whose joined bytes have the lowest rank (the leftmost of equal pairs,
    as tiktoken does) until no joined pair is in the table. Each pair's rank is kept
    and only the merged part's two neighbours are looked up again, as tiktoken does;
    the minimum is found by ``min`` and ``index`` in C."""
    parts = [piece[i:i + 1] for i in range(len(piece))]
    get = ranks.get
    pair_ranks = [get(a + b, _NONE) for a, b in itertools.pairwise(parts)]
    while pair_ranks:
        best = min(pair_ranks)
        if best == _NONE:
            break
        at = pair_ranks.index(best)
        parts[at:at + 2] = [parts[at] + parts[at + 1]]
        del pair_ranks[at]
        if at > 0:
            pair_ranks[at - 1] = get(parts[at - 1] + parts[at], _NONE)
        if at < len(pair_ranks):
            pair_ranks[at] = get(parts[at] + parts[at + 1], _NONE)
    return len(parts)
