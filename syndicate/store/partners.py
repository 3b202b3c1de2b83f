"""Partners and their tokens. Only a token's sha256 is stored."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, select, update
from sqlalchemy.exc import IntegrityError

from ..errors import ConflictError, NotFoundError
from .base import StoreBase
from .tables import partners


@dataclass(frozen=True, slots=True)
class Partner:
    name: str
    created_at: datetime
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None

    def as_dict(self) -> dict[str, str | None]:
        """The JSON form `partners list --json` and the API answer with."""
        return {
            "name": self.name,
            "created_at": self.created_at.isoformat(),
            "revoked_at": self.revoked_at.isoformat() if self.revoked_at else None,
        }


class PartnerStore(StoreBase):
    def add_partner(self, name: str, token_hash: str, now: datetime) -> Partner:
        with self._connect(write=True) as connection:
            try:
                connection.execute(
                    insert(partners).values(name=name, token_hash=token_hash, created_at=now)
                )
            except IntegrityError:
                raise ConflictError(f"partner {name!r} already exists") from None
        return Partner(name, now, None)

    def partners(self) -> list[Partner]:
        query = select(partners.c.name, partners.c.created_at, partners.c.revoked_at).order_by(
            partners.c.name
        )
        with self._connect() as connection:
            return [Partner(*row) for row in connection.execute(query)]

    def revoke_partner(self, name: str, now: datetime) -> None:
        with self._connect(write=True) as connection:
            done = connection.execute(
                update(partners)
                .where(partners.c.name == name, partners.c.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        if done.rowcount == 0:
            raise NotFoundError(f"no active partner {name!r}")

    def partner_by_token_hash(self, token_hash: str) -> str | None:
        """The name of the active partner holding the token with this hash."""
        query = select(partners.c.name).where(
            partners.c.token_hash == token_hash, partners.c.revoked_at.is_(None)
        )
        with self._connect() as connection:
            found: str | None = connection.execute(query).scalar_one_or_none()
        return found
