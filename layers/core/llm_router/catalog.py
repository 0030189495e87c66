"""The YAML catalog: providers, models and their prices, routing, cache and limits.

One file describes every upstream. Any OpenAI-compatible endpoint is a provider entry
(``kind: openai``), not code. Secrets come from the environment through ``${VAR}`` or
``${VAR:-default}`` interpolation, or from SSM (``api_key_parameter``) in Lambda.
Missing sections take defaults, so the minimal file in DESIGN.md is a whole catalog.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from llm_router.errors import ConfigError, ModelNotFoundError
from llm_router.guards.config import GuardsConfig
from llm_router.policies import (
    DEFAULT_ENVIRONMENTS,
    Environment,
    EnvironmentWeights,
    KeyLimits,
    ResilienceConfig,
    TenantBudget,
)

Tier = Literal["simple", "moderate", "complex", "reasoning"]
TIERS: tuple[Tier, ...] = ("simple", "moderate", "complex", "reasoning")
ProviderKind = Literal["openai", "anthropic", "gemini", "bedrock"]

_KIND_ALIASES = {"openai-compatible": "openai", "openai_compatible": "openai"}
_FROZEN = ConfigDict(frozen=True, extra="forbid")
# libyaml's safe loader (in PyYAML's wheels): the same documents, about 6x faster than
# the pure-Python one (0.05 s of the cold start for the default catalog).
_SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class FreeTier(BaseModel):
    """A provider's free allowance. Enforced by the quota tracker; documented here."""

    model_config = _FROZEN
    requests_per_minute: int | None = None
    requests_per_day: int | None = None
    tokens_per_minute: int | None = None
    tokens_per_day: int | None = None
    tokens_per_month: int | None = None
    # The most of each limit one tenant may use, so one tenant cannot push every other
    # onto paid models (1.0: no per-tenant cap). At least one unit is always allowed.
    tenant_share: float = Field(default=0.5, gt=0, le=1)


class ProviderConfig(BaseModel):
    model_config = _FROZEN
    name: str
    kind: ProviderKind
    base_url: str = ""  # required for every kind but bedrock (boto3 knows its endpoints)
    api_key: str | None = None
    api_key_parameter: str | None = None  # SSM parameter name, resolved at start-up
    headers: dict[str, str] = Field(default_factory=dict)
    timeout_s: float = Field(default=60.0, gt=0)
    free_tier: FreeTier | None = None
    local: bool = False  # runs on the user's machine (Ollama, vLLM): preferred in dev
    simulate: bool = True  # may be replaced by the provider simulator when no keys are set
    # kind: bedrock only. AWS credentials come from boto3's chain (the function's role);
    # without a region the provider counts as not configured and is skipped.
    region: str | None = None
    endpoint_url: str | None = None  # a VPC endpoint, or a test server on 127.0.0.1

    @field_validator("kind", mode="before")
    @classmethod
    def _alias(cls, v: Any) -> Any:
        return _KIND_ALIASES.get(v, v) if isinstance(v, str) else v

    @field_validator("base_url")
    @classmethod
    def _strip_slash(cls, v: str) -> str:
        return v.rstrip("/")

    @model_validator(mode="after")
    def _has_endpoint(self) -> ProviderConfig:
        if self.kind != "bedrock" and not self.base_url:
            raise ValueError(f"provider {self.name!r} needs a base_url")
        return self

    @property
    def configured(self) -> bool:
        """True when the provider has credentials (local providers need none; Bedrock
        signs with the AWS credentials of the process, so a region is enough)."""
        if self.kind == "bedrock":
            return bool(self.region)
        return bool(self.api_key) or self.local


