"""Self-checks for the loopback OpenID Connect provider in tests/oidc_provider.py."""

import secrets
import sys
import time
import warnings
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import httpx
import pytest
from authlib.oauth2.rfc7636 import create_s256_code_challenge

sys.path.insert(0, str(Path(__file__).resolve().parent))
from oidc_provider import (
    DEFAULT_CLIENT_ID,
    DEFAULT_CLIENT_SECRET,
    DEFAULT_REDIRECT_URI,
    TAMPER_MODES,
    OIDCProvider,
    oidc_provider_fixture,  # noqa: F401 - registers the oidc_provider fixture
    oidc_provider_server_fixture,  # noqa: F401 - registers oidc_provider_server
    running_provider,
)

with warnings.catch_warnings():
    # authlib.jose is deprecated in Authlib 1.9 but is what the brief asks to verify with.
    warnings.simplefilter("ignore", DeprecationWarning)
    from authlib.jose import JsonWebKey, JsonWebToken
    from authlib.jose.errors import (
        BadSignatureError,
        ExpiredTokenError,
        InvalidClaimError,
        MissingClaimError,
        UnsupportedAlgorithmError,
    )

RS256_ONLY = JsonWebToken(["RS256"])


def start_login(
    provider: OIDCProvider, client: httpx.Client, **overrides: str
) -> tuple[httpx.Response, dict[str, str]]:
    """GET /authorize with a well-formed request (overridable); returns response and params."""
    verifier = secrets.token_urlsafe(48)
    params = {
        "response_type": "code",
        "client_id": provider.client_id,
        "redirect_uri": provider.redirect_uri,
        "scope": "openid email profile",
        "state": secrets.token_urlsafe(16),
        "nonce": secrets.token_urlsafe(16),
        "code_challenge": create_s256_code_challenge(verifier),
        "code_challenge_method": "S256",
    }
    params.update(overrides)
    params = {k: v for k, v in params.items() if v is not None}
    response = client.get(f"{provider.issuer}/authorize", params=params)
    return response, {**params, "code_verifier": verifier}


def code_from(response: httpx.Response, expected_state: str) -> str:
    assert response.status_code == 302, response.text
    location = response.headers["location"]
    assert location.startswith(DEFAULT_REDIRECT_URI + "?")
    query = parse_qs(urlsplit(location).query)
    assert query["state"] == [expected_state]
    return query["code"][0]


def exchange(
    provider: OIDCProvider, client: httpx.Client, code: str, sent: dict[str, str], **overrides: str
) -> httpx.Response:
    data = {
        "grant_type": "authorization_code",
        "code": code,
        "redirect_uri": sent["redirect_uri"],
        "code_verifier": sent["code_verifier"],
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
    }
    data.update({k.rstrip("_"): v for k, v in overrides.items()})  # code_=... overrides code
    data = {k: v for k, v in data.items() if v is not None}
    return client.post(f"{provider.issuer}/token", data=data)


def login(provider: OIDCProvider, client: httpx.Client) -> tuple[dict, dict[str, str]]:
    response, sent = start_login(provider, client)
    token_response = exchange(provider, client, code_from(response, sent["state"]), sent)
    assert token_response.status_code == 200, token_response.text
    return token_response.json(), sent


def fetch_jwks(provider: OIDCProvider, client: httpx.Client) -> dict:
    jwks_uri = client.get(f"{provider.issuer}/.well-known/openid-configuration").json()["jwks_uri"]
    return client.get(jwks_uri).json()


def verify_id_token(provider: OIDCProvider, jwks: dict, id_token: str, nonce: str):
    """Verify as a careful relying party would, with authlib.jose against the served JWKS."""
    key_set = JsonWebKey.import_key_set(jwks)
    claims = RS256_ONLY.decode(
        id_token,
        key_set,
        claims_options={
            "iss": {"essential": True, "value": provider.issuer},
            "aud": {"essential": True, "value": provider.client_id},
            "sub": {"essential": True},
            "exp": {"essential": True},
            "iat": {"essential": True},
            "nonce": {"essential": True, "value": nonce},
        },
    )
    claims.validate(leeway=0)
    return claims


