"""Webhook subscriptions over HTTP, as `syndicate subscribers ...` manages
them: both go through syndicate.pushdesk."""

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Request, Response

from ...feeddefs import Filters
from ...pushdesk import filters_of, secret_or_new
from .auth import Auth, Caller
from .common import errors, now, push_desk, site_of, translated
from .models import (
    DeliveryModel,
    FiltersModel,
    RotateRequest,
    SecretRotated,
    SubscriberCreate,
    SubscriberCreated,
    SubscriberDetail,
    SubscriberModel,
    SubscriberPatch,
)

SubId = Annotated[str, Path(description="The subscription's id (sub_...).")]


def to_filters(given: FiltersModel | None) -> Filters | None:
    if given is None:
        return None
    return filters_of(given.sections, given.keywords, given.subjects, given.languages)


def add_routes(router: APIRouter, auth: Auth) -> None:
    @router.get(
        "/subscribers",
        response_model=list[SubscriberModel],
        tags=["subscribers"],
        summary="List subscriptions",
        description="Webhook and WebSub subscriptions with their state and statistics "
        "(secrets never shown).",
        responses=errors(422),
    )
    def list_subscribers(
        request: Request,
        caller: Annotated[Caller, Depends(auth.admin)],
        all: Annotated[bool, Query(description="Ended ones too.")] = False,
        feed: Annotated[str | None, Query(max_length=200)] = None,
    ) -> list[SubscriberModel]:
        subs = site_of(request).store.subscriptions(feed_id=feed)
        return [
            SubscriberModel.model_validate(s.as_dict()) for s in subs if all or s.state != "ended"
        ]

    @router.post(
        "/subscribers",
        status_code=201,
        response_model=SubscriberCreated,
        tags=["subscribers"],
        summary="Register a webhook endpoint",
        description="The URL must pass the SSRF guard; the secret is shown in this answer only.",
        responses=errors(413, 422),
    )
    def add_subscriber(
        request: Request, caller: Annotated[Caller, Depends(auth.admin)], body: SubscriberCreate
    ) -> SubscriberCreated:
        site = site_of(request)
        with translated(missing=422):
            secret = secret_or_new(body.secret)
            sub = push_desk(site).subscribe(
                site.transport,
                feed_id=body.feed,
                url=body.url,
                fmt=body.format,
                secret=secret,
                now=now(),
                actor=caller.actor,
                name=body.name,
                embargoed=body.embargoed,
                filters=to_filters(body.filters),
            )
        return SubscriberCreated.model_validate({**sub.as_dict(), "secret": secret})

    @router.get(
        "/subscribers/{sub_id}",
        response_model=SubscriberDetail,
        tags=["subscribers"],
        summary="One subscription",
        description="With its latest deliveries.",
        responses=errors(404, 422),
    )
    def get_subscriber(
        request: Request, caller: Annotated[Caller, Depends(auth.admin)], sub_id: SubId
    ) -> SubscriberDetail:
        store = site_of(request).store
        with translated():
            sub = store.subscription(sub_id)
        recent = [
            DeliveryModel.model_validate(d.as_dict())
            for d in store.deliveries(subscription_id=sub.id, limit=20)
        ]
        return SubscriberDetail.model_validate({**sub.as_dict(), "deliveries": recent})

    @router.patch(
        "/subscribers/{sub_id}",
        response_model=SubscriberModel,
        tags=["subscribers"],
        summary="Change a subscription",
        description="Pause or resume it (`state`), rename it, change its filters or "
        "whether it receives embargoed items early.",
        responses=errors(404, 409, 413, 422),
    )
    def patch_subscriber(
        request: Request,
        caller: Annotated[Caller, Depends(auth.admin)],
        sub_id: SubId,
        body: SubscriberPatch,
    ) -> SubscriberModel:
        given = body.model_fields_set
        fields: dict[str, Any] = {}
        if "name" in given:
            fields["name"] = body.name
        if "filters" in given:
            fields["filters"] = to_filters(body.filters)
        with translated():
            sub = push_desk(site_of(request)).change(
                sub_id, now(), caller.actor, state=body.state, embargoed=body.embargoed, **fields
            )
        return SubscriberModel.model_validate(sub.as_dict())

    @router.delete(
        "/subscribers/{sub_id}",
        status_code=204,
        response_class=Response,
        tags=["subscribers"],
        summary="End a subscription",
        description="Its history stays; nothing more is sent (pending deliveries die).",
        responses=errors(404, 422),
    )
    def delete_subscriber(
        request: Request, caller: Annotated[Caller, Depends(auth.admin)], sub_id: SubId
    ) -> Response:
        with translated():
            push_desk(site_of(request)).end(sub_id, now(), caller.actor)
        return Response(status_code=204)

    @router.post(
        "/subscribers/{sub_id}/rotate-secret",
        response_model=SecretRotated,
        tags=["subscribers"],
        summary="Rotate a subscription's secret",
        description="A new secret (shown in this answer only); the previous one keeps "
        "signing for `delivery.rotation_grace_hours`.",
        responses=errors(404, 409, 413, 422),
    )
    def rotate_secret(
        request: Request,
        caller: Annotated[Caller, Depends(auth.admin)],
        sub_id: SubId,
        body: Annotated[RotateRequest | None, Body()] = None,
    ) -> SecretRotated:
        with translated():
            fresh = secret_or_new(body.secret if body is not None else None)
            rotated = push_desk(site_of(request)).rotate_secret(sub_id, fresh, now(), caller.actor)
        return SecretRotated(
            id=sub_id,
            secret=rotated.secret,
            previous_secret_until=rotated.previous_until.isoformat(),
        )
