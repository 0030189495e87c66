"""The openai wire format as the provider simulator speaks it (``simulator``): the
counterpart of ``llm_router.providers.openai``, kept out of the Lambda layer."""
