"""200 voters casting at once over HTTP while the commissioner closes the vote: every
acknowledged ballot is counted, none arrives after the close, nobody has two, and receipts =
ballots = chain entries."""

from __future__ import annotations

import asyncio
import random
import secrets
from urllib.parse import parse_qs, urlsplit

from helpers import count_rows
from sqlalchemy import select, text
from sqlalchemy.ext.asyncio import AsyncSession
from vote.support import build_world, declare_carers, make_voters, voter_browser

from deliberate import db as dbmod
from deliberate.cycles.service import move_cycle
from deliberate.cycles.stages import Stage
from deliberate.security import csrf_token_for
from deliberate.voting import chain
from deliberate.voting.models import Tally

VOTERS = 200
CLOSE_AFTER = 40  # acknowledged ballots before the close starts
SPREAD = 3.0  # seconds over which the voters arrive


async def test_200_voters_casting_while_the_vote_closes(app, db):
    # A bigger pool than the default, and requests queue for a connection rather than fail.
    engine = dbmod.make_engine(app.state.database_url, pool_size=30, max_overflow=10)
    engine.pool._timeout = 60  # type: ignore[attr-defined]
    closer = dbmod.make_engine(app.state.database_url, pool_size=1, max_overflow=0)
    app.state.sessionmaker.configure(bind=engine)
    world = await build_world(db, method="mes", params={"budget": 100_000})
    cycle_id = world.cycle.id
    voters = await make_voters(db, VOTERS)
    await declare_carers(db, cycle_id, voters)
    secret = str(app.state.settings.secret_key)
    acknowledged: dict[str, str] = {}  # voter id -> submission token
    refused: list[str] = []
    others: list[tuple[int, str]] = []
    enough = asyncio.Event()

    async def cast(user_id, session_token: str, index: int) -> None:
        await asyncio.sleep(random.uniform(0, SPREAD))
        submission = secrets.token_urlsafe(24)
        data = {"option": [str(1 + index % 4), str(1 + (index + 1) % 4)],
                "submission_token": submission}  # fmt: skip
        headers = {"X-CSRF-Token": csrf_token_for(secret, session_token)}
        async with voter_browser(app, session_token) as browser:
            response = await browser.post(
                f"/cycles/{cycle_id}/vote/cast", data=data, headers=headers
            )
        if response.status_code == 303:
            token = parse_qs(urlsplit(response.headers["location"]).query)["t"][0]
            assert token == submission
            acknowledged[str(user_id)] = submission
            if len(acknowledged) >= CLOSE_AFTER:
                enough.set()
        elif response.status_code == 409 and "Voting closed at" in response.text:
            refused.append(str(user_id))
        else:
            others.append((response.status_code, response.text[:300]))

    async def close() -> None:
        await enough.wait()
        # The commissioner's own connection (the app's pool is busy with the voters).
        async with AsyncSession(closer, expire_on_commit=False) as session:
            await move_cycle(session, None, cycle_id, Stage.SPECIFICATION)
            await session.commit()

    try:
        await asyncio.wait_for(
            asyncio.gather(close(), *(cast(u, t, i) for i, (u, t) in enumerate(voters))),
            timeout=120,
        )
    finally:
        await engine.dispose()
        await closer.dispose()

    print(f"acknowledged {len(acknowledged)}, refused after the close {len(refused)}")
    assert others == []
    assert len(acknowledged) + len(refused) == VOTERS
    assert len(acknowledged) >= CLOSE_AFTER and refused, "the close did not race the casts"
    ballots = await count_rows(db, "ballots", "cycle_id = :c", c=cycle_id)
    entries = await count_rows(db, "bulletin_entries", "cycle_id = :c", c=cycle_id)
    distinct = await count_rows(
        db, "(SELECT DISTINCT voter_id FROM ballots WHERE cycle_id = :c) AS v", c=cycle_id
    )
    tally = (await db.execute(select(Tally).where(Tally.cycle_id == cycle_id))).scalar_one()
    assert ballots == entries == distinct == tally.ballots_counted == len(acknowledged)
    # Every acknowledged receipt is on the bulletin and belongs to a counted ballot.
    hashes = {
        chain.receipt_hash(chain.make_receipt(secret, str(cycle_id), voter, token))
        for voter, token in acknowledged.items()
    }
    on_bulletin = set(
        (
            await db.execute(
                text("SELECT receipt_hash FROM bulletin_entries WHERE cycle_id = :c"),
                {"c": cycle_id},
            )
        ).scalars()
    )
    counted = set(
        (
            await db.execute(
                text("SELECT receipt_hash FROM ballots WHERE cycle_id = :c"), {"c": cycle_id}
            )
        ).scalars()
    )
    assert hashes == on_bulletin == counted
    # Nobody refused has a ballot.
    refused_with_ballot = await count_rows(
        db,
        "ballots",
        "cycle_id = :c AND voter_id = ANY(CAST(:r AS uuid[]))",
        c=cycle_id,
        r=refused,
    )
    assert refused_with_ballot == 0
    # The chain holds.
    seqs = list(
        (
            await db.execute(
                text("SELECT seq FROM bulletin_entries WHERE cycle_id = :c ORDER BY seq"),
                {"c": cycle_id},
            )
        ).scalars()
    )
    assert seqs == list(range(1, len(acknowledged) + 1))
