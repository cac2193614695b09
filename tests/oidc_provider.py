"""A real OpenID Connect provider on loopback, for end-to-end tests of the app's OIDC sign-in.

The protocol is handled by Authlib's framework-agnostic authorization server
(``authlib.oauth2.rfc6749.AuthorizationServer`` + ``AuthorizationCodeGrant``, with the
``authlib.oidc.core.grants.OpenIDCode`` and ``authlib.oauth2.rfc7636.CodeChallenge``
extensions) wired into a small Starlette app. ID tokens are RS256 JWTs signed with
``joserfc`` (the JOSE library Authlib itself now uses; ``authlib.jose`` is deprecated in
Authlib 1.9 and warns on import). Tokens verify with either ``joserfc`` or ``authlib.jose``.

Importing it from another test module
-------------------------------------
Tests run with ``--import-mode=importlib`` and ``tests/`` is not a package, so put this
directory on ``sys.path`` first, then import the module by its bare name::

    import sys
    from pathlib import Path

    # tests/ itself; from tests/<subdir>/ use .parent.parent
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from oidc_provider import OIDCProvider, oidc_provider_fixture, oidc_provider_server_fixture

    def test_sign_in(oidc_provider: OIDCProvider):   # function-scoped, reset() around each test
        oidc_provider.redirect_uri = "http://127.0.0.1:8123/auth/oidc/callback"
        oidc_provider.login_as("sub-123", "ada@example.org", True, "Ada Lovelace")
        settings = ...(OIDC_ISSUER=oidc_provider.issuer,
                       OIDC_CLIENT_ID=oidc_provider.client_id,
                       OIDC_CLIENT_SECRET=oidc_provider.client_secret)

Importing the two ``*_fixture`` functions registers pytest fixtures named ``oidc_provider``
(function-scoped: the shared provider, ``reset()`` before and after each test) and
``oidc_provider_server`` (session-scoped: one uvicorn server shared by every test module
that imports it, not reset). Import *both*: the first depends on the second. The functions
have different names from the fixtures, so ruff sees no F811 and nothing shadows the module;
ruff may still want ``# noqa: F401`` if the imported names are otherwise unused.

Without pytest fixtures::

    with run_provider() as provider: ...              # sync
    async with running_provider() as provider: ...    # async
    provider = OIDCProvider(); provider.start(); ...; provider.stop()

Behaviour
---------
* ``/authorize`` (GET or POST) auto-approves as the current user (``login_as``) and
  redirects to ``redirect_uri?code=...&state=...``. It is strict: ``response_type=code``,
  known ``client_id``, ``redirect_uri`` exactly equal to the registered one, ``scope``
  containing ``openid`` (only openid/email/profile are known), non-empty ``state`` and
  ``nonce``, ``code_challenge`` with ``code_challenge_method=S256``. Any violation gives a
  400 JSON error page (never a redirect), like a provider refusing a malformed request.
* ``/token``: ``grant_type=authorization_code``, client authentication by secret via
  ``client_secret_basic`` or ``client_secret_post``, ``redirect_uri`` must equal the one
  used at /authorize, PKCE ``code_verifier`` is checked, codes live 10 minutes and are
  single-use (a replay gets 400 ``invalid_grant`` and revokes the tokens issued from it).
* Claims follow the requested scopes (OIDC Core 5.4): ``email``/``email_verified`` need
  the ``email`` scope, ``name`` needs ``profile``. ``sub`` is always present. The ID token
  has iss, sub, aud (= client_id), exp, iat, auth_time, nonce, at_hash.
* ``/userinfo`` (GET or POST) with ``Authorization: Bearer <access_token>``.

Knobs (all cleared by ``reset()``)
----------------------------------
* ``tamper``: one of ``TAMPER_MODES`` -- the *next* ID token issued is faulty in that way,
  then the knob returns to ``None``.
* ``authorize_error``: e.g. ``"access_denied"`` -- /authorize redirects back with
  ``error=<value>&state=...`` instead of a code (stays set until changed).
* ``rotate_keys(keep_old=True)``: new signing key / kid.
* Records: ``authorize_requests``, ``token_requests`` (form data dicts, plus
  ``token_request_headers``), ``userinfo_requests``, ``issued_id_tokens`` (claims dicts).
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hmac
import json
import socket
import threading
import time
from collections import defaultdict
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import uvicorn
from authlib.common.security import generate_token
from authlib.oauth2.rfc6749 import (
    AuthorizationServer,
    ClientMixin,
    InvalidRequestError,
    InvalidScopeError,
    OAuth2Error,
    OAuth2Payload,
    OAuth2Request,
)
from authlib.oauth2.rfc6749.grants import AuthorizationCodeGrant
from authlib.oauth2.rfc6749.util import scope_to_list
from authlib.oauth2.rfc6750 import BearerTokenGenerator
from authlib.oauth2.rfc7636 import CodeChallenge
from authlib.oidc.core import UserInfo
from authlib.oidc.core.grants import OpenIDCode
from authlib.oidc.core.util import create_half_hash
from joserfc import jwt
from joserfc.jwk import RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

__all__ = [
    "DEFAULT_CLIENT_ID",
    "DEFAULT_CLIENT_SECRET",
    "DEFAULT_REDIRECT_URI",
    "SCOPES_SUPPORTED",
    "TAMPER_MODES",
    "OIDCProvider",
    "OIDCUser",
    "oidc_provider_fixture",
    "oidc_provider_server_fixture",
    "run_provider",
    "running_provider",
]

DEFAULT_CLIENT_ID = "deliberate-test-client"
DEFAULT_CLIENT_SECRET = "deliberate-test-secret-0123456789"
DEFAULT_REDIRECT_URI = "http://127.0.0.1:8000/auth/oidc/callback"
SCOPES_SUPPORTED = ("openid", "email", "profile")
CLAIMS_SUPPORTED = (
    *("iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "at_hash"),
    *("email", "email_verified", "name"),
)
CODE_LIFETIME = 600
ACCESS_TOKEN_LIFETIME = 3600
ID_TOKEN_LIFETIME = 3600

TAMPER_MODES = frozenset(
    {
        "wrong_nonce",  # nonce claim differs from the one sent to /authorize
        "missing_nonce",  # no nonce claim at all
        "wrong_audience",  # aud is another client
        "wrong_issuer",  # iss is another provider
        "expired",  # exp (and iat) an hour in the past
        "bad_signature",  # signed by a different RSA key under the published kid
        "alg_none",  # unsigned token, header alg "none"
        "unknown_kid",  # signed by a key whose kid is not in the JWKS
    }
)


@dataclass(frozen=True)
class OIDCUser:
    sub: str
    email: str
    email_verified: bool
    name: str


DEFAULT_USER = OIDCUser("test-user-0001", "test.user@example.org", True, "Test User")


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _new_signing_key() -> RSAKey:
    key = RSAKey.generate_key(2048, private=True)
    return RSAKey.import_key(
        key.as_dict(private=True),
        parameters={"kid": key.thumbprint(), "use": "sig", "alg": "RS256"},
    )


# --------------------------------------------------------------------------- Authlib models


@dataclass
class _Client(ClientMixin):
    client_id: str
    client_secret: str
    redirect_uri: str

    def get_client_id(self) -> str:
        return self.client_id

    def get_default_redirect_uri(self) -> None:
        return None  # redirect_uri is always required at /authorize

    def get_allowed_scope(self, scope: str | None) -> str | None:
        return scope

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return redirect_uri == self.redirect_uri

    def check_client_secret(self, client_secret: str) -> bool:
        return hmac.compare_digest(client_secret.encode(), self.client_secret.encode())

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return endpoint == "token" and method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return response_type == "code"

    def check_grant_type(self, grant_type: str) -> bool:
        return grant_type == "authorization_code"


@dataclass
class _AuthorizationCode:
    code: str
    client_id: str
    redirect_uri: str
    scope: str
    user: OIDCUser
    nonce: str
    code_challenge: str
    code_challenge_method: str
    auth_time: int
    issued_at: float = field(default_factory=time.time)

    def get_redirect_uri(self) -> str:
        return self.redirect_uri

    def get_scope(self) -> str:
        return self.scope

    def get_nonce(self) -> str:
        return self.nonce

    def get_auth_time(self) -> int:
        return self.auth_time

    def get_acr(self) -> None:
        return None

    def get_amr(self) -> None:
        return None


@dataclass
class _IssuedToken:
    user: OIDCUser
    scope: str
    client_id: str
    code: str
    expires_at: float


# ----------------------------------------------------------------- Authlib <-> Starlette glue


class _Payload(OAuth2Payload):
    def __init__(self, items: list[tuple[str, str]]) -> None:
        datalist: defaultdict[str, list] = defaultdict(list)
        for key, value in items:
            datalist[key].append(value)
        self._datalist = datalist
        self._data = {key: values[0] for key, values in datalist.items()}

    @property
    def data(self) -> dict[str, str]:
        return self._data

    @property
    def datalist(self) -> defaultdict[str, list]:
        return self._datalist


class _StarletteOAuth2Request(OAuth2Request):
    def __init__(
        self, request: Request, query: list[tuple[str, str]], form: list[tuple[str, str]]
    ) -> None:
        super().__init__(request.method, str(request.url), headers=request.headers)
        self._args = dict(query)
        self._form = dict(form)
        self.payload = _Payload(query + form)

    @property
    def args(self) -> dict[str, str]:
        return self._args

    @property
    def form(self) -> dict[str, str]:
        return self._form


class _StrictOIDCRequest:
    """Grant extension: what this provider insists on beyond RFC 6749's minimum."""

    def __call__(self, grant: AuthorizationCodeGrant) -> None:
        grant.register_hook("after_validate_authorization_request_payload", self.validate)

    @staticmethod
    def validate(grant: AuthorizationCodeGrant, redirect_uri: str) -> None:
        payload = grant.request.payload
        for name in ("response_type", "client_id", "redirect_uri", "scope", "state", "nonce"):
            if len(payload.datalist.get(name, [])) > 1:
                raise InvalidRequestError(f"Multiple '{name}' in request.")
            if not payload.data.get(name):
                raise InvalidRequestError(f"Missing '{name}' in request.")
        if "openid" not in scope_to_list(payload.scope):
            raise InvalidScopeError("The 'openid' scope is required.")


