from llm_router.errors import (
    AllProvidersFailedError,
    AttemptSummary,
    AuthenticationError,
    BudgetExceededError,
    InvalidRequestError,
    ModelNotFoundError,
    RateLimitedError,
    UpstreamStatusError,
    UpstreamTimeoutError,
)


def test_openai_error_shape() -> None:
    body = InvalidRequestError("bad", param="messages").to_body()
    assert body == {"error": {"message": "bad", "type": "invalid_request_error",
                              "param": "messages", "code": None}}


def test_statuses() -> None:
    assert AuthenticationError("x").status == 401
    assert BudgetExceededError("x").status == 402
    assert ModelNotFoundError("x").status == 404
    assert UpstreamTimeoutError("x").status == 504


def test_retry_after_header_rounds_up() -> None:
    assert RateLimitedError("slow down", retry_after=1.2).headers() == {"Retry-After": "2"}
    assert RateLimitedError("slow down", retry_after=0).headers() == {"Retry-After": "1"}


def test_upstream_status_classification() -> None:
    assert UpstreamStatusError("x", upstream_status=503).retryable
    assert UpstreamStatusError("x", upstream_status=429).retryable
    rejected = UpstreamStatusError("x", upstream_status=400)
    assert not rejected.retryable and rejected.status == 400
    bad_key = UpstreamStatusError("x", upstream_status=401)
    assert not bad_key.retryable and bad_key.status == 502  # our credentials, not the client's


def test_all_failed_lists_attempts() -> None:
    err = AllProvidersFailedError([AttemptSummary("a", "m1", "HTTP 500", "upstream_500"),
                                   AttemptSummary("b", "m2", "timeout", "upstream_timeout")])
    body = err.to_body()["error"]
    assert err.status == 502
    assert [a["provider"] for a in body["attempts"]] == ["a", "b"]
    assert "a/m1: HTTP 500" in body["message"]
