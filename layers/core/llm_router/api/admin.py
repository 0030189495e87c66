"""The admin API for keys: ``/v1/admin/keys`` (list, create), ``…/{key_id}/revoke``,
``…/{key_id}/rotate``. Only a key created with ``admin`` may call it (403 otherwise);
the same ``KeyRing`` as ``llm-router keys`` does the work (docs/keys.md)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import anyio
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import BaseRoute, Route

from llm_router.auth import Authenticator
from llm_router.catalog import Catalog
from llm_router.errors import InvalidRequestError, PermissionDeniedError
from llm_router.keyring import KeyRing
from llm_router.keys import Principal
from llm_router.request_body import decode_json

Authenticate = Callable[[Request], Awaitable[Principal]]


def admin_routes(keyring: KeyRing, authenticator: Authenticator, catalog: Catalog,
                 authenticate: Authenticate) -> list[BaseRoute]:
    async def admin(request: Request) -> Principal:
        principal = await authenticate(request)
        if not principal.admin:
            raise PermissionDeniedError(
                "This endpoint needs an admin key (`llm-router keys create --admin`).")
        return principal

    async def body(request: Request) -> dict[str, Any]:
        raw = await request.body()
        return decode_json(raw) if raw.strip() else {}

    async def list_keys(request: Request) -> JSONResponse:
        await admin(request)
        tenant = request.query_params.get("tenant")
        keys = await anyio.to_thread.run_sync(keyring.list, tenant)
        return JSONResponse({"object": "list", "data": [k.listing() for k in keys]})

    async def create_key(request: Request) -> JSONResponse:
        await admin(request)
        data = await body(request)
        models = data.get("models")
        if models is not None:
            if not isinstance(models, list) or not all(isinstance(m, str) for m in models):
                raise InvalidRequestError("models must be a list of model names",
                                          param="models")
            unknown = [m for m in models if m not in catalog.models]
            if unknown:
                raise InvalidRequestError(f"models not in this router's catalog: {unknown}",
                                          param="models")
        plaintext, key = await anyio.to_thread.run_sync(lambda: keyring.create(
            data.get("tenant"),  # type: ignore[arg-type]  # validated by create
            rpm=data.get("rpm"), daily_budget_usd=data.get("daily_budget_usd"),
            expires_in_days=_number(data, "expires_in_days"), models=models,
            admin=data.get("admin") is True))
        return JSONResponse({"api_key": plaintext, **key.listing()})

    async def revoke_key(request: Request) -> JSONResponse:
        await admin(request)
        key_id: str = request.path_params["key_id"]
        key = await anyio.to_thread.run_sync(keyring.revoke, key_id)
        authenticator.forget(key.key_hash)  # refused on this instance from now on
        return JSONResponse(key.listing())

    async def rotate_key(request: Request) -> JSONResponse:
        await admin(request)
        key_id: str = request.path_params["key_id"]
        grace = _number(await body(request), "grace_seconds") or 0.0
        plaintext, new, old = await anyio.to_thread.run_sync(keyring.rotate, key_id, grace)
        authenticator.forget(old.key_hash)
        return JSONResponse({"api_key": plaintext, **new.listing(), "replaces": old.listing()})

    return [
        Route("/v1/admin/keys", list_keys, methods=["GET"]),
        Route("/v1/admin/keys", create_key, methods=["POST"]),
        Route("/v1/admin/keys/{key_id}/revoke", revoke_key, methods=["POST"]),
        Route("/v1/admin/keys/{key_id}/rotate", rotate_key, methods=["POST"]),
    ]


def _number(data: dict[str, Any], name: str) -> float | None:
    value = data.get(name)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise InvalidRequestError(f"{name} must be a number", param=name)
    return float(value)
