"""Bearer tokens for the admin API.

A token is valid when its sha256 equals the sha256 of a configured entry
(`[[api.tokens]]`, or `$SYNDICATE_API_TOKEN`, an admin token named "env").
Every entry is compared, in constant time, whatever matched first. Scopes are
ordered: read < publish < admin; a token holds the highest it names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Annotated, Literal

from fastapi import HTTPException, Request, Security
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from ...config import Config
from ...lifecycle import Actor
from ...tokens import same_hash, token_hash

Scope = Literal["read", "publish", "admin"]
LEVELS: Mapping[str, int] = {"read": 1, "publish": 2, "admin": 3}
ENV_TOKEN = "SYNDICATE_API_TOKEN"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="syndicate admin API"'}

bearer = HTTPBearer(
    auto_error=False,
    scheme_name="bearer",
    description="An admin API token: `Authorization: Bearer TOKEN`. Scopes: read < publish "
    "< admin (admin implies publish, publish implies read).",
)


@dataclass(frozen=True, slots=True)
class Key:
    name: str
    sha256: str
    level: int


@dataclass(frozen=True, slots=True)
class Caller:
    """Who is asking (the token's name) and from which address."""

    name: str
    host: str
    level: int

    @property
    def actor(self) -> Actor:
        return Actor(self.name, self.host)


class Keyring:
    def __init__(self, keys: tuple[Key, ...]) -> None:
        self.keys = keys

    @classmethod
    def of(cls, config: Config, environ: Mapping[str, str] | None = None) -> Keyring:
        env = os.environ if environ is None else environ
        keys = [
            Key(t.name, t.sha256.lower(), max(LEVELS[s] for s in t.scopes))
            for t in config.api.tokens
        ]
        if env.get(ENV_TOKEN):
            keys.append(Key("env", token_hash(env[ENV_TOKEN]), LEVELS["admin"]))
        return cls(tuple(keys))

    def find(self, token: str) -> Key | None:
        """The entry holding `token`: every entry is compared, in constant time."""
        found = None
        for key in self.keys:
            if same_hash(token, key.sha256) and found is None:
                found = key
        return found

    def caller(self, request: Request, scope: Scope) -> Caller:
        """The caller, if its token is valid (else 401) and holds `scope` (else 403)."""
        header = request.headers.get("authorization", "")
        kind, _, token = header.partition(" ")
        key = self.find(token.strip()) if kind.lower() == "bearer" and token.strip() else None
        if key is None:
            raise HTTPException(
                401, "a valid admin API token is needed: Authorization: Bearer TOKEN", CHALLENGE
            )
        if key.level < LEVELS[scope]:
            raise HTTPException(403, f"token {key.name!r} lacks the {scope!r} scope")
        host = request.client.host if request.client else "unknown"
        return Caller(key.name, host, key.level)


class Requirement:
    """The dependency that admits callers holding `scope`."""

    def __init__(self, keyring: Keyring, scope: Scope) -> None:
        self.keyring = keyring
        self.scope: Scope = scope

    async def __call__(
        self,
        request: Request,
        credentials: Annotated[HTTPAuthorizationCredentials | None, Security(bearer)],
    ) -> Caller:
        return self.keyring.caller(request, self.scope)


@dataclass(frozen=True, slots=True)
class Auth:
    """The three requirements, for `Depends(auth.read)` and the like."""

    read: Requirement
    publish: Requirement
    admin: Requirement

    @classmethod
    def of(cls, keyring: Keyring) -> Auth:
        return cls(
            Requirement(keyring, "read"),
            Requirement(keyring, "publish"),
            Requirement(keyring, "admin"),
        )
