"""The vote's demo data loads, twice without duplicates, with a cycle in voting and one counted."""

from __future__ import annotations

from factories import make_organisation, make_user
from helpers import Browser, count_rows
from sqlalchemy import select

from deliberate.cycles.models import Cycle
from deliberate.voting.chain import verify_chain
from deliberate.voting.demo import load_voting_demo
from deliberate.voting.models import Tally


async def test_voting_demo_loads_idempotently(app, db):
    organisations = {
        "ceredigion": await make_organisation(db, "ceredigion"),
        "hywel-dda": await make_organisation(db, "hywel-dda", "Hywel Dda"),
    }
    citizens = [await make_user(db, f"c{i}@example.org", password=None) for i in range(15)]
    for _ in range(2):
        await load_voting_demo(db, organisations, citizens)
        await db.commit()
    stages = sorted((await db.execute(select(Cycle.stage))).scalars())
    assert stages == ["specification", "voting"]
    assert await count_rows(db, "ballots") == 30
    assert await count_rows(db, "bulletin_entries") == 30
    tally = (await db.execute(select(Tally))).scalar_one()
    assert tally.ballots_counted == 15 and tally.result["ranking"]
    async with Browser(app) as anyone:
        for cycle in (await db.execute(select(Cycle))).scalars():
            document = (await anyone.get(f"/cycles/{cycle.id}/bulletin.json")).json()
            assert verify_chain(document).ok
            page = await anyone.get(f"/cycles/{cycle.id}")
            assert page.status_code == 200 and 'id="vote-heading"' in page.text
        results = await anyone.get(f"/cycles/{tally.cycle_id}/results")
        assert results.status_code == 200 and "Who paid" not in results.text
