"""Token streaming: provider event streams relayed to the client as OpenAI chunks.

``upstream`` opens one provider stream up to its first chunk (the resilience executor
runs those attempts down the route's candidates before the first byte); each wire
format's transform (``llm_router.providers.<format>.stream``) turns events into chunks;
``relay`` writes them out and settles once at the end; ``chat_stream`` is what the HTTP
edge gets, ``response`` the edge itself. See docs/streaming.md.
"""
