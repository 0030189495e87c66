"""Never fail while one provider works: retries, circuit breakers, failover, free-tier
quotas, per-key rate limits and budgets.

Pure policy lives here (``retry``, ``breaker``, ``windows``, ``quota``, ``admission``,
``scoring``); the DynamoDB side lives in ``llm_router.storage`` (``counters``,
``breakers``); ``executor`` runs one request's attempts down its candidate chain.
docs/resilience.md describes the whole design.
"""
