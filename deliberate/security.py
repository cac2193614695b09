"""Passwords, tokens, CSRF and security headers.

CSRF: every unsafe request must carry a token (form field `csrf_token` or header `X-CSRF-Token`)
that is an HMAC of the session token (signed in) or of a random `csrf` cookie (signed out), and its
Origin, when the browser sends one, must be this site's.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

SESSION_COOKIE = "deliberate_session"
CSRF_COOKIE = "deliberate_csrf"
LANG_COOKIE = "deliberate_lang"
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})

_hasher = PasswordHasher()
# Verifying against this when an e-mail is unknown makes both answers take the same time.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))

MIN_PASSWORD_LENGTH = 10
MAX_PASSWORD_LENGTH = 200


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and password_hash is not None
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_token(nbytes: int = 32) -> str:
    return secrets.token_urlsafe(nbytes)


def token_hash(token: str) -> str:
    """What the database keeps of a bearer token: never the token itself."""
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token_for(secret_key: str, base: str) -> str:
    return hmac.new(secret_key.encode(), f"csrf:{base}".encode(), hashlib.sha256).hexdigest()


def csrf_valid(secret_key: str, base: str | None, submitted: str | None) -> bool:
    if not base or not submitted:
        return False
    return hmac.compare_digest(csrf_token_for(secret_key, base), submitted)


def content_security_policy() -> str:
    # No inline script or style anywhere: htmx's own indicator style is turned off in base.html.
    return "; ".join(
        [
            "default-src 'none'",
            "script-src 'self'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
            "base-uri 'none'",
        ]
    )


def security_headers(*, production: bool, signed_in: bool) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-security-policy", content_security_policy().encode()),
        (b"x-content-type-options", b"nosniff"),
        (b"referrer-policy", b"same-origin"),
        (b"x-frame-options", b"DENY"),
        (b"cross-origin-opener-policy", b"same-origin"),
        (b"permissions-policy", b"camera=(), microphone=(), geolocation=()"),
    ]
    if production:
        headers.append((b"strict-transport-security", b"max-age=63072000; includeSubDomains"))
    if signed_in:
        headers.append((b"cache-control", b"no-store"))
    return headers


def safe_next(target: str | None, default: str = "/") -> str:
    """Only follow local paths after sign-in, never another site (open redirect)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target
