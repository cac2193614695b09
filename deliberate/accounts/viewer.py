"""Who is asking: the signed-in person (if any) and the roles they hold, loaded in one query."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Interval, Text, bindparam, cast, func, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from deliberate.accounts.models import Role, RoleGrant, User, UserSession
from deliberate.security import token_hash


@dataclass(frozen=True)
class Viewer:
    user: User | None
    session_token: str | None = None
    # (role, organisation id or None for site-wide roles)
    grants: frozenset[tuple[str, uuid.UUID | None]] = field(default_factory=frozenset)
    unread_notifications: int = 0

    @classmethod
    def anonymous(cls) -> Viewer:
        return cls(user=None)

    @property
    def is_authenticated(self) -> bool:
        return self.user is not None

    @property
    def id(self) -> uuid.UUID | None:
        return self.user.id if self.user else None

    @property
    def is_admin(self) -> bool:
        return (Role.ADMIN.value, None) in self.grants

    def has_role(self, role: Role, organisation_id: uuid.UUID | None = None) -> bool:
        """True when the person holds `role` for the organisation (any organisation when None)."""
        if role is Role.ADMIN:
            return self.is_admin
        if organisation_id is None:
            return any(granted == role.value for granted, _ in self.grants)
        return (role.value, organisation_id) in self.grants

    def organisations_for(self, role: Role) -> set[uuid.UUID]:
        return {org for granted, org in self.grants if granted == role.value and org is not None}


# last_seen_at is written at most this often, so most requests stay read-only.
TOUCH_EVERY = dt.timedelta(minutes=5)


_VIEWER_QUERY: Any = None


def _viewer_query() -> Any:
    """The viewer's one query, built once: building it cost more CPU than running it."""
    global _VIEWER_QUERY
    if _VIEWER_QUERY is None:
        from deliberate.notifications import unread_count_subquery

        grant = (
            RoleGrant.role + literal(":") + func.coalesce(cast(RoleGrant.organisation_id, Text), "")
        )
        # NULL when there are no grants; one query for the person and all they may do.
        roles = select(func.array_agg(grant)).where(RoleGrant.user_id == User.id)
        _VIEWER_QUERY = (
            select(
                User,
                roles.scalar_subquery(),
                unread_count_subquery(User.id),
                func.now() - UserSession.last_seen_at,
            )
            .join(UserSession, UserSession.user_id == User.id)
            .where(
                UserSession.id == bindparam("session_id"),
                UserSession.revoked_at.is_(None),
                UserSession.expires_at > func.now(),
                UserSession.last_seen_at > func.now() - bindparam("idle", type_=Interval),
                User.is_active.is_(True),
            )
        )
    return _VIEWER_QUERY


async def load_viewer(db: AsyncSession, session_token: str, idle_minutes: int = 480) -> Viewer:
    session_id = token_hash(session_token)
    row = (
        await db.execute(
            _viewer_query(),
            {"session_id": session_id, "idle": dt.timedelta(minutes=idle_minutes)},
        )
    ).first()
    if row is None:
        return Viewer.anonymous()
    user, role_strings, unread, idle = row
    if idle >= TOUCH_EVERY:
        await db.execute(
            update(UserSession).where(UserSession.id == session_id).values(last_seen_at=func.now())
        )
    grants: set[tuple[str, uuid.UUID | None]] = set()
    for entry in role_strings or []:
        role, _sep, org = entry.partition(":")
        grants.add((role, uuid.UUID(org) if org else None))
    return Viewer(
        user=user,
        session_token=session_token,
        grants=frozenset(grants),
        unread_notifications=int(unread or 0),
    )
