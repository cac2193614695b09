"""Rate limits kept in PostgreSQL, so every app process sees the same counts.

Failed attempts are recorded in their own short transaction: the request's own transaction rolls
back on a refused sign-in, and the attempt must still count.
"""

from __future__ import annotations

import datetime as dt
import hashlib

from sqlalchemy import BigInteger, Identity, Index, String, delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Mapped, mapped_column

from deliberate.db import Base
from deliberate.errors import RateLimited
from deliberate.i18n import lazy_gettext


class RateEvent(Base):
    __tablename__ = "rate_events"
    __table_args__ = (Index("ix_rate_events_key_created", "key", "created_at"),)

    id: Mapped[int] = mapped_column(BigInteger, Identity(), primary_key=True)
    key: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[dt.datetime] = mapped_column(server_default=func.now())


def key_for(kind: str, value: str) -> str:
    """Keys never hold an e-mail address or IP in the clear."""
    return f"{kind}:{hashlib.sha256(value.strip().lower().encode()).hexdigest()[:40]}"


async def check(db: AsyncSession, key: str, limit: int, window: dt.timedelta) -> None:
    """Raise RateLimited (429 with Retry-After) when `key` has `limit` events in the window."""
    count, oldest = (
        await db.execute(
            select(func.count(), func.min(RateEvent.created_at)).where(
                RateEvent.key == key, RateEvent.created_at > func.now() - window
            )
        )
    ).one()
    if count >= limit:
        now = dt.datetime.now(dt.UTC)
        retry = int(((oldest + window) - now).total_seconds()) + 1 if oldest else 60
        raise RateLimited(
            max(1, retry),
            lazy_gettext(
                "Too many attempts. Please wait %(minutes)s minutes and try again.",
                minutes=max(1, -(-retry // 60)),
            ),
        )


async def record(sessionmaker: async_sessionmaker[AsyncSession], *keys: str) -> None:
    async with sessionmaker() as db, db.begin():
        db.add_all([RateEvent(key=key) for key in keys])
        # Old events are of no use: prune them as we go.
        await db.execute(
            delete(RateEvent).where(RateEvent.created_at < func.now() - dt.timedelta(days=1))
        )


# Ballots: a person changing their mind a few times is normal, a script hammering is not. The
# count comes from the audit log's "ballot.cast" events (written in the casting transaction),
# read by the cast's one state query, so the check costs no extra round trip and holds across
# processes. A repeated submission (a double click, a retry) is not a new one and is not counted.
BALLOT_LIMIT = 10
BALLOT_WINDOW = dt.timedelta(minutes=1)


def ballots_refused(retry_after: int) -> RateLimited:
    return RateLimited(
        retry_after,
        lazy_gettext(
            "You have sent your ballot %(count)s times in the last minute. Your last ballot is "
            "recorded. Please wait %(seconds)s seconds before sending another.",
            count=BALLOT_LIMIT,
            seconds=retry_after,
        ),
    )