class _S256CodeChallenge(CodeChallenge):
    """PKCE, S256 only, and mandatory for every client (confidential ones too)."""

    SUPPORTED_CODE_CHALLENGE_METHOD = ["S256"]  # noqa: RUF012 - overrides Authlib's attribute

    def validate_code_challenge(self, grant: AuthorizationCodeGrant, redirect_uri: str) -> None:
        data = grant.request.payload.data
        if not data.get("code_challenge"):
            raise InvalidRequestError("Missing 'code_challenge' (PKCE is required).")
        if data.get("code_challenge_method") != "S256":
            raise InvalidRequestError("'code_challenge_method' must be 'S256'.")
        super().validate_code_challenge(grant, redirect_uri)


class _OpenIDCode(OpenIDCode):
    def __init__(self, provider: OIDCProvider) -> None:
        super().__init__(require_nonce=True)
        self.provider = provider

    def exists_nonce(self, nonce: str, request: OAuth2Request) -> bool:
        return self.provider.reject_reused_nonce and nonce in self.provider._seen_nonces

    def generate_user_info(self, user: OIDCUser, scope: str) -> UserInfo:
        return UserInfo(self.provider._user_claims(user, scope))

    def encode_id_token(self, token: dict, request: OAuth2Request) -> str:
        return self.provider._encode_id_token(token, request)


