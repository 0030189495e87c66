"""Pointing a catalog at the simulator keeps each provider's wire format."""

from __future__ import annotations

from llm_router.catalog import load_catalog
from llm_router_local.simulated import SIMULATOR_KEY, has_real_keys, simulated_catalog


def test_every_kind_is_pointed_at_the_simulator() -> None:
    catalog = simulated_catalog(load_catalog(env={}), "http://127.0.0.1:9999/")
    assert catalog.providers["openai"].base_url == "http://127.0.0.1:9999/openai/v1"
    assert catalog.providers["openai"].api_key == SIMULATOR_KEY
    bedrock = catalog.providers["bedrock"]
    # boto3 signs for the simulator's Converse routes; a region makes it configured.
    assert bedrock.endpoint_url == "http://127.0.0.1:9999/bedrock"
    assert bedrock.region == "us-east-1" and bedrock.configured


def test_a_bedrock_region_counts_as_real_credentials() -> None:
    assert not has_real_keys(load_catalog(env={}))
    assert has_real_keys(load_catalog(env={"LLM_ROUTER_BEDROCK_REGION": "eu-west-1"}))
