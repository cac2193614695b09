"""The co-designed service specification: the document (sections and clauses, English and Welsh),
the golden thread (real keys from each clause to the proposals, threads, summary versions and vote
result behind it), versions (frozen snapshots), amendments, endorsements, and delivery reports."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    Date,
    ForeignKey,
    Identity,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from deliberate.db import Base, new_uuid

AMENDMENT_STATUSES = ("proposed", "accepted", "rejected")
STANCES = ("endorse", "object")
DELIVERY_STATUSES = ("planned", "in_progress", "delivered", "at_risk", "not_delivered")


class Specification(Base):
    """One per cycle: made when the vote closes, published once the panel signs it off."""

    __tablename__ = "specifications"

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), unique=True
    )
    title_en: Mapped[str] = mapped_column(String(300))
    title_cy: Mapped[str] = mapped_column(String(300), default="")
    # The number of the latest version, and of the published one (frozen for ever once set).
    latest_version: Mapped[int] = mapped_column(default=0)
    published_version: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    def title(self, locale: str) -> str:
        return (self.title_cy if locale == "cy" else self.title_en) or self.title_en


class SpecSection(Base):
    __tablename__ = "spec_sections"
    __table_args__ = (UniqueConstraint("specification_id", "key"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    specification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("specifications.id", ondelete="CASCADE")
    )
    key: Mapped[str] = mapped_column(String(40))
    position: Mapped[int]
    title_en: Mapped[str] = mapped_column(String(200))
    title_cy: Mapped[str] = mapped_column(String(200))

    def title(self, locale: str) -> str:
        return (self.title_cy if locale == "cy" else self.title_en) or self.title_en


class Clause(Base):
    """A clause's current text. Earlier wording lives in the versions' snapshots."""

    __tablename__ = "clauses"
    __table_args__ = (Index("ix_clauses_section_position", "section_id", "position"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    specification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("specifications.id", ondelete="CASCADE"), index=True
    )
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    section_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("spec_sections.id", ondelete="CASCADE")
    )
    position: Mapped[int]
    body_en: Mapped[str] = mapped_column(Text, default="")
    body_cy: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class ClauseProposal(Base):
    """The golden thread: a proposal the clause answers."""

    __tablename__ = "clause_proposals"

    clause_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clauses.id", ondelete="CASCADE"), primary_key=True
    )
    proposal_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("proposals.id", ondelete="CASCADE"), primary_key=True, index=True
    )


class ClauseThread(Base):
    """The golden thread: a deliberation thread behind the clause, and the exact version of its
    facilitator summary that the clause cites."""

    __tablename__ = "clause_threads"

    clause_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clauses.id", ondelete="CASCADE"), primary_key=True
    )
    thread_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("threads.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    summary_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("thread_summaries.id", ondelete="SET NULL")
    )


class ClauseResult(Base):
    """The golden thread: the stored tally and the ballot option whose result ranked the clause."""

    __tablename__ = "clause_results"

    clause_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clauses.id", ondelete="CASCADE"), primary_key=True
    )
    option_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("ballot_options.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    tally_cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("tallies.cycle_id", ondelete="CASCADE"), index=True
    )


class SpecVersion(Base):
    """A frozen snapshot of the whole document (sections, clauses and their links). Rows are
    never changed, except that publication stamps `published_at` on one of them."""

    __tablename__ = "spec_versions"
    __table_args__ = (UniqueConstraint("specification_id", "number"),)

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    specification_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("specifications.id", ondelete="CASCADE")
    )
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    snapshot: Mapped[dict[str, Any]] = mapped_column(JSONB)
    reason: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    published_at: Mapped[dt.datetime | None]
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )


class Amendment(Base):
    __tablename__ = "amendments"
    __table_args__ = (
        CheckConstraint("status IN ('proposed', 'accepted', 'rejected')", name="status"),
        Index("ix_amendments_cycle_status", "cycle_id", "status"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    clause_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("clauses.id", ondelete="CASCADE"), index=True
    )
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    proposer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    # The clause's wording when the amendment was proposed, and the version it stood in.
    base_version: Mapped[int]
    base_en: Mapped[str] = mapped_column(Text, default="")
    base_cy: Mapped[str] = mapped_column(Text, default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    body_cy: Mapped[str] = mapped_column(Text, default="")
    explanation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(10), default="proposed")
    decided_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[dt.datetime | None]
    reason: Mapped[str | None] = mapped_column(Text)
    # The version an acceptance made.
    result_version: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class AmendmentComment(Base):
    __tablename__ = "amendment_comments"

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    amendment_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("amendments.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Endorsement(Base):
    """A panel member's sign-off (or objection, with a reason) for one version."""

    __tablename__ = "endorsements"
    __table_args__ = (
        UniqueConstraint("version_id", "user_id"),
        CheckConstraint("stance IN ('endorse', 'object')", name="stance"),
        CheckConstraint("stance = 'endorse' OR length(reason) > 0", name="objection_reason"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    version_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("spec_versions.id", ondelete="CASCADE")
    )
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    stance: Mapped[str] = mapped_column(String(10))
    reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class DeliveryUpdate(Base):
    """ "You said, we did": the commissioner's report on one clause, newest last."""

    __tablename__ = "delivery_updates"
    __table_args__ = (
        CheckConstraint(
            "status IN ('planned', 'in_progress', 'delivered', 'at_risk', 'not_delivered')",
            name="status",
        ),
        Index("ix_delivery_updates_clause_created", "clause_id", "created_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    clause_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clauses.id", ondelete="CASCADE"))
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    evidence_url: Mapped[str | None] = mapped_column(String(2000))
    reported_on: Mapped[dt.date] = mapped_column(Date)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class DeliveryRating(Base):
    """A panel member's rating (1-5) of delivery against one outcome clause: co-evaluation."""

    __tablename__ = "delivery_ratings"
    __table_args__ = (
        UniqueConstraint("clause_id", "user_id"),
        CheckConstraint("rating BETWEEN 1 AND 5", name="rating"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    clause_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("clauses.id", ondelete="CASCADE"))
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    rating: Mapped[int]
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
