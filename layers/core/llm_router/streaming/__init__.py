"""Token streaming: provider event streams relayed to the client as OpenAI chunks.

``upstream`` opens one provider stream up to its first chunk (the resilience executor
runs those attempts down the route's candidates before the first byte); per-provider
transforms (``openai``,
``anthropic``, ``gemini``) turn events into chunks; ``relay`` writes them out and
settles once at the end; ``response`` is the HTTP edge. See docs/streaming.md.
"""
