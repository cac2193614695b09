"""The background tasks an app process runs beside its requests (the scheduler, the LISTEN
connection, the export writer), stopped alike when the process shuts down."""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any


async def stop(task: asyncio.Task[Any] | None) -> None:
    """Cancel `task` and wait for it to finish, its own clean-up included."""
    if task is None:
        return
    task.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await task
