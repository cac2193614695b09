"""City-scale data for the benchmarks, loaded through COPY (asyncpg's copy_records_to_table):

- 50,000 citizens (users with a stakeholder group, a fifth of them Welsh speakers);
- a cycle taking proposals with 10,000 proposals and their supports (support_count agrees with
  the supports table);
- a cycle in deliberation with a thread of 2,000 posts (1,000 posts, each with one reply, paths
  as the app writes them) and a thread of 20;
- a vote of 100,000 weighted ballots (equal voice for three stakeholder groups) per ballot kind
  asked for: 50,000 cast by citizens with their group in `voter_groups`, 50,000 unlinked (cast by
  accounts since erased, so the ballot carries its group, as the app keeps it); every ballot's
  receipt is on the bulletin, whose hash chain is the one `deliberate/voting/chain.py` defines
  and `deliberate verify` checks;
- the demo's published specification (made through the real services: vote, tally, co-design,
  sign-off, publication, delivery reports and ratings), with the demo's people.

Deterministic (seeded: the same seed gives the same rows and ids) and idempotent (a second run
on the same database finds the data and returns its ids). Prints rows per second for each table.

Usage: .venv/bin/python bench/generate.py [--seed 1] [--kinds approval,points,ranking]
       (creates a scratch database, fills it, prints the figures and drops it unless --keep)
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import hashlib
import json
import random
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import drop_database, scratch_database

from deliberate import db as dbmod
from deliberate.voting import chain

CITIZENS = 50_000
PROPOSALS = 10_000
THREAD_ROOTS = 1_000  # each with one reply: 2,000 posts
BALLOTS = 100_000
OPTIONS = 100
GROUPS = (("residents", "Residents", "Trigolion", 0.5), ("carers", "Carers", "Gofalwyr", 0.3),
          ("staff", "Staff", "Staff", 0.2))  # fmt: skip
# One voting cycle per kind of ballot; the method of a cycle can be switched between the methods
# that read the same kind (approval, greedy and MES read approvals).
KINDS = {"approval": "approval", "points": "score", "ranking": "borda"}
SECRET = "bench-secret-key-that-is-long-enough-0123456789"
NOW = dt.datetime(2026, 11, 1, 12, 0, tzinfo=dt.UTC)
BODY = (
    "People told us that transport and friendships matter most, and that the day centre is "
    "too far for many of us without a car. "
)


@dataclass
class World:
    organisation: uuid.UUID
    citizens: list[uuid.UUID]
    proposals_cycle: uuid.UUID
    small_proposals_cycle: uuid.UUID
    deliberation_cycle: uuid.UUID
    thread: uuid.UUID
    small_thread: uuid.UUID
    votes: dict[str, uuid.UUID] = field(default_factory=dict)
    spec_cycle: uuid.UUID | None = None
    spec_version: int | None = None
    rates: list[tuple[str, int, float]] = field(default_factory=list)  # (table, rows, s)


class Ids:
    """Deterministic UUIDs: the n-th id of a name under the seed."""

    def __init__(self, seed: int) -> None:
        self.seed = seed

    def __call__(self, name: str, n: int = 0) -> uuid.UUID:
        digest = hashlib.sha256(f"{self.seed}|{name}|{n}".encode()).digest()
        return uuid.UUID(bytes=digest[:16], version=4)


async def copy(
    connection: asyncpg.Connection, world: World, table: str, columns: list[str], rows: list
) -> None:
    started = time.perf_counter()
    await connection.copy_records_to_table(table, records=rows, columns=columns)
    elapsed = time.perf_counter() - started
    world.rates.append((table, len(rows), elapsed))


async def _cycle(
    connection, ids: Ids, name: str, organisation, stage: str, title: str
) -> uuid.UUID:
    cycle_id = ids("cycle", _stable(name))
    await connection.execute(
        "INSERT INTO cycles (id, organisation_id, stage, title_en, title_cy, summary_en, "
        "summary_cy, service_area, budget, categories, settings, support_limit, announced) "
        "VALUES ($1, $2, $3, $4, $4, 'A city-wide cycle.', 'Cylch ar draws y ddinas.', "
        "'social_care', 5000000, $5, '{}', 10, true)",
        cycle_id,
        organisation,
        stage,
        title,
        json.dumps([{"key": "transport", "name_en": "Transport", "name_cy": "Trafnidiaeth"}]),
    )
    return cycle_id


def _stable(name: str) -> int:
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:4], "big")


async def citizens(connection, world: World, ids: Ids, rng: random.Random) -> None:
    groups = [g[0] for g in GROUPS]
    rows = []
    for n in range(CITIZENS):
        user_id = ids("citizen", n)
        world.citizens.append(user_id)
        rows.append(
            (
                user_id,
                f"citizen{n}@city.example",
                f"Citizen {n}",
                "cy" if rng.random() < 0.2 else "en",
                rng.choices(groups, weights=(6, 2, 1))[0],
                NOW - dt.timedelta(minutes=n),
                NOW - dt.timedelta(minutes=n),
            )
        )
    columns = ["id", "email", "display_name", "language", "stakeholder_group"]
    await copy(connection, world, "users", [*columns, "email_verified_at", "created_at"], rows)


async def proposals(
    connection, world: World, ids: Ids, rng: random.Random, cycle_id, count: int, name: str
) -> None:
    proposal_ids = [ids(f"{name}-proposal", n) for n in range(count)]
    # Each citizen supports up to five proposals, popular ones more often (a long tail).
    popularity = [1 / (1 + n % 97) for n in range(count)]
    supports: set[tuple[uuid.UUID, uuid.UUID]] = set()
    counts = [0] * count
    for citizen in world.citizens[: 25_000 if count > 1000 else 500]:
        for index in set(rng.choices(range(count), weights=popularity, k=rng.randint(0, 5))):
            supports.add((proposal_ids[index], citizen))
            counts[index] += 1
    rows = [
        (
            proposal_ids[n],
            cycle_id,
            world.citizens[rng.randrange(CITIZENS)],
            f"Proposal {n}: more support for day services in the villages",
            BODY * 2 + str(n),
            "cy" if n % 4 == 0 else "en",
            "transport",
            "open",
            counts[n],
            5000 + n,
            NOW - dt.timedelta(minutes=n),
            NOW - dt.timedelta(minutes=n),
        )
        for n in range(count)
    ]
    columns = ["id", "cycle_id", "author_id", "title", "body", "language", "category", "status"]
    columns += ["support_count", "estimated_cost", "created_at", "updated_at"]
    await copy(connection, world, "proposals", columns, rows)
    await copy(
        connection,
        world,
        "supports",
        ["proposal_id", "user_id", "cycle_id"],
        [(p, u, cycle_id) for p, u in sorted(supports)],
    )


async def thread(connection, world: World, ids: Ids, cycle_id, name: str, roots: int, first: int):
    thread_id = ids("thread", _stable(name))
    await connection.execute(
        "INSERT INTO threads (id, cycle_id, kind, title, post_count, last_post_at) "
        "VALUES ($1, $2, 'general', $3, $4, $5)",
        thread_id,
        cycle_id,
        f"{name}: what matters most about day services",
        roots * 2,
        NOW,
    )
    rows = []
    post_id = first
    for n in range(roots):
        root = post_id
        root_path = f"{root:012d}"
        author = world.citizens[n % 24]
        created = NOW - dt.timedelta(minutes=2 * (roots - n))
        rows.append((root, thread_id, cycle_id, author, None, 0, root_path,
                     f"A post about transport and respite, number {n}. " + BODY, "en",
                     "neutral", '{"agree": 1}', created))  # fmt: skip
        rows.append((root + 1, thread_id, cycle_id, world.citizens[(n + 7) % 24], root, 1,
                     f"{root_path}.{root + 1:012d}", "A reply: " + BODY, "en", "supports", "{}",
                     created + dt.timedelta(minutes=1)))  # fmt: skip
        post_id += 2
    columns = ["id", "thread_id", "cycle_id", "author_id", "parent_id", "depth", "path", "body"]
    columns += ["language", "stance", "reaction_counts", "created_at"]
    await copy(connection, world, "posts", columns, rows)
    return thread_id, post_id


def make_choice(kind: str, rng: random.Random, popularity: list[float]) -> dict:
    options = [str(i) for i in range(1, OPTIONS + 1)]
    chosen = list(dict.fromkeys(rng.choices(options, weights=popularity, k=rng.randint(1, 8))))
    if kind == "approval":
        return {"approvals": sorted(chosen, key=int)}
    if kind == "points":
        return {"points": {o: rng.randint(1, 5) for o in sorted(chosen, key=int)}}
    return {"ranking": chosen}


async def vote(connection, world: World, ids: Ids, rng: random.Random, kind: str) -> None:
    method = KINDS[kind]
    cycle_id = await _cycle(
        connection, ids, f"vote-{kind}", world.organisation, "voting", f"City vote ({kind})"
    )
    world.votes[kind] = cycle_id
    await connection.executemany(
        "INSERT INTO cycle_groups (id, cycle_id, key, name_en, name_cy, target_share, position) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7)",
        [
            (ids(f"group-{kind}", i), cycle_id, key, en, cy, share, i)
            for i, (key, en, cy, share) in enumerate(GROUPS)
        ],
    )
    option_proposals = [ids(f"vote-{kind}-proposal", n) for n in range(OPTIONS)]
    await copy(
        connection,
        world,
        "proposals",
        ["id", "cycle_id", "title", "body", "language", "status", "answer", "estimated_cost"],
        [
            (
                p,
                cycle_id,
                f"Option {n + 1}",
                BODY,
                "en",
                "open",
                "taken_forward",
                rng.randint(10, 200) * 1000,
            )
            for n, p in enumerate(option_proposals)
        ],
    )
    await connection.execute(
        "INSERT INTO ballot_options (id, cycle_id, proposal_id, position, title, language, cost) "
        "SELECT id, cycle_id, id, row_number() OVER (ORDER BY (substr(title, 8))::int), title, "
        "'en', estimated_cost FROM proposals WHERE cycle_id = $1",
        cycle_id,
    )
    await connection.execute(
        "INSERT INTO ballot_definitions (id, cycle_id, method, params, eligibility, weighting, "
        "multipliers, results_visibility, frozen_at) VALUES ($1, $2, $3, $4, 'citizens', "
        "'equal_voice', '{}', 'sealed', $5)",
        ids(f"definition-{kind}"),
        cycle_id,
        method,
        json.dumps({"budget": 2_000_000}) if kind == "approval" else "{}",
        NOW,
    )
    groups = [g[0] for g in GROUPS]
    group_rows = []
    ballots = []
    bulletin = []
    previous = chain.GENESIS
    popularity = [1 / (1 + i) ** 0.7 for i in range(OPTIONS)]
    for n in range(BALLOTS):
        linked = n < CITIZENS
        voter = world.citizens[n] if linked else None
        group = rng.choices(groups, weights=(6, 2, 1))[0]
        if linked:
            group_rows.append((cycle_id, voter, group))
        token = f"{ids('token', n).hex}"
        receipt = chain.receipt_hash(
            chain.make_receipt(SECRET, str(cycle_id), str(voter or n), token)
        )
        cast_at = NOW + dt.timedelta(seconds=n)
        ballots.append((ids(f"ballot-{kind}", n), cycle_id, voter, None if linked else group,
                        json.dumps(make_choice(kind, rng, popularity)), receipt, token, cast_at,
                        cast_at))  # fmt: skip
        entry = chain.entry_hash(str(cycle_id), n + 1, receipt, previous)
        bulletin.append((cycle_id, n + 1, receipt, previous, entry, cast_at))
        previous = entry
    await copy(connection, world, "voter_groups", ["cycle_id", "user_id", "group_key"], group_rows)
    columns = ["id", "cycle_id", "voter_id", "group_key", "choice", "receipt_hash"]
    await copy(
        connection,
        world,
        "ballots",
        [*columns, "submission_token", "cast_at", "updated_at"],
        ballots,
    )
    await copy(
        connection,
        world,
        "bulletin_entries",
        ["cycle_id", "seq", "receipt_hash", "prev_hash", "entry_hash", "created_at"],
        bulletin,
    )


async def published_specification(url: str, world: World) -> None:
    """The demo's published specification alone, made through the real services (the demo's
    organisations, people and citizens first, as `deliberate demo` makes them)."""
    from sqlalchemy import select

    from deliberate import demo, parts
    from deliberate.cycles.models import Cycle
    from deliberate.specs.demo import TITLE_EN, load_specs_demo

    parts.load()
    engine = dbmod.make_engine(url)
    sessionmaker = dbmod.make_sessionmaker(engine)
    try:
        async with sessionmaker() as db:
            started = time.perf_counter()
            organisations = await demo.load_organisations_and_people(db, SECRET)
            citizens = await demo._load_citizens(db)
            await load_specs_demo(db, organisations, citizens)
            await db.commit()
            world.spec_cycle = await db.scalar(select(Cycle.id).where(Cycle.title_en == TITLE_EN))
            world.rates.append(("published spec (services)", 0, time.perf_counter() - started))
    finally:
        await engine.dispose()


async def generate(url: str, *, seed: int = 1, kinds: tuple[str, ...] = ("approval",)) -> World:
    """Fill the database at `url` (built by the migrations); a second call returns the same ids
    and loads only the vote kinds not loaded yet."""
    ids = Ids(seed)
    rng = random.Random(seed)
    connection = await asyncpg.connect(dbmod.plain_url(url))
    try:
        world = World(
            organisation=ids("organisation"),
            citizens=[ids("citizen", n) for n in range(CITIZENS)],
            proposals_cycle=ids("cycle", _stable("proposals")),
            small_proposals_cycle=ids("cycle", _stable("proposals-small")),
            deliberation_cycle=ids("cycle", _stable("deliberation")),
            thread=ids("thread", _stable("Large")),
            small_thread=ids("thread", _stable("Small")),
        )
        exists = await connection.fetchval(
            "SELECT true FROM organisations WHERE id = $1", world.organisation
        )
        loaded = not exists
        if not exists:
            world.citizens = []
            async with connection.transaction():
                await connection.execute(
                    "INSERT INTO organisations (id, slug, name_en, name_cy) "
                    "VALUES ($1, 'city', 'City Council', 'Cyngor y Ddinas')",
                    world.organisation,
                )
                await citizens(connection, world, ids, rng)
                for name, count, stage in (("proposals", PROPOSALS, "proposals"),
                                           ("proposals-small", 100, "proposals")):  # fmt: skip
                    cycle_id = await _cycle(
                        connection, ids, name, world.organisation, stage, f"Cycle {name}"
                    )
                    await proposals(connection, world, ids, rng, cycle_id, count, name)
                cycle_id = await _cycle(
                    connection, ids, "deliberation", world.organisation, "deliberation",
                    "Day services across the city",
                )  # fmt: skip
                _, next_id = await thread(
                    connection, world, ids, cycle_id, "Large", THREAD_ROOTS, 1
                )
                await thread(connection, world, ids, cycle_id, "Small", 10, next_id)
                await connection.execute(
                    "SELECT setval(pg_get_serial_sequence('posts', 'id'), "
                    "(SELECT max(id) FROM posts))"
                )
                await connection.execute(
                    "CREATE TABLE IF NOT EXISTS bench_writes (id bigserial primary key, note text)"
                )
        for kind in kinds:
            vote_id = ids("cycle", _stable(f"vote-{kind}"))
            if await connection.fetchval("SELECT true FROM cycles WHERE id = $1", vote_id):
                world.votes[kind] = vote_id
                continue
            async with connection.transaction():
                await vote(connection, world, ids, random.Random(f"{seed}-{kind}"), kind)
            loaded = True
        if loaded:
            started = time.perf_counter()
            await connection.execute("ANALYZE")
            world.rates.append(("ANALYZE", 0, time.perf_counter() - started))
    finally:
        await connection.close()
    from deliberate.specs.demo import TITLE_EN

    connection = await asyncpg.connect(dbmod.plain_url(url))
    try:
        world.spec_cycle = await connection.fetchval(
            "SELECT id FROM cycles WHERE title_en = $1", TITLE_EN
        )
    finally:
        await connection.close()
    if world.spec_cycle is None:
        await published_specification(url, world)
    await read_spec_version(url, world)
    return world


async def read_spec_version(url: str, world: World) -> None:
    """The published version number of the world's specification."""
    connection = await asyncpg.connect(dbmod.plain_url(url))
    try:
        world.spec_version = await connection.fetchval(
            "SELECT published_version FROM specifications WHERE cycle_id = $1", world.spec_cycle
        )
    finally:
        await connection.close()


def print_rates(world: World) -> None:
    print(f"{'table (COPY)':24} {'rows':>9} {'seconds':>8} {'rows/s':>9}")
    for table, rows, seconds in world.rates:
        rate = f"{rows / seconds:9.0f}" if rows and seconds else " " * 9
        print(f"{table:24} {rows or '':>9} {seconds:8.2f} {rate}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--kinds", default="approval", help="comma-separated: " + ",".join(KINDS))
    parser.add_argument("--keep", action="store_true", help="keep the database and print its URL")
    args = parser.parse_args()
    url, name = await scratch_database("bench_city")
    try:
        started = time.perf_counter()
        world = await generate(url, seed=args.seed, kinds=tuple(args.kinds.split(",")))
        total = time.perf_counter() - started
        print_rates(world)
        print(f"generated in {total:.1f}s")
        again = time.perf_counter()
        second = await generate(url, seed=args.seed, kinds=tuple(args.kinds.split(",")))
        assert second.votes == world.votes and second.thread == world.thread
        print(f"second run (idempotent, nothing loaded): {time.perf_counter() - again:.1f}s")
        if args.keep:
            print(url)
    finally:
        if not args.keep:
            await drop_database(name)


if __name__ == "__main__":
    asyncio.run(main())
