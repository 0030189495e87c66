"""A local stand-in for LLM providers: OpenAI, Anthropic, Gemini and Bedrock Converse wire
formats (each in ``llm_router_local.providers.<format>.simulator``), with per-provider latency
and scripted faults (``faults``), one FastAPI app (``app.create_app``). Used by tests,
``llm-router serve`` without keys, and benchmarks. Run it with ``llm-router simulate``."""
