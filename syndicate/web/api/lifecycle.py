"""The editorial lifecycle over HTTP: publish, correct, embargo, retract, and
the audit list. Each action is syndicate.lifecycle's, as the CLI runs it."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from ... import intake
from ...errors import InputError
from ...ingest.base import ReadRequest
from ...lifecycle import Committed as Done
from ..site import Site
from .articles import ArticleId, refused
from .auth import Auth, Caller
from .common import errors, newsroom, now, site_of, translated
from .models import (
    AuditModel,
    Committed,
    CorrectRequest,
    EmbargoRequest,
    RetractRequest,
)


def answer(done: Done) -> Committed:
    article = done.saved.article
    return Committed(
        id=article.id,
        slug=article.slug,
        version=article.version,
        pubstatus=article.pubstatus.value,
        embargo=article.embargo.isoformat() if article.embargo else None,
        deliveries=list(done.deliveries),
    )


def correct(site: Site, article_id: str, body: CorrectRequest, caller: Caller) -> Any:
    at = now()
    content = None
    with translated():
        latest = site.store.find(article_id)
    if body.content is not None:
        name = "correction"
        request = ReadRequest(name=name, data=body.content.document.encode("utf-8"))
        try:
            content = intake.check(request, site.config, at, body.content.format).result.article
        except InputError as exc:
            return refused(exc, name)
    with translated():
        done = newsroom(site).correct(latest.id, body.note, at, caller.actor, content)
    return answer(done)


def add_routes(router: APIRouter, auth: Auth) -> None:
    @router.post(
        "/articles/{article_id:path}/publish",
        response_model=Committed,
        tags=["lifecycle"],
        summary="Publish an article",
        description="Make the held (or embargoed) version public now, as a new version.",
        responses=errors(404, 409, 422),
    )
    def publish(
        request: Request, caller: Annotated[Caller, Depends(auth.publish)], article_id: ArticleId
    ) -> Committed:
        site = site_of(request)
        with translated():
            latest = site.store.find(article_id)
            return answer(newsroom(site).publish(latest.id, now(), caller.actor))

    @router.post(
        "/articles/{article_id:path}/correct",
        response_model=Committed,
        tags=["lifecycle"],
        summary="Correct an article",
        description="A corrected version carrying the note: with new content (checked as "
        "ingest checks it), or the same content.",
        responses=errors(404, 409, 413, 422, refusal=True),
    )
    def correct_article(
        request: Request,
        caller: Annotated[Caller, Depends(auth.publish)],
        article_id: ArticleId,
        body: CorrectRequest,
    ) -> Any:
        return correct(site_of(request), article_id, body, caller)

    @router.post(
        "/articles/{article_id:path}/embargo",
        response_model=Committed,
        tags=["lifecycle"],
        summary="Embargo an article",
        description="Hold the article until a time (ISO 8601 with its offset): public "
        "everywhere then; partners who opted in get it early.",
        responses=errors(404, 409, 413, 422),
    )
    def embargo(
        request: Request,
        caller: Annotated[Caller, Depends(auth.publish)],
        article_id: ArticleId,
        body: EmbargoRequest,
    ) -> Committed:
        site = site_of(request)
        with translated():
            latest = site.store.find(article_id)
            return answer(newsroom(site).embargo(latest.id, body.until, now(), caller.actor))

    @router.post(
        "/articles/{article_id:path}/retract",
        response_model=Committed,
        tags=["lifecycle"],
        summary="Retract an article",
        description="Cancel it: gone from feeds, pages and sitemaps; every partner that "
        "received a version is told.",
        responses=errors(404, 409, 413, 422),
    )
    def retract(
        request: Request,
        caller: Annotated[Caller, Depends(auth.publish)],
        article_id: ArticleId,
        body: RetractRequest,
    ) -> Committed:
        site = site_of(request)
        with translated():
            latest = site.store.find(article_id)
            return answer(newsroom(site).retract(latest.id, body.reason, now(), caller.actor))

    @router.get(
        "/audit",
        response_model=list[AuditModel],
        summary="The audit list",
        description="Who did what, when, from which host: newest first.",
        responses=errors(422),
        tags=["audit"],
    )
    def audit(
        request: Request,
        caller: Annotated[Caller, Depends(auth.read)],
        article: Annotated[str | None, Query(description="Only this article's rows.")] = None,
        limit: Annotated[int, Query(ge=1, le=5000)] = 500,
    ) -> list[AuditModel]:
        rows = site_of(request).store.audit_rows(article, limit)
        return [AuditModel.model_validate(r.as_dict()) for r in rows]
