"""S3: casting ballots with 200 concurrent voters, each with a real session: fetch the ballot page
(for the CSRF token), then cast (lock the cycle row, check, upsert the ballot, append the receipt
hash to the bulletin chain, audit, commit). Against B2 (a bare Starlette POST doing one INSERT
in its own transaction) measured in the same run with the same concurrency.

After the run the vote is closed (which tallies it) and every acknowledged cast is checked: on
the bulletin, each voter's last one counted, the chain verifying as `deliberate verify` does.

Usage: .venv/bin/python bench/ballots.py [--seconds 10] [--voters 200] [--method mes]
       [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import re
import secrets
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
import httpx
from common import Result, app_env, drop_database, scratch_database, serve

from deliberate import db as dbmod
from deliberate.security import token_hash

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')
SECRET_KEY = "bench-secret-key-that-is-long-enough-0123456789"


async def prepare(url: str, voters: int, method: str) -> tuple[str, list[str], list[str]]:
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
    return str(cycle_id), tokens, [str(row["id"]) for row in ids]


CHOICES = {
    "mes": lambda i: {"option": [str(1 + i % 8), str(1 + (i + 3) % 8)]},
    "approval": lambda i: {"option": [str(1 + i % 8)]},
    "borda": lambda i: {
        "rank_1": str(1 + i % 3),
        "rank_2": str(1 + (i + 1) % 3),
        "rank_3": str(1 + (i + 2) % 3),
    },
}


@dataclass
class Load:
    result: Result
    statuses: Counter = field(default_factory=Counter)
    # voter index -> the submission tokens of their acknowledged casts, in order
    acknowledged: dict[int, list[str]] = field(default_factory=dict)
    queries: Counter = field(default_factory=Counter)


async def voters_load(
    base: str, cycle_id: str, tokens: list[str], seconds: float, method: str
) -> Load:
    """Every voter: GET the ballot page, POST a cast; repeat (each cast replaces the last)."""
    latencies: list[float] = []
    statuses: Counter = Counter()
    queries: Counter = Counter()
    acknowledged: dict[int, list[str]] = {}
    casts = 0
    # The clients are made before the clock starts (each costs a few milliseconds of the one
    # machine's CPU), so every voter votes from the first second.
    clients = [
        httpx.AsyncClient(
            base_url=base, cookies={"deliberate_session": token}, timeout=120, verify=False
        )
        for token in tokens
    ]
    deadline = time.perf_counter() + seconds

    async def voter(index: int, client: httpx.AsyncClient) -> None:
        nonlocal casts
        async with client:
            while time.perf_counter() < deadline:
                try:
                    page = await client.get(f"/cycles/{cycle_id}/vote")
                except httpx.TransportError as error:
                    statuses[f"page {type(error).__name__}"] += 1
                    continue
                match = CSRF_RE.search(page.text)
                if page.status_code != 200 or match is None:
                    statuses[f"page {page.status_code}"] += 1
                    continue
                queries[f"page {page.headers.get('x-query-count')}"] += 1
                submission = secrets.token_urlsafe(24)
                data = {
                    "csrf_token": match.group(1),
                    "submission_token": submission,
                    **CHOICES[method](index + casts),
                }
                started = time.perf_counter()
                try:
                    response = await client.post(f"/cycles/{cycle_id}/vote/cast", data=data)
                except httpx.TransportError as error:
                    statuses[f"cast {type(error).__name__}"] += 1
                    continue
                elapsed = time.perf_counter() - started
                statuses[f"cast {response.status_code}"] += 1
                if response.status_code != 303:
                    continue
                queries[f"cast {response.headers.get('x-query-count')}"] += 1
                casts += 1
                acknowledged.setdefault(index, []).append(submission)
                latencies.append(elapsed)

    started = time.perf_counter()
    await asyncio.gather(*(voter(i, c) for i, c in enumerate(clients)))
    elapsed = time.perf_counter() - started
    errors = sum(n for key, n in statuses.items() if key != "cast 303")
    result = Result("S3 cast a ballot (page + cast)", casts, elapsed, latencies, errors, set())
    return Load(result, statuses, acknowledged, queries)


async def check_counted(url: str, cycle_id: str, users: list[str], load: Load) -> list[str]:
    """Close the vote (which tallies it) and check every acknowledged ballot: each voter's last
    acknowledged cast is their counted ballot, every acknowledged receipt is on the bulletin, and
    the chain verifies. Returns the problems found."""
    from sqlalchemy.ext.asyncio import AsyncSession

    from deliberate import parts
    from deliberate.cycles.service import move_cycle
    from deliberate.cycles.stages import Stage
    from deliberate.voting import chain

    parts.load()
    engine = dbmod.make_engine(url, pool_size=1, max_overflow=0)
    async with AsyncSession(engine, expire_on_commit=False) as session:
        await move_cycle(session, None, uuid.UUID(cycle_id), Stage.SPECIFICATION)
        await session.commit()
    await engine.dispose()
    problems: list[str] = []
    connection = await asyncpg.connect(dbmod.plain_url(url))
    counted = await connection.fetchval(
        "SELECT ballots_counted FROM tallies WHERE cycle_id = $1", uuid.UUID(cycle_id)
    )
    current = {
        str(row["voter_id"]): row["receipt_hash"]
        for row in await connection.fetch("SELECT voter_id, receipt_hash FROM ballots")
    }
    entries = [
        dict(row)
        for row in await connection.fetch(
            "SELECT seq, receipt_hash, prev_hash, entry_hash FROM bulletin_entries "
            "WHERE cycle_id = $1 ORDER BY seq",
            uuid.UUID(cycle_id),
        )
    ]
    await connection.close()

    def hashed(index: int, submission: str) -> str:
        receipt = chain.make_receipt(SECRET_KEY, cycle_id, users[index], submission)
        return chain.receipt_hash(receipt)

    on_chain = {entry["receipt_hash"] for entry in entries}
    acknowledged = [(i, hashed(i, t)) for i, ts in load.acknowledged.items() for t in ts]
    missing = sum(1 for _, h in acknowledged if h not in on_chain)
    if missing:
        problems.append(f"{missing} acknowledged receipts are not on the bulletin")
    if len(entries) != len(acknowledged):
        problems.append(f"{len(entries)} chain entries for {len(acknowledged)} acknowledged casts")
    wrong = sum(
        1 for i, ts in load.acknowledged.items() if current.get(users[i]) != hashed(i, ts[-1])
    )
    if wrong or len(current) != len(load.acknowledged):
        problems.append(f"{wrong} voters' counted ballot is not their last acknowledged one")
    if counted != len(load.acknowledged):
        problems.append(f"tally counted {counted} ballots for {len(load.acknowledged)} voters")
    verdict = chain.verify_entries(cycle_id, entries)
    if not verdict.ok:
        problems.append(f"the chain does not verify: {verdict.reason}")
    return problems


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
                try:
                    response = await client.post("/b2")
                except httpx.TransportError:
                    errors += 1
                    continue
                if response.status_code != 200:
                    errors += 1
                    continue
                latencies.append(time.perf_counter() - started)

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return Result("B2 bare POST + one INSERT", len(latencies), elapsed, latencies, errors, set())


async def rate_check_cost(url: str, cycle_id: str, users: list[str], runs: int = 300) -> str:
    """What the ballot rate limit adds to a cast: the voter-state query timed with and without
    its count of the last minute's casts (on this run's database, after the load)."""
    import re as regex

    from sqlalchemy import text
    from sqlalchemy.ext.asyncio import AsyncSession

    from deliberate import ratelimit
    from deliberate.voting import service

    with_limit = service.VOTER_STATE.text
    without = regex.sub(
        r"CROSS JOIN LATERAL \(.*?\) AS recent",
        "CROSS JOIN (SELECT 0 AS casts, CAST(NULL AS interval) AS wait) AS recent",
        with_limit,
        flags=regex.S,
    )
    if without == with_limit:
        return "rate-limit check: not measured (the state query changed shape)"
    engine = dbmod.make_engine(url, pool_size=1, max_overflow=0)
    timings: dict[str, float] = {"with": 0.0, "without": 0.0}
    async with AsyncSession(engine) as session:
        for n in range(runs):
            user = uuid.UUID(users[n % len(users)])
            params = {
                "cycle_id": uuid.UUID(cycle_id),
                "cycle_text": cycle_id,
                "user_id": user,
                "email": "",
                "member_statuses": ["selected", "accepted"],
                "hashed": "",
                "window": ratelimit.BALLOT_WINDOW,
            }
            for name, sql in (("with", with_limit), ("without", without)):
                started = time.perf_counter()
                await session.execute(text(sql), params)
                timings[name] += time.perf_counter() - started
    await engine.dispose()
    extra = (timings["with"] - timings["without"]) / runs * 1000
    return (
        f"rate-limit check: state query {timings['with'] / runs * 1000:.2f} ms with it, "
        f"{timings['without'] / runs * 1000:.2f} ms without ({extra:+.2f} ms a cast, {runs} runs)"
    )


def serving(target: str, env: dict[str, str], workers: int):
    """serve() with `workers` processes when bench/common.py offers the option."""
    if workers > 1:
        if "workers" not in inspect.signature(serve).parameters:
            raise SystemExit("bench/common.py's serve() has no workers option yet")
        return serve(target, env, workers=workers)  # type: ignore[call-arg]
    return serve(target, env)


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--voters", type=int, default=200)
    parser.add_argument("--method", choices=sorted(CHOICES), default="mes")
    parser.add_argument("--workers", type=int, default=1, help="app processes (B2 keeps one)")
    args = parser.parse_args()

    url, name = await scratch_database("bench_s3")
    try:
        cycle_id, tokens, users = await prepare(url, args.voters, args.method)
        env = {**app_env(url), "SECRET_KEY": SECRET_KEY}
        print(
            f"{args.voters} concurrent voters, {args.seconds}s, method {args.method}, "
            f"{args.workers} app worker(s)"
        )
        with serve("baseline_app:create_app", env) as base:
            baseline = await baseline_load(base, args.voters, args.seconds)
        with serving("deliberate.app:create_app", env, args.workers) as base:
            load = await voters_load(base, cycle_id, tokens, args.seconds, args.method)
        cost = await rate_check_cost(url, cycle_id, users)
        problems = await check_counted(url, cycle_id, users, load)
        print(f"{'scenario':36} {'per s':>8} {'p50 ms':>8} {'p99 ms':>8} {'errors':>7} {'x B2':>6}")
        for row in (baseline, load.result):
            print(
                f"{row.name:36} {row.rps:8.1f} {row.p50_ms:8.1f} {row.p99_ms:8.1f} "
                f"{row.errors:7d} {row.rps / baseline.rps:6.2f}"
            )
        print("answers:", ", ".join(f"{k}: {n}" for k, n in sorted(load.statuses.items())))
        print("queries:", ", ".join(f"{k}: {n}" for k, n in sorted(load.queries.items())))
        print(cost)
        casts = load.result.requests
        print(
            f"acknowledged casts {casts} by {len(load.acknowledged)} voters; after the close: "
            + ("every one on the chain, each voter's last one counted, the chain verifies"
               if not problems else "PROBLEMS: " + "; ".join(problems))
        )  # fmt: skip
    finally:
        await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