@pytest.fixture
def http():
    with httpx.Client(timeout=10) as client:
        yield client


def test_discovery_and_jwks(oidc_provider, http):
    meta = http.get(f"{oidc_provider.issuer}/.well-known/openid-configuration").json()
    iss = oidc_provider.issuer
    assert iss.startswith("http://127.0.0.1:")
    assert meta["issuer"] == iss
    assert meta["authorization_endpoint"] == f"{iss}/authorize"
    assert meta["token_endpoint"] == f"{iss}/token"
    assert meta["userinfo_endpoint"] == f"{iss}/userinfo"
    assert meta["response_types_supported"] == ["code"]
    assert meta["id_token_signing_alg_values_supported"] == ["RS256"]
    assert meta["code_challenge_methods_supported"] == ["S256"]
    assert "openid" in meta["scopes_supported"]
    assert meta["subject_types_supported"] == ["public"]
    assert set(meta["token_endpoint_auth_methods_supported"]) == {
        "client_secret_post",
        "client_secret_basic",
    }
    jwks = http.get(meta["jwks_uri"]).json()
    assert [k["kid"] for k in jwks["keys"]] == [oidc_provider.kid]
    assert jwks["keys"][0]["kty"] == "RSA"
    assert "d" not in jwks["keys"][0]


def test_full_code_flow_with_pkce(oidc_provider, http):
    oidc_provider.login_as("sub-42", "ada@example.org", True, "Ada Lovelace")
    response, sent = start_login(oidc_provider, http)
    code = code_from(response, sent["state"])
    token_response = exchange(oidc_provider, http, code, sent)
    assert token_response.status_code == 200, token_response.text
    assert token_response.headers["cache-control"] == "no-store"
    token = token_response.json()
    assert token["token_type"] == "Bearer"
    assert token["access_token"]

    claims = verify_id_token(
        oidc_provider, fetch_jwks(oidc_provider, http), token["id_token"], sent["nonce"]
    )
    assert claims["sub"] == "sub-42"
    assert claims["aud"] == DEFAULT_CLIENT_ID
    assert claims["email"] == "ada@example.org"
    assert claims["email_verified"] is True
    assert claims["name"] == "Ada Lovelace"
    assert claims["exp"] > time.time() > claims["iat"] - 5
    assert "at_hash" in claims

    [recorded] = oidc_provider.token_requests
    assert recorded["code_verifier"] == sent["code_verifier"]
    assert recorded["grant_type"] == "authorization_code"
    assert oidc_provider.authorize_requests[0]["nonce"] == sent["nonce"]

    info = http.get(
        f"{oidc_provider.issuer}/userinfo",
        headers={"Authorization": f"Bearer {token['access_token']}"},
    )
    assert info.status_code == 200
    assert info.json() == {
        "sub": "sub-42",
        "email": "ada@example.org",
        "email_verified": True,
        "name": "Ada Lovelace",
    }
    bad = http.get(f"{oidc_provider.issuer}/userinfo", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_claims_follow_scopes(oidc_provider, http):
    oidc_provider.login_as("sub-7", "x@example.org", False, "X")
    response, sent = start_login(oidc_provider, http, scope="openid email")
    token = exchange(oidc_provider, http, code_from(response, sent["state"]), sent).json()
    claims = verify_id_token(
        oidc_provider, fetch_jwks(oidc_provider, http), token["id_token"], sent["nonce"]
    )
    assert claims["email_verified"] is False
    assert "name" not in claims


def test_client_secret_basic(oidc_provider, http):
    response, sent = start_login(oidc_provider, http)
    code = code_from(response, sent["state"])
    token_response = http.post(
        f"{oidc_provider.issuer}/token",
        data={
            "grant_type": "authorization_code",
            "code": code,
            "redirect_uri": sent["redirect_uri"],
            "code_verifier": sent["code_verifier"],
        },
        auth=(DEFAULT_CLIENT_ID, DEFAULT_CLIENT_SECRET),
    )
    assert token_response.status_code == 200, token_response.text
    assert oidc_provider.token_request_headers[0]["authorization"].startswith("Basic ")


def test_code_is_single_use_and_replay_revokes(oidc_provider, http):
    response, sent = start_login(oidc_provider, http)
    code = code_from(response, sent["state"])
    first = exchange(oidc_provider, http, code, sent)
    assert first.status_code == 200
    replay = exchange(oidc_provider, http, code, sent)
    assert replay.status_code == 400
    assert replay.json()["error"] == "invalid_grant"
    info = http.get(
        f"{oidc_provider.issuer}/userinfo",
        headers={"Authorization": f"Bearer {first.json()['access_token']}"},
    )
    assert info.status_code == 401


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [
        ({"code_verifier": secrets.token_urlsafe(48)}, 400, "invalid_grant"),
        ({"code_verifier": None}, 400, "invalid_request"),
        ({"redirect_uri": DEFAULT_REDIRECT_URI + "x"}, 400, "invalid_grant"),
        ({"redirect_uri": None}, 400, "invalid_grant"),
        ({"client_secret": "wrong"}, 401, "invalid_client"),
        ({"code_": "made-up"}, 400, "invalid_grant"),
        ({"grant_type": "password"}, 400, "unsupported_grant_type"),
    ],
)
def test_token_endpoint_rejects(oidc_provider, http, overrides, status, error):
    response, sent = start_login(oidc_provider, http)
    code = code_from(response, sent["state"])
    bad = exchange(oidc_provider, http, code, sent, **overrides)
    assert (bad.status_code, bad.json()["error"]) == (status, error)
    # a failed attempt doesn't burn the code for the legitimate client
    assert exchange(oidc_provider, http, code, sent).status_code == 200