class ModelConfig(BaseModel):
    model_config = _FROZEN
    name: str
    provider: str
    upstream_model: str = ""
    input_per_mtok: Decimal = Field(ge=0)
    output_per_mtok: Decimal = Field(ge=0)
    cached_input_per_mtok: Decimal | None = Field(default=None, ge=0)
    cache_write_per_mtok: Decimal | None = Field(default=None, ge=0)
    context_window: int | None = Field(default=None, gt=0)
    max_output_tokens: int | None = Field(default=None, gt=0)
    tiers: tuple[Tier, ...] = ()
    typical_latency_ms: int | None = Field(default=None, gt=0)
    # This model's own free allowance (a provider's free_tier is shared by its models).
    free_tier: FreeTier | None = None
    # Catalog models to fail over to, in order, when this one is requested by name and
    # fails (typically the same model served by another provider).
    fallbacks: tuple[str, ...] = ()
    price_source: str | None = None
    price_date: str | None = None

    @field_validator("input_per_mtok", "output_per_mtok", "cached_input_per_mtok",
                     "cache_write_per_mtok", mode="before")
    @classmethod
    def _exact_decimal(cls, v: Any) -> Any:
        # YAML reads 0.15 as a float; go through its shortest repr, never its binary value.
        return Decimal(repr(v)) if isinstance(v, float) else v

    @model_validator(mode="after")
    def _default_upstream(self) -> ModelConfig:
        if not self.upstream_model:
            object.__setattr__(self, "upstream_model", self.name)
        return self


class RoutingConfig(BaseModel):
    model_config = _FROZEN
    default_optimize_for: Literal["cost", "latency", "quality"] = "cost"
    # tier -> ordered candidate model names; empty means "every model listing the tier"
    tiers: dict[Tier, tuple[str, ...]] = Field(default_factory=dict)
    # How many times worse one tier of under-routing is than one tier of over-routing:
    # `auto` routes to the tier with the lowest expected cost of error, so a higher
    # value routes unsure queries up sooner. None takes the value the classifier
    # artefact recommends from its calibration (docs/classifier.md).
    under_routing_cost: float | None = Field(default=None, gt=0, le=100)
    # `auto`: a query routed simple whose text reads as two asks, whose calibrated
    # p(simple) is under 0.90 and whose text has at most 30 words goes to moderate
    # (session 25's rule TA with session 26's word ceiling, rule TB,
    # docs/classifier.md#decision); false routes by the expected cost alone.
    two_asks_override: bool = True
    # When every candidate of the routed tier fails or is skipped (free tier used up,
    # breaker open), `auto` fails over to the candidates of up to this many stronger
    # tiers (never a weaker one). Admission's budget reservation covers them too; 0 keeps
    # failover inside the tier.
    failover_tiers: int = Field(default=1, ge=0, le=3)
    # Scoring weights per deployment environment (LLM_ROUTER_ENVIRONMENT, the template's
    # Environment parameter); a weight left out keeps its default.
    environments: dict[Environment, EnvironmentWeights] = Field(
        default_factory=lambda: dict(DEFAULT_ENVIRONMENTS))

    @field_validator("environments", mode="before")
    @classmethod
    def _over_defaults(cls, v: Any) -> Any:
        if not isinstance(v, dict):
            return v
        return {env: {**weights.model_dump(), **(v.get(env) or {})}
                for env, weights in DEFAULT_ENVIRONMENTS.items()} | {
            env: given for env, given in v.items() if env not in DEFAULT_ENVIRONMENTS}


