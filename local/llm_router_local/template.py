"""Reading template.yaml without AWS: CloudFormation short tags, and the tables it defines.

The loader accepts ``!Ref``, ``!Sub``, ``!GetAtt``, ``!If`` and every other short-form
intrinsic and turns each into its long form (``{"Ref": ...}``, ``{"Fn::Sub": ...}``)
without evaluating it, so callers see one shape whichever form the template uses.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, TypedDict

import yaml


class TableDefinition(TypedDict):
    logical_id: str
    # Keyword arguments for DynamoDB CreateTable, minus TableName (the caller names it).
    create_table: dict[str, Any]
    ttl_attribute: str | None


class TemplateLoader(yaml.SafeLoader):
    """SafeLoader plus CloudFormation's short-form intrinsic function tags."""


def _long_form(tag: str, value: Any) -> dict[str, Any]:
    if tag in ("Ref", "Condition"):
        return {tag: value}
    if tag == "GetAtt" and isinstance(value, str):
        # "Resource.Attribute" (the attribute itself may contain dots).
        resource, _, attribute = value.partition(".")
        value = [resource, attribute]
    return {f"Fn::{tag}": value}


def _construct_intrinsic(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    elif isinstance(node, yaml.MappingNode):
        value = loader.construct_mapping(node, deep=True)
    else:  # pragma: no cover - yaml has no other node kinds
        raise yaml.constructor.ConstructorError(None, None, f"unexpected node {node!r}")
    return _long_form(suffix, value)


TemplateLoader.add_multi_constructor("!", _construct_intrinsic)


def load_template(path: str | Path) -> dict[str, Any]:
    """The template as plain data, intrinsic functions kept (unevaluated) in long form."""
    with Path(path).open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=TemplateLoader)  # a SafeLoader: no arbitrary objects
    if not isinstance(data, dict) or not isinstance(data.get("Resources"), dict):
        raise ValueError(f"{path}: not a CloudFormation template (no Resources mapping)")
    return data


def resources_of_type(template: dict[str, Any], resource_type: str) -> dict[str, dict[str, Any]]:
    """Logical id -> resource, for every resource of ``resource_type``."""
    return {
        logical_id: resource
        for logical_id, resource in template["Resources"].items()
        if isinstance(resource, dict) and resource.get("Type") == resource_type
    }


def table_definitions(template: dict[str, Any]) -> list[TableDefinition]:
    """Every AWS::DynamoDB::Table as CreateTable arguments (on demand) plus its TTL attribute.

    Only what a local table needs is kept: keys, attribute types and secondary indexes.
    Encryption, recovery and deletion settings are deployment concerns.
    """
    tables: list[TableDefinition] = []
    for logical_id, resource in resources_of_type(template, "AWS::DynamoDB::Table").items():
        props = resource.get("Properties", {})
        create: dict[str, Any] = {
            "KeySchema": [dict(k) for k in props["KeySchema"]],
            "AttributeDefinitions": [dict(a) for a in props["AttributeDefinitions"]],
            "BillingMode": "PAY_PER_REQUEST",
        }
        for index_kind in ("GlobalSecondaryIndexes", "LocalSecondaryIndexes"):
            if props.get(index_kind):
                create[index_kind] = [_on_demand_index(i) for i in props[index_kind]]
        ttl = props.get("TimeToLiveSpecification") or {}
        tables.append(
            TableDefinition(
                logical_id=logical_id,
                create_table=create,
                ttl_attribute=ttl.get("AttributeName") if ttl.get("Enabled") else None,
            )
        )
    return tables


def _on_demand_index(index: dict[str, Any]) -> dict[str, Any]:
    # CreateTable rejects ProvisionedThroughput on an index of a PAY_PER_REQUEST table.
    return {k: v for k, v in index.items() if k != "ProvisionedThroughput"}
