"""The Amazon Bedrock Converse wire format (``kind: bedrock``).

``adapter``: request mapping, response mapping (usage included) and error mapping, pure;
``stream``: the provider's stream events to OpenAI chunks; ``simulator``: the same format
as the provider simulator speaks it (tests, ``llm-router serve`` without keys; not
shipped in the Lambda layer).
``client``: the boto3 calls (SigV4, in worker threads).
docs/wire-formats.md describes them all.
"""
