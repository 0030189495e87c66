"""The gemini wire format as the provider simulator speaks it (``simulator``): the
counterpart of ``llm_router.providers.gemini``, kept out of the Lambda layer."""
