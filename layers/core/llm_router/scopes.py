"""A key's model scope applied to a request: a named model outside it is refused (403);
``model: auto`` is routed among the key's models only (its ``allowed_models``,
intersected with any the request gave)."""

from __future__ import annotations

from llm_router.catalog import Catalog
from llm_router.errors import PermissionDeniedError
from llm_router.keys import Principal
from llm_router.schema import ChatRequest


def scoped_request(request: ChatRequest, principal: Principal, catalog: Catalog) -> ChatRequest:
    allowed = principal.models
    if allowed is None:
        return request
    if request.model != "auto":
        name = catalog.resolve(request.model).name  # 404 for a model nobody may use
        if name not in allowed:
            raise PermissionDeniedError(
                f"API key {principal.key_id} may not use model {name!r}; it may use "
                f"{', '.join(sorted(allowed))}.", param="model", code="model_not_allowed")
        return request
    wanted = allowed if request.allowed_models is None else allowed & set(request.allowed_models)
    return request.model_copy(update={"allowed_models": sorted(wanted)})
