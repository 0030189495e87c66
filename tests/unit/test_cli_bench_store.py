"""``llm-router bench`` on the embedded store it starts: the arms' calls go unsigned, so the
app books its settles and admissions from the event loop, as ``serve`` does."""

from llm_router.bootstrap import loop_client
from llm_router.settings import RouterSettings
from llm_router.storage.dynamo import make_dynamodb_client
from llm_router.storage.loop_client import LoopDynamoClient
from llm_router_local.cli.bench import on_embedded_store

URL = "http://127.0.0.1:45999"


def test_the_bench_books_on_its_embedded_store_as_serve_does() -> None:
    settings = on_embedded_store(RouterSettings(storage_unsigned=False), URL)
    assert settings.aws_endpoint_url == URL and settings.storage_unsigned
    assert isinstance(loop_client(settings, make_dynamodb_client(settings)), LoopDynamoClient)


def test_without_it_the_app_books_through_botocore_in_a_thread() -> None:
    settings = RouterSettings(aws_endpoint_url=URL, storage_unsigned=False)
    assert loop_client(settings, make_dynamodb_client(settings)) is None
