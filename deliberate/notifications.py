"""In-app notifications: answers, merges, stage changes and, later, mentions. Shared by every
part, like the audit log."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Index, String, func, select
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from deliberate.accounts.viewer import Viewer
from deliberate.db import Base
from deliberate.errors import SignInRequired


class Notification(Base):
    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    cycle_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[uuid.UUID | None]
    # Titles are copied in when the notice is made, so the list needs no join per kind.
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    read_at: Mapped[dt.datetime | None]


def notify(
    db: AsyncSession,
    user_id: uuid.UUID,
    kind: str,
    *,
    cycle_id: uuid.UUID | None = None,
    proposal_id: uuid.UUID | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    db.add(
        Notification(
            user_id=user_id,
            kind=kind,
            cycle_id=cycle_id,
            proposal_id=proposal_id,
            details=details or {},
        )
    )


@dataclass
class NotificationRow:
    notification: Notification
    cycle_title: str | None


async def list_notifications(
    db: AsyncSession, viewer: Viewer, locale: str, limit: int = 50
) -> list[NotificationRow]:
    if not viewer.is_authenticated:
        raise SignInRequired()
    from deliberate.cycles.models import Cycle

    rows = await db.execute(
        select(Notification, Cycle.title_en, Cycle.title_cy)
        .outerjoin(Cycle, Cycle.id == Notification.cycle_id)
        .where(Notification.user_id == viewer.id)
        .order_by(Notification.created_at.desc(), Notification.id.desc())
        .limit(limit)
    )
    return [
        NotificationRow(n, title_cy if locale == "cy" and title_cy else title_en)
        for n, title_en, title_cy in rows
    ]


async def mark_all_read(db: AsyncSession, viewer: Viewer) -> None:
    if not viewer.is_authenticated:
        raise SignInRequired()
    await db.execute(
        Notification.__table__.update()
        .where(Notification.user_id == viewer.id, Notification.read_at.is_(None))
        .values(read_at=func.now())
    )


def unread_count_subquery(user_id_column: Any) -> Any:
    """Used by the viewer's one query, so every page can show the unread count for free."""
    return (
        select(func.count())
        .select_from(Notification)
        .where(Notification.user_id == user_id_column, Notification.read_at.is_(None))
        .scalar_subquery()
    )
