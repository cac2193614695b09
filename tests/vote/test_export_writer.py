"""The export writer: a served app writes each closed vote's open-data export in the background
soon after the close, so its first reader does not wait for it; every process may run one, and
a tally being written elsewhere, or one whose export fails, holds up no other."""

from __future__ import annotations

import asyncio
import csv
import io
import json

from helpers import Browser
from sqlalchemy import select, text
from vote.support import build_world, close_vote
from vote.test_tally_sums import cast_ballots

from deliberate.voting import exports
from deliberate.voting import service as voting
from deliberate.voting.models import Tally


async def stored_export(db, cycle_id) -> dict:
    return await db.scalar(select(Tally.export).where(Tally.cycle_id == cycle_id))


async def test_a_served_app_writes_the_export_soon_after_the_close(make_app):
    # The sweep only every hour: the export can only come this soon from the close's NOTIFY.
    app = make_app(SCHEDULER_INTERVAL="3600")
    async with app.router.lifespan_context(app), app.state.sessionmaker() as db:
        world = await build_world(db, method="mes", weighting="equal_voice")
        cycle_id = world.cycle.id
        await cast_ballots(db, cycle_id, "approval", seed=5)
        await close_vote(db, cycle_id)  # commits: the NOTIFY goes out
        export: dict = {}
        for _ in range(100):
            export = await stored_export(db, cycle_id)
            await db.commit()
            if export:
                break
            await asyncio.sleep(0.1)
        assert export, "no export was written within 10 s of the close"
        assert len(export["ballots"]) == 120
        tally = await db.scalar(select(Tally).where(Tally.cycle_id == cycle_id))
        recount = json.loads(json.dumps(exports.result_json(exports.count(export))))
        assert recount == tally.result
        # The download is the export written in the background, not a new shuffle.
        async with Browser(app) as reader:
            download = await reader.get(f"/cycles/{cycle_id}/results/ballots.csv")
        assert download.status_code == 200
        assert download.text == exports.csv_text(export)
        assert len(list(csv.reader(io.StringIO(download.text)))) > 120


async def test_pending_exports_are_written_once_skipping_a_locked_or_failing_one(
    app, db, monkeypatch
):
    """The app fixture runs no writer, so three closed votes wait; one is being written by a
    reader (its row locked) and one fails to build: the third is written, the locked one on the
    next sweep, the failing one is left for its first reader and holds up no other."""
    worlds = [await build_world(db, method="approval", slug=f"sir-{i}") for i in range(3)]
    for i, world in enumerate(worlds):
        await cast_ballots(db, world.cycle.id, "approval", seed=i)
        await close_vote(db, world.cycle.id)
    locked, failing, free = (world.cycle.id for world in worlds)
    # What the writers look for (not the exports themselves: megabytes each for a city).
    pending = select(Tally.cycle_id).where(Tally.export_written_at.is_(None))
    assert set((await db.scalars(pending)).all()) >= {locked, failing, free}
    await db.commit()
    build = voting.build_export

    async def build_export(session, cycle):
        if cycle.id == failing:
            raise RuntimeError("the disk is full")
        return await build(session, cycle)

    monkeypatch.setattr(voting, "build_export", build_export)
    async with app.state.sessionmaker() as reader:
        await reader.execute(
            text("SELECT 1 FROM tallies WHERE cycle_id = :c FOR UPDATE"), {"c": locked}
        )
        assert await voting.write_pending_exports(app.state.sessionmaker) == 1
        assert await stored_export(db, locked) == {}
        await db.commit()
    assert len((await stored_export(db, free))["ballots"]) == 120
    assert await stored_export(db, failing) == {}
    await db.commit()

    assert await voting.write_pending_exports(app.state.sessionmaker) == 1
    assert len((await stored_export(db, locked))["ballots"]) == 120
    await db.commit()
    written = await stored_export(db, free)
    await db.commit()
    assert await voting.write_pending_exports(app.state.sessionmaker) == 0
    assert await stored_export(db, free) == written  # written once: the same shuffle
    await db.commit()

    monkeypatch.setattr(voting, "build_export", build)
    assert await voting.write_pending_exports(app.state.sessionmaker) == 1
    assert len((await stored_export(db, failing))["ballots"]) == 120
    assert not set((await db.scalars(pending)).all()) & {locked, failing, free}
