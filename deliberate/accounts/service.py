"""Accounts: sign-up, verification, sign-in, sessions, password reset, profiles, OpenID
Connect identities, organisations and roles.

Services check permission, raise domain errors and never commit.
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberate import audit, security
from deliberate.accounts.models import (
    EmailToken,
    OIDCIdentity,
    OIDCRequest,
    Organisation,
    Role,
    RoleGrant,
    StakeholderGroup,
    User,
    UserSession,
)
from deliberate.accounts.viewer import Viewer
from deliberate.db import utcnow
from deliberate.errors import Conflict, Invalid, NotAllowed, NotFound
from deliberate.forms import FormInput
from deliberate.i18n import LOCALES, lazy_gettext

VERIFY_TTL = dt.timedelta(hours=48)
RESET_TTL = dt.timedelta(hours=1)
OIDC_REQUEST_TTL = dt.timedelta(minutes=10)
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]{1,78}[a-z0-9]$")

STAKEHOLDER_GROUP_LABELS = {
    StakeholderGroup.USES_SERVICES.value: lazy_gettext("Someone who uses services"),
    StakeholderGroup.CARER.value: lazy_gettext("A carer"),
    StakeholderGroup.PRACTITIONER.value: lazy_gettext("A practitioner"),
    StakeholderGroup.RESIDENT.value: lazy_gettext("A resident"),
}
EMAIL_CHOICES = {
    "immediate": lazy_gettext("Straight away"),
    "daily": lazy_gettext("In one daily summary"),
    "off": lazy_gettext("Never: I will look on the site"),
}
ROLE_LABELS = {
    Role.FACILITATOR.value: lazy_gettext("Facilitator"),
    Role.COMMISSIONER.value: lazy_gettext("Commissioner"),
    Role.ADMIN.value: lazy_gettext("Administrator"),
}


# --- passwords and sign-up -------------------------------------------------------------------


def check_new_password(form: FormInput, field: str = "password") -> str:
    password = form.raw(field)
    if len(password) < security.MIN_PASSWORD_LENGTH:
        form.add_error(
            field,
            lazy_gettext(
                "Choose a password of at least %(min)s characters.",
                min=security.MIN_PASSWORD_LENGTH,
            ),
        )
    elif len(password) > security.MAX_PASSWORD_LENGTH:
        form.add_error(field, lazy_gettext("That password is too long."))
    return password


async def find_user_by_email(db: AsyncSession, email: str) -> User | None:
    return (
        await db.execute(select(User).where(func.lower(User.email) == email.strip().lower()))
    ).scalar_one_or_none()


@dataclass
class SignUpOutcome:
    """What happened, for the view to send the right e-mail. The page says the same either way,
    so nobody can learn whether an address has an account."""

    user: User
    created: bool
    token: str | None


async def sign_up(db: AsyncSession, form: FormInput) -> SignUpOutcome:
    email = form.email("email")
    display_name = form.text("display_name", max_length=100)
    password = check_new_password(form)
    language = form.choice("language", list(LOCALES), required=False) or "en"
    form.raise_if_invalid()

    existing = await find_user_by_email(db, email)
    if existing is not None:
        return SignUpOutcome(user=existing, created=False, token=None)
    user = User(
        email=email,
        display_name=display_name,
        password_hash=security.hash_password(password),
        language=language,
    )
    db.add(user)
    await db.flush()
    token = await issue_email_token(db, user, "verify")
    await audit.record(db, user, "account.sign_up", user)
    return SignUpOutcome(user=user, created=True, token=token)


async def issue_email_token(db: AsyncSession, user: User, purpose: str) -> str:
    token = security.new_token()
    ttl = VERIFY_TTL if purpose == "verify" else RESET_TTL
    db.add(
        EmailToken(
            id=security.token_hash(token),
            user_id=user.id,
            purpose=purpose,
            email=user.email,
            expires_at=utcnow() + ttl,
        )
    )
    await db.flush()
    return token


async def _use_email_token(db: AsyncSession, token: str, purpose: str) -> User:
    # Marking the token used in the same statement that finds it makes it single-use even when
    # the link is opened twice at once.
    token_id = (
        await db.execute(
            update(EmailToken)
            .where(
                EmailToken.id == security.token_hash(token),
                EmailToken.purpose == purpose,
                EmailToken.used_at.is_(None),
                EmailToken.expires_at > func.now(),
            )
            .values(used_at=func.now())
            .returning(EmailToken.user_id, EmailToken.email)
        )
    ).first()
    if token_id is None:
        raise NotFound(
            lazy_gettext(
                "This link has expired or has already been used. You can ask for a new one."
            )
        )
    user = await db.get(User, token_id.user_id)
    if user is None or user.email.lower() != token_id.email.lower():
        raise NotFound(lazy_gettext("This link is no longer valid."))
    return user


async def verify_email(db: AsyncSession, token: str) -> User:
    user = await _use_email_token(db, token, "verify")
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
        await audit.record(db, user, "account.email_verified", user)
    return user


async def resend_verification(db: AsyncSession, viewer: Viewer) -> str | None:
    user = _require_user(viewer)
    if user.email_verified:
        return None
    return await issue_email_token(db, user, "verify")


# --- sign-in and sessions --------------------------------------------------------------------

SIGN_IN_FAILED = lazy_gettext("The e-mail address or password is not right.")


async def authenticate(db: AsyncSession, form: FormInput) -> User:
    email = form.get("email").lower()
    password = form.raw("password")
    user = await find_user_by_email(db, email) if email else None
    # verify_password runs argon2 even for an unknown address, so both answers take as long.
    ok = security.verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        form.add_error("email", SIGN_IN_FAILED)
        raise Invalid(form.errors, SIGN_IN_FAILED)
    if user.password_hash and security.password_needs_rehash(user.password_hash):
        user.password_hash = security.hash_password(password)
    return user


async def start_session(
    db: AsyncSession, user: User, days: int, user_agent: str | None = None
) -> str:
    """A fresh session (and so a fresh id) at every sign-in: no session fixation."""
    token = security.new_token()
    db.add(
        UserSession(
            id=security.token_hash(token),
            user_id=user.id,
            expires_at=utcnow() + dt.timedelta(days=days),
            user_agent=(user_agent or "")[:300] or None,
        )
    )
    await db.flush()
    return token


async def end_session(db: AsyncSession, session_token: str | None) -> None:
    if not session_token:
        return
    await db.execute(
        update(UserSession)
        .where(UserSession.id == security.token_hash(session_token))
        .values(revoked_at=func.now())
    )


async def revoke_all_sessions(db: AsyncSession, user_id: uuid.UUID) -> None:
    await db.execute(
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=func.now())
    )


@dataclass(frozen=True)
class SessionSummary:
    """One of a person's live sessions, as they see it: `key` names it in a form without
    revealing the stored token hash whole."""

    key: str
    created_at: dt.datetime
    last_seen_at: dt.datetime
    user_agent: str | None
    current: bool


SESSION_KEY_LENGTH = 16
HEX_RE = re.compile(r"[0-9a-f]+")


async def list_sessions(
    db: AsyncSession, viewer: Viewer, idle_minutes: int
) -> list[SessionSummary]:
    if viewer.user is None or viewer.session_token is None:
        raise NotAllowed(lazy_gettext("Sign in to see your sessions."))
    current = security.token_hash(viewer.session_token)
    rows = (
        await db.execute(
            select(UserSession)
            .where(
                UserSession.user_id == viewer.user.id,
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > func.now(),
                UserSession.last_seen_at > func.now() - dt.timedelta(minutes=idle_minutes),
            )
            .order_by(UserSession.last_seen_at.desc())
        )
    ).scalars()
    return [
        SessionSummary(
            key=row.id[:SESSION_KEY_LENGTH],
            created_at=row.created_at,
            last_seen_at=row.last_seen_at,
            user_agent=row.user_agent,
            current=row.id == current,
        )
        for row in rows
    ]


async def end_other_sessions(db: AsyncSession, viewer: Viewer, key: str | None) -> int:
    """Sign out one other session (by its key) or, with no key, every other session. Only the
    viewer's own sessions can match; the current one is never ended here (sign out does that)."""
    if viewer.user is None or viewer.session_token is None:
        raise NotAllowed(lazy_gettext("Sign in to see your sessions."))
    current = security.token_hash(viewer.session_token)
    conditions = [
        UserSession.user_id == viewer.user.id,
        UserSession.revoked_at.is_(None),
        UserSession.id != current,
    ]
    if key is not None:
        if len(key) != SESSION_KEY_LENGTH or not HEX_RE.fullmatch(key):
            raise NotFound(lazy_gettext("That session has already ended."))
        conditions.append(func.left(UserSession.id, SESSION_KEY_LENGTH) == key)
    ended = (
        await db.execute(
            update(UserSession)
            .where(*conditions)
            .values(revoked_at=func.now())
            .returning(UserSession.id)
        )
    ).all()
    if key is not None and not ended:
        raise NotFound(lazy_gettext("That session has already ended."))
    await audit.record(
        db, viewer.user, "account.sessions_ended", viewer.user, {"count": len(ended)}
    )
    return len(ended)


