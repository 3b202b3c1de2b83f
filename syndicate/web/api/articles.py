"""POST /api/articles (ingest), and reading stored articles and their versions."""

import hashlib
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Path, Query, Request, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from ... import codec, intake
from ...errors import InputError
from ...ingest import format_of_media_type
from ...ingest.base import ReadRequest
from ...ingest.lints import Lint
from ...model import Article
from ...model import PubStatus as ModelStatus
from ..site import Site
from .auth import Auth, Caller
from .common import errors, newsroom, now, site_of, translated
from .guard import declared_length, too_large
from .models import (
    ArticleRefused,
    ArticleStored,
    ArticleSummaryModel,
    InputFormat,
    LintModel,
    ProblemModel,
    PubStatus,
    VersionModel,
)

ArticleId = Annotated[
    str, Path(description="The article's id (a URI, slashes and all), or its slug.")
]
Version = Annotated[int, Path(ge=1, le=2**31 - 1, description="A version number.")]
DOCUMENT = {"schema": {"type": "string", "description": "The article document."}}
RAW_BODY: dict[str, Any] = {
    "requestBody": {
        "required": True,
        "description": "The article document, as a file of its format would hold it.",
        "content": {
            "text/plain": DOCUMENT,
            "text/markdown": DOCUMENT,
            "text/html": DOCUMENT,
            "application/json": {"schema": {"description": "A canonical or ninjs document."}},
        },
    }
}
CANONICAL = {
    "description": "The canonical article JSON (schemas/article.schema.json).",
    "content": {"application/json": {"schema": {"type": "object"}}},
}


def lint_models(lints: tuple[Lint, ...], name: str) -> list[LintModel]:
    return [
        LintModel(file=w.file or name, line=w.line, code=w.code, message=w.message) for w in lints
    ]


def refused(exc: InputError, name: str) -> JSONResponse:
    """422 with every problem located, as `syndicate ingest` prints them."""
    body = ArticleRefused(
        error="Unprocessable content",
        detail=exc.located(),
        problems=[
            ProblemModel(file=exc.file or name, line=p.line, message=p.message)
            for p in intake.problems(exc)
        ],
        warnings=[],
    )
    return JSONResponse(body.model_dump(), status_code=422)


def ingest(
    site: Site, data: bytes, name: str, key: str, fmt: str | None, hold: bool, caller: Caller
) -> ArticleStored | JSONResponse:
    at = now()
    request = ReadRequest(name=name, data=data, source_key=key)
    try:
        checked = intake.check(request, site.config, at, fmt)
    except InputError as exc:
        return refused(exc, name)
    with translated():
        committed = intake.store(newsroom(site), checked, at, caller.actor, hold=hold)
    saved = committed.saved
    stored = ArticleStored(
        id=saved.article.id,
        version=saved.article.version,
        slug=saved.article.slug,
        status="held" if hold and saved.status != "unchanged" else saved.status,
        headline=saved.article.headline,
        warnings=lint_models(checked.result.lints, name),
        deliveries=list(committed.deliveries),
    )
    if saved.status == "unchanged":  # nothing was created: 200, not 201
        return JSONResponse(stored.model_dump(), status_code=200)
    return stored


def canonical(article: Article) -> Response:
    return Response(codec.dumps(article, indent=None), media_type="application/json")


