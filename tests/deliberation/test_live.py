"""Live posts across app processes: a post made through one server reaches a reader attached to
another by Server-Sent Events, carried by PostgreSQL LISTEN/NOTIFY."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from conftest import LiveServer
from factories import PASSWORD, make_cycle, make_organisation, make_panel, make_thread, make_user
from helpers import csrf_from


@pytest.fixture
def two_servers(settings_env):
    first, second = LiveServer(settings_env), LiveServer(settings_env)
    first.start()
    second.start()
    yield first, second
    first.stop()
    second.stop()


async def _read_post_event(response: httpx.Response, wait: float = 10.0) -> dict:
    async def read() -> dict:
        event = None
        async for line in response.aiter_lines():
            if line.startswith("event: "):
                event = line.removeprefix("event: ")
            elif line.startswith("data: ") and event == "post":
                return json.loads(line.removeprefix("data: "))
        raise AssertionError("stream ended")

    return await asyncio.wait_for(read(), wait)


async def test_a_post_through_one_process_reaches_a_reader_on_another(two_servers, db):
    writer_server, reader_server = two_servers
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="deliberation")
    member = await make_user(db, "member@example.org", name="Mair")
    await make_panel(db, cycle, [member])
    thread = await make_thread(db, cycle)

    async with httpx.AsyncClient(base_url=reader_server.url, timeout=15) as reader:
        async with reader.stream("GET", f"/threads/{thread.id}/events") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            await asyncio.sleep(0.5)  # the reader's process is listening
            async with httpx.AsyncClient(base_url=writer_server.url, timeout=15) as writer:
                page = await writer.get("/signin")
                await writer.post(
                    "/signin",
                    data={
                        "csrf_token": csrf_from(page.text),
                        "email": "member@example.org",
                        "password": PASSWORD,
                    },
                )
                thread_page = await writer.get(f"/threads/{thread.id}")
                posted = await writer.post(
                    f"/threads/{thread.id}/posts",
                    data={
                        "csrf_token": csrf_from(thread_page.text),
                        "body": "Live from process one",
                        "stance": "supports",
                    },
                )
                assert posted.status_code == 303
            event = await _read_post_event(stream)
    assert "Live from process one" in event["html"]
    assert 'id="post-' in event["html"] and event["parent"] is None
