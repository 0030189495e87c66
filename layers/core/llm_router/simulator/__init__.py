"""A local stand-in for LLM providers: OpenAI, Anthropic and Gemini wire formats, with
per-provider latency and scripted faults. Used by tests, ``llm-router serve`` without
keys, and benchmarks. Run it with ``llm-router simulate``."""

from llm_router.simulator.app import create_app
from llm_router.simulator.faults import FaultSpec, SimState

__all__ = ["FaultSpec", "SimState", "create_app"]
