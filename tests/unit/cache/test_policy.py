from llm_router.cache.guards import signature
from llm_router.cache.policy import MatchPolicy, plan_for, policy_for
from llm_router.catalog import CacheConfig
from llm_router.schema import ChatRequest

CONFIG = CacheConfig(max_temperature=0.7)


def req(**extra: object) -> ChatRequest:
    return ChatRequest.model_validate(
        {"model": "m", "messages": [{"role": "user", "content": "hi there"}], **extra})


def test_plan_bypasses_or_restricts_to_exact() -> None:
    assert plan_for(req(), CONFIG).semantic
    assert plan_for(req(temperature=0.7), CONFIG).semantic
    assert plan_for(req(cache=False), CONFIG).bypass
    assert plan_for(req(stream=True), CONFIG).semantic  # streams store and replay too
    assert plan_for(req(), CacheConfig(enabled=False)).bypass
    hot = plan_for(req(temperature=1.2), CONFIG)
    assert hot.exact and not hot.semantic and "temperature" in hot.reason
    tools = plan_for(req(tools=[{"type": "function", "function": {"name": "f"}}]), CONFIG)
    assert tools.exact and not tools.semantic
    image = req(messages=[{"role": "user", "content": [
        {"type": "text", "text": "what is this"},
        {"type": "image_url", "image_url": {"url": "https://x/y.png"}}]}])
    assert not plan_for(image, CONFIG).semantic
    huge = plan_for(req(messages=[{"role": "user", "content": "word " * 5000}]), CONFIG)
    assert huge.exact and not huge.semantic and "characters" in huge.reason


def test_judge_needs_threshold_and_guards() -> None:
    a, b = signature("How do I enable 2FA?"), signature("How do I disable 2FA?")
    assert MatchPolicy(0.8).judge(0.79, a, a).refused_by == "threshold"
    assert MatchPolicy(0.8).judge(0.95, a, b).refused_by == "intent"
    assert MatchPolicy(0.8, guards=False).judge(0.95, a, b).hit
    assert MatchPolicy(0.8).judge(0.85, a, a).hit


def test_per_tenant_threshold() -> None:
    config = CacheConfig(similarity_threshold=0.8, verifier_floor=0.6,
                         tenant_thresholds={"strict": 0.95})
    assert policy_for(config, "strict").threshold == 0.95
    assert policy_for(config, "other").threshold == 0.6  # the verifier's candidate floor
    plain = config.model_copy(update={"verifier": False})
    assert policy_for(plain, "strict").threshold == 0.95
    assert policy_for(plain, "other").threshold == 0.8


def test_cache_partition_is_the_tenant_or_the_tenant_and_key() -> None:
    config = CacheConfig(tenant_scopes={"solo": "key"}, tenant_thresholds={"solo": 0.95},
                         verifier=False)
    assert config.partition("acme", "key_a") == "acme"
    assert config.partition("solo", "key_a") == "solo/key_a"
    assert CacheConfig(scope="key").partition("acme", "key_a") == "acme/key_a"
    assert policy_for(config, "solo/key_a").threshold == 0.95  # the tenant's own threshold


def test_one_word_reads_words_not_characters() -> None:
    from llm_router.cache.policy import one_word

    assert one_word("yes") and one_word("  Continue! ") and one_word("") and one_word("?!")
    assert one_word("esim?") and not one_word("e sim")
    assert not one_word("yes please") and not one_word("word " * 100_000)


def test_two_lone_words_never_answer_each_other_with_the_verifier() -> None:
    """Both models read "continue" / "stop" as the same question (p 1.0 before): with
    the verifier the semantic layer leaves two one-word texts to the exact layer; a
    one-word text against a longer one is still judged."""
    policy = policy_for(CacheConfig(enabled=True), "t")
    verdict = policy.judge(0.63, None, None, "continue", "stop")
    assert not verdict.hit and verdict.refused_by == "one_word"
    longer = policy.judge(0.78, None, None, "cancel", "cancel my order please")
    assert longer.refused_by != "one_word"
