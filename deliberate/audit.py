"""The audit log: who did what to what, written in the same transaction as the change."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Identity, Index, String, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from deliberate.db import Base
from deliberate.logging import request_id_var


class AuditEvent(Base):
    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_subject", "subject_type", "subject_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    occurred_at: Mapped[dt.datetime] = mapped_column(server_default=func.now(), index=True)
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(80), index=True)
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[str] = mapped_column(String(80))
    details: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    request_id: Mapped[str | None] = mapped_column(String(40))


async def record(
    session: AsyncSession,
    actor: Any,
    action: str,
    subject: Any,
    details: dict[str, Any] | None = None,
) -> AuditEvent:
    """Add an audit event to the session's transaction: it commits or rolls back with the change.

    `actor` is a user (or None for the system); `subject` is any mapped object with an `id`, or a
    `(type, id)` pair.
    """
    if isinstance(subject, tuple):
        subject_type, subject_id = subject
    else:
        subject_type, subject_id = type(subject).__tablename__, subject.id
    event = AuditEvent(
        actor_id=getattr(actor, "id", None),
        action=action,
        subject_type=str(subject_type),
        subject_id=str(subject_id),
        details=details or {},
        request_id=request_id_var.get(),
    )
    session.add(event)
    return event
