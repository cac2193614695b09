"""S2: opening a 2,000-post thread (its first page of 100 posts, replies nested) against B3, a bare
Starlette page rendering one SELECT of 2,000 rows, measured in the same run. Also reports queries
per request for a 20-post and a 2,000-post thread.

Usage: cd bench && ../.venv/bin/python thread.py [--seconds 5] [--concurrency 16] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio

import asyncpg
from common import (
    app_env,
    drop_database,
    load,
    measure_baseline,
    report,
    scratch_database,
    serve,
)

from deliberate import db as dbmod

SETUP = """
INSERT INTO organisations (id, slug, name_en, name_cy) VALUES (gen_random_uuid(), 'bench', 'Bench', 'Bench');
INSERT INTO users (id, email, display_name, language, email_verified_at)
SELECT gen_random_uuid(), 'member' || n || '@bench.example', 'Member ' || n, 'en', now() FROM generate_series(1, 24) n;
INSERT INTO cycles (id, organisation_id, stage, title_en, title_cy, summary_en, summary_cy, service_area, budget,
                    categories, settings, announced)
SELECT gen_random_uuid(), id, 'deliberation', 'Bench cycle', 'Bench', 's', 's', 'social_care', 1, '[]', '{}', false
FROM organisations;
CREATE TABLE IF NOT EXISTS bench_writes (id bigserial primary key, note text);
"""

POSTS = """
INSERT INTO threads (id, cycle_id, kind, title, post_count) SELECT '{thread}', id, 'general', '{title}', 0 FROM cycles;
INSERT INTO posts (thread_id, cycle_id, author_id, depth, path, body, language, stance, reaction_counts)
SELECT '{thread}', c.id, (SELECT id FROM users ORDER BY email OFFSET (n % 24) LIMIT 1), 0, '',
       'A root post about transport and respite, number ' || n || '. ' || repeat('We talked about it at length. ', 5),
       'en', 'neutral', '{{"agree": 1}}'::jsonb
FROM cycles c, generate_series(1, {roots}) n;
UPDATE posts SET path = lpad(id::text, 12, '0') WHERE thread_id = '{thread}' AND depth = 0;
INSERT INTO posts (thread_id, cycle_id, author_id, parent_id, depth, path, body, language, stance, reaction_counts)
SELECT '{thread}', p.cycle_id, p.author_id, p.id, 1, '', 'A reply: ' || p.body, 'en', 'supports', '{{}}'::jsonb
FROM posts p WHERE p.thread_id = '{thread}' AND p.depth = 0;
UPDATE posts c SET path = p.path || '.' || lpad(c.id::text, 12, '0') FROM posts p
WHERE c.parent_id = p.id AND c.thread_id = '{thread}';
UPDATE threads SET post_count = (SELECT count(*) FROM posts WHERE thread_id = '{thread}') WHERE id = '{thread}';
"""


async def prepare(url: str) -> tuple[str, str]:
    import uuid

    connection = await asyncpg.connect(dbmod.plain_url(url))
    await connection.execute(SETUP)
    ids = []
    for title, roots in (("Small", 10), ("Large", 1000)):
        thread_id = uuid.uuid4()
        # Trusted constants from this script, so plain formatting is fine here.
        await connection.execute(POSTS.format(thread=thread_id, title=title, roots=roots))
        ids.append(str(thread_id))
    await connection.execute("ANALYZE")
    await connection.close()
    return ids[0], ids[1]


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()
    url, name = await scratch_database("bench_s2")
    try:
        small, large = await prepare(url)
        env = app_env(url)
        for round_number in range(1, args.rounds + 1):
            print(
                f"\nround {round_number}: {args.concurrency} concurrent clients, {args.seconds}s each"
            )
            baseline = await measure_baseline(
                "B3 one SELECT of 2,000 rows rendered", "/b3posts", env, args
            )
            with serve("deliberate.app:create_app", env) as base:
                results = [
                    await load(
                        "S2 thread of 2,000 posts, first page",
                        f"{base}/threads/{large}",
                        seconds=args.seconds,
                        concurrency=args.concurrency,
                    ),
                    await load(
                        "S2 thread of 20 posts",
                        f"{base}/threads/{small}",
                        seconds=args.seconds,
                        concurrency=args.concurrency,
                    ),
                ]
            report(results, baseline)
            counts = set().union(*(r.queries for r in results))
            print(
                f"queries per request, 20 and 2,000 posts: {sorted(counts)} "
                f"({'the same' if len(counts) == 1 else 'DIFFERENT'})"
            )
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
