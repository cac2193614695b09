"""The proposal list: full-text search in English and Welsh, filters, sorts, and pages whose query
count is the same on page 1 or the last page, with few proposals or many."""

from __future__ import annotations

import uuid

from factories import PASSWORD, make_cycle, make_organisation, make_proposal, make_user
from helpers import Browser, soup
from sqlalchemy import text


def titles(response) -> list[str]:
    return [a.get_text(strip=True) for a in soup(response).select("#results h2 a")]


async def test_search_finds_english_and_welsh_text(client, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation)
    author = await make_user(db)
    await make_proposal(db, cycle, author, title="Swimming sessions", body="Weekly swims at the leisure centre in Aberystwyth.")  # fmt: skip
    await make_proposal(db, cycle, author, title="Clwb nos Wener", body="Clwb cymdeithasol gyda cherddoriaeth a bwyd i bobl ifanc.", language="cy")  # fmt: skip
    await make_proposal(db, cycle, author, title="Gardening", body="Raised beds for the allotment so everyone can reach.")  # fmt: skip

    english = await client.get(f"/cycles/{cycle.id}/proposals?q=swimming")
    assert titles(english) == ["Swimming sessions"]  # stemmed: "swimming" finds "swims"
    welsh = await client.get(f"/cycles/{cycle.id}/proposals?q=cerddoriaeth")
    assert titles(welsh) == ["Clwb nos Wener"]
    welsh_page = soup(welsh).select_one("#results h2 a")
    assert welsh_page["lang"] == "cy"
    nothing = await client.get(f"/cycles/{cycle.id}/proposals?q=spaceship")
    assert titles(nothing) == []
    # htmx asks for the results block only.
    fragment = await client.get(
        f"/cycles/{cycle.id}/proposals?q=garden", headers={"hx-request": "true"}
    )
    assert soup(fragment).find("html") is None
    assert titles(fragment) == ["Gardening"]


async def test_filters_and_sorts(client, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation)
    author = await make_user(db)
    await make_proposal(db, cycle, author, title="Least supported", support_count=1)
    await make_proposal(db, cycle, author, title="Most supported", support_count=9, answer="taken_forward")  # fmt: skip
    await make_proposal(db, cycle, author, title="Middle", support_count=4, category="activities")  # fmt: skip

    by_support = await client.get(f"/cycles/{cycle.id}/proposals")
    assert titles(by_support) == ["Most supported", "Middle", "Least supported"]
    newest = await client.get(f"/cycles/{cycle.id}/proposals?sort=newest")
    assert titles(newest) == ["Middle", "Most supported", "Least supported"]
    shortlisted = await client.get(f"/cycles/{cycle.id}/proposals?status=taken_forward")
    assert titles(shortlisted) == ["Most supported"]
    unanswered = await client.get(f"/cycles/{cycle.id}/proposals?status=unanswered")
    assert set(titles(unanswered)) == {"Middle", "Least supported"}
    activities = await client.get(f"/cycles/{cycle.id}/proposals?category=activities")
    assert titles(activities) == ["Middle"]


async def test_random_order_is_stable_for_a_visitor(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation)
    author = await make_user(db)
    for i in range(12):
        await make_proposal(db, cycle, author, title=f"Proposal {i:02d}")
    async with Browser(app) as one, Browser(app) as two:
        await one.get("/")
        first = titles(await one.get(f"/cycles/{cycle.id}/proposals?sort=random"))
        again = titles(await one.get(f"/cycles/{cycle.id}/proposals?sort=random"))
        assert first == again
        orders = set()
        for _ in range(5):
            two.cookies.clear()
            orders.add(tuple(titles(await two.get(f"/cycles/{cycle.id}/proposals?sort=random"))))
        assert len(orders) > 1  # other visitors see other orders


async def _bulk(db, cycle_id, author_id, count: int) -> None:
    await db.execute(
        text(
            "INSERT INTO proposals (id, cycle_id, author_id, title, body, language, status, "
            "support_count, created_at, updated_at) "
            "SELECT gen_random_uuid(), :cycle, :author, 'Bulk proposal ' || n, "
            "'A generated proposal body number ' || n, 'en', 'open', n % 50, "
            "now() - (n || ' minutes')::interval, now() FROM generate_series(1, :count) AS n"
        ),
        {"cycle": cycle_id, "author": author_id, "count": count},
    )
    await db.commit()


async def test_query_count_is_the_same_on_every_page_and_for_any_size(app, db):
    organisation = await make_organisation(db)
    small = await make_cycle(db, organisation, title="Small cycle")
    large = await make_cycle(db, organisation, title="Large cycle", support_limit=5)
    author = await make_user(db)
    await _bulk(db, small.id, author.id, 100)
    await _bulk(db, large.id, author.id, 3000)

    async def counts(browser) -> set[int]:
        seen = set()
        for cycle, last in [(small, 5), (large, 150)]:
            for query in ["", "?sort=newest", "?q=generated", "?sort=random", "?status=unanswered"]:
                for page in (1, last):
                    joiner = "&" if query else "?"
                    response = await browser.get(
                        f"/cycles/{cycle.id}/proposals{query}{joiner}page={page}"
                    )
                    assert response.status_code == 200
                    assert len(titles(response)) == 20
                    seen.add(int(response.headers["x-query-count"]))
        return seen

    async with Browser(app) as anonymous:
        anonymous_counts = await counts(anonymous)
    async with Browser(app) as citizen:
        await citizen.sign_in("person@example.org", PASSWORD)
        signed_in_counts = await counts(citizen)
    assert len(anonymous_counts) == 1 and max(anonymous_counts) <= 4
    assert len(signed_in_counts) == 1 and max(signed_in_counts) <= 4


async def test_unknown_cycle_is_404(client):
    response = await client.get(f"/cycles/{uuid.uuid4()}/proposals")
    assert response.status_code == 404


async def test_pages_hold_every_proposal_once_in_the_chosen_order(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation)
    author = await make_user(db)
    await _bulk(db, cycle.id, author.id, 55)  # supports n % 50: equal counts on some
    expected = {
        "support": "SELECT title FROM proposals WHERE cycle_id = :c "
        "ORDER BY support_count DESC, created_at DESC, id",
        "newest": "SELECT title FROM proposals WHERE cycle_id = :c ORDER BY created_at DESC, id",
    }
    async with Browser(app) as browser:
        for sort, query in expected.items():
            listed = []
            for page in (1, 2, 3):
                response = await browser.get(
                    f"/cycles/{cycle.id}/proposals?sort={sort}&page={page}"
                )
                listed += titles(response)
            in_order = (
                await db.execute(
                    text(query),
                    {"c": cycle.id},
                )
            ).scalars()
            assert listed == list(in_order), sort
        shuffled = []
        for page in (1, 2, 3):
            shuffled += titles(
                await browser.get(f"/cycles/{cycle.id}/proposals?sort=random&page={page}")
            )
        assert sorted(shuffled) == sorted(listed) and len(set(shuffled)) == 55
