"""The provider simulators, one per wire format, laid out as ``llm_router.providers``:
``llm_router.providers.<kind>`` maps requests, responses, streams and errors for the
router; ``llm_router_local.providers.<kind>.simulator`` answers in that format for the
simulator (docs/wire-formats.md)."""
