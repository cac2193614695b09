"""Sign-in with OpenID Connect (authorization-code flow with state, nonce and PKCE) through Authlib.

The provider's metadata and keys come from discovery and are cached for a while; the ID token is
checked for signature, issuer, audience, expiry and nonce before anyone is signed in.
"""

from __future__ import annotations

import time
import warnings
from dataclasses import dataclass, field
from typing import Any

import httpx

with warnings.catch_warnings():
    # Authlib 1.9 announces a future move to httpx2; the httpx client works and is supported.
    warnings.simplefilter("ignore")
    from authlib.integrations.httpx_client import AsyncOAuth2Client
from authlib.oidc.core import CodeIDToken
from joserfc import jwt
from joserfc.errors import JoseError
from joserfc.jwk import KeySet
from joserfc.jws import JWSRegistry

from deliberate.accounts.models import OIDCRequest
from deliberate.settings import Settings

METADATA_TTL = 3600.0


class OIDCError(Exception):
    """Sign-in through the provider failed; the message is for the log, never the page."""


@dataclass
class OIDCClient:
    settings: Settings
    _metadata: dict[str, Any] | None = None
    _jwks: dict[str, Any] | None = None
    _fetched_at: float = 0.0
    _transport: httpx.AsyncBaseTransport | None = field(default=None, repr=False)

    @property
    def redirect_uri(self) -> str:
        return f"{self.settings.base_url}/auth/oidc/callback"

    def _client(self) -> AsyncOAuth2Client:
        secret = self.settings.oidc_client_secret
        return AsyncOAuth2Client(
            client_id=self.settings.oidc_client_id,
            client_secret=str(secret) if secret else None,
            token_endpoint_auth_method="client_secret_post" if secret else "none",
            redirect_uri=self.redirect_uri,
            scope="openid email profile",
            code_challenge_method="S256",
            timeout=10,
        )

    async def metadata(self, *, force: bool = False) -> dict[str, Any]:
        fresh = time.monotonic() - self._fetched_at < METADATA_TTL
        if self._metadata is not None and fresh and not force:
            return self._metadata
        issuer = self.settings.oidc_issuer
        async with httpx.AsyncClient(timeout=10) as http:
            response = await http.get(f"{issuer}/.well-known/openid-configuration")
            response.raise_for_status()
            metadata = response.json()
            if metadata.get("issuer", "").rstrip("/") != issuer:
                raise OIDCError("discovery document names another issuer")
            keys = await http.get(metadata["jwks_uri"])
            keys.raise_for_status()
        self._metadata, self._jwks, self._fetched_at = metadata, keys.json(), time.monotonic()
        return metadata

    async def authorization_url(self, pending: OIDCRequest) -> str:
        metadata = await self.metadata()
        async with self._client() as client:
            url, _state = client.create_authorization_url(
                metadata["authorization_endpoint"],
                state=pending.state,
                nonce=pending.nonce,
                code_verifier=pending.code_verifier,
            )
        return url

    async def exchange(self, code: str, pending: OIDCRequest) -> dict[str, Any]:
        """Swap the code for tokens and return the ID token's validated claims."""
        metadata = await self.metadata()
        try:
            async with self._client() as client:
                token = await client.fetch_token(
                    metadata["token_endpoint"],
                    code=code,
                    code_verifier=pending.code_verifier,
                    redirect_uri=self.redirect_uri,
                )
        except Exception as error:  # Authlib raises several types for a refused code
            raise OIDCError(f"token request refused: {type(error).__name__}") from error
        if "id_token" not in token:
            raise OIDCError("no id_token in the token response")
        return await self._validate(token, pending.nonce, metadata)

    async def _validate(
        self, token: dict[str, Any], nonce: str, metadata: dict[str, Any]
    ) -> dict[str, Any]:
        algorithms = metadata.get("id_token_signing_alg_values_supported") or ["RS256"]
        algorithms = [alg for alg in algorithms if alg != "none"]
        registry = JWSRegistry(algorithms=algorithms, strict_check_header=False)
        try:
            try:
                decoded = jwt.decode(
                    token["id_token"], KeySet.import_key_set(self._jwks or {}), registry=registry
                )
            except JoseError:
                # The provider may have rotated its keys since we cached them.
                await self.metadata(force=True)
                decoded = jwt.decode(
                    token["id_token"], KeySet.import_key_set(self._jwks or {}), registry=registry
                )
            claims = CodeIDToken(
                decoded.claims,
                decoded.header,
                {
                    "iss": {"essential": True, "values": [metadata["issuer"]]},
                    "aud": {"essential": True, "values": [self.settings.oidc_client_id]},
                },
                {
                    "nonce": nonce,
                    "client_id": self.settings.oidc_client_id,
                    "access_token": token.get("access_token"),
                },
            )
            claims.validate(leeway=60)
        except (JoseError, ValueError, KeyError) as error:
            raise OIDCError(f"ID token refused: {type(error).__name__}: {error}") from error
        except Exception as error:  # authlib's own claim errors
            raise OIDCError(f"ID token refused: {type(error).__name__}: {error}") from error
        if "sub" not in claims:
            raise OIDCError("ID token has no subject")
        # Checked here as well as by Authlib: a token minted for another client must never sign
        # anyone in.
        audience = claims.get("aud")
        audiences = [audience] if isinstance(audience, str) else list(audience or [])
        if self.settings.oidc_client_id not in audiences:
            raise OIDCError("ID token is for another audience")
        return dict(claims)
