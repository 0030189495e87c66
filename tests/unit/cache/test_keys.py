from llm_router.cache.keys import context_key, exact_key, normalize_text
from llm_router.schema import ChatRequest


def req(*turns: tuple[str, str], **extra: object) -> ChatRequest:
    return ChatRequest.model_validate(
        {"model": "small-model", "messages": [{"role": r, "content": c} for r, c in turns],
         **extra})


Q = ("user", "Where is my order?")
SYS = ("system", "You are a support agent.")


def test_whitespace_and_unicode_forms_do_not_change_the_key() -> None:
    assert normalize_text("  Where\u00a0is\n my   order? ") == "Where is my order?"
    assert exact_key("t", req(SYS, Q)) == exact_key("t", req(SYS, ("user", " Where is  my order?")))


def test_transport_and_attribution_fields_do_not_change_the_key() -> None:
    base = exact_key("t", req(Q))
    assert exact_key("t", req(Q, user="u-1", cache=True, stream=False)) == base


def test_everything_that_changes_the_answer_changes_the_key() -> None:
    base = exact_key("t", req(SYS, Q))
    variants = [
        exact_key("other", req(SYS, Q)),  # tenant
        exact_key("t", req(("system", "You are a pirate."), Q)),  # system prompt
        exact_key("t", req(SYS, Q, model="auto")),  # model
        exact_key("t", req(SYS, Q, temperature=0.2)),  # sampling
        exact_key("t", req(SYS, Q, response_format={"type": "json_object"})),
        exact_key("t", req(SYS, Q, tools=[{"type": "function", "function": {"name": "f"}}])),
        exact_key("t", req(SYS, ("user", "Where is my refund?"))),  # the question
        exact_key("t", req(SYS, Q, some_new_provider_param=1)),  # unknown passthrough
    ]
    assert base not in variants and len(set(variants)) == len(variants)


def test_context_ignores_only_the_last_user_turn() -> None:
    a = req(SYS, Q)
    b = req(SYS, ("user", "Where's my package?"))
    assert context_key("t", a) == context_key("t", b)
    assert exact_key("t", a) != exact_key("t", b)
    longer = req(SYS, ("user", "hi"), ("assistant", "Hello!"), ("user", "Where's my package?"))
    assert context_key("t", longer) != context_key("t", b)
    assert context_key("other", a) != context_key("t", a)
