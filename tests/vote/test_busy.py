"""When every database connection is in use: voters queue for their turn while connections keep
coming back, and a stuck pool (nothing coming back) answers 503 quickly, signed in or not."""

from __future__ import annotations

import asyncio
import secrets
import time

from helpers import count_rows, csrf_from, soup
from sqlalchemy import text
from vote.support import build_world, make_voters, voter_browser

from deliberate import db as dbmod

VOTERS = 30
TIMEOUT = 0.5  # seconds without any connection coming back


async def test_voters_queue_for_a_busy_pool_instead_of_failing(app, db):
    # One connection, and a pool timeout far shorter than the queue of casts takes to serve.
    engine = dbmod.make_engine(
        app.state.database_url, pool_size=1, max_overflow=0, pool_timeout=TIMEOUT, patience=60
    )
    app.state.sessionmaker.configure(bind=engine)
    world = await build_world(db, method="approval")
    cycle_id = world.cycle.id
    voters = await make_voters(db, VOTERS)
    await db.execute(
        text(
            "INSERT INTO voter_groups (cycle_id, user_id, group_key) "
            "SELECT :c, unnest(CAST(:u AS uuid[])), 'carer'"
        ),
        {"c": cycle_id, "u": [user_id for user_id, _ in voters]},
    )
    await db.commit()

    async def cast(session: str, index: int) -> int:
        async with voter_browser(app, session) as browser:
            page = await browser.get(f"/cycles/{cycle_id}/vote")
            if page.status_code != 200:
                return page.status_code
            response = await browser.post(
                f"/cycles/{cycle_id}/vote/cast",
                data={
                    "csrf_token": csrf_from(page.text),
                    "submission_token": secrets.token_urlsafe(24),
                    "option": str(1 + index % 4),
                },
            )
            return response.status_code

    assert await cast(voters[0][1], 0) == 303  # warm: the first page compiles its templates
    started = time.monotonic()
    try:
        statuses = await asyncio.gather(*(cast(s, i) for i, (_, s) in enumerate(voters)))
    finally:
        await engine.dispose()
    elapsed = time.monotonic() - started
    assert elapsed > 2 * TIMEOUT, "the queue was never longer than the pool timeout"
    assert statuses == [303] * VOTERS
    assert await count_rows(db, "ballots", "cycle_id = :c", c=cycle_id) == VOTERS


async def test_a_stuck_pool_answers_503_quickly(app, db):
    engine = dbmod.make_engine(
        app.state.database_url, pool_size=1, max_overflow=0, pool_timeout=1.0, patience=60
    )
    app.state.sessionmaker.configure(bind=engine)
    world = await build_world(db, method="approval")
    [(_, session)] = await make_voters(db, 1)
    await db.commit()
    try:
        async with engine.connect() as hung:  # holds the only connection throughout
            await hung.execute(text("SELECT 1"))
            async with voter_browser(app, session) as voter:
                started = time.monotonic()
                signed_in = await voter.get(f"/cycles/{world.cycle.id}/vote")
                elapsed = time.monotonic() - started
            async with voter_browser(app, "") as anonymous:
                anonymous.cookies.clear()
                signed_out = await anonymous.get(f"/cycles/{world.cycle.id}")
    finally:
        await engine.dispose()
    for response in (signed_in, signed_out):
        assert response.status_code == 503
        assert response.headers["retry-after"] == "5"
        assert "Nothing you sent has been saved" in soup(response).get_text()
    assert elapsed < 5, f"a stuck pool took {elapsed:.1f}s to answer"
