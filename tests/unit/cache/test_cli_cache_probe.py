"""``llm-router cache-probe`` with the shipped embedder: the contract's shape, order and
errors, and the three near-misses the issue names."""

import io
import json
import os
import subprocess
import sys
import threading

import pytest

from llm_router.cache.policy import MatchPolicy
from llm_router.embedding.minilm import MiniLMEmbedder
from llm_router_local.cli import CommandError
from llm_router_local.cli.cache_probe import probe_lines

# How long a command may take before the test calls it hung: a guard against hanging the
# suite, not a speed check (each call returns as soon as the command is done). A bad line
# is answered after the lookup's models load: 0.7-1.1 s of CPU, 1.2 s of wall time on a
# quiet machine, 3.3 s at nice 15 beside two busy loops (load 8.5); the old 120 s ran out
# once at load 14 (session 15).
HANG_S = 600


@pytest.fixture(scope="module")
def embedder() -> MiniLMEmbedder:
    return MiniLMEmbedder.load()


def run(embedder: MiniLMEmbedder, pairs: list[tuple[str, str]], **kw: bool) -> list[dict]:
    lines = io.StringIO("".join(json.dumps({"cached": c, "query": q}) + "\n" for c, q in pairs))
    out = io.StringIO()
    assert probe_lines(embedder, MatchPolicy(0.8), lines, out, **kw) == 0
    return [json.loads(line) for line in out.getvalue().splitlines()]


def test_near_misses_miss_and_a_paraphrase_hits(embedder: MiniLMEmbedder) -> None:
    results = run(embedder, [
        ("How do I enable 2FA on my account?", "How do I disable 2FA on my account?"),
        ("Where is my order 1234?", "Where is my order 5678?"),
        ("What is your refund policy for shoes?", "What is your refund policy for laptops?"),
        ("How do I cancel my subscription?", "How can I cancel my subscription?"),
    ])
    assert [r["hit"] for r in results] == [False, False, False, True]
    assert all(set(r) == {"hit", "similarity"} for r in results)
    assert results[0]["similarity"] > 0.8  # the embedding alone would have answered


def test_explain_names_the_guard(embedder: MiniLMEmbedder) -> None:
    [result] = run(embedder, [("Can I cancel?", "I can't cancel.")], explain=True)
    assert result["refused_by"] in ("negation", "threshold")


def test_bad_lines_are_one_line_errors(embedder: MiniLMEmbedder) -> None:
    for bad in ("not json\n", '{"cached": "x"}\n', '["x", "y"]\n'):
        with pytest.raises(CommandError, match="line 1"):
            probe_lines(embedder, MatchPolicy(0.8), io.StringIO(bad), io.StringIO())


def test_the_command_exits_non_zero_on_bad_input() -> None:
    proc = subprocess.run([sys.executable, "-m", "llm_router_local.cli", "cache-probe"],
                          input='{"query": 1}\n', capture_output=True, text=True, timeout=HANG_S)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "cache-probe: error: line 1" in proc.stderr