class CacheConfig(BaseModel):
    """Response cache (docs/semantic-cache.md has the measurements behind the defaults)."""

    model_config = _FROZEN
    enabled: bool = True
    similarity_threshold: float = Field(default=0.8, gt=0, le=1)
    ttl_seconds: int = Field(default=86_400, gt=0)
    # Entries one tenant's index holds on an instance (and its snapshot keeps): past it the
    # oldest go, so a lookup's scan and the index's memory stay bounded whatever the
    # traffic (docs/cache-history.md "Session 14").
    max_entries: int = Field(default=10_000, ge=1)
    # What those entries may hold in memory, in bytes (their texts, vectors and keys:
    # ``IndexRecord.nbytes``): past it the oldest go too. A full index of questions of up to
    # ~1,100 characters stays under it, with the retrieval map or without (one vector row an
    # entry since session 29; session 28's index held the raw row beside the mapped one and
    # this bound at ~8,700 entries of 60-character questions: docs/cache-history.md
    # "Session 29: one vector row an entry"); 10,000 messages of 20,000 characters would hold
    # 220-820 MB (docs/cache-history.md "Session 16").
    max_index_bytes: int = Field(default=32 * 2**20, ge=1)
    max_temperature: float = 0.7
    # Lexical guards that refuse near-misses (numbers, names, negation, opposite intents,
    # a swapped topic word). Off trades wrong answers for hits: see the evaluation. With
    # the verifier on, only their hard check stays: different amounts or ids never match.
    guards: bool = True
    # The learned pair verifier (cache/verifier.py) confirms every candidate whose cosine
    # similarity reaches verifier_floor; similarity_threshold then plays no part.
    verifier: bool = True
    verifier_floor: float = Field(default=0.5, gt=0, le=1)
    # F1: where no candidate of a lookup reaches verifier_floor, the nearest entry is still
    # verified if its cosine reaches this (that one only). None: off, every lookup as
    # above (docs/cache-history.md "Session 24: the nearest candidate under the floor").
    # A tenant with its own floor (tenant_thresholds) is held to that floor alone.
    verifier_floor_nearest: float | None = Field(default=None, gt=0, le=1)
    # Rule FC (session 37): the verifier's cut for the one candidate F1 admits under
    # verifier_floor (at verifier_floor_nearest or more), instead of verifier_threshold;
    # every candidate at the floor or over keeps verifier_threshold. None: off (F1's
    # candidate at the one cut). Read only with verifier_floor_nearest set.
    verifier_floor_nearest_cut: float | None = Field(default=None, ge=0, le=1)
    # A learnt linear map of the MiniLM vector for the index's ranking and floor only (a
    # .npz of train/cache_retrieval/fit.py; cache/retrieval_map.py): the verifier's checks,
    # the classifier and the snapshots keep the raw vector. A bare file name is the layer's
    # (data/cache_retrieval/, checked against the sha256 of its .json at init). The layer's
    # full-mnr.npz (weight sha256 b5af082d), shipped at verifier_floor 0.5 by rule M2b on
    # heldout62-63 (docs/cache-history.md "Session 28: the retrieval map on heldout62-63").
    # None: off, the raw cosine.
    retrieval_map: str | None = "full-mnr.npz"
    # The verifier's minimum probability; None = the artefact's operating point.
    verifier_threshold: float | None = Field(default=None, ge=0, le=1)
    # The cross-encoder (deciding alone, read query first) also reads a pair cached first
    # where its query-first logit is within this many logits of the artefact's operating
    # point's, and the two logits are averaged: a second pass for those candidates only.
    # Built in session 32 on seen writers (heldout54-81: +1.56 points of recall at 1 %
    # false hits a pair at 2.0, bootstrap 2.5 % +0.52; docs/cache-history.md "Session 32:
    # beyond S5's one reading"); it moves the curve, so it needs its own verifier_threshold.
    # None: off, one reading (a rule on fresh writers decides).
    verifier_order_band: float | None = Field(default=None, gt=0)
    # Each candidate of a lookup the verifier refused raises the next one's bar: the
    # candidate read after n refused ones needs a logit over the cut's of at least
    # verifier_rank_margin * ln(1 + n); the nearest, the cut alone. 0: the cut for all.
    verifier_rank_margin: float = Field(default=3.0, ge=0)
    # The cut for the candidates behind a lookup's nearest one (the first of its first
    # round, rank 1 by the floor's cosine after the hard check's filter); the nearest keeps
    # verifier_threshold. Over 1 (e.g. 1.01): the nearest candidate alone answers by the
    # verifier (a respelled one still answers at any rank: that check comes first). A pair
    # alone (cache-probe) is its own nearest. None: off, every candidate at the one cut.
    # Built off in session 36 for rule NO (docs/cache-history.md "Session 36: rule NO, the
    # nearest candidate alone at a lower cut").
    verifier_later_cut: float | None = Field(default=None, ge=0)
    # RA: every candidate at the floor or over that the lookup refused raises the next one's
    # bar, whatever check refused it (the hard check's amounts, ids and units, the one-word
    # rule), not only those the verifier gave a probability. Off and undecided: built in
    # session 29 for the next session's rule (docs/cache-history.md "Session 29: RA built,
    # off, for the next session").
    rank_margin_counts_refused: bool = False
    # With the verifier: a query of two clauses or more that tells a case and then asks
    # ("My son lives in Rotterdam; would you be able to post our tea to him there?") is
    # also embedded by its asking clause alone (cache/narrowing.py asking_clause), and an
    # entry's similarity is the larger of its cosine to the whole query and to that
    # clause (both mapped): "rank", the nearest candidates and the floor read it;
    # "floor", the whole query picks the candidates and only their floor reads it. The
    # verifier still reads the whole query. One more MiniLM pass for such a query. None:
    # off, an exploration (docs/cache-history.md "Session 31: retrieval by the asking
    # clause").
    ask_clause: Literal["rank", "floor"] | None = None
    # Which verifier: "cross" (a cross-encoder reads both texts together: cache/cross.py)
    # or "nets" (alignment nets over each text's MiniLM states); None = "cross" where its
    # artefact (data/cache_verifier/cross.npz) is shipped, else "nets".
    verifier_model: Literal["cross", "nets"] | None = None
    # With the verifier: a candidate that is the query in another spelling (case,
    # punctuation, number formats, acronyms, clippings, one-slip typos:
    # cache/spelling.py) is a hit without asking the verifier.
    spelling: bool = True
    # With spelling: also a candidate that differs from the query in one span of one or
    # two words a side whose sides WordNet puts in one synset ("can I hire a bike" /
    # "can I rent a bike"; cache/synonyms.py), the respelling check's "synonym" form.
    # On since session 19: it met that session's rule (docs/cache-history.md "Session 19:
    # the synonym form decided again"); the table then loads at init (bootstrap.build_cache).
    synonyms: bool = True
    # With spelling: also a candidate that writes a word or phrase of the query in a short
    # form a lexicon knows: a country's ISO code or abbreviation, a US state's code,
    # texting shorthand, a unit's short name ("PH" / "the Philippines", "pls" / "please";
    # cache/short_forms.py), the respelling check's "short form" form.
    short_forms: bool = False
    # With the verifier: refuse a pair it passed where the longer text asks about a
    # specific case of the shorter, general one (cache/narrowing.py). Off: it did not
    # meet session 13's rule on the decision sets (docs/cache-history.md "Session 13").
    narrowing: bool = False
    # With the verifier: refuse a pair it passed where the query asks what the cached
    # question asks and adds a further request ("... and also value it for the
    # insurance"): cache/extra_ask.py. On: it met session 16's rule
    # (docs/cache-history.md "Session 16: the same question and more").
    extra_ask: bool = True
    # With the verifier: likewise where the query asks the business to do a further act
    # first and joins the cached question's ask after it ("do you teach method ringing" /
    # "could someone come to our tower and teach method ringing to our learners"):
    # cache/extra_ask.py's asks_first. Off: built in session 31 from a seen-set
    # exploration (docs/cache-history.md "Session 31: the false hits S5 passes, by
    # family"); not adopted by rule W: on heldout78-79 it fired on no pair ("Session 31:
    # rule W, the further act first on D78").
    extra_ask_first: bool = False
    # The hard check reads amounts written other ways as the other spelling: tonnes
    # ("3.5t" / "3.5 tonne"), a day part ("7 in the morning" / "7am"), "2yo", slips of
    # "percent", "2h50", spelled decimals ("point one"), an equation's spacing, "two
    # hundred and forty", "2 dozen", "3-pc", "0430 UTC" (cache/quantities.py amount_forms);
    # the index's bulk filter reads them too (number_codes' forms). Off: built in
    # session 31 from the paraphrases the check refused on seen sets; not adopted by
    # session 32's rule AF (docs/cache-history.md "Session 32: rule AF, amounts written
    # another way on D82").
    amount_forms: bool = False
    # Rule NW (session 36): in the hard check and the index's bulk filter, a number in
    # words reads as its digits where the other text writes that amount in digits and not
    # in words ("in 1 day" / "in one day", "one hundred and forty four" / "144"); it only
    # ever lets a pair through (cache/number_words.py). On: rule NW's seen screen passed
    # (12 paraphrase hits added, none lost, no false hit added; docs/cache-history.md
    # "Session 36: rule NW, numbers written as words").
    number_words: bool = True
    # With the verifier: refuse a pair it passed where the two texts differ in one word a
    # side and the two words are co-members of one set in WordNet, not one thing: two
    # role nouns ("league secretary" / "league treasurer"; a table built with
    # --co-hyponyms also two kinds under one hypernym, "tenor" / "treble" bell);
    # cache/co_members.py, its table built from WordNet
    # alone by train/co_members.py. Off: built in session 33 for rule CH, whose seen
    # screen it failed (3 false hits removed for 3 paraphrases lost, the rule asks at most
    # one per two; docs/cache-history.md "Session 33: co-members swapped (rule CH)").
    co_members: bool = False
    # With the verifier: refuse a pair it passed where the cached text is a general
    # question and the query tells the writer's own case and asks something else ("do
    # you sell school shoes" / "the school shoes I bought from you split ..., what are my
    # options"): cache/narrowing.py's own_case. On: it met session 17's rule
    # (docs/cache-history.md "Session 17: the general question and the writer's own case").
    # v2 (session 18's rule: "Session 18: own_case v2"): also, under cosine 0.62, a query
    # that asks a question and a further request where the cached question asks one.
    own_case: bool = True
    # tenant id -> its own similarity threshold (the floor when the verifier is on).
    tenant_thresholds: dict[str, float] = Field(default_factory=dict)
    # Seconds between an instance's reads of entries other instances added.
    refresh_seconds: float = Field(default=2.0, ge=0)
    # With the verifier: the newest this many entries an instance learns from the snapshot
    # or the journal have their texts prepared for it in the background (cache/preparer.py),
    # so a lone candidate among them costs what one stored here does. 0: none ahead.
    prepare_ahead: int = Field(default=1000, ge=0)
    # Who shares answers: every key of a tenant ("tenant") or each key alone ("key");
    # tenant_scopes overrides it per tenant.
    scope: Literal["tenant", "key"] = "tenant"
    tenant_scopes: dict[str, Literal["tenant", "key"]] = Field(default_factory=dict)

    def partition(self, tenant_id: str, key_id: str) -> str:
        """The cache partition of a caller: its tenant, or ``<tenant>/<key_id>`` where the
        cache is per key (tenant ids cannot hold "/", so partitions never collide)."""
        scope = self.tenant_scopes.get(tenant_id, self.scope)
        return tenant_id if scope == "tenant" else f"{tenant_id}/{key_id}"

    @field_validator("tenant_thresholds")
    @classmethod
    def _thresholds_in_range(cls, v: dict[str, float]) -> dict[str, float]:
        for tenant, threshold in v.items():
            if not 0 < threshold <= 1:
                raise ValueError(f"threshold of tenant {tenant!r} must be in (0, 1]")
        return v


