"""Ballot definitions, the frozen options, eligibility and voters' groups, ballots, the public
bulletin of receipt hashes (an append-only hash chain) and the stored tally."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sqlalchemy import (
    BigInteger,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import Mapped, mapped_column

from deliberate.db import Base, new_uuid

METHOD_CHECK = (
    "method IN ('approval', 'score', 'cumulative', 'quadratic', 'borda', 'irv', 'schulze', "
    "'greedy', 'mes')"
)


class BallotDefinition(Base):
    """How a cycle votes: set by the commissioner while the cycle is a draft, frozen (with a
    snapshot of the shortlist as `BallotOption` rows) when voting opens."""

    __tablename__ = "ballot_definitions"
    __table_args__ = (
        CheckConstraint(METHOD_CHECK, name="method"),
        CheckConstraint("eligibility IN ('citizens', 'list', 'panel')", name="eligibility"),
        CheckConstraint("weighting IN ('none', 'multiplier', 'equal_voice')", name="weighting"),
        CheckConstraint("results_visibility IN ('sealed', 'live')", name="results_visibility"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), unique=True
    )
    method: Mapped[str] = mapped_column(String(20))
    # The method's rules: max_approvals, min_score/max_score, max_total/max_per_option,
    # credits, max_rank, budget, max_cost (see voting.service.PARAMS).
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    eligibility: Mapped[str] = mapped_column(String(10), default="citizens")
    weighting: Mapped[str] = mapped_column(String(12), default="none")
    # group key -> multiplier (as text, exact), for weighting "multiplier".
    multipliers: Mapped[dict[str, str]] = mapped_column(JSONB, default=dict)
    results_visibility: Mapped[str] = mapped_column(String(10), default="sealed")
    frozen_at: Mapped[dt.datetime | None]
    updated_by_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class BallotOption(Base):
    """One shortlisted proposal as it stood when voting opened. `position` (1..m) is the option's
    id in the counting engine and in the open-data files."""

    __tablename__ = "ballot_options"
    __table_args__ = (
        UniqueConstraint("cycle_id", "position"),
        UniqueConstraint("cycle_id", "proposal_id"),
        CheckConstraint("position >= 1", name="position"),
        CheckConstraint("cost IS NULL OR cost >= 0", name="cost"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    # The golden thread: a real key to the proposal the option came from.
    proposal_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("proposals.id"), index=True)
    position: Mapped[int]
    title: Mapped[str] = mapped_column(String(120))
    language: Mapped[str] = mapped_column(String(2), default="en")
    cost: Mapped[int | None] = mapped_column(BigInteger)

    @property
    def key(self) -> str:
        return str(self.position)


class EligibleVoter(Base):
    """An e-mail address on the list of eligible residents the commissioner imported, with the
    stakeholder group the list verifies (if any)."""

    __tablename__ = "eligible_voters"

    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    email: Mapped[str] = mapped_column(String(320), primary_key=True)  # lower case
    group_key: Mapped[str | None] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class VoterGroup(Base):
    """The stakeholder group a voter declared (or was verified into) for a cycle: the only
    source of their weight, read at tally time."""

    __tablename__ = "voter_groups"

    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    group_key: Mapped[str] = mapped_column(String(40))
    verified: Mapped[bool] = mapped_column(default=False, server_default="false")
    declared_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class CastBallot(Base):
    """A voter's current ballot: one per voter per cycle (the unique constraint), replaced when
    they vote again. `choice` uses option positions: {"approvals": [..]}, {"points": {..}} or
    {"ranking": [..]}. The receipt code itself is never stored, only its hash."""

    __tablename__ = "ballots"
    __table_args__ = (
        UniqueConstraint("cycle_id", "voter_id"),
        Index("ix_ballots_voter_id", "voter_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=new_uuid)
    cycle_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("cycles.id", ondelete="CASCADE"))
    # NULL once the voter's account is erased: the ballot is kept and counted, unlinked.
    voter_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # The voter's group, copied here only when the ballot is unlinked (voter_groups is keyed by
    # the voter), so an unlinked ballot keeps the weight it had.
    group_key: Mapped[str | None] = mapped_column(String(40))
    choice: Mapped[dict[str, Any]] = mapped_column(JSONB)
    receipt_hash: Mapped[str] = mapped_column(String(64))
    submission_token: Mapped[str] = mapped_column(String(64))
    changes: Mapped[int] = mapped_column(default=0, server_default="0")
    cast_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
    updated_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class BulletinEntry(Base):
    """One receipt hash on the public bulletin. Each entry carries the previous entry's hash; the
    database refuses UPDATE and DELETE on this table (a trigger, see the migration)."""

    __tablename__ = "bulletin_entries"
    __table_args__ = (UniqueConstraint("cycle_id", "receipt_hash"),)

    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    receipt_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


class Tally(Base):
    """The result computed in the transaction that closed the vote (or by a recount)."""

    __tablename__ = "tallies"

    cycle_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cycles.id", ondelete="CASCADE"), primary_key=True
    )
    method: Mapped[str] = mapped_column(String(20))
    params: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    result: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    # Turnout and weights per group, payments per group: what the results page shows.
    summary: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict)
    ballots_counted: Mapped[int] = mapped_column(default=0)
    # The anonymised open-data export the result recounts from (shuffled voter ids): megabytes
    # for a city, so loaded only when asked for (undefer, or service.tally_export). {} until it
    # is written after the close, by the export writer or its first reader.
    export: Mapped[dict[str, Any]] = mapped_column(JSONB, default=dict, deferred=True)
    # When it was (None: still to write): what the export writers look for, without reading
    # any export.
    export_written_at: Mapped[dt.datetime | None] = mapped_column(default=None)
    computed_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())