def test_a_line_is_answered_before_the_next_arrives() -> None:
    """Batching never waits for more input: an interactive client gets each answer."""
    with subprocess.Popen([sys.executable, "-m", "llm_router_local.cli", "cache-probe"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        watchdog = threading.Timer(HANG_S, proc.kill)  # a waiting probe fails the test
        watchdog.start()
        try:
            for query in ("How can I cancel my subscription?", "Where is my order 5678?"):
                line = json.dumps({"cached": "How do I cancel my subscription?", "query": query})
                proc.stdin.write(line + "\n")
                proc.stdin.flush()
                assert set(json.loads(proc.stdout.readline())) == {"hit", "similarity"}
            proc.stdin.close()
            assert proc.wait(timeout=HANG_S) == 0
        finally:
            watchdog.cancel()
            proc.kill()


def test_lines_before_a_bad_line_are_answered(minilm: MiniLMEmbedder) -> None:
    good = json.dumps({"cached": "How do I cancel?", "query": "How can I cancel?"}) + "\n"
    out = io.StringIO()
    with pytest.raises(CommandError, match="line 3"):
        probe_lines(minilm, MatchPolicy(0.8), io.StringIO(good + "\n" + "oops\n" + good), out)
    assert len(out.getvalue().splitlines()) == 1


def test_a_text_repeated_in_a_batch_is_answered_as_if_alone(embedder: MiniLMEmbedder) -> None:
    """Each text is embedded once per batch; pairs sharing a text keep their own answers."""
    pairs = [("How do I cancel my subscription?", "How can I cancel my subscription?"),
             ("How do I cancel my subscription?", "Where is my order 5678?"),
             ("Where is my order 5678?", "How can I cancel my subscription?")]
    together = run(embedder, pairs)
    alone = [run(embedder, [pair])[0] for pair in pairs]
    assert together == alone
    assert [r["hit"] for r in together] == [True, False, False]


def test_glibc_is_asked_to_keep_freed_memory() -> None:
    import platform

    from llm_router_local.cli.cache_probe import keep_freed_memory

    if platform.libc_ver()[0] != "glibc":
        pytest.skip("mallopt is glibc's")
    assert keep_freed_memory() is True


def test_config_defaults_to_llm_router_config_path_as_in_every_command(tmp_path) -> None:
    """--config, else LLM_ROUTER_CONFIG_PATH, else the shipped catalog: a catalog whose
    cache takes only identical texts (no verifier, similarity 1) read from the variable
    turns a paraphrase the shipped lookup answers into a miss; --config still wins."""
    strict, shipped_like = tmp_path / "strict.yaml", tmp_path / "loose.yaml"
    strict.write_text("cache:\n  verifier: false\n  similarity_threshold: 1.0\n")
    shipped_like.write_text("cache:\n  verifier: false\n  similarity_threshold: 0.8\n")
    pair = json.dumps({"cached": "How do I cancel my subscription?",
                       "query": "How can I cancel my subscription?"}) + "\n"

    def hit(*args: str, env_path: str | None) -> bool:
        env = {k: v for k, v in os.environ.items() if k != "LLM_ROUTER_CONFIG_PATH"}
        if env_path is not None:
            env["LLM_ROUTER_CONFIG_PATH"] = env_path
        done = subprocess.run([sys.executable, "-m", "llm_router_local.cli", "cache-probe",
                               *args], input=pair, capture_output=True, text=True,
                              timeout=120, env=env, check=True)
        return bool(json.loads(done.stdout)["hit"])

    assert hit(env_path=None) is True
    assert hit(env_path=str(strict)) is False
    assert hit("--config", str(shipped_like), env_path=str(strict)) is True
    missing = subprocess.run(
        [sys.executable, "-m", "llm_router_local.cli", "cache-probe"], input=pair,
        capture_output=True, text=True, timeout=120,
        env={**os.environ, "LLM_ROUTER_CONFIG_PATH": str(tmp_path / "nowhere.yaml")})
    assert missing.returncode != 0 and missing.stderr.count("\n") == 1
    assert "nowhere.yaml" in missing.stderr


def test_the_probe_runs_the_lookups_checks(monkeypatch) -> None:
    """The probe's policy is the router's lookup policy for the same catalog: every check
    the configuration turns on (the probe once missed ``own_case`` while it listed the
    checks itself), and its flags still override guards and spelling."""
    from llm_router.cache.policy import policy_for
    from llm_router.catalog import load_catalog
    from llm_router.settings import RouterSettings
    from llm_router_local.cli import build_parser, cache_probe

    built: list[MatchPolicy] = []
    maps: list[object] = []
    monkeypatch.setattr(cache_probe, "probe_lines",
                        lambda embedder, policy, *a, **kw: built.append(policy)
                        or maps.append(kw["retrieval_map"]) or 0)

    def probe(*flags: str) -> MatchPolicy:
        args = build_parser(["cache-probe", *flags]).parse_args(["cache-probe", *flags])
        assert cache_probe.run(args) == 0
        return built.pop()

    config = load_catalog(RouterSettings().config_path).cache
    assert config.verifier and config.own_case and config.extra_ask
    assert probe() == policy_for(config, "tenant")
    plain = probe("--no-guards", "--no-spelling")
    assert (plain.guards, plain.spelling) == (False, False)
    assert (plain.own_case, plain.extra_ask) == (True, True)
    # the index ranks and floors as the router's: by the catalog's retrieval map (rule M2b)
    from llm_router.cache.retrieval_map import shared_retrieval_map

    assert config.retrieval_map is not None
    assert maps == [shared_retrieval_map(config.retrieval_map)] * 2
    probe("--no-retrieval-map")
    assert maps[-1] is None
