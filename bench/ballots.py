"""S2: casting ballots with 200 concurrent voters, each with a real session: fetch the ballot page
(for the CSRF token), then cast (lock the cycle row, check, upsert the ballot, append the receipt
hash to the bulletin chain, audit, commit). Against B2 (a bare Starlette POST doing one INSERT
in its own transaction) measured in the same run with the same concurrency.

Usage: .venv/bin/python bench/ballots.py [--seconds 10] [--voters 200] [--method mes]
"""

from __future__ import annotations

import argparse
import asyncio
import re
import secrets
import time

import asyncpg
import httpx
from common import Result, drop_database, scratch_database, serve

from deliberate import db as dbmod
from deliberate.security import token_hash

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


async def prepare(url: str, voters: int, method: str) -> tuple[str, list[str]]:
    connection = await asyncpg.connect(dbmod.plain_url(url))
    await connection.execute(
        "INSERT INTO organisations (id, slug, name_en, name_cy) "
        "VALUES (gen_random_uuid(), 'bench', 'Bench', 'Bench')"
    )
    cycle_id = await connection.fetchval(
        "INSERT INTO cycles (id, organisation_id, stage, title_en, title_cy, summary_en, "
        "summary_cy, service_area, budget, categories, settings, announced) "
        "SELECT gen_random_uuid(), id, 'voting', 'Bench vote', 'Pleidlais', 'S', 'S', "
        "'social_care', 100000, '[]', '{}', true FROM organisations RETURNING id"
    )
    await connection.execute(
        "INSERT INTO proposals (id, cycle_id, title, body, language, status, answer, "
        "estimated_cost) SELECT gen_random_uuid(), $1, 'Option ' || n, 'Body', 'en', 'open', "
        "'taken_forward', 5000 * n FROM generate_series(1, 8) AS n",
        cycle_id,
    )
    await connection.execute(
        "INSERT INTO ballot_options (id, cycle_id, proposal_id, position, title, language, cost) "
        "SELECT gen_random_uuid(), cycle_id, id, row_number() OVER (ORDER BY title), title, "
        "'en', estimated_cost FROM proposals WHERE cycle_id = $1",
        cycle_id,
    )
    await connection.execute(
        "INSERT INTO ballot_definitions (id, cycle_id, method, params, eligibility, weighting, "
        "multipliers, results_visibility, frozen_at) VALUES (gen_random_uuid(), $1, $2, "
        "'{}', 'citizens', 'none', '{}', 'sealed', now())",
        cycle_id,
        method,
    )
    ids = await connection.fetch(
        "INSERT INTO users (id, email, display_name, language, email_verified_at) "
        "SELECT gen_random_uuid(), 'voter' || n || '@bench.example', 'Voter ' || n, 'en', now() "
        "FROM generate_series(1, $1) AS n RETURNING id",
        voters,
    )
    tokens = [secrets.token_urlsafe(24) for _ in ids]
    await connection.executemany(
        "INSERT INTO user_sessions (id, user_id, expires_at) VALUES ($1, $2, now() + "
        "interval '1 day')",
        [(token_hash(t), row["id"]) for t, row in zip(tokens, ids, strict=True)],
    )
    await connection.execute(
        "CREATE TABLE IF NOT EXISTS bench_writes (id bigserial primary key, note text)"
    )
    await connection.execute("ANALYZE")
    await connection.close()
    return str(cycle_id), tokens


CHOICES = {
    "mes": lambda i: {"option": [str(1 + i % 8), str(1 + (i + 3) % 8)]},
    "approval": lambda i: {"option": [str(1 + i % 8)]},
    "borda": lambda i: {
        "rank_1": str(1 + i % 3),
        "rank_2": str(1 + (i + 1) % 3),
        "rank_3": str(1 + (i + 2) % 3),
    },
}


async def voters_load(
    base: str, cycle_id: str, tokens: list[str], seconds: float, method: str
) -> tuple[Result, int]:
    """Every voter: GET the ballot page, POST a cast; repeat (each cast replaces the last)."""
    latencies: list[float] = []
    errors = 0
    casts = 0
    deadline = time.perf_counter() + seconds

    async def voter(index: int, token: str) -> None:
        nonlocal errors, casts
        async with httpx.AsyncClient(
            base_url=base, cookies={"deliberate_session": token}, timeout=60
        ) as client:
            while time.perf_counter() < deadline:
                page = await client.get(f"/cycles/{cycle_id}/vote")
                match = CSRF_RE.search(page.text)
                if page.status_code != 200 or match is None:
                    errors += 1
                    continue
                data = {
                    "csrf_token": match.group(1),
                    "submission_token": secrets.token_urlsafe(24),
                    **CHOICES[method](index + casts),
                }
                started = time.perf_counter()
                response = await client.post(f"/cycles/{cycle_id}/vote/cast", data=data)
                elapsed = time.perf_counter() - started
                if response.status_code != 303:
                    errors += 1
                    continue
                casts += 1
                latencies.append(elapsed)

    started = time.perf_counter()
    await asyncio.gather(*(voter(i, t) for i, t in enumerate(tokens)))
    elapsed = time.perf_counter() - started
    return Result("S2 cast a ballot (page + cast)", casts, elapsed, latencies, errors, set()), casts


async def baseline_load(base: str, concurrency: int, seconds: float) -> Result:
    latencies: list[float] = []
    errors = 0
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal errors
            while time.perf_counter() < deadline:
                started = time.perf_counter()
                response = await client.post("/b2")
                if response.status_code != 200:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result("B2 bare POST + one INSERT", len(latencies), elapsed, latencies, errors, set())


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--method", choices=sorted(CHOICES), default="mes")
    args = parser.parse_args()

    url, name = await scratch_database("bench_s2")
    try:
        cycle_id, tokens = await prepare(url, args.voters, args.method)
        env = {
            "DATABASE_URL": url,
            "BENCH_DATABASE_URL": url,
            "DELIBERATE_ENV": "development",
            "SECRET_KEY": "bench-secret-key-that-is-long-enough-0123456789",
            "LOG_LEVEL": "WARNING",
            "SCHEDULER_INTERVAL": "0",
        }
        print(f"{args.voters} concurrent voters, {args.seconds}s each, method {args.method}")
        with serve("baseline_app:create_app", env) as base:
            baseline = await baseline_load(base, args.voters, args.seconds)
        with serve("deliberate.app:create_app", env) as base:
            result, casts = await voters_load(base, cycle_id, tokens, args.seconds, args.method)
        connection = await asyncpg.connect(dbmod.plain_url(url))
        ballots = await connection.fetchval("SELECT count(*) FROM ballots")
        entries = await connection.fetchval("SELECT count(*) FROM bulletin_entries")
        voters = await connection.fetchval("SELECT count(DISTINCT voter_id) FROM ballots")
        await connection.close()
        print(f"{'scenario':36} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'x B2':>6}")
        for row in (baseline, result):
            print(
                f"{row.name:36} {row.rps:8.1f} {row.p50_ms:8.1f} {row.p99_ms:8.1f} "
                f"{row.errors:7d} {row.rps / baseline.rps:6.2f}"
            )
        print(
            f"acknowledged casts {casts}; chain entries {entries} "
            f"({'equal' if entries == casts else 'DIFFERENT'}); ballots {ballots} "
            f"(one per voter: {'yes' if ballots == voters else 'NO'})"
        )
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