# --- password reset and change ---------------------------------------------------------------


async def request_password_reset(db: AsyncSession, form: FormInput) -> tuple[User, str] | None:
    email = form.email("email")
    form.raise_if_invalid()
    user = await find_user_by_email(db, email)
    if user is None or not user.is_active:
        return None
    return user, await issue_email_token(db, user, "reset")


async def check_reset_token(db: AsyncSession, token: str) -> None:
    found = (
        await db.execute(
            select(EmailToken.id).where(
                EmailToken.id == security.token_hash(token),
                EmailToken.purpose == "reset",
                EmailToken.used_at.is_(None),
                EmailToken.expires_at > func.now(),
            )
        )
    ).first()
    if found is None:
        raise NotFound(
            lazy_gettext(
                "This link has expired or has already been used. You can ask for a new one."
            )
        )


async def reset_password(db: AsyncSession, token: str, form: FormInput) -> User:
    password = check_new_password(form)
    if form.raw("password") != form.raw("password_confirm"):
        form.add_error("password_confirm", lazy_gettext("The two passwords do not match."))
    form.raise_if_invalid()
    user = await _use_email_token(db, token, "reset")
    user.password_hash = security.hash_password(password)
    # Following the link proves the person reads this address.
    user.email_verified_at = user.email_verified_at or utcnow()
    await revoke_all_sessions(db, user.id)
    await audit.record(db, user, "account.password_reset", user)
    return user