class LimitsConfig(BaseModel):
    model_config = _FROZEN
    max_body_bytes: int = Field(default=1_048_576, gt=0)
    # Seconds a chat request's body may take to arrive, from its headers on (408 after).
    body_timeout_s: float = Field(default=60.0, gt=0, le=3600)
    max_messages: int = Field(default=1_000, gt=0)
    # Per-key defaults; a key's own rpm / daily_budget_usd (keys create) win.
    keys: KeyLimits = KeyLimits()
    # Tenant id -> its USD budgets; tenant_default for tenants not listed.
    tenants: dict[str, TenantBudget] = Field(default_factory=dict)
    tenant_default: TenantBudget | None = None


class RollupConfig(BaseModel):
    model_config = _FROZEN
    # Copies of each rollup item, summed on read: a tenant at R requests per second
    # writes R / shards per second to each (DynamoDB allows 1,000). Raise, never lower:
    # readers only see shards below the current number.
    shards: int = Field(default=8, ge=1, le=64)


class AnalyticsConfig(BaseModel):
    model_config = _FROZEN
    # Keys of these tenants read every tenant's analytics (GET /v1/analytics/*).
    admin_tenants: tuple[str, ...] = ()


class Catalog(BaseModel):
    model_config = _FROZEN
    providers: dict[str, ProviderConfig] = Field(default_factory=dict)
    models: dict[str, ModelConfig] = Field(default_factory=dict)
    routing: RoutingConfig = RoutingConfig()
    cache: CacheConfig = CacheConfig()
    limits: LimitsConfig = LimitsConfig()
    resilience: ResilienceConfig = ResilienceConfig()
    rollups: RollupConfig = RollupConfig()
    analytics: AnalyticsConfig = AnalyticsConfig()
    guards: GuardsConfig = GuardsConfig()
    alerts: dict[str, Any] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _references_resolve(self) -> Catalog:
        for model in self.models.values():
            if model.provider not in self.providers:
                raise ValueError(
                    f"model {model.name!r} names provider {model.provider!r}, "
                    f"which is not in providers ({', '.join(sorted(self.providers)) or 'none'})"
                )
            for fallback in model.fallbacks:
                if fallback not in self.models or fallback == model.name:
                    raise ValueError(f"model {model.name!r} falls back to {fallback!r}, "
                                     "which is not another model of the catalog")
        for tier, names in self.routing.tiers.items():
            for name in names:
                if name not in self.models:
                    raise ValueError(f"routing tier {tier!r} names unknown model {name!r}")
        return self

    def resolve(self, model_id: str) -> ModelConfig:
        """A concrete model from a request's ``model``: a catalog name or ``provider/model``.

        ``provider/model`` matches a catalog model of that provider by name or by its
        upstream name, so ``groq/llama-3.3-70b-versatile`` works as users expect.
        """
        if model_id in self.models:
            return self.models[model_id]
        provider, sep, rest = model_id.partition("/")
        if sep and provider in self.providers:
            for model in self.models.values():
                if model.provider == provider and rest in (model.name, model.upstream_model):
                    return model
        raise ModelNotFoundError(
            f"The model {model_id!r} does not exist in this router's catalog. "
            "GET /v1/models lists the models you can use.",
            param="model",
        )

    def provider_of(self, model: ModelConfig) -> ProviderConfig:
        return self.providers[model.provider]


