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
TIMEOUT = 0.6  # seconds without any connection coming back


async def test_voters_queue_for_a_busy_pool_instead_of_failing(app, db):
    # One connection, and a pool timeout far shorter than the queue of casts takes to serve.
    engine = dbmod.make_engine(
        app.state.database_url, pool_size=1, max_overflow=0, pool_timeout=TIMEOUT, patience=60
    )
    app.state.sessionmaker.configure(bind=engine)
    world = await build_world(db, method="approval")
    cycle_id = world.cycle.id
    voters = await make_voters(db, VOTERS)
    await declare_carers(db, cycle_id, voters)

    async def cast(session: str, index: int) -> tuple[int, float]:
        async with voter_browser(app, session) as browser:
            asked = time.monotonic()
            page = await browser.get(f"/cycles/{cycle_id}/vote")
            waited = time.monotonic() - asked
            if page.status_code != 200:
                return page.status_code, waited
            response = await browser.post(
                f"/cycles/{cycle_id}/vote/cast",
                data={
                    "csrf_token": csrf_from(page.text),
                    "submission_token": secrets.token_urlsafe(24),
                    "option": str(1 + index % 4),
                },
            )
            return response.status_code, waited

    assert (await cast(voters[0][1], 0))[0] == 303  # warm: the first page compiles its templates
    try:
        # The whole burst queues while the test holds the only connection for a moment, so the
        # test measures the queue, not how long 40 clients starting at once delay the first one.
        async with engine.connect() as holder:
            await holder.execute(text("SELECT 1"))
            casts = [asyncio.ensure_future(cast(s, i)) for i, (_, s) in enumerate(voters)]
            await asyncio.sleep(TIMEOUT / 3)
        results = await asyncio.gather(*casts)
    finally:
        await engine.dispose()
    assert [status for status, _ in results] == [303] * VOTERS
    # Someone waited longer than the pool timeout and was still served: a plain pool fails them.
    assert max(waited for _, waited in results) > TIMEOUT
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