class _CodeGrant(AuthorizationCodeGrant):
    TOKEN_ENDPOINT_AUTH_METHODS = ["client_secret_basic", "client_secret_post"]  # noqa: RUF012

    @property
    def provider(self) -> OIDCProvider:
        return self.server.provider

    def save_authorization_code(self, code: str, request: OAuth2Request) -> None:
        data = request.payload.data
        nonce = data["nonce"]
        self.provider._seen_nonces.add(nonce)
        self.provider._codes[code] = _AuthorizationCode(
            code=code,
            client_id=request.client.get_client_id(),
            redirect_uri=data["redirect_uri"],
            scope=request.scope,
            user=request.user,
            nonce=nonce,
            code_challenge=data["code_challenge"],
            code_challenge_method=data["code_challenge_method"],
            auth_time=int(time.time()),
        )

    def query_authorization_code(self, code: str, client: _Client) -> _AuthorizationCode | None:
        if code in self.provider._used_codes:
            # RFC 6749 4.1.2: a replayed code SHOULD revoke what was issued from it.
            self.provider._revoke_tokens_from_code(code)
            return None
        item = self.provider._codes.get(code)
        if item is None or item.client_id != client.get_client_id():
            return None
        if time.time() - item.issued_at > CODE_LIFETIME:
            return None
        return item

    def delete_authorization_code(self, authorization_code: _AuthorizationCode) -> None:
        self.provider._codes.pop(authorization_code.code, None)
        self.provider._used_codes.add(authorization_code.code)

    def authenticate_user(self, authorization_code: _AuthorizationCode) -> OIDCUser:
        return authorization_code.user


