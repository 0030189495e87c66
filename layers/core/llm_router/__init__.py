"""llm-router: a serverless, OpenAI-compatible LLM gateway for AWS."""

__version__ = "0.1.0"