async def change_password(db: AsyncSession, viewer: Viewer, form: FormInput) -> User:
    user = _require_user(viewer)
    if user.password_hash and not security.verify_password(
        user.password_hash, form.raw("current_password")
    ):
        form.add_error("current_password", lazy_gettext("Your current password is not right."))
    password = check_new_password(form, "new_password")
    form.raise_if_invalid()
    user.password_hash = security.hash_password(password)
    await revoke_all_sessions(db, user.id)
    await audit.record(db, user, "account.password_changed", user)
    return user


# --- profile ---------------------------------------------------------------------------------


async def update_profile(db: AsyncSession, viewer: Viewer, form: FormInput) -> User:
    user = _require_user(viewer)
    display_name = form.text("display_name", max_length=100)
    language = form.choice("language", list(LOCALES))
    group = form.choice("stakeholder_group", STAKEHOLDER_GROUP_LABELS, required=False)
    emails = form.choice("email_notifications", EMAIL_CHOICES, required=False)
    form.raise_if_invalid()
    user.display_name = display_name
    user.language = language or user.language
    user.stakeholder_group = group
    user.email_notifications = emails or user.email_notifications
    return user


async def set_language(db: AsyncSession, viewer: Viewer, language: str) -> None:
    if viewer.user is not None and language in LOCALES:
        viewer.user.language = language
        await db.execute(update(User).where(User.id == viewer.user.id).values(language=language))


