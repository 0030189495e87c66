"""The response cache: exact first, then semantic, tenant-isolated and guarded.

Named stages, one module each:

- ``keys``: request normalisation, the exact key and the conversation context.
- ``policy``: which layers a request may use, and whether a similar entry may answer.
- ``guards``: lexical checks that refuse near-misses (numbers, entities, negation,
  opposite intents, a swapped topic word).
- ``similarity``: the numpy math (pure, tiny).
- ``index``: the in-memory per-tenant vector index of one Lambda instance.
- ``entry``: the records that cross boundaries.
- ``store`` / ``snapshots``: DynamoDB entries and S3 embedding snapshots.
- ``service``: ties them together for the request path.
"""
