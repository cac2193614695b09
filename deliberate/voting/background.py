"""The export writer: each closed vote's open-data export written in the background soon after
the close, so its first reader does not wait while it is built (about 2 s for a city's 100,000
ballots).

Every app process runs one. It wakes when a tally is stored (the closing transaction's NOTIFY
on `EXPORTS_CHANNEL`, carried by the process's listening connection) and, in case a
notification was missed, every `interval` seconds; then it writes whatever is still unwritten
(`service.write_pending_exports`, which skips a tally another process is writing). A reader who
comes first still gets the export, written in their request as before.
"""

from __future__ import annotations

import asyncio
import contextlib

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from deliberate import tasks
from deliberate.db import database_unavailable
from deliberate.logging import get_logger
from deliberate.voting.service import EXPORTS_CHANNEL, write_pending_exports

log = get_logger("deliberate.voting.background")

__all__ = ["EXPORTS_CHANNEL", "ExportWriter"]


class ExportWriter:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], interval: float) -> None:
        self.sessionmaker = sessionmaker
        self.interval = interval
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    def notified(self, _payload: str) -> None:
        """A tally was stored somewhere (the NOTIFY), or the listening connection came back."""
        self._wake.set()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run())

    async def stop(self) -> None:
        await tasks.stop(self._task)
        self._task = None

    async def _run(self) -> None:
        while True:
            # Cleared before the sweep: a tally stored during it wakes the next one.
            self._wake.clear()
            try:
                written = await write_pending_exports(self.sessionmaker)
                if written:
                    log.info("exports_written", written=written)
            except Exception as error:  # the loop must survive a database restart
                if database_unavailable(error):
                    log.warning("export_writer_database_unavailable", error=str(error))
                else:
                    log.exception("export_writer_failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.interval)
