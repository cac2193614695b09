"""S1: the proposal list at 10,000 proposals, page 1 and page 250, anonymous and signed in,
against B1 (a bare Starlette page after one asyncpg SELECT of 20 rows) measured in the same run.
Also checks that queries per request are the same for 100 and 10,000 proposals.

Usage: .venv/bin/python bench/proposals_list.py [--seconds 5] [--concurrency 16] [--rounds 1]
"""

from __future__ import annotations

import argparse
import asyncio
import secrets

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
from deliberate.security import hash_password, token_hash

SETUP = """
INSERT INTO organisations (id, slug, name_en, name_cy) VALUES (gen_random_uuid(), 'bench', 'Bench', 'Bench');
INSERT INTO users (id, email, display_name, language, password_hash, email_verified_at)
SELECT gen_random_uuid(), 'author' || n || '@bench.example', 'Author ' || n, 'en', NULL, now()
FROM generate_series(1, 500) AS n;
"""


async def make_cycle(connection, title: str, count: int, limit: int | None) -> str:
    cycle_id = await connection.fetchval(
        "INSERT INTO cycles (id, organisation_id, stage, title_en, title_cy, summary_en, summary_cy, "
        "service_area, budget, categories, settings, support_limit, announced) "
        "SELECT gen_random_uuid(), id, 'proposals', $1, $1, 'Summary', 'Crynodeb', 'social_care', "
        '100000, \'[{"key": "transport", "name_en": "Transport", "name_cy": "Trafnidiaeth"}]\', '
        "'{}', $2, false FROM organisations LIMIT 1 RETURNING id",
        title,
        limit,
    )
    # COPY-speed bulk insert from generate_series: realistic lengths, skewed support counts.
    await connection.execute(
        "INSERT INTO proposals (id, cycle_id, author_id, title, body, language, category, status, "
        "support_count, estimated_cost, created_at, updated_at) "
        "SELECT gen_random_uuid(), $1, (SELECT id FROM users ORDER BY email OFFSET (n % 500) LIMIT 1), "
        "'Proposal ' || n || ': more support for day services in the villages', "
        "repeat('People told us that transport and friendships matter most. ', 6) || n, "
        "CASE WHEN n % 4 = 0 THEN 'cy' ELSE 'en' END, 'transport', 'open', "
        "(1000 / (1 + n % 97))::int, 5000 + n, now() - (n || ' minutes')::interval, now() "
        "FROM generate_series(1, $2) AS n",
        cycle_id,
        count,
    )
    return str(cycle_id)


async def prepare(url: str) -> tuple[str, str, str]:
    connection = await asyncpg.connect(dbmod.plain_url(url))
    await connection.execute(SETUP)
    small = await make_cycle(connection, "Small cycle", 100, None)
    large = await make_cycle(connection, "Large cycle", 10_000, 10)
    user_id = await connection.fetchval(
        "INSERT INTO users (id, email, display_name, language, password_hash, email_verified_at) "
        "VALUES (gen_random_uuid(), 'citizen@bench.example', 'Citizen', 'en', $1, now()) RETURNING id",
        hash_password("bench-password"),
    )
    # Supports by the signed-in citizen, so the "you supported" flags have work to do.
    await connection.execute(
        "INSERT INTO supports (proposal_id, user_id, cycle_id) "
        "SELECT id, $1, cycle_id FROM proposals WHERE cycle_id = $2 ORDER BY support_count DESC LIMIT 10",
        user_id,
        large,
    )
    token = secrets.token_urlsafe(32)
    await connection.execute(
        "INSERT INTO user_sessions (id, user_id, expires_at) VALUES ($1, $2, now() + interval '1 day')",
        token_hash(token),
        user_id,
    )
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS bench_writes (id bigserial primary key, note text)"
    )
    await connection.execute("ANALYZE")
    await connection.close()
    return small, large, token


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=1)
    args = parser.parse_args()

    url, name = await scratch_database("bench_s1")
    try:
        small, large, token = await prepare(url)
        env = app_env(url)
        cookies = {"deliberate_session": token}
        for round_number in range(1, args.rounds + 1):
            print(
                f"\nround {round_number}: {args.concurrency} concurrent clients, {args.seconds}s each"
            )
            baseline = await measure_baseline(
                "B1 bare page + one SELECT of 20 rows", "/b1", env, args
            )
            with serve("deliberate.app:create_app", env) as base:
                results = []
                for label, cycle, page, jar in [
                    ("S1 10,000 proposals, page 1, anonymous", large, 1, None),
                    ("S1 10,000 proposals, page 250, anonymous", large, 250, None),
                    ("S1 10,000 proposals, page 1, signed in", large, 1, cookies),
                    ("S1 10,000 proposals, page 250, signed in", large, 250, cookies),
                    ("S1 100 proposals, page 1, signed in", small, 1, cookies),
                    ("S1 100 proposals, page 5, signed in", small, 5, cookies),
                ]:
                    results.append(
                        await load(
                            label,
                            f"{base}/cycles/{cycle}/proposals?page={page}",
                            seconds=args.seconds,
                            concurrency=args.concurrency,
                            cookies=jar,
                        )
                    )
            report(results, baseline)
            for who in ("anonymous", "signed in"):
                counts = set().union(*(r.queries for r in results if r.name.endswith(who)))
                verdict = "the same on every page and size" if len(counts) == 1 else "DIFFERENT"
                print(f"queries per request, {who}: {sorted(counts)} ({verdict}; target <= 4)")
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
