"""The database restarted while people vote, post and support: requests during the outage get a
quick 503 (never a hang, a 500 or a stack trace), the app serves again by itself once the
database is back, the LISTEN connection for live posts and the scheduler carry on, and every
write that was acknowledged is in the database afterwards. And a pool held by slow requests
answers the extra ones 503 at once, then recovers.

The restart uses a PostgreSQL of this test's own (never the shared one other tests use)."""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import secrets
import shutil
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx
import pytest
from conftest import LiveServer
from factories import make_cycle, make_panel, make_proposal, make_thread
from sqlalchemy import select, text
from starlette.routing import Route
from vote.support import build_world, declare_carers, make_voters, voter_browser

from deliberate import db as dbmod
from deliberate.accounts.models import User
from deliberate.security import SESSION_COOKIE, csrf_token_for
from deliberate.voting.chain import verify_entries

SECRET = "test-secret-key-that-is-long-enough-1234567890"
OUTAGE = 4.0  # seconds the database stays down (after it has stopped)
VOTERS = 16
SUPPORTERS = 10
POSTERS = 4
SPREAD = 10.0  # seconds over which the writes arrive
RESTART_AT = 3.0  # seconds into the writes


class OwnPostgres:
    """A PostgreSQL server in a temporary folder, for this test alone, that it may restart."""

    def __init__(self) -> None:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            import pgserver
            from pgserver import _commands

        self.root = Path(tempfile.mkdtemp(prefix="dlb-restart-", dir="/tmp"))
        self.pgdata = self.root / "pg"
        self.server = pgserver.get_server(self.pgdata, cleanup_mode=None)
        self.socket_dir = self.server.get_postmaster_info().socket_dir
        self.pg_ctl = _commands.pg_ctl
        self.user = self.server.system_user

    def url(self, database: str = "postgres") -> str:
        return f"postgresql://postgres:@/{database}?host={self.socket_dir}"

    def stop(self) -> None:
        self.pg_ctl(["-w", "-m", "fast", "stop"], pgdata=self.pgdata, user=self.user, timeout=60)

    def start(self) -> None:
        self.pg_ctl(
            ["-w", "-o", '-h ""', "-o", f"-k {self.socket_dir}", "-l", str(self.pgdata / "log"),
             "start"],
            pgdata=self.pgdata, user=self.user, timeout=60,
        )  # fmt: skip

    def destroy(self) -> None:
        with contextlib.suppress(Exception):
            self.pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=self.pgdata, user=self.user,
                        timeout=60)  # fmt: skip
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
async def own_database():
    """A database on our own server, built by the real migrations."""
    from alembic import command

    from deliberate.cli import _alembic_config

    server = await asyncio.to_thread(OwnPostgres)
    try:
        admin = await asyncpg.connect(server.url())
        await admin.execute("CREATE DATABASE deliberate")
        await admin.close()
        url = server.url("deliberate")
        await asyncio.to_thread(command.upgrade, _alembic_config(url), "head")
        yield server, url
    finally:
        await asyncio.to_thread(server.destroy)


@dataclass
class Log:
    """Every response the clients received: (started, seconds taken, status, what it was)."""

    calls: list[tuple[float, float, int, str]] = field(default_factory=list)
    acked: set[str] = field(default_factory=set)
    bad: list[str] = field(default_factory=list)

    async def send(
        self, client: httpx.AsyncClient, key: str, method: str, path: str, *, lands: str = "", **kw
    ):
        """Send one request; a 2xx or 303 (landing where `lands` says) is an acknowledgement."""
        started = time.monotonic()
        try:
            response = await client.request(method, path, **kw)
        except httpx.HTTPError as error:  # a hang or a dropped connection: never acceptable
            self.bad.append(
                f"{key}: {type(error).__name__} after {time.monotonic() - started:.1f}s"
            )
            return None
        took = time.monotonic() - started
        self.calls.append((started, took, response.status_code, key))
        if response.status_code in (200, 303):
            if lands not in response.headers.get("location", ""):
                self.bad.append(f"{key}: went to {response.headers.get('location')}")
            else:
                self.acked.add(key)
        elif response.status_code == 503:
            if "try again" not in response.text or "Traceback" in response.text:
                self.bad.append(f"{key}: a 503 without its message: {response.text[:300]}")
            if not response.headers.get("retry-after"):
                self.bad.append(f"{key}: a 503 without Retry-After")
        else:
            self.bad.append(f"{key}: {response.status_code} {response.text[:300]}")
        return response


