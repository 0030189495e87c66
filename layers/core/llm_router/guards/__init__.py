"""Guards on the request path (docs/guards.md).

- ``input``: chat-template control tokens and invisible characters out of user and tool
  text (``sanitize``), prompt-injection signals flagged or refused (``injection``).
- ``output``: PII and secrets in answers flagged, redacted or blocked (``pii``), for
  buffered answers, cache hits and streams; ``holdback`` keeps a stream from showing a
  fragment of an item before the detector (``pii``) has seen it whole.
- ``config``: the catalog's ``guards:`` section, per-tenant overrides included.
"""

from llm_router.guards.actions import GuardAction, header_value
from llm_router.guards.config import GuardPolicy, GuardsConfig
from llm_router.guards.input import PromptInjectionError, guard_input, refuse_blocked
from llm_router.guards.output import StreamGuard, guard_completion

__all__ = [
    "GuardAction",
    "GuardPolicy",
    "GuardsConfig",
    "PromptInjectionError",
    "StreamGuard",
    "guard_completion",
    "guard_input",
    "header_value",
    "refuse_blocked",
]
