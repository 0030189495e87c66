"""The bedrock wire format as the provider simulator speaks it (``simulator``): the
counterpart of ``llm_router.providers.bedrock``, kept out of the Lambda layer."""