def _client(server: LiveServer, session_token: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(
        base_url=server.url,
        cookies={SESSION_COOKIE: session_token},
        headers={"X-CSRF-Token": csrf_token_for(SECRET, session_token)},
        timeout=30,
        follow_redirects=False,
        # A fresh connection each time: no race with the server closing an idle keep-alive one.
        limits=httpx.Limits(max_keepalive_connections=0),
    )


async def _read_events(response: httpx.Response, into: asyncio.Queue, ready: asyncio.Event):
    event = None
    async for line in response.aiter_lines():
        ready.set()  # the first line comes once the hub is listening
        if line.startswith("event: "):
            event = line.removeprefix("event: ")
        elif line.startswith("data: ") and event == "post":
            await into.put(json.loads(line.removeprefix("data: ")))


async def test_the_database_restarted_under_load(own_database, tmp_path):
    pg, url = own_database
    engine = dbmod.make_engine(url, pool_size=2, max_overflow=0)
    sessionmaker = dbmod.make_sessionmaker(engine)
    async with sessionmaker() as db:
        voting = await build_world(db, slug="ceredigion")
        closing = await build_world(db, slug="powys", options=3)
        supporting = await make_cycle(db, voting.organisation, stage="proposals", title="Ideas")
        proposals = [
            await make_proposal(db, supporting, voting.commissioner, title=f"Idea {n}")
            for n in range(4)
        ]
        talking = await make_cycle(db, voting.organisation, stage="deliberation", title="Talk")
        voters = await make_voters(db, VOTERS, prefix="voter")
        await declare_carers(db, voting.cycle.id, voters)
        supporters = await make_voters(db, SUPPORTERS, prefix="supporter")
        posters = await make_voters(db, POSTERS + 1, prefix="member")
        members = (
            await db.execute(select(User).where(User.id.in_([u for u, _ in posters])))
        ).scalars()
        await make_panel(db, talking, list(members))
        thread = await make_thread(db, talking)
    await engine.dispose()

    server = LiveServer(
        {
            "DELIBERATE_ENV": "test",
            "DATABASE_URL": url,
            "DELIBERATE_DATA_DIR": str(tmp_path / "data"),
            "SECRET_KEY": SECRET,
            "LOG_LEVEL": "ERROR",
            "SCHEDULER_INTERVAL": "1",
        }
    )
    server.start()
    log = Log()
    live_posts: asyncio.Queue = asyncio.Queue()
    reader_token = posters[-1][1]
    try:
        async with _client(server, reader_token) as reader:
            reader.timeout = httpx.Timeout(30, read=None)  # a live stream may be quiet a while
            # A reader follows the thread live from before the restart until after it.
            async with reader.stream("GET", f"/threads/{thread.id}/events") as stream:
                assert stream.status_code == 200
                ready = asyncio.Event()
                listening = asyncio.create_task(_read_events(stream, live_posts, ready))
                await asyncio.wait_for(ready.wait(), 10)
                response = await log.send(reader, "post:before the restart", "POST",
                                          f"/threads/{thread.id}/posts",
                                          data={"body": "before the restart"})  # fmt: skip
                assert response is not None and response.status_code == 303
                first = await asyncio.wait_for(live_posts.get(), 10)
                assert "before the restart" in first["html"]

                began = time.monotonic()
                times: dict[str, float] = {}

                async def restart() -> None:
                    await asyncio.sleep(RESTART_AT)
                    times["stopping"] = time.monotonic()
                    await asyncio.to_thread(pg.stop)
                    times["down"] = time.monotonic()
                    await asyncio.sleep(OUTAGE)
                    await asyncio.to_thread(pg.start)
                    times["up"] = time.monotonic()

                async def vote(index: int, token: str) -> None:
                    await asyncio.sleep(random.uniform(0, SPREAD))
                    submission = secrets.token_hex(8)  # the same on every retry
                    async with _client(server, token) as client:
                        for _attempt in range(40):
                            response = await log.send(
                                client, f"ballot:{index}", "POST",
                                f"/cycles/{voting.cycle.id}/vote/cast",
                                data={"option": [str(1 + index % 4)],
                                      "submission_token": submission},
                                lands=submission,
                            )  # fmt: skip
                            if response is None or response.status_code != 503:
                                return
                            await asyncio.sleep(0.5)

                async def support(index: int, token: str) -> None:
                    await asyncio.sleep(random.uniform(0, SPREAD))
                    proposal = proposals[index % len(proposals)]
                    async with _client(server, token) as client:
                        for _attempt in range(40):
                            response = await log.send(
                                client, f"support:{index}:{proposal.id}", "POST",
                                f"/proposals/{proposal.id}/support", data={"support": "on"},
                            )  # fmt: skip
                            if response is None or response.status_code != 503:
                                return
                            await asyncio.sleep(0.5)

                async def post(index: int, token: str) -> None:
                    async with _client(server, token) as client:
                        for n in range(5):  # the rate limit allows six a minute
                            await asyncio.sleep(random.uniform(0.5, SPREAD / 5))
                            await log.send(
                                client, f"post:post {index}-{n}", "POST",
                                f"/threads/{thread.id}/posts",
                                data={"body": f"post {index}-{n}", "stance": "supports"},
                            )  # fmt: skip

                async def probe() -> None:
                    async with _client(server, voters[0][1]) as client:
                        while time.monotonic() - began < SPREAD + 4:
                            await log.send(client, "probe", "GET", f"/cycles/{voting.cycle.id}")
                            await asyncio.sleep(0.2)

                await asyncio.gather(
                    restart(),
                    probe(),
                    *(vote(i, token) for i, (_u, token) in enumerate(voters)),
                    *(support(i, token) for i, (_u, token) in enumerate(supporters)),
                    *(post(i, token) for i, (_u, token) in enumerate(posters[:-1])),
                )

                # The live-post connection reconnected: a new post reaches the same stream
                # (the events of the posts made during the run come first).
                async def after_the_restart() -> dict:
                    while True:
                        event = await live_posts.get()
                        if "after the restart" in event["html"]:
                            return event

                arrived = None
                for n in range(5):
                    await log.send(reader, f"post:after the restart {n}", "POST",
                                   f"/threads/{thread.id}/posts",
                                   data={"body": f"after the restart {n}"})  # fmt: skip
                    with contextlib.suppress(TimeoutError):
                        arrived = await asyncio.wait_for(after_the_restart(), 2)
                        break
                assert arrived is not None, (log.bad, times, listening)
                listening.cancel()

            # The scheduler loop survived: a vote whose end date has now passed is closed.
            admin = await asyncpg.connect(dbmod.plain_url(url))
            try:
                await admin.execute(
                    "INSERT INTO cycle_schedule (id, cycle_id, stage, starts_at, ends_at) "
                    "VALUES ($1, $2, 'voting', now() - interval '2 days', now() - interval '1s')",
                    uuid.uuid4(),
                    closing.cycle.id,
                )
                deadline = time.monotonic() + 15
                while time.monotonic() < deadline:
                    stage = await admin.fetchval(
                        "SELECT stage FROM cycles WHERE id = $1", closing.cycle.id
                    )
                    if stage != "voting":
                        break
                    await asyncio.sleep(0.2)
                assert stage == "specification"

                # Every acknowledged write is in the database.
                ballots = await admin.fetch(
                    "SELECT u.email FROM ballots b JOIN users u ON u.id = b.voter_id "
                    "WHERE b.cycle_id = $1",
                    voting.cycle.id,
                )
                stored_voters = {row["email"] for row in ballots}
                entries = await admin.fetch(
                    "SELECT seq, receipt_hash, prev_hash, entry_hash FROM bulletin_entries "
                    "WHERE cycle_id = $1 ORDER BY seq",
                    voting.cycle.id,
                )
                supports = await admin.fetch(
                    "SELECT s.proposal_id, u.email FROM supports s JOIN users u ON u.id = s.user_id"
                )
                bodies = {
                    row["body"]
                    for row in await admin.fetch(
                        "SELECT body FROM posts WHERE thread_id = $1", thread.id
                    )
                }
                emails = {
                    row["id"]: row["email"]
                    for row in await admin.fetch("SELECT id, email FROM users")
                }
            finally:
                await admin.close()
            health = await reader.get("/healthz")
    finally:
        server.stop()

    assert log.bad == []
    down_from, up_at = times["stopping"], times["up"]
    statuses = [status for _s, _t, status, _k in log.calls]
    # The machine's own pace (other tests share its cores): how long answers took before.
    before = sorted(took for start, took, status, _k in log.calls if start < down_from - 1)
    pace = before[int(len(before) * 0.9)] if before else 0.0
    # Answers given while the database was down (the machine may be slow to reach them).
    outage = [c for c in log.calls if down_from <= c[0] + c[1] <= up_at]
    assert any(status == 503 for _s, _t, status, _k in outage), [
        (round(s - down_from, 2), round(t, 2), status, key) for s, t, status, key in log.calls
    ]
    assert set(statuses) <= {200, 303, 503}
    slowest = max(took for _s, took, status, _k in log.calls if status == 503)
    assert slowest < 5.0 + pace, f"a 503 took {slowest:.1f}s (answers took {pace:.1f}s before)"
    recovered = min(
        start + took
        for start, took, status, key in log.calls
        if status in (200, 303) and start > up_at
    )
    assert recovered - up_at < 5.0 + pace, (
        f"served again {recovered - up_at:.1f}s after the restart (answers took {pace:.1f}s)"
    )
    print(
        f"\nrestart: {len(log.calls)} requests, {statuses.count(503)} answered 503 "
        f"(slowest {slowest:.2f}s; before the restart 90% took under {pace:.2f}s); served "
        f"again {recovered - up_at:.2f}s after the database was back (down "
        f"{up_at - times['down']:.1f}s)"
    )

    # Every acknowledged write is there.
    acked_ballots = {int(k.split(":")[1]) for k in log.acked if k.startswith("ballot:")}
    voter_emails = [emails[user_id] for user_id, _ in voters]
    assert {voter_emails[i] for i in acked_ballots} <= stored_voters
    assert len(acked_ballots) == VOTERS  # every voter got through in the end
    assert len(entries) == len(stored_voters)
    assert verify_entries(str(voting.cycle.id), [dict(e) for e in entries]).ok
    stored_supports = {(str(row["proposal_id"]), row["email"]) for row in supports}
    for key in (k for k in log.acked if k.startswith("support:")):
        _, index, proposal_id = key.split(":")
        assert (proposal_id, emails[supporters[int(index)][0]]) in stored_supports
    acked_posts = {k.removeprefix("post:") for k in log.acked if k.startswith("post:")}
    assert acked_posts <= bodies, acked_posts - bodies
    assert health.status_code == 200


async def test_slow_requests_beyond_the_pool_get_a_quick_503_and_the_pool_recovers(app, db):
    engine = dbmod.make_engine(
        app.state.database_url, pool_size=2, max_overflow=0, pool_timeout=1.0, patience=60
    )
    app.state.sessionmaker.configure(bind=engine)

    async def slow(request):
        from starlette.responses import PlainTextResponse

        await request.state.db.execute(text("SELECT pg_sleep(3)"))
        return PlainTextResponse("done")

    app.router.routes.insert(0, Route("/slow", slow))
    [(_, token)] = await make_voters(db, 1)

    async def fetch(path: str) -> tuple[int, float, str]:
        started = time.monotonic()
        async with voter_browser(app, token) as browser:
            response = await browser.get(path)
        return (
            response.status_code,
            time.monotonic() - started,
            response.headers.get("retry-after", ""),
        )

    try:
        results = await asyncio.gather(*(fetch("/slow") for _ in range(6)))
        served = [r for r in results if r[0] == 200]
        refused = [r for r in results if r[0] == 503]
        assert len(served) == 2 and len(refused) == 4, results
        assert all(took < 2.5 and retry == "5" for _s, took, retry in refused), refused
        # The pool recovers: nothing is left checked out, and the next requests are served.
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
        assert (await fetch("/"))[0] == 200
        again = await asyncio.gather(fetch("/slow"), fetch("/slow"))
        assert [status for status, _t, _r in again] == [200, 200]
        assert engine.pool.checkedout() == 0  # type: ignore[attr-defined]
    finally:
        await engine.dispose()


async def test_no_database_answers_503_at_once_but_a_fault_in_a_query_is_still_a_500(make_app):
    from helpers import Browser, soup

    gone = make_app(DATABASE_URL="postgresql://postgres@127.0.0.1:1/nowhere")
    async with Browser(gone) as browser:
        browser.cookies.set(SESSION_COOKIE, "a-session")  # signed in: the viewer needs the DB
        started = time.monotonic()
        page = await browser.get("/")
        took = time.monotonic() - started
        fragment = await browser.get("/", headers={"HX-Request": "true"})
    assert page.status_code == 503 and took < 3, (page.status_code, took)
    assert page.headers["retry-after"] == "5"
    assert "briefly unavailable" in soup(page).get_text()
    assert "Traceback" not in page.text
    assert fragment.status_code == 503 and fragment.headers["hx-retarget"] == "#messages"

    app = make_app()

    async def broken(request):
        await request.state.db.execute(text("SELECT no_such_column FROM users"))

    app.router.routes.insert(0, Route("/broken", broken))
    async with Browser(app) as browser:
        response = await browser.get("/broken")
    assert response.status_code == 500  # a fault in the code is not dressed up as an outage