class _AuthorizationServer(AuthorizationServer):
    def __init__(self, provider: OIDCProvider) -> None:
        super().__init__(scopes_supported=list(SCOPES_SUPPORTED))
        self.provider = provider
        self.register_token_generator(
            "default",
            BearerTokenGenerator(
                lambda **_: generate_token(43),
                expires_generator=lambda client, grant_type: ACCESS_TOKEN_LIFETIME,
            ),
        )
        self.register_grant(
            _CodeGrant,
            [_StrictOIDCRequest(), _S256CodeChallenge(required=True), _OpenIDCode(provider)],
        )

    def query_client(self, client_id: str) -> _Client | None:
        client = self.provider._client()
        return client if client_id == client.client_id else None

    def save_token(self, token: dict, request: OAuth2Request) -> None:
        self.provider._tokens[token["access_token"]] = _IssuedToken(
            user=request.user,
            scope=token.get("scope", ""),
            client_id=request.client.get_client_id(),
            code=request.authorization_code.code,
            expires_at=time.time() + token.get("expires_in", ACCESS_TOKEN_LIFETIME),
        )

    def create_oauth2_request(self, request: Any) -> OAuth2Request:
        assert isinstance(request, OAuth2Request)
        return request

    def create_json_request(self, request: Any) -> Any:
        raise NotImplementedError

    def handle_response(self, status: int, body: Any, headers: Any) -> Response:
        headers = dict(headers or [])
        if isinstance(body, dict):
            return JSONResponse(body, status_code=status, headers=headers)
        return Response(body or b"", status_code=status, headers=headers)

    def send_signal(self, name: str, *args: Any, **kwargs: Any) -> None:
        pass


# -------------------------------------------------------------------------------- provider


