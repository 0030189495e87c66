"""The layer's trimmed endpoints.json resolves every kept service as the full file does."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path

import botocore
from botocore.regions import EndpointResolver

LAYER_DIR = Path(__file__).resolve().parents[2] / "layers" / "core"
DATA = Path(botocore.__file__).parent / "data"


def _script():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("botocore_endpoints",
                                                  LAYER_DIR / "botocore_endpoints.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def kept_services() -> list[str]:
    """BOTOCORE_SERVICES from the layer's Makefile (continuation lines joined)."""
    text = (LAYER_DIR / "Makefile").read_text("utf-8").replace("\\\n", " ")
    match = re.search(r"^BOTOCORE_SERVICES \?=(.*)$", text, re.MULTILINE)
    assert match
    return match.group(1).split()


def _resolve(resolver: EndpointResolver, prefix: str, region: str, fips: bool,
             dualstack: bool) -> object:
    """The endpoint, or the name of the error (a variant the partition does not model)."""
    try:
        return resolver.construct_endpoint(prefix, region, use_fips_endpoint=fips,
                                           use_dualstack_endpoint=dualstack)
    except Exception as exc:  # noqa: BLE001 - compared, not handled
        return type(exc).__name__


def test_trimmed_endpoints_resolve_every_kept_service_as_before(tmp_path: Path) -> None:
    script = _script()
    for service in kept_services():  # the layer's data dir: only the kept models
        for model in (DATA / service).glob("*/service-2.json*"):
            target = tmp_path / service / model.parent.name / model.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(model.read_bytes())
    full = json.loads((DATA / "endpoints.json").read_text("utf-8"))
    (tmp_path / "endpoints.json").write_text(json.dumps(full), "utf-8")
    assert script.main([str(tmp_path)]) == 0
    trimmed = json.loads((tmp_path / "endpoints.json").read_text("utf-8"))
    prefixes = script.endpoint_prefixes(tmp_path)
    assert {"dynamodb", "s3", "monitoring", "oidc"} <= prefixes  # endpoint prefixes, not names
    assert len(json.dumps(trimmed)) < len(json.dumps(full)) / 5
    before, after = EndpointResolver(full), EndpointResolver(trimmed)
    checked = 0
    for partition in full["partitions"]:
        for region in partition["regions"]:
            for prefix in sorted(prefixes):
                for fips, dualstack in ((False, False), (True, False), (False, True)):
                    assert (_resolve(after, prefix, region, fips, dualstack)
                            == _resolve(before, prefix, region, fips, dualstack))
                    checked += 1
            assert after.get_available_endpoints("s3", partition["partition"]) == \
                before.get_available_endpoints("s3", partition["partition"])
    assert checked > 1000
