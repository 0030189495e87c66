"""Admission of one request: per-key rate limits and budget reservations. Pure.

``plan_admission`` turns a key's effective limits into limited counter ops, all applied
in ONE DynamoDB transaction before any provider is called:

  RATE#<key_id>          m#<minute>#req   requests this minute     <= rpm
  RATE#<key_id>          m#<minute>#tok   tokens reserved/used     <= tpm
  BUDGET#key#<key_id>    d#<day> | mo#<month>   USD reserved/spent <= budget
  BUDGET#tenant#<tenant> d#<day> | mo#<month>   USD reserved/spent <= budget

Tokens and USD are reserved at their pre-flight maximum (every prompt token plus the
output cap, at the priciest target of the chain) and settled to the actual amount in
the ledger's transaction, or released (settled to zero) when the request fails. So a
budget can be reached but never exceeded, however many instances admit concurrently.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal

from llm_router.errors import (
    BudgetExceededError,
    InvalidRequestError,
    RateLimitedError,
    RouterError,
)
from llm_router.keys import Principal
from llm_router.policies import KeyLimits, TenantBudget
from llm_router.resilience.counters import CounterOp
from llm_router.resilience.windows import WindowKind, window_of


def effective_limits(principal: Principal, defaults: KeyLimits) -> KeyLimits:
    """The catalog's per-key defaults, overridden by what the key itself stores."""
    if principal.rpm is None and principal.daily_budget_usd is None:
        return defaults  # nothing to override: no new model per request
    return KeyLimits(
        rpm=principal.rpm if principal.rpm is not None else defaults.rpm,
        tpm=defaults.tpm,
        daily_budget_usd=principal.daily_budget_usd
        if principal.daily_budget_usd is not None else defaults.daily_budget_usd,
        monthly_budget_usd=defaults.monthly_budget_usd,
    )


@dataclass(frozen=True)
class Reservation:
    """What admission reserved; ``settle_ops`` books the actual usage against it."""

    ops: tuple[CounterOp, ...] = ()
    max_cost_usd: Decimal = Decimal(0)
    tokens: int = 0

    def settle_ops(self, cost_usd: Decimal, tokens: int) -> list[CounterOp]:
        out = []
        for op in self.ops:
            if op.unit == "usd":
                out.append(op.settle(cost_usd))
            elif op.unit == "tokens":
                out.append(op.settle(Decimal(tokens)))
            # requests stay counted: the request was made
        return [op for op in out if op.amount != 0]


def plan_admission(
    principal: Principal,
    limits: KeyLimits,
    tenant: TenantBudget | None,
    *,
    max_cost_usd: Decimal,
    tokens: int,
    now: datetime,
) -> Reservation:
    ops: list[CounterOp] = []
    minute = window_of("minute", now)
    rate_pk = f"RATE#{principal.key_id}"
    if limits.rpm is not None:
        ops.append(CounterOp(rate_pk, minute.id + "#req", Decimal(1), minute.expires_at,
                             Decimal(limits.rpm), "requests",
                             f"{limits.rpm} requests per minute of key {principal.key_id}",
                             minute.end.timestamp()))
    if limits.tpm is not None:
        ops.append(CounterOp(rate_pk, minute.id + "#tok", Decimal(tokens), minute.expires_at,
                             Decimal(limits.tpm), "tokens",
                             f"{limits.tpm} tokens per minute of key {principal.key_id}",
                             minute.end.timestamp()))
    budgets: list[tuple[str, str, WindowKind, Decimal | None]] = [
        (f"BUDGET#key#{principal.key_id}", f"key {principal.key_id}", "day",
         limits.daily_budget_usd),
        (f"BUDGET#key#{principal.key_id}", f"key {principal.key_id}", "month",
         limits.monthly_budget_usd),
    ]
    if tenant is not None:
        budgets += [
            (f"BUDGET#tenant#{principal.tenant_id}", f"tenant {principal.tenant_id}", "day",
             tenant.daily_budget_usd),
            (f"BUDGET#tenant#{principal.tenant_id}", f"tenant {principal.tenant_id}", "month",
             tenant.monthly_budget_usd),
        ]
    for pk, who, kind, limit in budgets:
        if limit is None:
            continue
        window = window_of(kind, now)
        period = "daily" if kind == "day" else "monthly"
        ops.append(CounterOp(pk, window.id, max_cost_usd, window.expires_at, limit, "usd",
                             f"the {period} budget of ${limit} of {who}",
                             window.end.timestamp()))
    return Reservation(tuple(ops), max_cost_usd, tokens)


def refusal(op: CounterOp, reservation: Reservation, now: datetime,
            used: Decimal | None = None) -> RouterError:
    """The client's error when ``op`` did not fit: 429 for rates, 402 for budgets."""
    wait = max(1.0, op.resets_at - now.timestamp())
    if op.unit == "usd":
        spent = f" (${used:f} already spent or reserved)" if used is not None else ""
        return BudgetExceededError(
            f"This request may cost up to ${reservation.max_cost_usd:.6f}, which would exceed "
            f"{op.label}{spent}. The budget resets in {int(wait)} s; lower max_tokens, "
            "choose a cheaper model, or raise the budget."
        )
    if op.unit == "tokens" and not op.fits_alone:
        # Waiting cannot help, so this is not a 429.
        return InvalidRequestError(
            f"This request may use up to {reservation.tokens} tokens, more than {op.label} "
            "allows in any minute. Lower max_tokens or shorten the prompt.",
            param="max_tokens",
            code="tokens_per_minute_exceeded",
        )
    return RateLimitedError(
        f"Rate limit reached: {op.label}. Retry after {int(wait + 0.999)} s.",
        retry_after=wait,
    )
