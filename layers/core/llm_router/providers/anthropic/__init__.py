"""The Anthropic Messages wire format (``kind: anthropic``).

``adapter``: request mapping, response mapping (usage included) and error mapping, pure;
``stream``: the provider's stream events to OpenAI chunks. Its simulator counterpart,
the same format as the provider simulator speaks it (tests, ``llm-router serve`` without
keys, the benchmark runner), is ``llm_router_local.providers.anthropic.simulator``: the same
path in the package the Lambda layer does not ship.
docs/wire-formats.md describes them all.
"""
