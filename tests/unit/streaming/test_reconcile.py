"""``llm-router ledger reconcile``: the pure sums and the command on a JSON Lines file."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from llm_router.reconcile import reconcile
from llm_router_local.cli import main

ITEMS = [
    {"provider": "a", "usage_source": "reported", "prompt_tokens": 10, "completion_tokens": 5,
     "cost_usd": "0.000300", "stream": True, "started_at": "2026-01-01T10:00:00+00:00",
     "tenant_id": "t1"},
    {"provider": "a", "usage_source": "estimated", "prompt_tokens": 7, "completion_tokens": 3,
     "cost_usd": "0.000100", "stream": True, "started_at": "2026-01-02T10:00:00+00:00",
     "tenant_id": "t1"},
    {"provider": "b", "usage_source": "none", "cost_usd": 0, "started_at":
     "2026-01-02T11:00:00+00:00", "tenant_id": "t2"},
    {"provider": "", "usage_source": "none", "started_at": "2026-01-02T11:00:00+00:00"},
]


def test_sums_per_provider_and_source() -> None:
    rows = {r.provider: r for r in reconcile(ITEMS)}
    assert set(rows) == {"a", "b"}
    a = rows["a"].to_json()
    assert a["requests"] == 2 and a["streams"] == 2
    assert a["reported"] == {"requests": 1, "prompt_tokens": 10, "completion_tokens": 5,
                             "cost_usd": "0.000300"}
    assert a["estimated"]["cost_usd"] == "0.000100"
    assert Decimal(a["estimated_cost_share"]) == Decimal("0.2500")
    assert rows["b"].to_json()["none"]["requests"] == 1


def test_command_reads_json_lines_and_filters_days_and_tenants(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "items.jsonl"
    path.write_text("\n".join(json.dumps(i) for i in ITEMS) + "\n")
    assert main(["ledger", "reconcile", "--input", str(path), "--since", "2026-01-02",
                 "--tenant", "t1"]) == 0
    (line,) = capsys.readouterr().out.splitlines()
    row = json.loads(line)
    assert row["provider"] == "a" and row["requests"] == 1 and row["estimated"]["requests"] == 1


def test_bad_input_is_a_one_line_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text("{not json\n")
    assert main(["ledger", "reconcile", "--input", str(path)]) == 2
    assert capsys.readouterr().err.strip() == (
        "llm-router ledger: error: line 1 is not JSON")
    assert main(["ledger", "reconcile", "--input", str(path), "--since", "yesterday"]) == 2