def _require_user(viewer: Viewer) -> User:
    if viewer.user is None:
        from deliberate.errors import SignInRequired

        raise SignInRequired()
    return viewer.user


# --- OpenID Connect --------------------------------------------------------------------------


async def begin_oidc(db: AsyncSession, next_path: str) -> OIDCRequest:
    await db.execute(
        delete(OIDCRequest).where(OIDCRequest.created_at < func.now() - OIDC_REQUEST_TTL)
    )
    pending = OIDCRequest(
        state=security.new_token(24),
        nonce=security.new_token(24),
        code_verifier=security.new_token(48),
        next_path=security.safe_next(next_path),
    )
    db.add(pending)
    await db.flush()
    return pending


async def take_oidc_request(db: AsyncSession, state: str) -> OIDCRequest | None:
    """Single use: the pending request is deleted as it is read."""
    row = (
        await db.execute(
            delete(OIDCRequest)
            .where(
                OIDCRequest.state == state,
                OIDCRequest.created_at > func.now() - OIDC_REQUEST_TTL,
            )
            .returning(OIDCRequest)
        )
    ).scalar_one_or_none()
    return row


OIDC_LINK_REFUSED = lazy_gettext(
    "An account with this e-mail address already exists. Sign in with your password first; "
    "your provider did not confirm that this address is yours."
)


async def sign_in_oidc(db: AsyncSession, issuer: str, claims: Mapping[str, Any]) -> User:
    """Find or create the account for an OpenID Connect identity, keyed by (issuer, sub).

    An existing account is linked only when the provider says the e-mail is verified. If that
    account's own address was never verified, whoever created it may not own the address, so its
    password is cleared (pre-account-takeover defence) and the address counts as verified.
    """
    subject = str(claims["sub"])
    identity = (
        await db.execute(
            select(OIDCIdentity).where(
                OIDCIdentity.issuer == issuer, OIDCIdentity.subject == subject
            )
        )
    ).scalar_one_or_none()
    if identity is not None:
        user = await db.get(User, identity.user_id)
        if user is None or not user.is_active:
            raise NotAllowed(lazy_gettext("This account has been closed."))
        return user

    email = str(claims.get("email") or "").strip().lower()
    email_verified = claims.get("email_verified") in (True, "true")
    name = str(claims.get("name") or claims.get("given_name") or email.split("@")[0] or "")[:100]
    user = await find_user_by_email(db, email) if email else None
    if user is not None:
        if not email_verified:
            raise Conflict(OIDC_LINK_REFUSED)
        if user.email_verified_at is None:
            user.password_hash = None
            user.email_verified_at = utcnow()
            await revoke_all_sessions(db, user.id)
    else:
        if not email:
            raise Invalid({"email": lazy_gettext("Your provider did not share an e-mail address.")})
        user = User(
            email=email,
            display_name=name or email,
            email_verified_at=utcnow() if email_verified else None,
        )
        db.add(user)
        await db.flush()
        await audit.record(db, user, "account.sign_up", user, {"via": "oidc", "issuer": issuer})
    db.add(OIDCIdentity(user_id=user.id, issuer=issuer, subject=subject))
    await db.flush()
    await audit.record(db, user, "account.oidc_linked", user, {"issuer": issuer})
    return user


# --- organisations and roles (admin) ---------------------------------------------------------


def require_admin(viewer: Viewer) -> None:
    if not viewer.is_admin:
        raise NotAllowed()


