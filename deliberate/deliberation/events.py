"""Live posts: PostgreSQL LISTEN/NOTIFY to Server-Sent Events.

Each app process keeps one listening connection, from its start. A post committed through any
process is NOTIFYed to all of them; each renders the post once per language and sends it to its
readers of that thread. Readers without JavaScript simply reload the page. The same connection
carries other channels' notifications to their handlers (`also`), and says when it is up or
down (`on_connection`), so a cache can start afresh after notifications it may have missed.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections import defaultdict
from collections.abc import AsyncIterator, Callable
from typing import Any

import asyncpg

from deliberate import db as dbmod
from deliberate import tasks
from deliberate.logging import get_logger

log = get_logger("deliberate.events")
HEARTBEAT_SECONDS = 15.0

Renderer = Callable[[int, str], Any]  # (post id, locale) -> awaitable html or None


class PostEvents:
    def __init__(
        self,
        database_url: str,
        channel: str,
        render: Renderer,
        also: dict[str, Callable[[str], None]] | None = None,
        on_connection: Callable[[bool], None] | None = None,
    ) -> None:
        self.database_url = database_url
        self.channel = channel
        self.render = render
        self.also = also or {}
        self.on_connection = on_connection
        self.subscribers: dict[uuid.UUID, set[tuple[asyncio.Queue[str], str]]] = defaultdict(set)
        self._task: asyncio.Task[None] | None = None
        self._connected = asyncio.Event()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._listen())
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._connected.wait(), timeout=5)

    async def stop(self) -> None:
        await tasks.stop(self._task)
        self._task = None

    async def _listen(self) -> None:
        """Keep one LISTEN connection open, reconnecting after a database restart."""
        failures = 0
        while True:
            connection = None
            try:
                # A short timeout: a database that does not answer is tried again in a second.
                connection = await asyncpg.connect(dbmod.plain_url(self.database_url), timeout=5)
                lost = asyncio.Event()
                connection.add_termination_listener(lambda _connection, lost=lost: lost.set())
                await connection.add_listener(self.channel, self._on_notify)
                for channel, handle in self.also.items():
                    await connection.add_listener(
                        channel, lambda _c, _p, _ch, payload, handle=handle: handle(payload)
                    )
                if failures:
                    log.info("listen_reconnected", after_failures=failures)
                failures = 0
                self._connected.set()
                self._announce(True)
                await lost.wait()
                log.warning("listen_connection_lost")
                failures = 1
            except asyncio.CancelledError:
                if connection is not None and not connection.is_closed():
                    await connection.close()
                raise
            except Exception as error:
                if failures == 0:  # once per outage, not once a second
                    log.warning("listen_connection_lost", error=str(error))
                failures += 1
            finally:
                if self._connected.is_set():
                    self._announce(False)
                self._connected.clear()
            await asyncio.sleep(1)

    def _announce(self, up: bool) -> None:
        if self.on_connection is not None:
            self.on_connection(up)

    def _on_notify(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        try:
            data = json.loads(payload)
            thread_id = uuid.UUID(data["thread"])
        except (ValueError, KeyError):
            return
        if self.subscribers.get(thread_id):
            asyncio.get_running_loop().create_task(self._deliver(thread_id, data))

    async def _deliver(self, thread_id: uuid.UUID, data: dict[str, Any]) -> None:
        rendered: dict[str, str | None] = {}
        for queue, locale in list(self.subscribers.get(thread_id, ())):
            if locale not in rendered:
                rendered[locale] = await self.render(int(data["post"]), locale)
            html = rendered[locale]
            if html is None:
                continue
            message = json.dumps({"id": data["post"], "parent": data.get("parent"), "html": html})
            with contextlib.suppress(asyncio.QueueFull):
                queue.put_nowait(message)

    async def stream(self, thread_id: uuid.UUID, locale: str) -> AsyncIterator[str]:
        await self.start()
        queue: asyncio.Queue[str] = asyncio.Queue(maxsize=100)
        entry = (queue, locale)
        self.subscribers[thread_id].add(entry)
        try:
            yield "retry: 3000\n\n"
            while True:
                try:
                    message = await asyncio.wait_for(queue.get(), timeout=HEARTBEAT_SECONDS)
                except TimeoutError:
                    yield ": keep-alive\n\n"
                    continue
                yield f"event: post\ndata: {message}\n\n"
        finally:
            self.subscribers[thread_id].discard(entry)
            if not self.subscribers[thread_id]:
                del self.subscribers[thread_id]
