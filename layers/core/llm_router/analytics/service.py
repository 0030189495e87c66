"""Who may see what: a key sees its own tenant; an admin (``Principal.admin``: a key made
with ``--admin``, or any key of a tenant in ``analytics.admin_tenants``; the API passes
``caller=None`` for it) and the operator's CLI see every tenant, or one with ``tenant``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from llm_router.analytics.recommendations import recommendations
from llm_router.analytics.usage import DayRange, Rollups, parse_group_by, usage_report
from llm_router.catalog import Catalog
from llm_router.errors import PermissionDeniedError
from llm_router.ledger import now_utc


class Analytics:
    def __init__(self, catalog: Catalog, rollups: Rollups, tenants: Callable[[], list[str]],
                 clock: Callable[[], datetime] = now_utc):
        self._catalog = catalog
        self._rollups = rollups
        self._tenants = tenants
        self._clock = clock

    def scope(self, caller: str | None, tenant: str | None) -> list[str]:
        """The tenants a caller may read (``caller`` None: an admin or the CLI, all)."""
        if caller is not None:
            if tenant not in (None, "", caller):
                raise PermissionDeniedError(
                    "This key may read only its own tenant's analytics.", param="tenant")
            return [caller]
        return [tenant] if tenant else self._tenants()

    def usage(self, caller: str | None, *, first: str | None = None, last: str | None = None,
              group_by: str | None = None, tenant: str | None = None) -> dict[str, Any]:
        span = DayRange.parse(first, last, self._clock().date())
        return usage_report(self._rollups, self.scope(caller, tenant), span,
                            parse_group_by(group_by))

    def recommendations(self, caller: str | None, *, first: str | None = None,
                        last: str | None = None, tenant: str | None = None) -> dict[str, Any]:
        span = DayRange.parse(first, last, self._clock().date())
        reports = [recommendations(self._rollups, self._catalog, t, span)
                   for t in self.scope(caller, tenant)]
        return {"object": "list", "data": reports}