async def list_organisations(db: AsyncSession) -> list[Organisation]:
    return list((await db.execute(select(Organisation).order_by(Organisation.name_en))).scalars())


async def create_organisation(
    db: AsyncSession, viewer: Viewer | None, form: FormInput
) -> Organisation:
    """`viewer` None means the command line, which is trusted."""
    if viewer is not None:
        require_admin(viewer)
    slug = form.text("slug", max_length=80).lower()
    name_en = form.text("name_en", max_length=200)
    name_cy = form.text("name_cy", max_length=200, required=False) or name_en
    if slug and not SLUG_RE.match(slug):
        form.add_error(
            "slug",
            lazy_gettext(
                "Use 3 to 80 lower-case letters, digits and hyphens, like 'powys-council'."
            ),
        )
    if slug and "slug" not in form.errors:
        taken = await db.scalar(select(Organisation.id).where(Organisation.slug == slug))
        if taken is not None:
            form.add_error("slug", lazy_gettext("Another organisation already uses this."))
    form.raise_if_invalid()
    organisation = Organisation(slug=slug, name_en=name_en, name_cy=name_cy)
    db.add(organisation)
    await db.flush()
    await audit.record(
        db, viewer.user if viewer else None, "organisation.created", organisation, {"slug": slug}
    )
    return organisation


async def get_organisation(db: AsyncSession, key: str) -> Organisation:
    query = select(Organisation).where(Organisation.slug == key)
    try:
        query = select(Organisation).where(
            or_(Organisation.slug == key, Organisation.id == uuid.UUID(key))
        )
    except ValueError:
        pass
    organisation = (await db.execute(query)).scalar_one_or_none()
    if organisation is None:
        raise NotFound(lazy_gettext("There is no organisation called %(name)s.", name=key))
    return organisation


@dataclass
class PersonRow:
    user: User
    grants: list[tuple[str, Organisation | None]]


async def search_people(db: AsyncSession, viewer: Viewer, query: str, limit: int = 50):
    require_admin(viewer)
    statement = select(User).order_by(User.display_name, User.email).limit(limit)
    if query:
        pattern = f"%{query.strip().lower()}%"
        statement = statement.where(
            or_(func.lower(User.email).like(pattern), func.lower(User.display_name).like(pattern))
        )
    users = list((await db.execute(statement)).scalars())
    grants = await _grants_for(db, [user.id for user in users])
    return [PersonRow(user=user, grants=grants.get(user.id, [])) for user in users]


async def _grants_for(db: AsyncSession, user_ids: list[uuid.UUID]):
    result: dict[uuid.UUID, list[tuple[str, Organisation | None]]] = {}
    if not user_ids:
        return result
    rows = await db.execute(
        select(RoleGrant, Organisation)
        .outerjoin(Organisation, Organisation.id == RoleGrant.organisation_id)
        .where(RoleGrant.user_id.in_(user_ids))
        .order_by(RoleGrant.role, Organisation.name_en)
    )
    for grant, organisation in rows:
        result.setdefault(grant.user_id, []).append((grant.role, organisation))
    return result


async def get_person(db: AsyncSession, viewer: Viewer, user_id: uuid.UUID) -> PersonRow:
    require_admin(viewer)
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound()
    grants = await _grants_for(db, [user.id])
    return PersonRow(user=user, grants=grants.get(user.id, []))


def _parse_role(form: FormInput) -> Role | None:
    value = form.choice("role", [role.value for role in Role])
    return Role(value) if value else None


async def grant_role(
    db: AsyncSession,
    viewer: Viewer | None,
    user: User,
    role: Role,
    organisation: Organisation | None,
) -> RoleGrant:
    """Give `user` a role (for an organisation, unless admin). `viewer` None is the command line."""
    if viewer is not None:
        require_admin(viewer)
    _check_role_organisation(role, organisation)
    existing = await _find_grant(db, user, role, organisation)
    if existing is not None:
        return existing
    grant = RoleGrant(
        user_id=user.id,
        role=role.value,
        organisation_id=organisation.id if organisation else None,
        granted_by_id=viewer.id if viewer else None,
    )
    db.add(grant)
    await db.flush()
    await audit.record(
        db,
        viewer.user if viewer else None,
        "role.granted",
        user,
        {"role": role.value, "organisation": organisation.slug if organisation else None},
    )
    return grant


