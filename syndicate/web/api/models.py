"""The admin API's request and response models (pydantic)."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

InputFormat = Literal["text", "markdown", "json", "html"]
WebhookFormat = Literal["newsml", "ninjs", "jsonld", "atom-entry"]
PubStatus = Literal["usable", "withheld", "canceled"]
Instant = Annotated[
    str, Field(json_schema_extra={"format": "date-time"}, description="ISO 8601 with offset")
]
Name = Annotated[
    str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f]+$")
]
Note = Annotated[
    str,
    StringConstraints(min_length=1, max_length=10_000, pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f]+$"),
]
Term = Annotated[str, StringConstraints(max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")]


class Closed(BaseModel):
    """Request bodies: unknown fields are an error, not ignored."""

    model_config = ConfigDict(extra="forbid")


# -- errors ------------------------------------------------------------------------


class ErrorBody(BaseModel):
    error: str = Field(description="The status in words, e.g. `Not found`.")
    detail: str = Field(description="What went wrong, for people.")


class ProblemModel(BaseModel):
    file: str
    line: int
    message: str


class LintModel(BaseModel):
    file: str
    line: int
    code: str
    message: str


class ArticleRefused(ErrorBody):
    """An article refused by the checks ingest runs (reader, lints, the gate)."""

    problems: list[ProblemModel]
    warnings: list[LintModel]


# -- articles ----------------------------------------------------------------------


class ArticleStored(BaseModel):
    id: str
    version: int
    slug: str
    status: Literal["created", "updated", "unchanged", "held"]
    headline: str
    warnings: list[LintModel]
    deliveries: list[str] = Field(description="Ids of the deliveries this version queued.")


class ArticleSummaryModel(BaseModel):
    id: str
    version: int
    slug: str
    headline: str
    section: str
    published: Instant
    updated: Instant | None
    pubstatus: PubStatus


class VersionModel(BaseModel):
    version: int
    pubstatus: PubStatus
    content_hash: str
    created_at: Instant
    headline: str


class Committed(BaseModel):
    """The new version a lifecycle action made."""

    id: str
    slug: str
    version: int
    pubstatus: PubStatus
    embargo: Instant | None
    deliveries: list[str]


class Content(Closed):
    format: InputFormat | None = Field(None, description="Else sniffed from the document.")
    document: str = Field(description="The new content, as a document of that format.")


class CorrectRequest(Closed):
    note: Note
    content: Content | None = Field(None, description="New content; else the same content.")


class EmbargoRequest(Closed):
    until: AwareDatetime = Field(description="ISO 8601 with its offset, in the future.")


class RetractRequest(Closed):
    reason: Note


class AuditModel(BaseModel):
    at: Instant
    actor: str
    host: str
    action: str
    article: str | None
    version: int | None
    detail: dict[str, Any] | None


# -- subscribers -------------------------------------------------------------------


class FiltersModel(Closed):
    """Narrower than the feed's own filters; every list is optional."""

    sections: list[Term] = Field(default_factory=list, max_length=100)
    keywords: list[Term] = Field(default_factory=list, max_length=100)
    subjects: list[Term] = Field(default_factory=list, max_length=100)
    languages: list[Term] = Field(default_factory=list, max_length=100)


class SubscriberCreate(Closed):
    feed: Name
    url: Annotated[str, StringConstraints(min_length=1, max_length=2000)]
    format: WebhookFormat
    name: Name | None = None
    secret: str | None = Field(None, description="A whsec_ secret (24-64 bytes); else made.")
    embargoed: bool = Field(False, description="Receive embargoed items early.")
    filters: FiltersModel | None = None


class SubscriberPatch(Closed):
    state: Literal["paused", "active"] | None = None
    name: Name | None = None
    embargoed: bool | None = None
    filters: FiltersModel | None = Field(None, description="Replaces the filters; {} clears.")


class SubscriberModel(BaseModel):
    id: str
    kind: Literal["webhook", "websub"]
    feed: str
    url: str
    format: str
    name: str | None
    embargoed: bool
    filters: dict[str, list[str]] | None
    state: Literal["pending", "active", "paused", "disabled", "ended"]
    state_reason: str | None
    created_at: Instant
    lease_until: Instant | None
    last_success_at: Instant | None
    last_failure_at: Instant | None
    consecutive_failures: int
    failing_since: Instant | None


class SubscriberCreated(SubscriberModel):
    secret: str = Field(description="Shown this once.")


class RotateRequest(Closed):
    secret: str | None = Field(None, description="The new whsec_ secret; else made.")


class SecretRotated(BaseModel):
    id: str
    secret: str = Field(description="Shown this once.")
    previous_secret_until: Instant = Field(description="The old secret signs until then.")


# -- deliveries and push -----------------------------------------------------------

DeliveryState = Literal["pending", "failed", "dead", "delivered"]


class DeliveryModel(BaseModel):
    id: str
    subscription: str
    article: str
    version: int
    event: str
    push_id: str
    state: DeliveryState
    attempts: int
    next_attempt_at: Instant | None
    created_at: Instant
    delivered_at: Instant | None
    last_status: int | None
    last_error: str | None


class AttemptModel(BaseModel):
    attempted_at: Instant
    status: int | None
    ms: int
    error: str | None
    response: str | None
    worker: str | None


class SubscriberDetail(SubscriberModel):
    deliveries: list[DeliveryModel] = Field(description="The latest deliveries, newest first.")


class DeliveryDetail(DeliveryModel):
    attempt_log: list[AttemptModel] = Field(description="Every attempt, oldest first.")


class Requeued(BaseModel):
    queued: int = Field(description="How many deliveries were queued again.")


class PushRequest(Closed):
    feed: Name
    article: str | None = Field(None, description="Only this article.")
    subscriber: str | None = Field(None, description="Only this subscription.")
    dry_run: bool = Field(False, description="List what would be sent, and its size.")
    force: bool = Field(False, description="Send again what was sent (new webhook-ids).")


class PlannedModel(BaseModel):
    subscription: str
    url: str
    article: str
    version: int
    event: str
    bytes: int


class PushResult(BaseModel):
    dry_run: bool
    planned: list[PlannedModel]
    queued: list[str] = Field(description="Ids of the new deliveries (none on a dry run).")
    already_queued: int = Field(description="Planned deliveries that were there already.")


# -- partners ----------------------------------------------------------------------


class PartnerCreate(Closed):
    name: Annotated[
        str, StringConstraints(min_length=1, max_length=200, pattern=r"^[^\x00-\x1f\x7f/]+$")
    ]


class PartnerModel(BaseModel):
    name: str
    created_at: Instant
    revoked_at: Instant | None


class PartnerCreated(PartnerModel):
    token: str = Field(description="The partner's feed token, shown this once.")
