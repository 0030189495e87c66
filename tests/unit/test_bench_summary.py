"""Per-arm numbers of the pipeline benchmark, from ledger items (no app needed)."""

from __future__ import annotations

from decimal import Decimal

from llm_router_local.benchmark.pipeline import Arm, ArmResult, Outcome, Together, server_timing
from llm_router_local.benchmark.summary import arm_summary, build_results, report_markdown
from llm_router_local.benchmark.workload import WorkloadItem


def attempt(provider: str, outcome: str) -> dict:
    return {"provider": provider, "model": f"{provider}-m", "outcome": outcome}


def test_failovers_count_targets_and_skips_count_passed_over_ones() -> None:
    ledger = [
        {"cost_usd": "0.001", "model": "b-m", "attempts": [
            attempt("a", "free_tier_exhausted"), attempt("b", "ok")]},
        {"cost_usd": "0.001", "model": "a-m", "attempts": [
            attempt("a", "upstream_500"), attempt("a", "ok")]},  # a retry: no failover
        {"cost_usd": "0.002", "model": "c-m", "attempts": [
            attempt("a", "upstream_500"), attempt("c", "ok")]},
    ]
    outcomes = [Outcome(i, 200, "m", "simple", "miss", 10.0, Decimal("0.001"), False)
                for i in range(3)]
    workload = [WorkloadItem("q", "simple", "support")] * 3
    summary = arm_summary(ArmResult(Arm("router"), outcomes, ledger, 1.0), workload)
    assert summary["failovers"] == 2 and summary["skips"] == 1
    assert summary["cost_usd"] == "0.004" and summary["ledger_items"] == 3


def test_misses_not_for_want_of_a_match_are_counted_by_reason() -> None:
    ledger = [{"cost_usd": "0.001", "cache_status": "miss", "cache_miss": "failed"},
              {"cost_usd": "0.001", "cache_status": "miss", "cache_miss": "exact_only"},
              {"cost_usd": "0.001", "cache_status": "miss", "cache_miss": "failed"},
              {"cost_usd": "0.001", "cache_status": "miss"},
              {"cost_usd": "0", "cache_status": "exact"}]
    outcomes = [Outcome(i, 200, "m", "simple", "miss", 10.0, Decimal("0.001"), False)
                for i in range(5)]
    workload = [WorkloadItem("q", "simple", "support")] * 5
    summary = arm_summary(ArmResult(Arm("router"), outcomes, ledger, 1.0), workload)
    assert summary["cache_misses"] == {"failed": 2, "exact_only": 1}
    report = report_markdown({"workload": {"requests": 5, "variants": {}, "kinds": {},
                                           "labels": {}},
                              "concurrency": 1, "upstream": "simulated", "arms": [summary],
                              "savings": {}}, [])
    assert "router: 1 exact_only, 2 failed." in report


def test_under_routed_originals_leave_out_repeats_and_paraphrases() -> None:
    # One under-routed original echoed twice (a repeat, a paraphrase): 3 of 4 requests
    # under-routed, 1 of 2 originals.
    workload = [WorkloadItem("q", "moderate", "support"),
                WorkloadItem("q", "moderate", "support", "repeat"),
                WorkloadItem("Hi, q", "moderate", "support", "paraphrase"),
                WorkloadItem("r", "simple", "support")]
    outcomes = [Outcome(i, 200, "m", "simple", "miss", 10.0, Decimal(0), i < 3)
                for i in range(4)]
    summary = arm_summary(ArmResult(Arm("router"), outcomes, [], 1.0, 0.5), workload)
    assert summary["under_routed"] == 0.75 and summary["under_routed_originals"] == 0.5
    assert summary["cpu_s"] == 0.5
    report = report_markdown({"workload": {"requests": 4, "variants": {}, "kinds": {},
                                           "labels": {}},
                              "concurrency": 1, "upstream": "simulated", "arms": [summary],
                              "savings": {}}, [])
    assert "| 75.0 % (50.0 %) |" in report and "| 1.0 (0.5) |" in report


