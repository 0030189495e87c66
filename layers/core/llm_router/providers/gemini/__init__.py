"""The Gemini generateContent wire format (``kind: gemini``).

``adapter``: request mapping, response mapping (usage included) and error mapping, pure;
``stream``: the provider's stream events to OpenAI chunks; ``simulator``: the same format
as the provider simulator speaks it (tests, ``llm-router serve`` without keys; not
shipped in the Lambda layer).
docs/wire-formats.md describes them all.
"""
