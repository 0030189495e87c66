"""llm_router.jsonpost against a server on 127.0.0.1: what is sent, statuses returned as
responses, and the two errors of a request that got no answer."""

from __future__ import annotations

import socket

import pytest

from llm_router.jsonpost import JsonPoster, PostFailed, PostTimeout
from tests.unit.scripted_http import Reply, scripted_server


def test_posts_compact_json_with_the_headers_to_base_url_and_path() -> None:
    with scripted_server() as server:
        server.script = [Reply(201, {"ok": "é"})]
        poster = JsonPoster(server.url + "/v1/", headers={"Authorization": "Bearer k"})
        resp = poster.post("embeddings", {"input": ["é"]})
    assert resp.status == 201 and resp.is_success and resp.json() == {"ok": "é"}
    seen = server.seen[0]
    assert seen.path == "/v1/embeddings" and seen.body == {"input": ["é"]}
    assert seen.headers["authorization"] == "Bearer k"
    assert seen.headers["content-type"] == "application/json"


def test_an_error_status_is_a_response_and_a_redirect_is_not_followed() -> None:
    with scripted_server() as server:
        server.script = [Reply(500, b"oops"), Reply(302, {}, {"location": server.url + "/x"})]
        poster = JsonPoster()
        failed = poster.post(server.url + "/hook", {"text": "a"})
        moved = poster.post(server.url + "/hook", {"text": "b"})
    assert (failed.status, failed.body, failed.is_success) == (500, b"oops", False)
    assert moved.status == 302 and len(server.seen) == 2  # no request to /x
    with pytest.raises(ValueError):
        failed.json()


def test_a_slow_answer_is_a_timeout() -> None:
    with scripted_server() as server:
        server.script = [Reply(hold=True)]  # answers only once the client has gone
        with pytest.raises(PostTimeout):
            JsonPoster(server.url, timeout=0.5).post("slow", {})


def test_a_refused_connection_is_a_failure_but_not_a_timeout() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # bound, never listening: connections are refused
        with pytest.raises(PostFailed) as info:
            JsonPoster(f"http://127.0.0.1:{port}").post("x", {})
    assert not isinstance(info.value, PostTimeout)
