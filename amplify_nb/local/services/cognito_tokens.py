"""Checking a user-pool token offline, as API Gateway's Cognito authorizer and Cognito Identity do.

The local cloud signs every pool's tokens with one RSA key per state dir (cognito.py), so the pool a token
belongs to is told by its `iss`, which must name a pool the caller accepts and that still exists. The checks:
an RS256 signature by that key (`alg: none`, another key or a changed claim fail), `iss`, `exp` (no leeway) and
`token_use`. `aud` is not checked unless asked: API Gateway admits an ID token of any app client of the pool.
"""
from __future__ import annotations

from typing import Any

EXPIRED = "expired"


class TokenRejected(Exception):
    """Why a token was refused (`kind` is "expired" for an expired one, else "invalid")."""

    def __init__(self, reason: str, kind: str = "invalid"):
        super().__init__(reason)
        self.reason, self.kind = reason, kind


def issuer_of_pool(pool_arn_or_id: str, region: str | None = None) -> str:
    """The `iss` of a pool's tokens, from its ARN (arn:aws:cognito-idp:REGION:ACCOUNT:userpool/ID) or id."""
    if pool_arn_or_id.startswith("arn:"):
        parts = pool_arn_or_id.split(":")
        region, pool_id = parts[3], parts[5].split("/", 1)[-1]
    else:
        pool_id = pool_arn_or_id
        region = region or pool_id.split("_", 1)[0]
    return f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"


class TokenVerifier:
    """Verifies tokens against this state dir's public key (a JWK dict)."""

    def __init__(self, public_jwk: dict[str, Any]) -> None:
        import jwt

        self.public_jwk = public_jwk
        self._key = jwt.PyJWK(public_jwk, algorithm="RS256").key

    def verify(self, token: str, issuers: set[str], token_use: str | None = "id",
               audience: str | None = None) -> dict[str, Any]:
        import jwt

        try:
            claims = jwt.decode(token, self._key, algorithms=["RS256"],
                                options={"require": ["exp", "iss", "token_use"], "verify_aud": False})
        except jwt.ExpiredSignatureError:
            raise TokenRejected("the token has expired", EXPIRED) from None
        except jwt.PyJWTError as error:
            raise TokenRejected(f"not a valid token: {error}") from None
        if claims.get("iss") not in issuers:
            raise TokenRejected(f"issued by {claims.get('iss')}, not by an accepted user pool")
        if token_use and claims.get("token_use") != token_use:
            raise TokenRejected(f"an {claims.get('token_use')} token where an {token_use} token is expected")
        if audience is not None and audience not in (claims.get("aud"), claims.get("client_id")):
            raise TokenRejected(f"issued to app client {claims.get('aud') or claims.get('client_id')}")
        return claims
