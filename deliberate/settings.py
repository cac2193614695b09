"""Settings, read once from the environment.

A bad value stops start-up with one line that names the setting (`SettingsError`), so an operator
never has to read a traceback to find a typo.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

ENVIRONMENTS = ("development", "test", "production")


class SettingsError(Exception):
    """A setting is missing or malformed; the message names it."""


class Secret(str):
    """A string that does not print itself, so secrets stay out of logs and reprs."""

    def __repr__(self) -> str:
        return "Secret('**********')"


@dataclass(frozen=True)
class Settings:
    env: str = "development"
    database_url: str | None = None
    data_dir: Path = Path(".deliberate")
    secret_key: Secret = field(default_factory=lambda: Secret(secrets.token_urlsafe(32)))
    base_url: str = "http://127.0.0.1:8000"
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: Secret | None = None
    oidc_provider_name: str = "OpenID Connect"
    smtp_host: str | None = None
    smtp_port: int = 25
    smtp_user: str | None = None
    smtp_password: Secret | None = None
    smtp_starttls: bool = False
    mail_from: str = "Deliberate <no-reply@localhost>"
    session_days: int = 14
    # A session unused for this long ends (ASVS 7.3.1); the absolute limit is session_days.
    session_idle_minutes: int = 480
    log_level: str = "INFO"
    # Seconds between checks for cycles whose stage has ended; 0 turns the loop off (tests).
    scheduler_interval: float = 30.0

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def secure_cookies(self) -> bool:
        return self.env == "production" or self.base_url.startswith("https://")

    @property
    def oidc_enabled(self) -> bool:
        return bool(self.oidc_issuer)

    @property
    def mail_dir(self) -> Path:
        return self.data_dir / "mail"


def _bool(name: str, value: str) -> bool:
    lowered = value.strip().lower()
    if lowered in {"1", "true", "yes", "on"}:
        return True
    if lowered in {"0", "false", "no", "off", ""}:
        return False
    raise SettingsError(f"{name} must be true or false, not {value!r}")


def _int(name: str, value: str, low: int, high: int) -> int:
    try:
        number = int(value)
    except ValueError:
        raise SettingsError(f"{name} must be a whole number, not {value!r}") from None
    if not low <= number <= high:
        raise SettingsError(f"{name} must be between {low} and {high}, not {number}")
    return number


def _url(name: str, value: str, schemes: tuple[str, ...]) -> str:
    parts = urlsplit(value)
    if parts.scheme not in schemes or not (parts.netloc or parts.query):
        raise SettingsError(f"{name} must be a URL starting with {' or '.join(schemes)}: {value!r}")
    return value


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Build settings from the environment (or the mapping given, for tests)."""
    env = os.environ if environ is None else environ

    def get(name: str) -> str | None:
        value = env.get(name)
        return value if value not in (None, "") else None

    stage = get("DELIBERATE_ENV") or "development"
    if stage not in ENVIRONMENTS:
        raise SettingsError(
            f"DELIBERATE_ENV must be one of {', '.join(ENVIRONMENTS)}, not {stage!r}"
        )

    database_url = get("DATABASE_URL")
    if database_url is not None:
        scheme = urlsplit(database_url).scheme
        if scheme not in {"postgresql", "postgres", "postgresql+asyncpg"}:
            raise SettingsError(
                f"DATABASE_URL must be a PostgreSQL URL (postgresql://...), not scheme {scheme!r}"
            )

    secret = get("SECRET_KEY")
    if secret is None and stage == "production":
        raise SettingsError("SECRET_KEY is required when DELIBERATE_ENV=production")
    if secret is not None and len(secret) < 32:
        raise SettingsError("SECRET_KEY must be at least 32 characters long")

    base_url = _url("BASE_URL", get("BASE_URL") or "http://127.0.0.1:8000", ("http", "https"))
    issuer = get("OIDC_ISSUER")
    if issuer is not None:
        _url("OIDC_ISSUER", issuer, ("http", "https"))
        if not get("OIDC_CLIENT_ID"):
            raise SettingsError("OIDC_CLIENT_ID is required when OIDC_ISSUER is set")

    smtp_password = get("SMTP_PASSWORD")
    client_secret = get("OIDC_CLIENT_SECRET")
    log_level = (get("LOG_LEVEL") or "INFO").upper()
    if log_level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise SettingsError(f"LOG_LEVEL must be DEBUG, INFO, WARNING or ERROR, not {log_level!r}")

    data_dir = Path(get("DELIBERATE_DATA_DIR") or ".deliberate")
    if secret is None:
        secret = _development_secret(data_dir)

    return Settings(
        env=stage,
        database_url=database_url,
        data_dir=data_dir,
        secret_key=Secret(secret),
        base_url=base_url.rstrip("/"),
        oidc_issuer=issuer.rstrip("/") if issuer else None,
        oidc_client_id=get("OIDC_CLIENT_ID"),
        oidc_client_secret=Secret(client_secret) if client_secret else None,
        oidc_provider_name=get("OIDC_PROVIDER_NAME") or "OpenID Connect",
        smtp_host=get("SMTP_HOST"),
        smtp_port=_int("SMTP_PORT", get("SMTP_PORT") or "25", 1, 65535),
        smtp_user=get("SMTP_USER"),
        smtp_password=Secret(smtp_password) if smtp_password else None,
        smtp_starttls=_bool("SMTP_STARTTLS", get("SMTP_STARTTLS") or "false"),
        mail_from=get("MAIL_FROM") or "Deliberate <no-reply@localhost>",
        session_days=_int("SESSION_DAYS", get("SESSION_DAYS") or "14", 1, 365),
        session_idle_minutes=_int(
            "SESSION_IDLE_MINUTES", get("SESSION_IDLE_MINUTES") or "480", 5, 60 * 24 * 365
        ),
        log_level=log_level,
        scheduler_interval=float(
            _int(
                "SCHEDULER_INTERVAL",
                get("SCHEDULER_INTERVAL") or ("0" if stage == "test" else "30"),
                0,
                3600,
            )
        ),
    )


def _development_secret(data_dir: Path) -> str:
    """Outside production, keep a generated key in the data folder so that every worker process
    (and every restart) signs with the same key."""
    path = data_dir / "secret_key"
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    data_dir.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    try:
        with path.open("x") as handle:  # "x": a racing worker's key wins, ours is dropped
            handle.write(key)
        path.chmod(0o600)
    except FileExistsError:
        return path.read_text().strip()
    return key