def add_routes(router: APIRouter, auth: Auth) -> None:
    @router.post(
        "/articles",
        status_code=201,
        response_model=ArticleStored,
        tags=["articles"],
        summary="Ingest an article",
        description="Read, check and store one article document, as `syndicate ingest` "
        "does; the format comes from `format`, else the Content-Type (text/markdown, "
        "text/html, application/json; text/plain and others leave it open), else the "
        "`filename` extension, else the content. Without an id in the document, the story "
        "is known by `filename` (or by the document's bytes).",
        responses={
            200: {
                "model": ArticleStored,
                "description": "The same content was stored already: nothing was written.",
            },
            **errors(409, 413, 422, refusal=True),
        },
        openapi_extra=RAW_BODY,
    )
    async def post_article(
        request: Request,
        caller: Annotated[Caller, Depends(auth.publish)],
        format: Annotated[InputFormat | None, Query(description="Force the input format.")] = None,
        filename: Annotated[
            str | None,
            Query(max_length=255, pattern=r"^[^\x00-\x1f\x7f]+$", description="A file name."),
        ] = None,
        hold: Annotated[bool, Query(description="Store it withheld.")] = False,
    ) -> Any:
        site = site_of(request)
        limit = min(site.config.limits.max_article_bytes, site.config.api.max_request_bytes)
        length = declared_length(request)
        if length is not None and length > limit:
            raise too_large(limit)
        data = bytearray()
        async for chunk in request.stream():
            data += chunk
            if len(data) > limit:
                raise too_large(limit)
        if not data:
            raise HTTPException(422, "the request body is empty: send the article document")
        body = bytes(data)
        name = filename or "request"
        key = f"api:{filename}" if filename else "api:sha256:" + hashlib.sha256(body).hexdigest()
        fmt = format or format_of_media_type(request.headers.get("content-type"))
        return await run_in_threadpool(ingest, site, body, name, key, fmt, hold, caller)

    @router.get(
        "/articles",
        response_model=list[ArticleSummaryModel],
        tags=["articles"],
        summary="List articles",
        description="The latest version of every article, newest published first "
        "(the fields of `syndicate articles list --json`).",
        responses=errors(422),
    )
    def list_articles(
        request: Request,
        caller: Annotated[Caller, Depends(auth.read)],
        section: Annotated[str | None, Query(max_length=200)] = None,
        pubstatus: PubStatus | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
        offset: Annotated[int, Query(ge=0, le=2**31 - 1)] = 0,
    ) -> list[ArticleSummaryModel]:
        status = ModelStatus(pubstatus) if pubstatus else None
        found = site_of(request).store.list_articles(
            section=section, pubstatus=status, limit=limit, offset=offset
        )
        return [ArticleSummaryModel.model_validate(s.as_dict()) for s in found]

    @router.get(
        "/articles/{article_id:path}/versions/{number}",
        response_class=Response,
        tags=["articles"],
        summary="One version of an article",
        description="The canonical JSON of version `number`.",
        responses={200: CANONICAL, **errors(404, 422)},
    )
    def get_version(
        request: Request,
        caller: Annotated[Caller, Depends(auth.read)],
        article_id: ArticleId,
        number: Version,
    ) -> Response:
        with translated():
            return canonical(site_of(request).store.get(article_id, number))

    @router.get(
        "/articles/{article_id:path}/versions",
        response_model=list[VersionModel],
        tags=["articles"],
        summary="An article's versions",
        description="Every version, oldest first.",
        responses=errors(404, 422),
    )
    def list_versions(
        request: Request, caller: Annotated[Caller, Depends(auth.read)], article_id: ArticleId
    ) -> list[VersionModel]:
        site = site_of(request)
        with translated():
            versions = site.store.versions(site.store.find(article_id).id)
        return [
            VersionModel(
                version=v.version,
                pubstatus=v.pubstatus.value,
                content_hash=v.content_hash,
                created_at=v.created_at.isoformat(),
                headline=v.headline,
            )
            for v in versions
        ]

    @router.get(
        "/articles/{article_id:path}",
        response_class=Response,
        tags=["articles"],
        summary="An article",
        description="The canonical JSON of the latest version, by id or slug.",
        responses={200: CANONICAL, **errors(404, 422)},
    )
    def get_article(
        request: Request, caller: Annotated[Caller, Depends(auth.read)], article_id: ArticleId
    ) -> Response:
        with translated():
            return canonical(site_of(request).store.find(article_id))
