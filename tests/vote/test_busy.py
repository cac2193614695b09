"""When every database connection is in use: voters queue for their turn while connections keep
coming back, and a stuck pool (nothing coming back) answers 503 quickly, signed in or not."""

from __future__ import annotations

import asyncio
import secrets
import time

from helpers import count_rows, csrf_from, soup
from sqlalchemy import text
from vote.support import build_world, declare_carers, make_voters, voter_browser

from deliberate import db as dbmod

VOTERS = 40
HOLD = 0.15  # seconds each queued request keeps the connection in the pool test
TIMEOUT = 1.0  # seconds without any connection coming back


async def test_the_pool_serves_a_queue_longer_than_its_timeout(app):
    # Ten requests queue for one connection; each keeps it for HOLD seconds, so the last waits
    # about 10 x HOLD, longer than the timeout, while a connection comes back every HOLD seconds.
    # The holds are the test's own sleeps, so the timing does not depend on the machine's speed.
    engine = dbmod.make_engine(
        app.state.database_url, pool_size=1, max_overflow=0, pool_timeout=TIMEOUT, patience=60
    )
    served: list[int] = []

    async def request(index: int) -> float:
        asked = time.monotonic()
        async with engine.connect() as connection:
            waited = time.monotonic() - asked
            await connection.execute(text("SELECT 1"))
            served.append(index)
            await asyncio.sleep(HOLD)
        return waited

    try:
        async with engine.connect() as holder:
            await holder.execute(text("SELECT 1"))
            queue = []
            for index in range(10):
                queue.append(asyncio.ensure_future(request(index)))
                await asyncio.sleep(0.01)  # arrive in a known order
            await asyncio.sleep(HOLD)
        waits = await asyncio.gather(*queue)
    finally:
        await engine.dispose()
    assert served == list(range(10))  # first come, first served
    # Waited well past the pool timeout and was still served: a plain QueuePool fails them.
    assert max(waits) > TIMEOUT


async def test_a_burst_of_voters_through_one_connection_is_all_served(app, db):
    engine = dbmod.make_engine(
        app.state.database_url, pool_size=1, max_overflow=0, pool_timeout=5.0, patience=60
    )
    app.state.sessionmaker.configure(bind=engine)
    world = await build_world(db, method="approval")
    cycle_id = world.cycle.id
    voters = await make_voters(db, VOTERS)
    await declare_carers(db, cycle_id, voters)

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

    try:
        results = await asyncio.gather(*(cast(s, i) for i, (_, s) in enumerate(voters)))
    finally:
        await engine.dispose()
    assert results == [303] * VOTERS
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
