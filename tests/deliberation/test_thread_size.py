"""A thread of 2,000 posts opens with the same number of queries as a thread of 20, a page at a
time, keeping the reply structure."""

from __future__ import annotations

from factories import PASSWORD, make_cycle, make_organisation, make_panel, make_thread, make_user
from helpers import Browser, soup
from sqlalchemy import text

BULK = """
INSERT INTO posts (thread_id, cycle_id, author_id, depth, path, body, language, stance, reaction_counts)
SELECT :thread, :cycle, :author, 0, '', 'Root post ' || n, 'en', 'neutral', '{}'::jsonb
FROM generate_series(1, :roots) AS n;
UPDATE posts SET path = lpad(id::text, 12, '0') WHERE thread_id = :thread AND depth = 0;
INSERT INTO posts (thread_id, cycle_id, author_id, parent_id, depth, path, body, language, stance, reaction_counts)
SELECT :thread, :cycle, :author, p.id, 1, '', 'Reply to ' || p.body, 'en', 'supports', '{"agree": 2}'::jsonb
FROM posts p WHERE p.thread_id = :thread AND p.depth = 0;
UPDATE posts c SET path = p.path || '.' || lpad(c.id::text, 12, '0')
FROM posts p WHERE c.parent_id = p.id AND c.thread_id = :thread;
UPDATE threads SET post_count = (SELECT count(*) FROM posts WHERE thread_id = :thread) WHERE id = :thread;
"""


async def fill(db, thread, cycle, author, roots: int) -> None:
    for statement in [s for s in BULK.split(";") if s.strip()]:
        await db.execute(
            text(statement),
            {"thread": thread.id, "cycle": cycle.id, "author": author.id, "roots": roots},
        )
    await db.commit()


async def test_query_count_does_not_grow_with_the_thread(app, db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="deliberation")
    member = await make_user(db, "member@example.org")
    await make_panel(db, cycle, [member])
    small = await make_thread(db, cycle, "Small")
    large = await make_thread(db, cycle, "Large")
    await fill(db, small, cycle, member, 10)  # 20 posts
    await fill(db, large, cycle, member, 1000)  # 2,000 posts

    async with Browser(app) as browser:
        await browser.sign_in("member@example.org", PASSWORD)
        counts = {}
        for thread in (small, large):
            response = await browser.get(f"/threads/{thread.id}")
            assert response.status_code == 200
            counts[thread.title] = int(response.headers["x-query-count"])
            page = soup(response)
            items = page.select("#posts > li")
            assert items and items[0].select("ol.replies > li")  # replies nest under their post
        first = soup(await browser.get(f"/threads/{large.id}"))
        more = first.find("a", string=lambda s: s and "Show more posts" in s)
        assert more is not None
        second = await browser.get(more["href"])
        counts["Large, page 2"] = int(second.headers["x-query-count"])
        assert "Root post" in second.text
    assert len(set(counts.values())) == 1, counts