class OIDCProvider:
    """An OpenID Connect provider for tests. See the module docstring."""

    def __init__(
        self,
        client_id: str = DEFAULT_CLIENT_ID,
        client_secret: str = DEFAULT_CLIENT_SECRET,
        redirect_uri: str = DEFAULT_REDIRECT_URI,
        host: str = "127.0.0.1",
    ) -> None:
        self.host = host
        self.issuer = ""  # set by start()
        self._defaults = (client_id, client_secret, redirect_uri)
        self._signing_key = _new_signing_key()
        self._rogue_key = _new_signing_key()  # for "bad_signature" / "unknown_kid"
        self._retired_keys: list[RSAKey] = []
        self._server_obj = _AuthorizationServer(self)
        self._uvicorn: uvicorn.Server | None = None
        self._thread: threading.Thread | None = None
        self._socket: socket.socket | None = None
        self.app = Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/authorize", self._authorize, methods=["GET", "POST"]),
                Route("/token", self._token, methods=["POST"]),
                Route("/jwks", self._jwks),
                Route("/userinfo", self._userinfo, methods=["GET", "POST"]),
            ]
        )
        self.reset()

    # ---------------------------------------------------------------- test-facing API

    def reset(self) -> None:
        """Back to defaults: client registration, user, knobs, records, codes, tokens."""
        self.client_id, self.client_secret, self.redirect_uri = self._defaults
        self.user: OIDCUser | None = DEFAULT_USER
        self.tamper = None
        self.authorize_error: str | None = None
        self.reject_reused_nonce = True
        self.authorize_requests: list[dict[str, str]] = []
        self.token_requests: list[dict[str, str]] = []
        self.token_request_headers: list[dict[str, str]] = []
        self.userinfo_requests: list[str | None] = []
        self.issued_id_tokens: list[dict[str, Any]] = []
        self._codes: dict[str, _AuthorizationCode] = {}
        self._used_codes: set[str] = set()
        self._tokens: dict[str, _IssuedToken] = {}
        self._seen_nonces: set[str] = set()
        self._retired_keys = []

    @property
    def tamper(self) -> str | None:
        """Fault to put in the next ID token (one of TAMPER_MODES), then back to None."""
        return self._tamper

    @tamper.setter
    def tamper(self, mode: str | None) -> None:
        if mode is not None and mode not in TAMPER_MODES:
            raise ValueError(f"unknown tamper mode {mode!r}; expected one of {TAMPER_MODES}")
        self._tamper = mode

    def login_as(self, sub: str, email: str, email_verified: bool = True, name: str = "") -> None:
        """The user /authorize will auto-approve as, from now on."""
        self.user = OIDCUser(sub=sub, email=email, email_verified=email_verified, name=name)

    def configure_client(
        self,
        client_id: str | None = None,
        client_secret: str | None = None,
        redirect_uri: str | None = None,
    ) -> None:
        if client_id is not None:
            self.client_id = client_id
        if client_secret is not None:
            self.client_secret = client_secret
        if redirect_uri is not None:
            self.redirect_uri = redirect_uri

    def rotate_keys(self, keep_old: bool = True) -> None:
        """Switch to a fresh signing key (new kid); the old one stays in JWKS if keep_old."""
        if keep_old:
            self._retired_keys.append(self._signing_key)
        self._signing_key = _new_signing_key()

    @property
    def kid(self) -> str:
        return self._signing_key.kid

    @property
    def jwks(self) -> dict[str, Any]:
        keys = [self._signing_key, *self._retired_keys]
        return {"keys": [k.as_dict(private=False) for k in keys]}

    @property
    def metadata(self) -> dict[str, Any]:
        iss = self.issuer
        return {
            "issuer": iss,
            "authorization_endpoint": f"{iss}/authorize",
            "token_endpoint": f"{iss}/token",
            "jwks_uri": f"{iss}/jwks",
            "userinfo_endpoint": f"{iss}/userinfo",
            "response_types_supported": ["code"],
            "response_modes_supported": ["query"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "scopes_supported": list(SCOPES_SUPPORTED),
            "token_endpoint_auth_methods_supported": [
                "client_secret_post",
                "client_secret_basic",
            ],
            "claims_supported": list(CLAIMS_SUPPORTED),
        }

    # ---------------------------------------------------------------- running it

    def start(self, port: int = 0, timeout: float = 15.0) -> OIDCProvider:
        """Serve with uvicorn on host:port (0 = a free port) in a background thread."""
        if self._thread is not None:
            raise RuntimeError("provider already started")
        # proto=IPPROTO_TCP matters: asyncio only sets TCP_NODELAY on accepted sockets whose
        # proto says TCP, and without it every keep-alive response stalls ~40 ms (Nagle +
        # delayed ACK).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((self.host, port))
        self._socket = sock
        self.issuer = f"http://{self.host}:{sock.getsockname()[1]}"
        config = uvicorn.Config(
            self.app, log_level="warning", access_log=False, lifespan="off", loop="asyncio"
        )
        self._uvicorn = uvicorn.Server(config)
        self._thread = threading.Thread(
            target=self._uvicorn.run,
            kwargs={"sockets": [sock]},
            name=f"oidc-provider-{self.issuer}",
            daemon=True,
        )
        self._thread.start()
        deadline = time.monotonic() + timeout
        url = f"{self.issuer}/.well-known/openid-configuration"
        while True:
            if not self._thread.is_alive():
                self.stop()
                raise RuntimeError("OIDC provider server thread died during startup")
            try:
                if httpx.get(url, timeout=1.0).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                self.stop()
                raise RuntimeError(f"OIDC provider did not answer at {url} in {timeout}s")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._uvicorn is not None:
            self._uvicorn.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._socket is not None:
            self._socket.close()
        self._uvicorn = self._thread = self._socket = None

    # ---------------------------------------------------------------- internals

    def _client(self) -> _Client:
        return _Client(self.client_id, self.client_secret, self.redirect_uri)

    @staticmethod
    def _user_claims(user: OIDCUser, scope: str) -> dict[str, Any]:
        scopes = scope_to_list(scope) or []
        claims: dict[str, Any] = {"sub": user.sub}
        if "email" in scopes:
            claims["email"] = user.email
            claims["email_verified"] = user.email_verified
        if "profile" in scopes:
            claims["name"] = user.name
        return claims

    def _revoke_tokens_from_code(self, code: str) -> None:
        for access_token in [t for t, info in self._tokens.items() if info.code == code]:
            del self._tokens[access_token]

    def _encode_id_token(self, token: dict, request: OAuth2Request) -> str:
        code: _AuthorizationCode = request.authorization_code
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": code.user.sub,
            "aud": code.client_id,
            "iat": now,
            "exp": now + ID_TOKEN_LIFETIME,
            "auth_time": code.auth_time,
            "nonce": code.nonce,
            "at_hash": create_half_hash(token["access_token"], "RS256").decode("ascii"),
        }
        claims.update(self._user_claims(code.user, code.scope))

        tamper, self.tamper = self.tamper, None
        key = self._signing_key
        header = {"alg": "RS256", "kid": key.kid, "typ": "JWT"}
        if tamper == "wrong_nonce":
            claims["nonce"] = "not-" + code.nonce
        elif tamper == "missing_nonce":
            del claims["nonce"]
        elif tamper == "wrong_audience":
            claims["aud"] = "some-other-client"
        elif tamper == "wrong_issuer":
            claims["iss"] = "http://evil.invalid"
        elif tamper == "expired":
            claims["iat"] = now - 2 * ID_TOKEN_LIFETIME
            claims["auth_time"] = claims["iat"]
            claims["exp"] = now - ID_TOKEN_LIFETIME
        elif tamper == "bad_signature":
            key = self._rogue_key  # header keeps the published kid
        elif tamper == "unknown_kid":
            key = self._rogue_key
            header["kid"] = key.kid
        self.issued_id_tokens.append(dict(claims))
        if tamper == "alg_none":
            parts = [{"alg": "none", "typ": "JWT"}, claims]
            encoded = [_b64url(json.dumps(p, separators=(",", ":")).encode()) for p in parts]
            return ".".join([*encoded, ""])
        return jwt.encode(header, claims, key, algorithms=["RS256"])

    # ---------------------------------------------------------------- endpoints

    async def _discovery(self, request: Request) -> Response:
        return JSONResponse(self.metadata)

    async def _jwks(self, request: Request) -> Response:
        return JSONResponse(self.jwks)

    async def _authorize(self, request: Request) -> Response:
        query = list(request.query_params.multi_items())
        form = list((await request.form()).multi_items()) if request.method == "POST" else []
        oauth_request = _StarletteOAuth2Request(request, query, [(k, str(v)) for k, v in form])
        self.authorize_requests.append(dict(oauth_request.payload.data))
        server = self._server_obj
        try:
            grant = server.get_consent_grant(oauth_request, end_user=self.user)
        except OAuth2Error as error:
            # Deliberately not redirected to the client: a test should see a hard failure.
            return JSONResponse(
                {"error": error.error, "error_description": error.description},
                status_code=400,
            )
        if self.authorize_error:
            params = [("error", self.authorize_error), ("state", oauth_request.payload.state)]
            sep = "&" if "?" in grant.redirect_uri else "?"
            return RedirectResponse(
                grant.redirect_uri + sep + str(httpx.QueryParams(params)), status_code=302
            )
        if self.user is None:
            error = "login_required"
            return JSONResponse({"error": error, "error_description": "no user"}, 400)
        return server.create_authorization_response(oauth_request, self.user, grant=grant)

    async def _token(self, request: Request) -> Response:
        form = [(k, str(v)) for k, v in (await request.form()).multi_items()]
        self.token_requests.append(dict(form))
        self.token_request_headers.append(dict(request.headers))
        oauth_request = _StarletteOAuth2Request(request, [], form)
        return self._server_obj.create_token_response(oauth_request)

    async def _userinfo(self, request: Request) -> Response:
        auth = request.headers.get("authorization", "")
        scheme, _, value = auth.partition(" ")
        access_token = value.strip() if scheme.lower() == "bearer" else None
        self.userinfo_requests.append(access_token)
        info = self._tokens.get(access_token) if access_token else None
        if info is None or info.expires_at < time.time():
            return JSONResponse(
                {"error": "invalid_token"},
                status_code=401,
                headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
            )
        return JSONResponse(self._user_claims(info.user, info.scope))


