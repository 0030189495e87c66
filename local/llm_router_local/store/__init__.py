"""The embedded store ``llm-router serve`` runs: DynamoDB's API on SQLite, in its own process.

The router talks to it with boto3, exactly as it talks to DynamoDB on Lambda. Items
live one per row in a SQLite file (``database``), DynamoDB's expression language is
parsed and evaluated in ``expressions``, the operations are in ``operations`` and the
HTTP front (JSON 1.0 protocol; S3 requests handed to moto) in ``server``.
"""
