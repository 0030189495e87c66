"""The anthropic wire format as the provider simulator speaks it (``simulator``): the
counterpart of ``llm_router.providers.anthropic``, kept out of the Lambda layer."""