def test_wrong_basic_secret_is_401(oidc_provider, http):
    response, sent = start_login(oidc_provider, http)
    code = code_from(response, sent["state"])
    bad = http.post(
        f"{oidc_provider.issuer}/token",
        data={"grant_type": "authorization_code", "code": code, **sent},
        auth=(DEFAULT_CLIENT_ID, "wrong"),
    )
    assert bad.status_code == 401
    assert bad.json()["error"] == "invalid_client"


@pytest.mark.parametrize(
    "overrides",
    [
        {"response_type": "token"},
        {"response_type": None},
        {"client_id": "stranger"},
        {"redirect_uri": "http://127.0.0.1:9/evil"},
        {"redirect_uri": None},
        {"scope": "email profile"},
        {"scope": "openid admin"},
        {"state": None},
        {"nonce": None},
        {"code_challenge": None},
        {"code_challenge_method": None},
        {"code_challenge_method": "plain"},
    ],
    ids=lambda o: ",".join(f"{k}={v}" for k, v in o.items()),
)
def test_authorize_rejects_bad_requests(oidc_provider, http, overrides):
    response, _ = start_login(oidc_provider, http, **overrides)
    assert response.status_code == 400, response.headers.get("location")
    assert "error" in response.json()


def test_reused_nonce_is_rejected(oidc_provider, http):
    response, sent = start_login(oidc_provider, http)
    code_from(response, sent["state"])
    again, _ = start_login(oidc_provider, http, nonce=sent["nonce"])
    assert again.status_code == 400


def test_authorize_error_knob(oidc_provider, http):
    oidc_provider.authorize_error = "access_denied"
    response, sent = start_login(oidc_provider, http)
    assert response.status_code == 302
    query = parse_qs(urlsplit(response.headers["location"]).query)
    assert query == {"error": ["access_denied"], "state": [sent["state"]]}


