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


# --- e-mail digests -----------------------------------------------------------------------------

DIGEST_LOCK = 0x0D16E57


def describe(notification: Notification, cycle_title: str | None) -> str:
    """One line of plain text for a notice, in the current language."""
    from deliberate.i18n import gettext as _

    details = notification.details or {}
    if notification.kind == "mentioned":
        return _(
            "%(name)s mentioned you in “%(thread)s”.",
            name=details.get("by", ""),
            thread=details.get("thread_title", ""),
        )
    if notification.kind == "replied":
        return _(
            "%(name)s replied to you in “%(thread)s”.",
            name=details.get("by", ""),
            thread=details.get("thread_title", ""),
        )
    if notification.kind == "proposal_answered":
        return _(
            "Your proposal “%(title)s” has an answer from the commissioner.",
            title=details.get("proposal_title", ""),
        )
    if notification.kind == "proposal_merged":
        return _(
            "“%(title)s” has been merged into “%(into)s”. Supports were carried over.",
            title=details.get("proposal_title", ""),
            into=details.get("into_title", ""),
        )
    if notification.kind == "stage_changed":
        return _("%(cycle)s has moved to a new stage.", cycle=cycle_title or "")
    if notification.kind == "panel_selected":
        return _(
            "You have been chosen for the citizens' panel of %(cycle)s.", cycle=cycle_title or ""
        )
    return _("Something new in %(cycle)s.", cycle=cycle_title or "")


async def send_daily_digests(
    sessionmaker: Any, settings: Any, *, now: dt.datetime | None = None
) -> int:
    """E-mail each person who chose a daily digest what happened since the last one. Safe to call
    from several processes: one holds the lock, and a day's digest is sent once."""
    from sqlalchemy import text

    from deliberate import audit, i18n
    from deliberate.accounts.models import User
    from deliberate.cycles.models import Cycle
    from deliberate.mail import send_mail

    now = now or dt.datetime.now(dt.UTC)
    today = now.date().isoformat()
    sent = 0
    async with sessionmaker() as db, db.begin():
        if not (
            await db.execute(text("SELECT pg_try_advisory_xact_lock(:k)"), {"k": DIGEST_LOCK})
        ).scalar():
            return 0
        previous = (
            await db.execute(
                select(audit.AuditEvent.occurred_at, audit.AuditEvent.details)
                .where(audit.AuditEvent.action == "digest.sent")
                .order_by(audit.AuditEvent.id.desc())
                .limit(1)
            )
        ).first()
        if previous is not None and previous.details.get("date") == today:
            return 0
        since = previous.occurred_at if previous is not None else now - dt.timedelta(days=1)
        rows = (
            await db.execute(
                select(Notification, User.email, User.language, Cycle.title_en, Cycle.title_cy)
                .join(User, User.id == Notification.user_id)
                .outerjoin(Cycle, Cycle.id == Notification.cycle_id)
                .where(
                    User.email_notifications == "daily",
                    User.is_active.is_(True),
                    Notification.created_at > since,
                    Notification.read_at.is_(None),
                )
                .order_by(Notification.user_id, Notification.created_at)
            )
        ).all()
        by_person: dict[tuple[str, str], list[str]] = {}
        for notification, email, language, title_en, title_cy in rows:
            token = i18n.locale_var.set(language)
            try:
                title = title_cy if language == "cy" and title_cy else title_en
                by_person.setdefault((email, language), []).append(describe(notification, title))
            finally:
                i18n.locale_var.reset(token)
        for (email, language), lines in by_person.items():
            token = i18n.locale_var.set(language)
            try:
                subject = i18n.gettext("Your daily summary from Deliberate")
                body = i18n.gettext(
                    "Since yesterday:\n\n%(lines)s\n\nSee everything at %(link)s\n",
                    lines="\n".join(f"- {line}" for line in lines),
                    link=f"{settings.base_url}/notifications",
                )
            finally:
                i18n.locale_var.reset(token)
            await send_mail(settings, email, subject, body)
            sent += 1
        await audit.record(
            db, None, "digest.sent", ("site", "digest"), {"date": today, "people": sent}
        )
    return sent