# ----------------------------------------------------------------------- context managers


@contextlib.contextmanager
def run_provider(port: int = 0, **kwargs: Any) -> Iterator[OIDCProvider]:
    """Sync: ``with run_provider() as provider:``; kwargs go to OIDCProvider()."""
    provider = OIDCProvider(**kwargs)
    provider.start(port)
    try:
        yield provider
    finally:
        provider.stop()


@contextlib.asynccontextmanager
async def running_provider(port: int = 0, **kwargs: Any) -> AsyncIterator[OIDCProvider]:
    """Async: ``async with running_provider() as provider:``; kwargs go to OIDCProvider()."""
    provider = await asyncio.to_thread(OIDCProvider, **kwargs)
    await asyncio.to_thread(provider.start, port)
    try:
        yield provider
    finally:
        await asyncio.to_thread(provider.stop)


# ----------------------------------------------------------------------------- fixtures

# pytest makes one session fixture per test module that imports it, so the server itself
# is a reference-counted module-level singleton shared by all of them.
_shared_lock = threading.Lock()
_shared_provider: OIDCProvider | None = None
_shared_users = 0


def _acquire_shared() -> OIDCProvider:
    global _shared_provider, _shared_users
    with _shared_lock:
        if _shared_provider is None:
            _shared_provider = OIDCProvider().start()
        _shared_users += 1
        return _shared_provider


def _release_shared() -> None:
    global _shared_provider, _shared_users
    with _shared_lock:
        _shared_users -= 1
        if _shared_users == 0 and _shared_provider is not None:
            _shared_provider.stop()
            _shared_provider = None


@pytest.fixture(scope="session", name="oidc_provider_server")
def oidc_provider_server_fixture() -> Iterator[OIDCProvider]:
    """One running provider for the whole session (not reset between tests)."""
    provider = _acquire_shared()
    try:
        yield provider
    finally:
        _release_shared()


@pytest.fixture(name="oidc_provider")
def oidc_provider_fixture(oidc_provider_server: OIDCProvider) -> Iterator[OIDCProvider]:
    """The shared running provider, reset() before and after each test."""
    oidc_provider_server.reset()
    yield oidc_provider_server
    oidc_provider_server.reset()
