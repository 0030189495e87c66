"""glibc's heap, for a long-running process: what it keeps of freed memory.

Nothing here reads the environment; elsewhere than glibc (macOS, musl) each call does
nothing and says so.
"""

from __future__ import annotations

import ctypes
from collections.abc import Sequence

# glibc's ``mallopt`` options (malloc.h).
M_TRIM_THRESHOLD, M_TOP_PAD, M_MMAP_THRESHOLD, M_ARENA_MAX = -1, -2, -3, -8
# A server's mmap and trim thresholds, fixed (``bound_heap``).
SERVER_MMAP_THRESHOLD = 1 << 20
SERVER_TRIM_THRESHOLD = 32 << 20
# At most this many heaps (arenas) for all threads (``bound_arenas``).
SERVER_ARENAS = 2


def set_malloc(options: Sequence[tuple[int, int]]) -> bool:
    """glibc's ``mallopt`` for each (option, value); False where there is none (macOS,
    musl) or one was refused."""
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return False
    return all(mallopt(option, value) == 1 for option, value in options)


def bound_heap() -> bool:
    """Fix glibc's mmap threshold at 1 MB and its trim threshold at 32 MB for a
    long-running server, and its arenas at ``SERVER_ARENAS`` (``bound_arenas``).

    glibc starts the mmap threshold at 128 KB and raises it to the size of any mapped
    block freed (up to 32 MB): after the first artefact's bytes are freed at load
    (megabytes), every array under that size comes from the heaps, where the passes'
    freed temporaries are left in holes between the cache's kept texts and answers, and
    kept. Fixed at 128 KB, 15,000 requests of the cache-on soak's mix left 14 MB free in
    the heaps, not 41; but every larger temporary was then mapped and unmapped, and the
    heap trimmed at each 128 KB freed at its top: a lookup's CPU p50 +17-24 % at 10,000
    entries. 1 MB and 32 MB keep the lookup's CPU (docs/cache-history.md "Session
    15"). A batch command that only wants speed asks for more (``cache-probe``)."""
    return set_malloc([(M_MMAP_THRESHOLD, SERVER_MMAP_THRESHOLD),
                       (M_TRIM_THRESHOLD, SERVER_TRIM_THRESHOLD)]) and bound_arenas()


def bound_arenas() -> bool:
    """At most ``SERVER_ARENAS`` heaps (glibc's arenas) for all the process's threads,
    asked before any thread allocates (``serve`` in ``bound_heap``, the Lambda handler in
    ``coldstart.lambda_init``).

    glibc gives each new thread an arena of its own, up to 8 a core. A long message and
    its copies (the lowered and rewritten texts, the request body: 20-100 KB each) freed
    in one thread's arena serve that arena's later allocations only: with 8 threads,
    4,000 messages of 20,000 characters held 711 MB at peak and grew 34 MB once the
    cache's index was full (session 16). In 2 arenas, shared by every thread: 530 MB and
    3 MB, the CPU a request the same (docs/cache-history.md "Session 17")."""
    return set_malloc([(M_ARENA_MAX, SERVER_ARENAS)])


def return_freed_memory() -> None:
    """Hand the C heap's free pages back to the system (glibc's ``malloc_trim``).

    Building o200k's encoder goes through the rank table and a ``{bytes: rank}`` dict
    (about 40 MB of Python objects) that are freed once tiktoken's Rust encoder has its
    own copy; glibc keeps such freed memory for later allocations, and the process's
    resident size with it. Trimming took ``llm-router serve`` 17 MB lower (233 -> 217
    MB, before any request). Elsewhere than glibc (macOS, musl) this does nothing."""
    try:
        trim = ctypes.CDLL(None).malloc_trim  # the C library the interpreter runs on
    except (OSError, AttributeError):
        return
    trim(0)
