"""A local stand-in for LLM providers: OpenAI, Anthropic and Gemini wire formats, with
per-provider latency and scripted faults. Used by tests, ``llm-router serve`` without
keys, and benchmarks. Run it with ``llm-router simulate``."""