def test_failover_causes_name_the_model_the_outcome_and_the_full_limit() -> None:
    full = "tenant bench's share of groq's free tier: 15 requests per minute"
    ledger = [
        {"cost_usd": "0.001", "model": "b-m", "attempts": [
            {**attempt("a", "free_tier_exhausted"), "error": full}, attempt("b", "ok")]},
        {"cost_usd": "0.001", "model": "b-m", "attempts": [
            {**attempt("a", "free_tier_exhausted"), "error": full}, attempt("b", "ok")]},
        {"cost_usd": "0.001", "model": "a-m", "attempts": [
            attempt("a", "upstream_500"), attempt("a", "ok")]},  # a retry: no failover
        {"cost_usd": "0.002", "model": "c-m", "attempts": [
            attempt("a", "upstream_500"), attempt("c", "ok")]},
    ]
    outcomes = [Outcome(i, 200, "m", "simple", "miss", 10.0, Decimal("0.001"), False)
                for i in range(4)]
    workload = [WorkloadItem("q", "simple", "support")] * 4
    summary = arm_summary(ArmResult(Arm("router"), outcomes, ledger, 1.0), workload)
    assert summary["failover_causes"] == {f"a-m free_tier_exhausted ({full})": 2,
                                          "a-m upstream_500": 1}
    report = report_markdown({"workload": {"requests": 4, "variants": {}, "kinds": {},
                                           "labels": {}},
                              "concurrency": 1, "upstream": "simulated", "arms": [summary],
                              "savings": {}}, [])
    assert f"router: 2 a-m free_tier_exhausted ({full}), 1 a-m upstream_500." in report


def test_server_timing_phases_are_read_and_averaged_over_the_arm() -> None:
    header = ('auth;dur=1.0, cache;dur=30.0, embed;dur=12.5, ddb-1;desc="put, item";dur=2.0, '
              'upstream;dur=40.0, ddb-2;desc="transact";dur=3.0, settle;dur=4.0')
    phases = server_timing(header)
    assert phases == (("auth", 1.0), ("cache", 30.0), ("embed", 12.5), ("storage", 5.0),
                      ("upstream", 40.0), ("settle", 4.0))
    assert server_timing("") == () and server_timing("junk") == ()
    outcomes = [Outcome(0, 200, "m", "simple", "miss", 80.0, Decimal(0), False, "", phases),
                Outcome(1, 200, "m", "simple", "exact", 10.0, Decimal(0), False, "",
                        (("auth", 3.0), ("cache", 2.0)))]
    workload = [WorkloadItem("q", "simple", "support")] * 2
    summary = arm_summary(ArmResult(Arm("router"), outcomes, [], 1.0), workload)
    assert summary["phase_ms"] == {"auth": 2.0, "cache": 16.0, "embed": 6.25, "storage": 2.5,
                                   "upstream": 20.0, "settle": 2.0}
    assert summary["latency_mean_ms"] == 45.0
    report = report_markdown({"workload": {"requests": 2, "variants": {}, "kinds": {},
                                           "labels": {}},
                              "concurrency": 1, "upstream": "simulated", "arms": [summary],
                              "savings": {}}, [])
    assert "router: auth 2.0, cache 16.0, embed 6.25, storage 2.5, upstream 20.0, settle 2.0 " \
           "(latency 45.0)." in report


def test_arms_run_at_once_count_once_in_the_wall_and_their_cpu_is_theirs_together() -> None:
    workload = [WorkloadItem("q", "simple", "support")]
    ok = [Outcome(0, 200, "m", "", "bypass", 10.0, Decimal("0.001"), False)]
    ledger = [{"cost_usd": "0.001"}]
    alone = [ArmResult(Arm("router"), ok, ledger, 20.0, 28.0),
             ArmResult(Arm("router-no-cache", cache=False), ok, ledger, 18.0, 24.0)]
    group = [ArmResult(Arm(f"b{i}", (f"m{i}",), cache=False), ok, ledger, w, None, True)
             for i, w in enumerate((9.0, 6.5, 6.0))]
    together = Together(("b0", "b1", "b2"), 9.2, 11.0)
    results = build_results(alone + group, workload, {"concurrency": 8, "upstream": "sim"},
                            together)
    assert results["arms_wall_s"] == 47.2  # 20 + 18 + the group's 9.2, not 9 + 6.5 + 6
    assert results["at_once"] == {"arms": ["b0", "b1", "b2"], "wall_s": 9.2, "cpu_s": 11.0}
    assert [a["at_once"] for a in results["arms"]] == [False, False, True, True, True]
    assert results["arms"][2]["cpu_s"] is None
    report = report_markdown(results, [])
    assert "| b0 * |" in report and "| 9.0 (-) |" in report
    assert "Run at once: b0, b1, b2, in 9.2 s wall (11.0 s CPU" in report
    assert "The arms' wall time: 47.2 s" in report
    sequential = build_results(alone + [ArmResult(g.arm, ok, ledger, g.wall_s, 4.0)
                                        for g in group], workload, {"concurrency": 8,
                                                                    "upstream": "sim"})
    assert sequential["arms_wall_s"] == 59.5 and sequential["at_once"] is None
