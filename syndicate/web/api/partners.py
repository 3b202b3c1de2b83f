"""Partners and their feed tokens, as `syndicate partners ...` manages them."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from ... import partnerdesk
from .auth import Auth, Caller
from .common import errors, now, site_of, translated
from .models import PartnerCreate, PartnerCreated, PartnerModel


def add_routes(router: APIRouter, auth: Auth) -> None:
    @router.get(
        "/partners",
        response_model=list[PartnerModel],
        tags=["partners"],
        summary="List partners",
        description="Every partner, with when it was added and revoked.",
        responses=errors(),
    )
    def list_partners(
        request: Request, caller: Annotated[Caller, Depends(auth.admin)]
    ) -> list[PartnerModel]:
        return [PartnerModel.model_validate(p.as_dict()) for p in site_of(request).store.partners()]

    @router.post(
        "/partners",
        status_code=201,
        response_model=PartnerCreated,
        tags=["partners"],
        summary="Add a partner",
        description="Makes the partner's feed token, shown in this answer only (stored "
        "hashed); partners send it as `Authorization: Bearer TOKEN` or `?key=TOKEN`.",
        responses=errors(409, 413, 422),
    )
    def add_partner(
        request: Request, caller: Annotated[Caller, Depends(auth.admin)], body: PartnerCreate
    ) -> PartnerCreated:
        with translated():
            partner, token = partnerdesk.add_partner(
                site_of(request).store, body.name, now(), caller.actor
            )
        return PartnerCreated.model_validate({**partner.as_dict(), "token": token})

    @router.delete(
        "/partners/{name:path}",
        status_code=204,
        response_class=Response,
        tags=["partners"],
        summary="Revoke a partner",
        description="Its feed token answers 401 from then on.",
        responses=errors(404, 422),
    )
    def revoke_partner(
        request: Request,
        caller: Annotated[Caller, Depends(auth.admin)],
        name: Annotated[str, Path(description="The partner's name.")],
    ) -> Response:
        with translated():
            partnerdesk.revoke_partner(site_of(request).store, name, now(), caller.actor)
        return Response(status_code=204)
