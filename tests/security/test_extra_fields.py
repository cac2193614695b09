"""Extra form fields a person could add by hand (voter, weight, group, author, thread, role) are
ignored: what is stored comes from who is signed in and the address, never from the form."""

from __future__ import annotations

from factories import make_cycle, make_organisation, make_panel, make_thread, make_user
from sqlalchemy import select, text


async def test_a_ballot_ignores_voter_weight_group_and_receipt_fields(app, db):
    from vote.support import build_world, declare, make_voters, vote, voter_browser

    from deliberate.voting.models import CastBallot

    world = await build_world(db)
    (alice_id, alice), (bob_id, _bob) = await make_voters(db, 2)
    async with voter_browser(app, alice) as browser:
        await declare(browser, world.cycle.id, "carer")
        cast, _submission = await vote(
            browser,
            world.cycle.id,
            {"option": ["1"]},
            extra={
                "voter_id": str(bob_id),
                "weight": "1000",
                "group_key": "uses_services",
                "group": "uses_services",
                "cycle_id": "00000000-0000-0000-0000-000000000000",
                "receipt_hash": "0" * 64,
            },
        )
        assert cast.status_code == 303
    ballots = (await db.execute(select(CastBallot))).scalars().all()
    assert [(b.voter_id, b.cycle_id) for b in ballots] == [(alice_id, world.cycle.id)]
    groups = (await db.execute(text("SELECT user_id, group_key FROM voter_groups"))).all()
    assert [tuple(g) for g in groups] == [(alice_id, "carer")]
    assert ballots[0].receipt_hash != "0" * 64


async def test_a_post_ignores_author_thread_and_moderation_fields(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="deliberation")
    member = await make_user(db, "member@example.org")
    other = await make_user(db, "other@example.org")
    await make_panel(db, cycle, [member])
    thread = await make_thread(db, cycle)
    elsewhere = await make_thread(db, cycle, title="Another thread")
    from specs.support import signed_in

    async with signed_in(app, "member@example.org") as browser:
        response = await browser.submit(
            f"/threads/{thread.id}/posts",
            {
                "body": "My own words about the minibus.",
                "stance": "supports",
                "author_id": str(other.id),
                "thread_id": str(elsewhere.id),
                "hidden_at": "2026-01-01",
                "reaction_counts": '{"agree": 99}',
                "depth": "3",
            },
            form_page=f"/threads/{thread.id}",
        )
        assert response.status_code == 303
    row = (
        await db.execute(
            text("SELECT author_id, thread_id, hidden_at, reaction_counts, depth FROM posts")
        )
    ).one()
    assert row.author_id == member.id and row.thread_id == thread.id
    assert row.hidden_at is None and row.reaction_counts == {} and row.depth == 0


async def test_a_profile_ignores_role_and_account_fields(app, db):
    from specs.support import signed_in

    person = await make_user(db, "person@example.org", name="Person")
    async with signed_in(app, "person@example.org") as browser:
        page = await browser.get("/account")
        assert page.status_code == 200
        response = await browser.submit(
            "/account",
            {
                "display_name": "Person Renamed",
                "language": "en",
                "email_notices": "immediate",
                "role": "admin",
                "is_admin": "1",
                "email": "admin@example.org",
                "is_active": "false",
                "erased_at": "2026-01-01",
            },
        )
        assert response.status_code in (303, 422)
        assert (await browser.get("/admin")).status_code == 403
    grants = await db.scalar(
        text("SELECT count(*) FROM role_grants WHERE user_id = :u"), {"u": person.id}
    )
    row = (
        await db.execute(
            text("SELECT email, is_active, erased_at FROM users WHERE id = :u"), {"u": person.id}
        )
    ).one()
    assert grants == 0
    assert (row.email, row.is_active, row.erased_at) == ("person@example.org", True, None)
