"""The simulator's answer composer and token counter (pure)."""

from __future__ import annotations

from llm_router_local.simulator.text import (
    Prompt,
    ToolSpec,
    answer,
    chunks,
    compose,
    count_tokens,
    strings_in,
    truncate,
)


def _prompt(question: str = "How do refunds work?", **fields) -> Prompt:
    return Prompt(model=fields.pop("model", "sim"), texts=(question,), last_user=question,
                  **fields)


def test_tokenizer_counts_words_and_punctuation():
    assert count_tokens("Hello, world!") == 4
    assert count_tokens("") == 0


def test_answer_is_deterministic_and_names_the_model():
    assert compose("m1", "Why?") == compose("m1", "Why?")
    assert compose("m1", "Why is the sky blue?") != compose("m1", "How do magnets work?")
    assert "m2" in compose("m2", "Why?")


def test_usage_is_counted_from_the_text():
    result = answer(_prompt())
    assert result.prompt_tokens == count_tokens("How do refunds work?")
    assert result.completion_tokens == count_tokens(result.text)
    assert result.finish == "stop" and result.reasoning_tokens == 0


def test_reasoning_models_spend_hidden_tokens():
    result = answer(_prompt(model="sim-reasoner"))
    assert result.reasoning_tokens > 0
    assert result.completion_tokens == count_tokens(result.text) + result.reasoning_tokens


def test_max_tokens_truncates():
    result = answer(_prompt(max_tokens=3))
    assert (result.finish, count_tokens(result.text), result.completion_tokens) == ("length", 3, 3)
    assert truncate("a b c", 0) == ""


def test_stop_sequence_cuts_the_answer():
    full = answer(_prompt()).text
    word = full.split()[2]
    result = answer(_prompt(stop=(word,)))
    assert result.text == full[: full.index(word)] and result.stop_sequence == word


def test_tool_is_called_when_named_with_arguments_from_the_question():
    tool = ToolSpec("get_order", {"type": "object", "properties": {
        "order_id": {"type": "string"}, "qty": {"type": "integer"}},
        "required": ["order_id", "qty"]})
    result = answer(_prompt("get_order 3 for Z9", tools=(tool,)))
    assert result.tool_name == "get_order" and result.finish == "tool_calls"
    assert result.tool_arguments == {"order_id": "Z9", "qty": 3}


def test_no_tool_call_when_disabled_or_not_asked():
    tool = ToolSpec("get_order")
    assert answer(_prompt("get_order now", tools=(tool,), tools_disabled=True)).tool_name is None
    assert answer(_prompt("Tell me a joke", tools=(tool,))).tool_name is None
    assert answer(_prompt("Tell me a joke", tools=(tool,), tool_choice_forced=True)).tool_name


def test_chunks_join_back_exactly():
    text = "One two,  three four five six seven."
    assert "".join(chunks(text)) == text and len(chunks(text)) == 3


def test_strings_in_skips_ids_and_media():
    fragment = [{"role": "user", "content": [{"type": "text", "text": "hi"},
                                             {"type": "image", "source": {"data": "AAAA"}}]},
                {"tool_call_id": "call_1", "content": "42"}]
    assert strings_in(fragment) == ["hi", "42"]
