"""Citizens' panels (recruitment pool, stratified selection by lot, members) and deliberation in
threads (posts with stances, replies, reactions, moderation, summaries, evidence, read positions).
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Identity,
    Index,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from deliberate.db import Base, new_uuid


class Panel(Base):
    """A cycle's citizens' panel. `attributes` declares what volunteers are asked and the quotas:
    [{"key", "name_en", "name_cy", "values": [{"key", "name_en", "name_cy", "min", "max"}]}]."""

    __tablename__ = "panels"
    __table_args__ = (
        CheckConstraint("status IN ('recruiting', 'drawn')", name="status"),
        CheckConstraint("size >= 1", name="size"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), unique=True
    )
    size: Mapped[int] = mapped_column(default=24)
    attributes: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    threads_private: Mapped[bool] = mapped_column(default=False, server_default="false")
    status: Mapped[str] = mapped_column(String(20), default="recruiting")
    # The seed is published before the draw so anyone can re-run it and get the same panel.
    seed: Mapped[str | None] = mapped_column(String(100))
    seed_published_at: Mapped[dt.datetime | None]
    drawn_at: Mapped[dt.datetime | None]
    report: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Volunteer(Base):
    """Someone in the recruitment pool, with only the attributes the panel asks for."""

    __tablename__ = "volunteers"
    __table_args__ = (
        CheckConstraint(
            "status IN ('pool', 'selected', 'accepted', 'declined', 'withdrawn')", name="status"
        ),
        CheckConstraint("source IN ('form', 'csv', 'invited')", name="source"),
        Index(
            "uq_volunteers_panel_user",
            "panel_id",
            "user_id",
            unique=True,
            postgresql_where=text("user_id IS NOT NULL"),
        ),
        Index("uq_volunteers_panel_email", "panel_id", func.lower(text("email")), unique=True),
        Index("ix_volunteers_cycle_user", "cycle_id", "user_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    panel_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("panels.id", ondelete="CASCADE"))
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str] = mapped_column(String(320))
    attributes: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    consent_at: Mapped[dt.datetime]
    source: Mapped[str] = mapped_column(String(10), default="form")
    status: Mapped[str] = mapped_column(String(10), default="pool")
    # Their chance of selection under the published draw (from the selection report).
    probability: Mapped[float | None]
    # Order in the draw: replacements are taken in this order.
    draw_position: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    decided_at: Mapped[dt.datetime | None]

    @property
    def is_member(self) -> bool:
        return self.status in ("selected", "accepted") and self.user_id is not None


MEMBER_STATUSES = ("selected", "accepted")


class Thread(Base):
    __tablename__ = "threads"
    __table_args__ = (
        CheckConstraint("kind IN ('proposal', 'general')", name="kind"),
        UniqueConstraint("cycle_id", "proposal_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    proposal_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10), default="general")
    title: Mapped[str] = mapped_column(String(200))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    locked_at: Mapped[dt.datetime | None]
    locked_reason: Mapped[str | None] = mapped_column(Text)
    post_count: Mapped[int] = mapped_column(default=0, server_default="0")
    last_post_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Post(Base):
    """A post or reply. `path` is the chain of ancestor ids, zero-padded, so ordering by it gives
    the reply tree depth-first and a page can start after any post (keyset pagination)."""

    __tablename__ = "posts"
    __table_args__ = (
        CheckConstraint("stance IN ('supports', 'concerns', 'question', 'neutral')", name="stance"),
        CheckConstraint("depth BETWEEN 0 AND 3", name="depth"),
        Index("ix_posts_thread_path", "thread_id", "path"),
        Index("ix_posts_cycle_author_created", "cycle_id", "author_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    thread_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"))
    quote_id: Mapped[int | None] = mapped_column(ForeignKey("posts.id", ondelete="SET NULL"))
    depth: Mapped[int] = mapped_column(default=0)
    path: Mapped[str] = mapped_column(String(80), default="")
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2), default="en")
    stance: Mapped[str] = mapped_column(String(10), default="neutral")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    edited_at: Mapped[dt.datetime | None]
    hidden_at: Mapped[dt.datetime | None]
    hidden_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    hidden_reason: Mapped[str | None] = mapped_column(Text)
    # {"agree": 3, "thanks": 1}: kept on the post so a page never counts reactions per post.
    reaction_counts: Mapped[dict[str, int]] = mapped_column(JSONB, default=dict)


class PostRevision(Base):
    """Earlier wording of an edited post: the history is kept."""

    __tablename__ = "post_revisions"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    body: Mapped[str] = mapped_column(Text)
    stance: Mapped[str] = mapped_column(String(10))
    replaced_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Reaction(Base):
    __tablename__ = "reactions"
    __table_args__ = (CheckConstraint("kind IN ('agree', 'thanks', 'insightful')", name="kind"),)

    post_id: Mapped[int] = mapped_column(
        ForeignKey("posts.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Flag(Base):
    """A panel member's request that a facilitator look at a post."""

    __tablename__ = "flags"
    __table_args__ = (UniqueConstraint("post_id", "user_id"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("posts.id", ondelete="CASCADE"), index=True)
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    resolved_at: Mapped[dt.datetime | None]
    resolved_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class ThreadSummary(Base):
    """A facilitator's pinned summary of a thread. Every version is kept: the specification cites
    the exact version its clauses came from."""

    __tablename__ = "thread_summaries"
    __table_args__ = (UniqueConstraint("thread_id", "version"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    thread_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("threads.id", ondelete="CASCADE"))
    version: Mapped[int]
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2), default="en")
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Evidence(Base):
    """A document or link attached to a thread by a facilitator, with a short summary."""

    __tablename__ = "evidence"
    __table_args__ = (CheckConstraint("kind IN ('link', 'document')", name="kind"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    title: Mapped[str] = mapped_column(String(200))
    summary: Mapped[str] = mapped_column(Text)
    url: Mapped[str | None] = mapped_column(String(2000))
    filename: Mapped[str | None] = mapped_column(String(200))
    content_type: Mapped[str | None] = mapped_column(String(100))
    content: Mapped[bytes | None] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int | None]
    added_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class ReadPosition(Base):
    __tablename__ = "read_positions"

    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    last_post_id: Mapped[int] = mapped_column(BigInteger, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
