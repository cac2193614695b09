"""Commissioning cycles: their official texts in both languages, stakeholder groups, schedule and
the settings later stages use."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column, relationship

from deliberate.cycles.stages import Stage
from deliberate.db import Base, new_uuid

STAGE_CHECK = (
    "stage IN ('draft', 'proposals', 'deliberation', 'voting', 'specification', "
    "'published', 'closed')"
)


class Cycle(Base):
    __tablename__ = "cycles"
    __table_args__ = (
        CheckConstraint(STAGE_CHECK, name="stage"),
        CheckConstraint("budget >= 0", name="budget_not_negative"),
        Index("ix_cycles_stage_service_area", "stage", "service_area"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    organisation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("organisations.id", ondelete="RESTRICT"), index=True
    )
    stage: Mapped[str] = mapped_column(String(20), default=Stage.DRAFT.value)
    title_en: Mapped[str] = mapped_column(String(200))
    title_cy: Mapped[str] = mapped_column(String(200), default="")
    summary_en: Mapped[str] = mapped_column(Text, default="")
    summary_cy: Mapped[str] = mapped_column(Text, default="")
    easy_read_en: Mapped[str] = mapped_column(Text, default="", server_default="")
    easy_read_cy: Mapped[str] = mapped_column(Text, default="", server_default="")
    service_area: Mapped[str] = mapped_column(String(40))
    budget: Mapped[int] = mapped_column(BigInteger, default=0)  # whole pounds
    # [{"key", "name_en", "name_cy"}]: the categories proposals are filed under.
    categories: Mapped[list[dict[str, Any]]] = mapped_column(JSONB, default=list)
    # Settings later stages read: ballot, panel, sign-off quorum.
    settings: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    support_limit: Mapped[int | None]
    # A draft the commissioner has announced is listed as upcoming; other drafts are private.
    announced: Mapped[bool] = mapped_column(default=False, server_default="false")
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    stage_changed_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())

    groups: Mapped[list[StakeholderGroupDef]] = relationship(
        order_by="StakeholderGroupDef.position", lazy="raise", cascade="all, delete-orphan"
    )
    schedule: Mapped[list[StageSchedule]] = relationship(
        order_by="StageSchedule.starts_at", lazy="raise", cascade="all, delete-orphan"
    )

    @property
    def current_stage(self) -> Stage:
        return Stage(self.stage)

    def title(self, locale: str) -> str:
        return self.title_cy if locale == "cy" and self.title_cy else self.title_en

    def summary(self, locale: str) -> str:
        return self.summary_cy if locale == "cy" and self.summary_cy else self.summary_en

    def easy_read(self, locale: str) -> str:
        return self.easy_read_cy if locale == "cy" and self.easy_read_cy else self.easy_read_en

    def text_language(self, field: str, locale: str) -> str:
        """The language a shown official text is actually in (for the `lang` attribute)."""
        return "cy" if locale == "cy" and getattr(self, f"{field}_cy") else "en"

    def category_name(self, key: str | None, locale: str) -> str:
        for category in self.categories:
            if category["key"] == key:
                return (
                    category["name_cy"]
                    if locale == "cy" and category.get("name_cy")
                    else (category["name_en"])
                )
        return key or ""


class StakeholderGroupDef(Base):
    """A stakeholder group declared for a cycle, with its target share of voice."""

    __tablename__ = "cycle_groups"
    __table_args__ = (
        UniqueConstraint("cycle_id", "key"),
        CheckConstraint("target_share > 0 AND target_share <= 1", name="share_range"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(40))
    name_en: Mapped[str] = mapped_column(String(120))
    name_cy: Mapped[str] = mapped_column(String(120))
    target_share: Mapped[float] = mapped_column(Numeric(5, 4))
    position: Mapped[int] = mapped_column(default=0)

    def name(self, locale: str) -> str:
        return self.name_cy if locale == "cy" and self.name_cy else self.name_en


class StageSchedule(Base):
    """When a stage of a cycle starts and ends. A passed end date moves the cycle on (for the
    stages the transition table marks as scheduled)."""

    __tablename__ = "cycle_schedule"
    __table_args__ = (
        UniqueConstraint("cycle_id", "stage"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
        CheckConstraint(STAGE_CHECK, name="stage"),
        Index("ix_cycle_schedule_due", "stage", "ends_at"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    stage: Mapped[str] = mapped_column(String(20))
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]


class CycleFollow(Base):
    __tablename__ = "cycle_follows"

    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
