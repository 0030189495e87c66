"""What the verifiers and the hard check keep of texts, bounded in bytes (``cache.kept``)."""

from __future__ import annotations

import sys

from llm_router.cache import quantities
from llm_router.cache.kept import KeptInBytes
from llm_router.cache.quantities import FORMS_BYTES, amounts


def _text_bytes(key: str, value: str) -> int:
    return sys.getsizeof(key) + sys.getsizeof(value)


def test_the_budget_counts_keys_and_the_least_recently_used_go_first() -> None:
    kept: KeptInBytes[str, str] = KeptInBytes(3 * _text_bytes("a" * 100, ""), _text_bytes)
    for key in ("a" * 100, "b" * 100, "c" * 100):
        assert kept.put(key, "") == ""
    assert kept.held == 3 * _text_bytes("a" * 100, "")
    assert kept.get("a" * 100) == ""  # now the most recently used
    assert kept.peek("b" * 100) == ""  # its place left as it was
    kept.put("d" * 100, "")
    assert "b" * 100 not in kept and "a" * 100 in kept and len(kept) == 3
    assert kept.held <= kept.budget


def test_the_newest_stays_however_large_and_a_second_put_keeps_the_first() -> None:
    kept: KeptInBytes[str, list[int]] = KeptInBytes(10, lambda key, value: 1000)
    first, second = [1], [2]
    assert kept.put("k", first) is first
    assert kept.put("k", second) is first  # another thread's, kept already: counted once
    assert len(kept) == 1 and kept.held == 1000
    kept.put("m", second)
    assert "k" not in kept and kept.get("m") is second and kept.held == 1000
    kept.clear()
    assert len(kept) == 0 and kept.held == 0 and kept.get("m") is None


def test_a_replacing_put_is_the_newest_and_a_drop_spares_a_newer_item() -> None:
    """``AnswerMemo``'s two uses: a newer answer under a kept key takes its place; an
    expired one is dropped unless another thread has put a newer one since."""
    kept: KeptInBytes[str, list[int]] = KeptInBytes(2000, lambda key, value: 1000)
    old, new, other = [1], [2], [3]
    kept.put("a", old)
    kept.put("b", other)
    assert kept.put("a", new, replace=True) is new
    assert list(kept) == ["b", "a"] and kept.held == 2000  # counted once, now the newest
    kept.put("c", other)
    assert list(kept) == ["a", "c"]
    kept.drop("a", old)  # not the kept one: left
    assert kept.peek("a") is new and kept.held == 2000
    kept.drop("a", new)
    assert "a" not in kept and kept.held == 1000


def test_the_hard_checks_readings_stay_within_their_bytes() -> None:
    """20,000-character messages: the forms the hard check reads are kept within
    ``FORMS_BYTES``, each text counted with its forms (the count of 256 texts before
    held ~10 MB of them)."""
    quantities._FORMS.clear()
    for i in range(60):
        text = f"order {i} costs $20 and weighs 5 kg. " + "more words about it " * 1000
        assert amounts(text, hard=True) == amounts(text, hard=True)
    assert quantities._FORMS.held <= FORMS_BYTES
    assert 0 < len(quantities._FORMS) < 60