# --- loading -------------------------------------------------------------------------

_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


def interpolate(value: Any, env: Mapping[str, str]) -> Any:
    """Replace ``${VAR}`` / ``${VAR:-default}`` in every string of a loaded YAML tree.

    A string that is only a placeholder for an unset variable with no default becomes
    ``None``, so an unset API key reads as "not configured" rather than as "".
    """
    if isinstance(value, dict):
        return {k: interpolate(v, env) for k, v in value.items()}
    if isinstance(value, list):
        return [interpolate(v, env) for v in value]
    if not isinstance(value, str):
        return value
    whole = _VAR.fullmatch(value)
    if whole and whole.group(2) is None and not env.get(whole.group(1)):
        return None
    return _VAR.sub(lambda m: env.get(m.group(1)) or (m.group(2) or ""), value)


def parse_catalog(data: Any, env: Mapping[str, str] | None = None, *, source: str = "") -> Catalog:
    """Validate a loaded YAML tree; names come from the mapping keys."""
    where = f" in {source}" if source else ""
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"catalog{where} must be a mapping at the top level")
    data = interpolate(data, os.environ if env is None else env)
    for section in ("providers", "models"):
        entries = data.get(section) or {}
        if not isinstance(entries, dict):
            raise ConfigError(f"catalog{where}: {section!r} must be a mapping of name -> entry")
        data[section] = {
            name: {**(entry or {}), "name": name} for name, entry in entries.items()
        }
    try:
        return Catalog.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(p) for p in first["loc"])
        raise ConfigError(f"catalog{where}: {loc}: {first['msg']}") from exc


def load_catalog(path: str | Path | None = None, env: Mapping[str, str] | None = None) -> Catalog:
    """Load a catalog file, or the shipped default catalog when ``path`` is None."""
    if path is None:
        text = resources.files("llm_router").joinpath("data/catalog.yaml").read_text("utf-8")
        source = "the default catalog"
    else:
        try:
            text = Path(path).read_text("utf-8")
        except OSError as exc:
            raise ConfigError(f"cannot read catalog {path}: {exc.strerror}") from exc
        source = str(path)
    try:
        data = yaml.load(text, Loader=_SAFE_LOADER)
    except yaml.YAMLError as exc:
        # One line: PyYAML spreads its message (problem, position) over several.
        where = " ".join(str(exc).split())
        raise ConfigError(f"catalog {source} is not valid YAML: {where}") from exc
    return parse_catalog(data, env, source=source)
