"""Remote embedders over real client objects: a JsonPoster to a server on 127.0.0.1,
boto3's bedrock-runtime with botocore's Stubber. No network."""

from __future__ import annotations

import io
import json

import boto3
import numpy as np
import pytest
from botocore.response import StreamingBody
from botocore.stub import Stubber

from llm_router.embedding import Embedder
from llm_router.embedding.remote import OpenAIEmbedder, TitanEmbedder
from llm_router.embedding.wire import openai_response
from llm_router.errors import (
    UpstreamConnectionError,
    UpstreamProtocolError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)
from llm_router.jsonpost import JsonPoster
from tests.unit.scripted_http import Reply, scripted_server


def _openai_client(url: str, timeout: float = 5.0) -> JsonPoster:
    return JsonPoster(url + "/v1/", headers={"Authorization": "Bearer k"}, timeout=timeout)


def test_openai_embedder_posts_the_batch_and_orders_rows_by_index() -> None:
    data = [
        {"object": "embedding", "index": 1, "embedding": [0.0, 2.0, 0.0]},
        {"object": "embedding", "index": 0, "embedding": [3.0, 0.0, 4.0]},
    ]
    with scripted_server() as server:
        server.script = [Reply(200, {"object": "list", "data": data, "model": "m"})]
        embedder = OpenAIEmbedder(_openai_client(server.url), model="text-embedding-3-small",
                                  dim=3)
        rows = embedder.embed(["first", "second"])
    seen = server.seen[0]
    assert seen.path == "/v1/embeddings"
    assert seen.body["input"] == ["first", "second"] and seen.headers["authorization"] == "Bearer k"
    np.testing.assert_allclose(rows, [[0.6, 0.0, 0.8], [0.0, 1.0, 0.0]], atol=1e-6)
    assert isinstance(embedder, Embedder)


def test_openai_embedder_maps_http_errors() -> None:
    with scripted_server() as server:
        server.script = [Reply(429, {"error": {}}), Reply(200, b"not json"),
                         Reply(200, {}, hold=True)]  # answers once the client has gone
        embedder = OpenAIEmbedder(_openai_client(server.url, timeout=0.5), model="m", dim=3)
        with pytest.raises(UpstreamStatusError) as info:
            embedder.embed_one("x")
        assert info.value.upstream_status == 429 and info.value.retryable
        with pytest.raises(UpstreamProtocolError):
            embedder.embed_one("x")
        with pytest.raises(UpstreamTimeoutError):
            embedder.embed_one("x")
        url = server.url
    with pytest.raises(UpstreamConnectionError):  # the server is gone
        OpenAIEmbedder(_openai_client(url), model="m", dim=3).embed_one("x")


def test_openai_response_with_the_wrong_size_is_a_protocol_error() -> None:
    with pytest.raises(UpstreamProtocolError):
        openai_response({"data": [{"index": 0, "embedding": [1.0, 2.0]}]}, 1, dim=3)
    with pytest.raises(UpstreamProtocolError):
        openai_response({"nope": []}, 1, dim=3)


def _bedrock():
    client = boto3.client(
        "bedrock-runtime",
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    )
    return client, Stubber(client)


def test_titan_embedder_sends_the_documented_body() -> None:
    client, stubber = _bedrock()
    payload = json.dumps({"embedding": [1.0, 0.0, 1.0, 0.0], "inputTextTokenCount": 3}).encode()
    stubber.add_response(
        "invoke_model",
        {
            "body": StreamingBody(io.BytesIO(payload), len(payload)),
            "contentType": "application/json",
        },
        {
            "modelId": "amazon.titan-embed-text-v2:0",
            "body": json.dumps({"inputText": "hello", "dimensions": 4, "normalize": True}),
            "contentType": "application/json",
            "accept": "application/json",
        },
    )
    with stubber:
        row = TitanEmbedder(client, dim=4).embed_one("hello")
    np.testing.assert_allclose(row, [2**-0.5, 0, 2**-0.5, 0], atol=1e-6)


def test_titan_errors_become_upstream_errors() -> None:
    client, stubber = _bedrock()
    stubber.add_client_error("invoke_model", "ThrottlingException", http_status_code=429)
    with stubber, pytest.raises(UpstreamStatusError) as info:
        TitanEmbedder(client, dim=4).embed(["x"])
    assert info.value.upstream_status == 429