async def revoke_role(
    db: AsyncSession,
    viewer: Viewer | None,
    user: User,
    role: Role,
    organisation: Organisation | None,
) -> None:
    if viewer is not None:
        require_admin(viewer)
        if role is Role.ADMIN and viewer.id == user.id:
            raise Conflict(lazy_gettext("You cannot remove your own administrator role."))
    _check_role_organisation(role, organisation)
    grant = await _find_grant(db, user, role, organisation)
    if grant is None:
        raise NotFound(lazy_gettext("That person does not hold this role."))
    await db.delete(grant)
    await audit.record(
        db,
        viewer.user if viewer else None,
        "role.revoked",
        user,
        {"role": role.value, "organisation": organisation.slug if organisation else None},
    )


def _check_role_organisation(role: Role, organisation: Organisation | None) -> None:
    if role.per_organisation and organisation is None:
        raise Invalid(
            {"organisation": lazy_gettext("Choose the organisation this role is held for.")}
        )
    if not role.per_organisation and organisation is not None:
        raise Invalid(
            {"organisation": lazy_gettext("The administrator role is not tied to an organisation.")}
        )


async def _find_grant(
    db: AsyncSession, user: User, role: Role, organisation: Organisation | None
) -> RoleGrant | None:
    query = select(RoleGrant).where(RoleGrant.user_id == user.id, RoleGrant.role == role.value)
    if organisation is None:
        query = query.where(RoleGrant.organisation_id.is_(None))
    else:
        query = query.where(RoleGrant.organisation_id == organisation.id)
    return (await db.execute(query)).scalar_one_or_none()


async def change_roles_from_form(db: AsyncSession, viewer: Viewer, form: FormInput, *, grant: bool):
    """The admin page's grant/remove form: role plus organisation (not for admin)."""
    require_admin(viewer)
    try:
        user_id = uuid.UUID(form.get("user_id"))
    except ValueError:
        raise NotFound() from None
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound()
    role = _parse_role(form)
    form.raise_if_invalid()
    assert role is not None
    organisation = None
    if role.per_organisation:
        org_key = form.get("organisation")
        if not org_key:
            raise Invalid(
                {"organisation": lazy_gettext("Choose the organisation this role is held for.")}
            )
        organisation = await get_organisation(db, org_key)
    if grant:
        await grant_role(db, viewer, user, role, organisation)
    else:
        await revoke_role(db, viewer, user, role, organisation)
    return user


async def create_user(
    db: AsyncSession,
    *,
    email: str,
    display_name: str,
    password: str | None,
    verified: bool = True,
    language: str = "en",
) -> User:
    """For the command line and the demo: an account, verified by default."""
    if await find_user_by_email(db, email) is not None:
        raise Conflict(lazy_gettext("An account with this e-mail address already exists."))
    user = User(
        email=email.strip().lower(),
        display_name=display_name,
        password_hash=security.hash_password(password) if password else None,
        email_verified_at=utcnow() if verified else None,
        language=language,
    )
    db.add(user)
    await db.flush()
    await audit.record(db, None, "account.created", user, {"via": "cli"})
    return user


async def recent_audit_events(db: AsyncSession, viewer: Viewer, limit: int = 100):
    require_admin(viewer)
    return list(
        (
            await db.execute(
                select(audit.AuditEvent, User)
                .outerjoin(User, User.id == audit.AuditEvent.actor_id)
                .order_by(audit.AuditEvent.id.desc())
                .limit(limit)
            )
        ).all()
    )
