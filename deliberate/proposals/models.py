"""Citizens' proposals, their supports, and the community assets that could help deliver them."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import (
    CheckConstraint,
    Computed,
    ForeignKey,
    Index,
    String,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import TSVECTOR
from sqlalchemy.orm import Mapped, mapped_column

from deliberate.db import Base, new_uuid

# Searched in English (stemmed) and without a dictionary (exact words, which is what Welsh text
# needs: PostgreSQL has no Welsh stemmer), weighting the title above the body.
SEARCH_VECTOR = (
    "setweight(to_tsvector('english', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(title, '')), 'A') || "
    "setweight(to_tsvector('english', coalesce(body, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(body, '')), 'B')"
)


class ProposalStatus:
    OPEN = "open"
    WITHDRAWN = "withdrawn"
    MERGED = "merged"


class Answer:
    UNDER_CONSIDERATION = "under_consideration"
    TAKEN_FORWARD = "taken_forward"
    NOT_TAKEN_FORWARD = "not_taken_forward"
    ALL = (UNDER_CONSIDERATION, TAKEN_FORWARD, NOT_TAKEN_FORWARD)


class Proposal(Base):
    __tablename__ = "proposals"
    __table_args__ = (
        CheckConstraint("status IN ('open', 'withdrawn', 'merged')", name="status"),
        CheckConstraint(
            "answer IS NULL OR answer IN ('under_consideration', 'taken_forward', "
            "'not_taken_forward')",
            name="answer",
        ),
        CheckConstraint("(status = 'merged') = (merged_into_id IS NOT NULL)", name="merged"),
        CheckConstraint("estimated_cost IS NULL OR estimated_cost >= 0", name="cost"),
        CheckConstraint("support_count >= 0", name="support_count"),
        CheckConstraint("language IN ('en', 'cy')", name="language"),
        # The list pages: by support, by date, within a cycle, filtered by status.
        Index("ix_proposals_cycle_support", "cycle_id", "support_count", "created_at"),
        Index("ix_proposals_cycle_created", "cycle_id", "created_at"),
        Index("ix_proposals_search", "search", postgresql_using="gin"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    author_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    language: Mapped[str] = mapped_column(String(2), default="en")
    category: Mapped[str | None] = mapped_column(String(40))
    estimated_cost: Mapped[int | None]
    status: Mapped[str] = mapped_column(String(20), default=ProposalStatus.OPEN)
    merged_into_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("proposals.id", ondelete="SET NULL")
    )
    answer: Mapped[str | None] = mapped_column(String(30))
    answer_reason: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[dt.datetime | None]
    answered_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    support_count: Mapped[int] = mapped_column(default=0, server_default="0")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    search: Mapped[str] = mapped_column(TSVECTOR, Computed(SEARCH_VECTOR, persisted=True))

    @property
    def shortlisted(self) -> bool:
        return self.status == ProposalStatus.OPEN and self.answer == Answer.TAKEN_FORWARD


class Support(Base):
    """One citizen's support for one proposal: the primary key makes it one, whatever the clicks."""

    __tablename__ = "supports"
    __table_args__ = (Index("ix_supports_cycle_user", "cycle_id", "user_id"),)

    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    # Kept on the row (not only via the proposal) for the per-cycle limit and for sharding.
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class CommunityAsset(Base):
    """People, places, groups or skills in the community that could help deliver a proposal."""

    __tablename__ = "community_assets"
    __table_args__ = (
        CheckConstraint("kind IN ('people', 'place', 'group', 'skill')", name="kind"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    description: Mapped[str] = mapped_column(String(300))
    position: Mapped[int] = mapped_column(default=0)