TAMPER_EXPECTED_FAILURE = {
    "wrong_nonce": (InvalidClaimError, "nonce"),
    "missing_nonce": (MissingClaimError, "nonce"),
    "wrong_audience": (InvalidClaimError, "aud"),
    "wrong_issuer": (InvalidClaimError, "iss"),
    "expired": (ExpiredTokenError, "expired"),
    "bad_signature": (BadSignatureError, "bad_signature"),
    "alg_none": (UnsupportedAlgorithmError, "unsupported_algorithm"),
    "unknown_kid": (ValueError, "Key not found"),
}


def test_every_tamper_mode_is_checked(oidc_provider):
    assert set(TAMPER_EXPECTED_FAILURE) == TAMPER_MODES
    with pytest.raises(ValueError, match="unknown tamper mode"):
        oidc_provider.tamper = "wrong_nonse"


@pytest.mark.parametrize("tamper", sorted(TAMPER_MODES))
def test_tamper_knobs_make_next_id_token_fail_verification(oidc_provider, http, tamper):
    error_cls, message = TAMPER_EXPECTED_FAILURE[tamper]
    oidc_provider.tamper = tamper
    token, sent = login(oidc_provider, http)
    jwks = fetch_jwks(oidc_provider, http)
    with pytest.raises(error_cls, match=message):
        verify_id_token(oidc_provider, jwks, token["id_token"], sent["nonce"])
    # one-shot: the following login is clean again
    assert oidc_provider.tamper is None
    token, sent = login(oidc_provider, http)
    verify_id_token(oidc_provider, jwks, token["id_token"], sent["nonce"])
    assert len(oidc_provider.issued_id_tokens) == 2


def test_key_rotation_keeps_old_kid_published(oidc_provider, http):
    old_kid = oidc_provider.kid
    oidc_provider.rotate_keys()
    kids = [k["kid"] for k in http.get(f"{oidc_provider.issuer}/jwks").json()["keys"]]
    assert kids == [oidc_provider.kid, old_kid]
    token, sent = login(oidc_provider, http)
    verify_id_token(
        oidc_provider, fetch_jwks(oidc_provider, http), token["id_token"], sent["nonce"]
    )
    oidc_provider.reset()
    kids = [k["kid"] for k in http.get(f"{oidc_provider.issuer}/jwks").json()["keys"]]
    assert kids == [oidc_provider.kid]


@pytest.mark.filterwarnings("ignore::DeprecationWarning:authlib.*")
async def test_running_provider_from_async_with_authlib_client():
    """A separate instance on its own port, driven by Authlib's own async OIDC client."""
    from authlib.integrations.httpx_client import AsyncOAuth2Client

    async with running_provider(redirect_uri="http://127.0.0.1:5999/cb") as provider:
        provider.login_as("async-sub", "async@example.org", True, "Async User")
        async with httpx.AsyncClient() as plain:
            meta = (await plain.get(f"{provider.issuer}/.well-known/openid-configuration")).json()
            jwks = (await plain.get(meta["jwks_uri"])).json()
        verifier = secrets.token_urlsafe(48)
        nonce = secrets.token_urlsafe(16)
        async with AsyncOAuth2Client(
            client_id=provider.client_id,
            client_secret=provider.client_secret,
            redirect_uri=provider.redirect_uri,
            scope="openid email profile",
            code_challenge_method="S256",
            token_endpoint_auth_method="client_secret_basic",
        ) as oauth:
            url, state = oauth.create_authorization_url(
                meta["authorization_endpoint"], code_verifier=verifier, nonce=nonce
            )
            async with httpx.AsyncClient() as browser:
                redirect = await browser.get(url, follow_redirects=False)
            assert redirect.status_code == 302, redirect.text
            token = await oauth.fetch_token(
                meta["token_endpoint"],
                authorization_response=redirect.headers["location"],
                code_verifier=verifier,
                state=state,
            )
        claims = verify_id_token(provider, jwks, token["id_token"], nonce)
        assert claims["sub"] == "async-sub"
        assert provider.token_requests[0]["code_verifier"] == verifier
    assert provider._thread is None
