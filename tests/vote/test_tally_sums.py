"""A vote counted from PostgreSQL's per-group sums stores exactly the result that recounting its
published ballots one by one gives; the open-data export is written when first asked for, once.
"""

from __future__ import annotations

import asyncio
import json
import random
import uuid

import pytest
from helpers import Browser, soup
from sqlalchemy import select, text
from vote.support import build_world, close_vote, make_voters

from deliberate.backup import verify_database
from deliberate.cycles.models import Cycle
from deliberate.voting import exports
from deliberate.voting import service as voting
from deliberate.voting.models import Tally

OPTIONS = ["1", "2", "3", "4"]
GROUPS = ["carer", "uses_services", None]


def random_choice(method: str, rng: random.Random) -> dict:
    if method in ("approval", "greedy"):
        return {"approvals": sorted(rng.sample(OPTIONS, rng.randint(0, 4)))}
    if method == "borda":
        return {"ranking": rng.sample(OPTIONS, rng.randint(0, 4))}
    return {"points": {o: rng.randint(0, 3) for o in rng.sample(OPTIONS, rng.randint(0, 4))}}


async def cast_ballots(db, cycle_id: uuid.UUID, method: str, seed: int) -> None:
    """Ballots of voters who declared a group, and unlinked ones (their voters since erased)
    carrying the group copied on them, with random valid choices."""
    rng = random.Random(seed)
    linked = await make_voters(db, 30)
    rows = []
    for i, (user_id, _session) in enumerate(linked):
        group = GROUPS[i % 2]
        await db.execute(
            text("INSERT INTO voter_groups (cycle_id, user_id, group_key) VALUES (:c, :u, :g)"),
            {"c": cycle_id, "u": user_id, "g": group},
        )
        rows.append((user_id, None))
    rows += [(None, rng.choice(GROUPS)) for _ in range(90)]
    for voter_id, group in rows:
        await db.execute(
            text(
                "INSERT INTO ballots (id, cycle_id, voter_id, group_key, choice, receipt_hash, "
                "submission_token) VALUES (gen_random_uuid(), :c, :v, :g, CAST(:choice AS jsonb), "
                "md5(random()::text), md5(random()::text))"
            ),
            {
                "c": cycle_id,
                "v": voter_id,
                "g": group,
                "choice": json.dumps(random_choice(method, rng)),
            },
        )
    await db.commit()


@pytest.mark.parametrize(
    ("method", "params"),
    [
        ("approval", None),
        ("score", {"max_score": 3}),
        ("cumulative", {"max_total": 12}),
        ("quadratic", {"credits": 36}),
        ("borda", None),
        ("greedy", None),
    ],
)
async def test_counted_from_sums_recounts_from_the_published_ballots(app, db, method, params):
    world = await build_world(db, method=method, params=params, weighting="equal_voice")
    cycle_id = world.cycle.id
    await cast_ballots(db, cycle_id, method, seed=len(method))
    await close_vote(db, cycle_id)

    tally = await db.scalar(select(Tally).where(Tally.cycle_id == cycle_id))
    assert tally.ballots_counted == 120
    assert await db.scalar(select(Tally.export).where(Tally.cycle_id == cycle_id)) == {}
    # Checked with plain SQL, ballot by ballot, before anyone has asked for the export.
    report = await verify_database(app.state.database_url)
    assert {c.cycle_id: c.tally for c in report.cycles}[str(cycle_id)] == "matches"

    cycle = await db.get(Cycle, cycle_id)
    export = await voting.tally_export(db, cycle)
    await db.commit()
    assert len(export["ballots"]) == 120
    recount = json.loads(json.dumps(exports.result_json(exports.count(export))))
    assert recount == tally.result  # totals, ranking, ties, per-group breakdown, selection
    groups = {group or "" for _v, group, _w, _c in export["ballots"]}
    assert set(tally.summary["groups"]) == groups
    assert sum(g["ballots"] for g in tally.summary["groups"].values()) == 120

    # Written once: the next reader gets the same shuffle, and the verification still holds.
    assert await voting.tally_export(db, cycle) == export
    report = await verify_database(app.state.database_url)
    assert {c.cycle_id: c.tally for c in report.cycles}[str(cycle_id)] == "matches"


@pytest.mark.parametrize(("method", "kind"), [("irv", "borda"), ("mes", "approval")])
async def test_counts_of_each_ballot_recount_from_the_published_ballots(app, db, method, kind):
    world = await build_world(db, method=method, weighting="equal_voice")
    await cast_ballots(db, world.cycle.id, kind, seed=7)  # rankings or approvals
    await close_vote(db, world.cycle.id)
    stored = await db.scalar(select(Tally.export).where(Tally.cycle_id == world.cycle.id))
    # Counted from each group's distinct ballots; the export waits for its first reader, as
    # no count depends on the ballots' order (MES's floats included: it orders its types).
    assert stored == {}
    export = await voting.tally_export(db, await db.get(Cycle, world.cycle.id))
    tally = await db.scalar(select(Tally).where(Tally.cycle_id == world.cycle.id))
    assert json.loads(json.dumps(exports.result_json(exports.count(export)))) == tally.result
    report = await verify_database(app.state.database_url)
    assert {c.cycle_id: c.tally for c in report.cycles}[str(world.cycle.id)] == "matches"


async def test_two_first_readers_get_one_export(app, db):
    world = await build_world(db, method="approval", weighting="equal_voice")
    await cast_ballots(db, world.cycle.id, "approval", seed=3)
    await close_vote(db, world.cycle.id)

    async def first_download() -> dict:
        async with app.state.sessionmaker() as session:
            cycle = await session.get(Cycle, world.cycle.id)
            export = await voting.tally_export(session, cycle)
            await session.commit()
            return export

    one, other = await asyncio.gather(first_download(), first_download())
    assert one == other  # the same shuffle: the second waited for the first's lock
    stored = await db.scalar(select(Tally.export).where(Tally.cycle_id == world.cycle.id))
    assert stored == one


@pytest.mark.parametrize(("method", "kind"), [("approval", "approval"), ("mes", "approval")])
async def test_live_results_show_the_count_so_far(app, db, method, kind):
    world = await build_world(db, method=method, weighting="equal_voice", visibility="live")
    await cast_ballots(db, world.cycle.id, kind, seed=11)
    async with Browser(app) as reader:
        page = await reader.get(f"/cycles/{world.cycle.id}/results")
    assert page.status_code == 200
    assert "these are the results so far" in page.text
    rows = soup(page).select("section[aria-labelledby=ranking-heading] table tbody tr")
    assert len(rows) == 4
    # The same count as the export's ballots give, whichever way it was made.
    cycle = await db.get(Cycle, world.cycle.id)
    expected = exports.count(await voting.build_export(db, cycle))
    shown = [row.find("a").get_text(strip=True) for row in rows]
    titles = {str(i + 1): p.title for i, p in enumerate(world.proposals)}
    assert shown == [titles[o] for o in expected.ranking]
    assert await db.scalar(select(Tally).where(Tally.cycle_id == world.cycle.id)) is None
