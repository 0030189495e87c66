"""The layer's trimmed botocore data serves every kept service as the full data does:
the same endpoints in every partition's regions, the same operations and shapes."""

from __future__ import annotations

import importlib.util
import json
import re
from pathlib import Path
from types import ModuleType
from typing import Any

import botocore
import pytest
from botocore.model import OperationModel, ServiceModel, Shape
from botocore.regions import EndpointResolver

LAYER_DIR = Path(__file__).resolve().parents[2] / "layers" / "core"
DATA = Path(botocore.__file__).parent / "data"


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("botocore_data", LAYER_DIR / "botocore_data.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


script = _script()


def kept_services() -> list[str]:
    """BOTOCORE_SERVICES from the layer's Makefile (continuation lines joined)."""
    text = (LAYER_DIR / "Makefile").read_text("utf-8").replace("\\\n", " ")
    match = re.search(r"^BOTOCORE_SERVICES \?=(.*)$", text, re.MULTILINE)
    assert match
    return match.group(1).split()


@pytest.fixture(scope="module")
def trimmed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data dir as the layer build leaves it: the kept models, then the script run."""
    directory = tmp_path_factory.mktemp("botocore-data")
    for service in kept_services():
        for model in (DATA / service).glob("*/service-2.json*"):
            target = directory / service / model.parent.name / model.name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(model.read_bytes())
    (directory / "endpoints.json").write_bytes((DATA / "endpoints.json").read_bytes())
    assert script.main([str(directory)]) == 0
    return directory


def _resolve(resolver: EndpointResolver, prefix: str, region: str, fips: bool,
             dualstack: bool) -> object:
    """The endpoint, or the name of the error (a variant the partition does not model)."""
    try:
        return resolver.construct_endpoint(prefix, region, use_fips_endpoint=fips,
                                           use_dualstack_endpoint=dualstack)
    except Exception as exc:  # noqa: BLE001 - compared, not handled
        return type(exc).__name__


def test_trimmed_endpoints_resolve_every_kept_service_as_before(trimmed: Path) -> None:
    full = json.loads((DATA / "endpoints.json").read_text("utf-8"))
    small = json.loads((trimmed / "endpoints.json").read_text("utf-8"))
    prefixes = script.endpoint_prefixes(trimmed)
    assert {"dynamodb", "s3", "monitoring", "oidc"} <= prefixes  # endpoint prefixes, not names
    assert len(json.dumps(small)) < len(json.dumps(full)) / 5
    before, after = EndpointResolver(full), EndpointResolver(small)
    checked = 0
    for partition in full["partitions"]:
        for region in partition["regions"]:
            for prefix in sorted(prefixes):
                for fips, dualstack in ((False, False), (True, False), (False, True)):
                    assert (_resolve(after, prefix, region, fips, dualstack)
                            == _resolve(before, prefix, region, fips, dualstack))
                    checked += 1
        assert (after.get_available_endpoints("s3", partition["partition"])
                == before.get_available_endpoints("s3", partition["partition"]))
    assert checked > 1000


def _describe(shape: Shape | None, depth: int = 0) -> Any:
    """What botocore serializes and parses by: type, wire names, metadata, members."""
    if shape is None:
        return None
    described: dict[str, Any] = {"name": shape.name, "type": shape.type_name,
                                 "serialization": shape.serialization,
                                 "metadata": shape.metadata}
    if depth < 6:
        members = getattr(shape, "members", None) or {}
        described["members"] = {k: _describe(v, depth + 1) for k, v in members.items()}
        for attr in ("member", "key", "value"):
            if hasattr(shape, attr):
                described[attr] = _describe(getattr(shape, attr), depth + 1)
    return described


def _operation(op: OperationModel) -> Any:
    return (op.http, op.metadata, op.auth_type, op.context_parameters,
            op.static_context_parameters, _describe(op.input_shape),
            _describe(op.output_shape), [_describe(e) for e in op.error_shapes])


def test_stripped_models_keep_every_operation_and_shape(trimmed: Path) -> None:
    for path in script.service_models(trimmed):
        original = script.read_json(DATA / path.relative_to(trimmed))
        stripped = script.read_json(path)
        shapes = json.dumps(stripped["shapes"], separators=(",", ":"))
        assert "documentation" not in shapes.replace('"documentation":{', "")  # members stay
        before, after = ServiceModel(original), ServiceModel(stripped)
        assert before.operation_names == after.operation_names
        assert before.metadata == after.metadata
        # Read with ["documentation"] by botocore: a client of S3 failed without it.
        assert before.client_context_parameters == after.client_context_parameters
        assert before.signature_version == after.signature_version
        for name in before.operation_names:
            assert (_operation(before.operation_model(name))
                    == _operation(after.operation_model(name))), (path, name)
