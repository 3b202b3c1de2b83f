"""The outbox over HTTP (`syndicate deliveries ...`) and `syndicate push`:
both go through syndicate.pushdesk."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Request

from .auth import Auth, Caller
from .common import errors, now, push_desk, site_of, translated
from .models import (
    AttemptModel,
    DeliveryDetail,
    DeliveryModel,
    DeliveryState,
    PlannedModel,
    PushRequest,
    PushResult,
    Requeued,
)

DeliveryId = Annotated[str, Path(description="The delivery's id (msg_...), its webhook-id.")]


def add_routes(router: APIRouter, auth: Auth) -> None:
    @router.get(
        "/deliveries",
        response_model=list[DeliveryModel],
        tags=["deliveries"],
        summary="List deliveries",
        description="The latest deliveries, newest first.",
        responses=errors(422),
    )
    def list_deliveries(
        request: Request,
        caller: Annotated[Caller, Depends(auth.read)],
        state: DeliveryState | None = None,
        subscriber: Annotated[str | None, Query(description="Only this subscription's.")] = None,
        article: Annotated[str | None, Query(description="Only this article's.")] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 200,
    ) -> list[DeliveryModel]:
        found = site_of(request).store.deliveries(
            state=state, subscription_id=subscriber, article_id=article, limit=limit
        )
        return [DeliveryModel.model_validate(d.as_dict()) for d in found]

    @router.get(
        "/deliveries/{delivery_id}",
        response_model=DeliveryDetail,
        tags=["deliveries"],
        summary="One delivery",
        description="With every attempt: status, timing, error and the start of the answer.",
        responses=errors(404, 422),
    )
    def get_delivery(
        request: Request, caller: Annotated[Caller, Depends(auth.read)], delivery_id: DeliveryId
    ) -> DeliveryDetail:
        with translated():
            delivery, tries = site_of(request).store.delivery(delivery_id)
        log = [
            AttemptModel(
                attempted_at=a.attempted_at.isoformat(),
                status=a.status,
                ms=a.ms,
                error=a.error,
                response=a.response,
                worker=a.worker,
            )
            for a in tries
        ]
        return DeliveryDetail.model_validate({**delivery.as_dict(), "attempt_log": log})

    @router.post(
        "/deliveries/retry-dead",
        response_model=Requeued,
        tags=["deliveries"],
        summary="Replay every dead delivery",
        description="Each from its first attempt again, with the same webhook-id.",
        responses=errors(),
    )
    def retry_dead(request: Request, caller: Annotated[Caller, Depends(auth.admin)]) -> Requeued:
        return Requeued(queued=push_desk(site_of(request)).replay_dead(now(), caller.actor))

    @router.post(
        "/deliveries/{delivery_id}/retry",
        response_model=Requeued,
        tags=["deliveries"],
        summary="Replay a delivery",
        description="From its first attempt again, with the same webhook-id; 409 while it "
        "is still pending.",
        responses=errors(404, 409, 422),
    )
    def retry(
        request: Request, caller: Annotated[Caller, Depends(auth.admin)], delivery_id: DeliveryId
    ) -> Requeued:
        with translated():
            count = push_desk(site_of(request)).replay(delivery_id, now(), caller.actor)
        return Requeued(queued=count)

    @router.post(
        "/push",
        response_model=PushResult,
        summary="Push a feed now",
        description="A feed's current items (or one article) to its active webhook "
        "subscriptions (or one): queued, or with `dry_run` listed with their sizes.",
        responses=errors(409, 413, 422),
        tags=["push"],
    )
    def push(
        request: Request, caller: Annotated[Caller, Depends(auth.publish)], body: PushRequest
    ) -> PushResult:
        desk, at = push_desk(site_of(request)), now()
        with translated(missing=422):
            planned = desk.plan(body.feed, article_id=body.article, subscriber_id=body.subscriber)
        if body.dry_run:
            listed = [
                PlannedModel(
                    subscription=p.subscription.id,
                    url=p.subscription.url,
                    article=p.article.id,
                    version=p.article.version,
                    event=p.event,
                    bytes=size,
                )
                for p, size in zip(planned, desk.sizes(planned, at), strict=True)
            ]
            return PushResult(dry_run=True, planned=listed, queued=[], already_queued=0)
        ids = desk.push(
            body.feed, planned, at, caller.actor, article_id=body.article, force=body.force
        )
        return PushResult(
            dry_run=False, planned=[], queued=ids, already_queued=len(planned) - len(ids)
        )
