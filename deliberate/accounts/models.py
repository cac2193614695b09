"""People, their sign-in identities and sessions, organisations and roles."""

from __future__ import annotations

import datetime as dt
import enum
import uuid

from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from deliberate.db import Base, new_uuid


class Role(enum.StrEnum):
    """Roles held through a grant. `citizen` is everyone signed in and is never granted;
    panel membership is per cycle and lives with the panels."""

    FACILITATOR = "facilitator"
    COMMISSIONER = "commissioner"
    ADMIN = "admin"

    @property
    def per_organisation(self) -> bool:
        return self is not Role.ADMIN


class StakeholderGroup(enum.StrEnum):
    """The usual groups a person can say they belong to on their profile; cycles declare their own
    groups, and these are the default vocabulary."""

    USES_SERVICES = "uses_services"
    CARER = "carer"
    PRACTITIONER = "practitioner"
    RESIDENT = "resident"


class Organisation(Base):
    __tablename__ = "organisations"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    name_en: Mapped[str] = mapped_column(String(200))
    name_cy: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    def name(self, locale: str) -> str:
        return self.name_cy if locale == "cy" and self.name_cy else self.name_en


class User(Base):
    __tablename__ = "users"
    __table_args__ = (
        # E-mail addresses are compared without regard to case.
        Index("uq_users_email_lower", func.lower(text("email")), unique=True),
        CheckConstraint("language IN ('en', 'cy')", name="language"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    email: Mapped[str] = mapped_column(String(320))
    email_verified_at: Mapped[dt.datetime | None]
    password_hash: Mapped[str | None] = mapped_column(Text)
    display_name: Mapped[str] = mapped_column(String(100))
    language: Mapped[str] = mapped_column(String(2), default="en", server_default="en")
    stakeholder_group: Mapped[str | None] = mapped_column(String(40))
    is_active: Mapped[bool] = mapped_column(default=True, server_default=text("true"))
    # E-mail about mentions and replies: "off", "immediate" or a "daily" digest.
    email_notifications: Mapped[str] = mapped_column(
        String(10), default="immediate", server_default="immediate"
    )
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    # Set when the person erased their account: the row stays as an anonymous tombstone.
    erased_at: Mapped[dt.datetime | None]

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None


class OIDCIdentity(Base):
    """An account at an OpenID Connect provider, keyed by (issuer, sub) as the spec requires."""

    __tablename__ = "oidc_identities"
    __table_args__ = (UniqueConstraint("issuer", "subject"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    issuer: Mapped[str] = mapped_column(String(500))
    subject: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class OIDCRequest(Base):
    """One pending authorization request: single use, short-lived, bound to the browser's cookie."""

    __tablename__ = "oidc_requests"

    state: Mapped[str] = mapped_column(String(100), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(100))
    code_verifier: Mapped[str] = mapped_column(String(200))
    next_path: Mapped[str] = mapped_column(String(500), default="/")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class UserSession(Base):
    """A server-side session. The cookie carries a random token; only its SHA-256 is stored, so a
    leaked database does not hand out live sessions."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)  # sha256 hex of the token
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]
    # Refreshed at most every few minutes (see viewer.py), for the idle timeout and the list of
    # a person's sessions.
    last_seen_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    # What the browser called itself at sign-in, so a person can tell their sessions apart.
    user_agent: Mapped[str | None] = mapped_column(String(300))


class RoleGrant(Base):
    __tablename__ = "role_grants"
    __table_args__ = (
        CheckConstraint(
            "(role = 'admin') = (organisation_id IS NULL)", name="organisation_matches_role"
        ),
        # PostgreSQL 14 lacks NULLS NOT DISTINCT, so admin grants (no organisation) get their own
        # partial unique index.
        Index(
            "uq_role_grants_org_role",
            "user_id",
            "role",
            "organisation_id",
            unique=True,
            postgresql_where=text("organisation_id IS NOT NULL"),
        ),
        Index(
            "uq_role_grants_site_role",
            "user_id",
            "role",
            unique=True,
            postgresql_where=text("organisation_id IS NULL"),
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    organisation_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id", ondelete="CASCADE"), index=True
    )
    granted_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class EmailToken(Base):
    """A single-use, expiring link for verifying an address or resetting a password. Only the
    token's SHA-256 is stored."""

    __tablename__ = "email_tokens"
    __table_args__ = (CheckConstraint("purpose IN ('verify', 'reset')", name="purpose"),)

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    purpose: Mapped[str] = mapped_column(String(10))
    email: Mapped[str] = mapped_column(String(320))
    expires_at: Mapped[dt.datetime]
    used_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
