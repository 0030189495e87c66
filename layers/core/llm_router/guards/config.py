"""The ``guards:`` section of the catalog: what the input and output guards do.

```yaml
guards:
  input: sanitize      # off | sanitize: strip chat-template control tokens, invisible chars
  injection: flag      # off | flag | block: likely prompt injection -> header + ledger, or 400
  pii: flag            # off | flag | redact | block: PII in answers (streams too)
  tenants:             # per-tenant overrides of any of the three
    acme: {pii: redact}
```
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

InputMode = Literal["off", "sanitize"]
InjectionMode = Literal["off", "flag", "block"]
PiiMode = Literal["off", "flag", "redact", "block"]

_FROZEN = ConfigDict(frozen=True, extra="forbid")


class GuardOverride(BaseModel):
    model_config = _FROZEN
    input: InputMode | None = None
    injection: InjectionMode | None = None
    pii: PiiMode | None = None


_NO_OVERRIDE = GuardOverride()  # frozen: one for every tenant without overrides


@dataclass(frozen=True)
class GuardPolicy:
    """The guards in force for one request (the tenant's overrides applied)."""

    input: InputMode = "sanitize"
    injection: InjectionMode = "flag"
    pii: PiiMode = "flag"


class GuardsConfig(BaseModel):
    model_config = _FROZEN
    input: InputMode = "sanitize"
    injection: InjectionMode = "flag"
    pii: PiiMode = "flag"
    tenants: dict[str, GuardOverride] = Field(default_factory=dict)

    def policy_for(self, tenant_id: str) -> GuardPolicy:
        over = self.tenants.get(tenant_id) or _NO_OVERRIDE
        return GuardPolicy(
            input=over.input or self.input,
            injection=over.injection or self.injection,
            pii=over.pii or self.pii,
        )
