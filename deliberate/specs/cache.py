"""Per-process caches for signed-out readers of a published specification (S5).

- The fingerprint of each published version (`service.public_fingerprint`), so a revalidation
  (304) needs no query and no database connection.
- The rendered page per (version, fingerprint, language, query, htmx), rendered once for one
  reader and served to the others with their own CSRF token put in place of its token.

Freshness: any transaction of this process that writes (a flush, or an ORM insert, update or
delete statement) empties both caches when it commits, so a change made through this process
shows at once. A change committed anywhere else (another app process, the command line, psql)
to a table the fingerprint reads is NOTIFYed on `CHANNEL` by a trigger, and the process's
listening connection (deliberation/events.py) empties both caches when it arrives. Should that
connection be down, a cached fingerprint is read again after `TTL_SECONDS`; while it is up,
after `LISTENING_TTL_SECONDS`, and the caches start afresh whenever it comes up or goes down
(notifications may have been missed). A newer fingerprint keys a fresh page. A generation
counter keeps a fingerprint read while a write was committing from being stored.
"""

from __future__ import annotations

import contextlib
import time
import uuid
from collections import OrderedDict
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

CHANNEL = "deliberate_public"
TTL_SECONDS = 2.0
LISTENING_TTL_SECONDS = 300.0
MAX_PAGES = 16

_generation = 0
_listening = False
_fingerprints: dict[tuple[uuid.UUID, int | None], tuple[float, Any]] = {}
_pages: OrderedDict[tuple[Any, ...], tuple[str, str]] = OrderedDict()


def clear() -> None:
    global _generation
    _generation += 1
    _fingerprints.clear()
    _pages.clear()


def notified(_payload: str) -> None:
    """A change committed anywhere to what the pages show (the trigger's NOTIFY)."""
    clear()


def listening(up: bool) -> None:
    """The process's listening connection came up or went down."""
    global _listening
    _listening = up
    clear()


async def fingerprint(
    db: AsyncSession, cycle_id: uuid.UUID, number: int | None
) -> tuple[Any, ...] | None:
    from deliberate.specs import service  # late: service imports a lot

    key = (cycle_id, number)
    now = time.monotonic()
    entry = _fingerprints.get(key)
    if entry is not None and entry[0] > now:
        return entry[1]
    generation = _generation
    value = await service.public_fingerprint(db, cycle_id, number)
    if generation == _generation:
        _fingerprints[key] = (now + (LISTENING_TTL_SECONDS if _listening else TTL_SECONDS), value)
    return value


def page(key: tuple[Any, ...], csrf_token: str) -> str | None:
    """The cached page for `key`, carrying `csrf_token`, or None."""
    entry = _pages.get(key)
    if entry is None:
        return None
    with contextlib.suppress(KeyError):  # another thread's app may have just dropped it
        _pages.move_to_end(key)
    html, token = entry
    return html if token == csrf_token else html.replace(token, csrf_token)


def store_page(key: tuple[Any, ...], html: str, csrf_token: str, generation: int) -> None:
    if generation != _generation or not csrf_token or csrf_token not in html:
        return
    _pages[key] = (html, csrf_token)
    _pages.move_to_end(key)
    while len(_pages) > MAX_PAGES:
        _pages.popitem(last=False)


def generation() -> int:
    return _generation


@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    session.info["deliberate_wrote"] = True


@event.listens_for(Session, "do_orm_execute")
def _executed(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info["deliberate_wrote"] = True


@event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    if session.info.pop("deliberate_wrote", False):
        clear()


@event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop("deliberate_wrote", None)
