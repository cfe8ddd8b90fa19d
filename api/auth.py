"""Bearer tokens with two scopes: ``read`` (every GET) and ``write`` (ingest, feedback; implies read).

Only sha256 digests are configured (``settings.api.token_hashes``: ``"read:<hex>"`` / ``"write:<hex>"``), so a
leaked configuration does not leak a token. There is no default token: with none configured every protected route
answers 401 and says how to make one (``causegraph serve --new-token write``); the demo makes its own.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum


class Scope(StrEnum):
    READ = "read"
    WRITE = "write"


GRANTS: dict[Scope, frozenset[Scope]] = {
    Scope.READ: frozenset({Scope.READ}),
    Scope.WRITE: frozenset({Scope.READ, Scope.WRITE}),
}


class TokenConfigError(ValueError):
    """A configured token hash is not ``scope:<64 hex digits>``."""


def hash_token(token: str) -> str:
    """The sha256 hex digest that configuration stores for ``token``."""
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token(scope: Scope) -> tuple[str, str]:
    """A fresh random token and its configuration line ``scope:digest``."""
    token = "cg_" + secrets.token_urlsafe(32)
    return token, f"{scope}:{hash_token(token)}"


@dataclass(frozen=True)
class TokenSet:
    """The configured digests, by scope."""

    digests: tuple[tuple[str, Scope], ...]

    @classmethod
    def parse(cls, entries: Iterable[str]) -> TokenSet:
        out: list[tuple[str, Scope]] = []
        for i, entry in enumerate(entries):
            scope, sep, digest = entry.strip().partition(":")
            if not sep or scope not in Scope.__members__.values():
                raise TokenConfigError(f"api.token_hashes[{i}]: expected 'read:<sha256 hex>' or 'write:<sha256 hex>'")
            digest = digest.lower()
            if len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
                raise TokenConfigError(f"api.token_hashes[{i}]: the digest must be 64 hex digits (sha256)")
            out.append((digest, Scope(scope)))
        return cls(tuple(out))

    @property
    def empty(self) -> bool:
        return not self.digests

    def scopes(self, token: str) -> frozenset[Scope]:
        """What ``token`` may do (empty when it is unknown); compares every digest in constant time."""
        digest = hash_token(token)
        granted: set[Scope] = set()
        for known, scope in self.digests:
            if hmac.compare_digest(known, digest):
                granted |= GRANTS[scope]
        return frozenset(granted)
