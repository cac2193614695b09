"""Deliberation in threads: a thread per shortlisted proposal (made when deliberation opens) and
general ones; posts with stances, replies to depth 3, quoting, reactions, editing within a window
with history, moderation (hide with a reason, lock, flags), pinned summaries, evidence, read
positions, @mentions and a rate limit. New posts are announced with NOTIFY for live readers."""

from __future__ import annotations

import datetime as dt
import json
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, literal, select, text, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import undefer

from deliberate import audit
from deliberate.accounts.models import Role, RoleGrant, User
from deliberate.accounts.viewer import Viewer
from deliberate.cycles import service as cycles
from deliberate.cycles.models import Cycle
from deliberate.cycles.stages import Action, Actor, Stage, on_entering, permits
from deliberate.db import utcnow
from deliberate.deliberation.models import (
    MEMBER_STATUSES,
    Evidence,
    Flag,
    Panel,
    Post,
    PostRevision,
    Reaction,
    ReadPosition,
    Thread,
    ThreadSummary,
    Volunteer,
)
from deliberate.errors import Invalid, NotAllowed, NotFound, RateLimited, WrongStage
from deliberate.forms import FormInput
from deliberate.i18n import LOCALES, LazyString, lazy_gettext
from deliberate.notifications import notify
from deliberate.proposals import service as proposals_service
from deliberate.proposals.models import Answer, Proposal, ProposalStatus

POSTS_CHANNEL = "deliberate_posts"
PAGE_SIZE = 100
MAX_DEPTH = 3
BODY_MAX = 5000
EDIT_WINDOW = dt.timedelta(minutes=15)
RATE_LIMIT = 6  # posts per person per minute in a cycle: enough to converse, not to flood
MAX_EVIDENCE_BYTES = 5 * 1024 * 1024
EVIDENCE_TYPES = {
    "application/pdf": ".pdf",
    "text/plain": ".txt",
    "text/csv": ".csv",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": ".docx",
    "application/vnd.oasis.opendocument.text": ".odt",
}
STANCES: dict[str, LazyString] = {
    "supports": lazy_gettext("Supports"),
    "concerns": lazy_gettext("Has concerns"),
    "question": lazy_gettext("Question"),
    "neutral": lazy_gettext("Neutral"),
}
REACTIONS: dict[str, LazyString] = {
    "agree": lazy_gettext("Agree"),
    "thanks": lazy_gettext("Thanks"),
    "insightful": lazy_gettext("Insightful"),
}


def _path_part(post_id: int) -> str:
    return f"{post_id:012d}"


# --- threads made when deliberation opens ----------------------------------------------------


@on_entering(Stage.DELIBERATION)
async def open_threads(db: AsyncSession, cycle: Cycle, context: dict[str, Any]) -> None:
    """One thread per shortlisted proposal; re-entering deliberation adds only what is missing."""
    await db.execute(
        insert(Thread)
        .from_select(
            ["id", "cycle_id", "proposal_id", "kind", "title"],
            select(
                func.gen_random_uuid(),
                Proposal.cycle_id,
                Proposal.id,
                literal("proposal"),
                Proposal.title,
            ).where(
                Proposal.cycle_id == cycle.id,
                Proposal.status == ProposalStatus.OPEN,
                Proposal.answer == Answer.TAKEN_FORWARD,
            ),
        )
        .on_conflict_do_nothing(index_elements=["cycle_id", "proposal_id"])
    )


@proposals_service.register_detail_extra
async def proposal_threads(db: AsyncSession, viewer: Viewer, proposal: Proposal) -> dict[str, Any]:
    threads = list(
        (
            await db.execute(
                select(Thread).where(Thread.proposal_id == proposal.id).order_by(Thread.created_at)
            )
        ).scalars()
    )
    return {"threads": threads}


# --- who may read and post -----------------------------------------------------------------


@dataclass
class Access:
    cycle: Cycle
    panel: Panel | None
    actors: set[Actor]
    can_read: bool
    can_post: bool
    can_moderate: bool
    is_member: bool
    why_not: LazyString | None = None


async def access(db: AsyncSession, viewer: Viewer, cycle: Cycle) -> Access:
    panel = (await db.execute(select(Panel).where(Panel.cycle_id == cycle.id))).scalar_one_or_none()
    actors = await cycles.actors_for(db, viewer, cycle)
    staff = bool({Actor.FACILITATOR, Actor.COMMISSIONER} & actors)
    member = Actor.PANEL in actors
    private = panel is not None and panel.threads_private
    can_read = not private or member or staff
    stage = cycle.current_stage
    can_post = permits(stage, Action.POST, actors)
    why_not = None
    if not can_post:
        if not permits(stage, Action.POST, set(Actor)):
            why_not = lazy_gettext("The panel's discussion is closed at this stage.")
        elif viewer.is_authenticated:
            why_not = lazy_gettext(
                "Only members of the citizens' panel post here; everyone can read."
            )
    return Access(
        cycle=cycle,
        panel=panel,
        actors=actors,
        can_read=can_read,
        can_post=can_post,
        can_moderate=permits(stage, Action.MODERATE, actors) or Actor.FACILITATOR in actors,
        is_member=member,
        why_not=why_not,
    )


async def _thread_with_access(
    db: AsyncSession, viewer: Viewer, thread_id: uuid.UUID, *, lock: bool = False
) -> tuple[Thread, Access]:
    thread = await db.get(Thread, thread_id)
    if thread is None:
        raise NotFound(lazy_gettext("There is no such thread."))
    cycle = (
        await cycles.lock_cycle(db, thread.cycle_id)
        if lock
        else await cycles.get_cycle_row(db, thread.cycle_id, viewer)
    )
    if not cycles.can_see(viewer, cycle):
        raise NotFound(lazy_gettext("There is no such thread."))
    rights = await access(db, viewer, cycle)
    if not rights.can_read:
        if not viewer.is_authenticated:
            from deliberate.errors import SignInRequired

            raise SignInRequired()
        raise NotAllowed(lazy_gettext("This panel's discussions are private to its members."))
    return thread, rights


# --- listing threads ---------------------------------------------------------------------------


@dataclass
class ThreadRow:
    thread: Thread
    unread: int
    proposal_title: str | None


async def list_threads(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID
) -> tuple[Access, list[ThreadRow]]:
    cycle = await cycles.get_cycle_row(db, cycle_id, viewer)
    rights = await access(db, viewer, cycle)
    if not rights.can_read:
        raise NotAllowed(lazy_gettext("This panel's discussions are private to its members."))
    last_read = (
        select(ReadPosition.last_post_id)
        .where(ReadPosition.thread_id == Thread.id, ReadPosition.user_id == viewer.id)
        .scalar_subquery()
    )
    unread = (
        select(func.count())
        .select_from(Post)
        .where(Post.thread_id == Thread.id, Post.id > func.coalesce(last_read, 0))
        .scalar_subquery()
        if viewer.id
        else literal(0)
    )
    rows = await db.execute(
        select(Thread, unread, Proposal.title)
        .outerjoin(Proposal, Proposal.id == Thread.proposal_id)
        .where(Thread.cycle_id == cycle.id)
        .order_by(Thread.kind.desc(), Thread.created_at, Thread.title)
    )
    return rights, [ThreadRow(thread, int(count or 0), title) for thread, count, title in rows]


async def create_thread(
    db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID, form: FormInput
) -> Thread:
    cycle = await cycles.lock_cycle(db, cycle_id)
    rights = await access(db, viewer, cycle)
    if Actor.FACILITATOR not in rights.actors and Actor.COMMISSIONER not in rights.actors:
        raise NotAllowed(lazy_gettext("Only facilitators start general threads."))
    if cycle.current_stage not in (Stage.DELIBERATION, Stage.PROPOSALS):
        raise WrongStage(lazy_gettext("Threads can be started only before or during deliberation."))
    title = form.text("title", max_length=200, min_length=3)
    form.raise_if_invalid()
    thread = Thread(cycle_id=cycle.id, kind="general", title=title, created_by_id=viewer.id)
    db.add(thread)
    await db.flush()
    await audit.record(db, viewer.user, "thread.created", thread, {"title": title})
    return thread


# --- one thread's page ---------------------------------------------------------------------------


@dataclass
class PostRow:
    post: Post
    author_name: str | None
    quote_author: str | None
    quote_body: str | None
    my_reactions: set[str] = field(default_factory=set)
    flagged: bool = False


@dataclass
class ThreadPage:
    thread: Thread
    access: Access
    proposal: Proposal | None
    summary: ThreadSummary | None
    summary_versions: int
    evidence: list[Evidence]
    posts: list[PostRow]
    next_after: str | None
    last_read: int
    open_flags: int


async def thread_page(
    db: AsyncSession, viewer: Viewer, thread_id: uuid.UUID, after: str | None = None
) -> ThreadPage:
    """A fixed number of queries whatever the thread's size: posts come a page at a time in reply
    order (keyset on `path`), with authors, quotes and the reader's own reactions in the same
    query."""
    thread, rights = await _thread_with_access(db, viewer, thread_id)
    proposal = await db.get(Proposal, thread.proposal_id) if thread.proposal_id else None
    summary_row = (
        await db.execute(
            select(ThreadSummary, func.count().over())
            .where(ThreadSummary.thread_id == thread.id)
            .order_by(ThreadSummary.version.desc())
            .limit(1)
        )
    ).first()
    evidence = list(
        (
            await db.execute(
                select(Evidence)
                .where(Evidence.thread_id == thread.id)
                .order_by(Evidence.created_at)
            )
        ).scalars()
    )
    quoted = Post.__table__.alias("quoted")
    quoted_author = User.__table__.alias("quoted_author")
    author = User.__table__.alias("author")
    mine = (
        select(func.array_agg(Reaction.kind))
        .where(Reaction.post_id == Post.id, Reaction.user_id == viewer.id)
        .scalar_subquery()
        if viewer.id
        else literal(None)
    )
    flagged = (
        select(func.count())
        .select_from(Flag)
        .where(Flag.post_id == Post.id, Flag.resolved_at.is_(None))
        .scalar_subquery()
        if rights.can_moderate
        else literal(0)
    )
    query = (
        select(
            Post,
            author.c.display_name,
            quoted_author.c.display_name,
            quoted.c.body,
            quoted.c.hidden_at,
            mine,
            flagged,
        )
        .outerjoin(author, author.c.id == Post.author_id)
        .outerjoin(quoted, quoted.c.id == Post.quote_id)
        .outerjoin(quoted_author, quoted_author.c.id == quoted.c.author_id)
        .where(Post.thread_id == thread.id)
        .order_by(Post.path)
        .limit(PAGE_SIZE + 1)
    )
    if after:
        query = query.where(Post.path > after)
    rows = (await db.execute(query)).all()
    more = len(rows) > PAGE_SIZE
    rows = rows[:PAGE_SIZE]
    posts = [
        PostRow(
            post=row[0],
            author_name=row[1],
            quote_author=row[2],
            quote_body=None if row[4] is not None else row[3],
            my_reactions=set(row[5] or []),
            flagged=bool(row[6]),
        )
        for row in rows
    ]
    last_read = 0
    if viewer.id:
        seen = max((p.post.id for p in posts), default=0)
        # Remember how far this reader got (the position only moves forward).
        last_read = (
            await db.execute(
                insert(ReadPosition)
                .values(thread_id=thread.id, user_id=viewer.id, last_post_id=seen)
                .on_conflict_do_update(
                    index_elements=["thread_id", "user_id"],
                    set_={
                        "last_post_id": func.greatest(ReadPosition.last_post_id, seen),
                        "updated_at": func.now(),
                    },
                )
                .returning(literal(0).label("x"), ReadPosition.last_post_id)
            )
        ).one()[1]
    open_flags = 0
    if rights.can_moderate:
        open_flags = int(
            await db.scalar(
                select(func.count()).select_from(Flag).join(Post, Post.id == Flag.post_id)
                .where(Post.thread_id == thread.id, Flag.resolved_at.is_(None))
            ) or 0
        )  # fmt: skip
    return ThreadPage(
        thread=thread,
        access=rights,
        proposal=proposal,
        summary=summary_row[0] if summary_row else None,
        summary_versions=int(summary_row[1]) if summary_row else 0,
        evidence=evidence,
        posts=posts,
        next_after=posts[-1].post.path if more and posts else None,
        last_read=last_read,
        open_flags=open_flags,
    )


# --- posting ------------------------------------------------------------------------------------


@dataclass
class Posted:
    post: Post
    mentioned: list[User]


async def _require_posting(
    db: AsyncSession, viewer: Viewer, thread_id: uuid.UUID
) -> tuple[Thread, Access]:
    thread, rights = await _thread_with_access(db, viewer, thread_id, lock=True)
    cycles.require(viewer, rights.cycle, Action.POST, rights.actors)
    if thread.locked_at is not None:
        raise WrongStage(
            lazy_gettext("This thread is locked: %(reason)s", reason=thread.locked_reason or "")
        )
    return thread, rights


async def _check_rate(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID) -> None:
    recent = (
        await db.execute(
            select(func.count(), func.min(Post.created_at)).where(
                Post.cycle_id == cycle_id,
                Post.author_id == viewer.id,
                Post.created_at > func.now() - text("interval '1 minute'"),
            )
        )
    ).one()
    if recent[0] >= RATE_LIMIT:
        wait = 60 - int((utcnow() - recent[1]).total_seconds()) if recent[1] else 60
        raise RateLimited(
            max(1, wait),
            lazy_gettext(
                "You are posting very quickly. Please wait %(seconds)s seconds and try again.",
                seconds=max(1, wait),
            ),
        )


def _parse_post(form: FormInput, default_language: str) -> tuple[str, str, str]:
    body = form.text("body", max_length=BODY_MAX)
    stance = form.get("stance") or "neutral"
    if stance not in STANCES:
        form.add_error("stance", lazy_gettext("Choose one of the options."))
    language = form.get("language") or default_language
    if language not in LOCALES:
        language = default_language
    form.raise_if_invalid()
    return body, stance, language


async def create_post(
    db: AsyncSession, viewer: Viewer, thread_id: uuid.UUID, form: FormInput, locale: str
) -> Posted:
    thread, rights = await _require_posting(db, viewer, thread_id)
    body, stance, language = _parse_post(form, locale)
    parent = quote = None
    if form.get("parent"):
        parent = await _post_in_thread(db, thread, form.get("parent"), "parent")
    if form.get("quote"):
        quote = await _post_in_thread(db, thread, form.get("quote"), "quote")
    await _check_rate(db, viewer, thread.cycle_id)
    if parent is not None and parent.depth >= MAX_DEPTH:
        # Replies nest three deep; a reply to the deepest level joins it as a sibling.
        parent = await db.get(Post, parent.parent_id) if parent.parent_id else None
    post = Post(
        thread_id=thread.id,
        cycle_id=thread.cycle_id,
        author_id=viewer.id,
        parent_id=parent.id if parent else None,
        quote_id=quote.id if quote else None,
        depth=(parent.depth + 1) if parent else 0,
        body=body,
        stance=stance,
        language=language,
        reaction_counts={},
    )
    db.add(post)
    await db.flush()
    post.path = f"{parent.path}." if parent else ""
    post.path += _path_part(post.id)
    await db.execute(
        update(Thread)
        .where(Thread.id == thread.id)
        .values(post_count=Thread.post_count + 1, last_post_at=func.now())
    )
    mentioned = await _mentions(db, rights, body, viewer)
    for user in mentioned:
        notify(
            db, user.id, "mentioned", cycle_id=thread.cycle_id,
            details={"thread": str(thread.id), "thread_title": thread.title, "post": post.id,
                     "by": viewer.user.display_name if viewer.user else ""},
        )  # fmt: skip
    if parent is not None and parent.author_id and parent.author_id != viewer.id:
        if parent.author_id not in {u.id for u in mentioned}:
            notify(
                db, parent.author_id, "replied", cycle_id=thread.cycle_id,
                details={"thread": str(thread.id), "thread_title": thread.title, "post": post.id,
                         "by": viewer.user.display_name if viewer.user else ""},
            )  # fmt: skip
    await announce(db, thread.id, post.id, parent_id=post.parent_id)
    await audit.record(
        db, viewer.user, "post.created", ("posts", post.id), {"thread": str(thread.id)}
    )
    return Posted(post, mentioned)


async def _post_in_thread(db: AsyncSession, thread: Thread, raw: str, field_name: str) -> Post:
    try:
        post = await db.get(Post, int(raw))
    except ValueError:
        post = None
    if post is None or post.thread_id != thread.id:
        raise Invalid({field_name: lazy_gettext("That post is not in this thread.")})
    return post


async def announce(
    db: AsyncSession, thread_id: uuid.UUID, post_id: int, parent_id: int | None
) -> None:
    """NOTIFY is delivered at commit, to every app process listening: live readers anywhere."""
    payload = json.dumps({"thread": str(thread_id), "post": post_id, "parent": parent_id})
    await db.execute(
        text("SELECT pg_notify(:channel, :payload)"), {"channel": POSTS_CHANNEL, "payload": payload}
    )


_MENTION = re.compile(r"@([^\s@.,;:!?()\[\]]+(?:\s[^\s@.,;:!?()\[\]]+)?)")


async def _mentions(db: AsyncSession, rights: Access, body: str, viewer: Viewer) -> list[User]:
    """@Name mentions of panel members and the organisation's facilitators: the full display name,
    or a first name when only one participant has it."""
    if "@" not in body:
        return []
    members = select(Volunteer.user_id).where(
        Volunteer.cycle_id == rights.cycle.id, Volunteer.status.in_(MEMBER_STATUSES)
    )
    staff = select(RoleGrant.user_id).where(
        RoleGrant.organisation_id == rights.cycle.organisation_id,
        RoleGrant.role.in_([Role.FACILITATOR.value, Role.COMMISSIONER.value]),
    )
    people = list(
        (await db.execute(select(User).where(User.id.in_(members.union(staff))))).scalars()
    )
    lowered = body.lower()
    first_names: dict[str, list[User]] = {}
    for person in people:
        first_names.setdefault(person.display_name.split()[0].lower(), []).append(person)
    found: dict[uuid.UUID, User] = {}
    for person in people:
        if f"@{person.display_name.lower()}" in lowered:
            found[person.id] = person
    for match in _MENTION.finditer(body):
        first = match.group(1).split()[0].lower()
        candidates = first_names.get(first, [])
        if len(candidates) == 1:
            found[candidates[0].id] = candidates[0]
    found.pop(viewer.id, None)  # type: ignore[arg-type]
    return list(found.values())


async def edit_post(
    db: AsyncSession, viewer: Viewer, post_id: int, form: FormInput, locale: str
) -> Post:
    post = await db.get(Post, post_id, with_for_update=True)
    if post is None:
        raise NotFound()
    _thread, _rights = await _require_posting(db, viewer, post.thread_id)
    if post.author_id != viewer.id:
        raise NotAllowed(lazy_gettext("You can only edit your own posts."))
    if utcnow() - post.created_at > EDIT_WINDOW:
        raise WrongStage(
            lazy_gettext("Posts can be edited for %(minutes)s minutes after posting.", minutes=15)
        )
    if post.hidden_at is not None:
        raise WrongStage(lazy_gettext("A hidden post cannot be edited."))
    body, stance, language = _parse_post(form, post.language)
    db.add(PostRevision(post_id=post.id, body=post.body, stance=post.stance))
    post.body, post.stance, post.language, post.edited_at = body, stance, language, utcnow()
    await audit.record(db, viewer.user, "post.edited", ("posts", post.id))
    return post


async def post_history(
    db: AsyncSession, viewer: Viewer, post_id: int
) -> tuple[Post, list[PostRevision], Access]:
    post = await db.get(Post, post_id)
    if post is None:
        raise NotFound()
    _thread, rights = await _thread_with_access(db, viewer, post.thread_id)
    if post.hidden_at is not None and not rights.can_moderate:
        raise NotFound()
    revisions = list(
        (
            await db.execute(
                select(PostRevision)
                .where(PostRevision.post_id == post.id)
                .order_by(PostRevision.id.desc())
            )
        ).scalars()
    )
    return post, revisions, rights


async def react(db: AsyncSession, viewer: Viewer, post_id: int, kind: str) -> Post:
    post = await db.get(Post, post_id)
    if post is None:
        raise NotFound()
    # Who may react is checked before what they sent: a refused person gets 403, not a form error.
    await _require_posting(db, viewer, post.thread_id)
    if kind not in REACTIONS:
        raise Invalid({"kind": lazy_gettext("Choose one of the options.")})
    removed = (
        await db.execute(
            Reaction.__table__.delete()
            .where(
                Reaction.post_id == post.id, Reaction.user_id == viewer.id, Reaction.kind == kind
            )
            .returning(Reaction.kind)
        )
    ).first()
    if removed is None:
        await db.execute(
            insert(Reaction)
            .values(post_id=post.id, user_id=viewer.id, kind=kind)
            .on_conflict_do_nothing()
        )
    delta = -1 if removed else 1
    counts = (
        await db.execute(
            update(Post)
            .where(Post.id == post.id)
            .values(
                reaction_counts=func.jsonb_set(
                    Post.reaction_counts,
                    [kind],
                    func.to_jsonb(
                        func.greatest(
                            0, func.coalesce(Post.reaction_counts[kind].as_integer(), 0) + delta
                        )
                    ),
                )
            )
            .returning(Post.reaction_counts)
        )
    ).scalar_one()
    post.reaction_counts = counts
    return post


async def my_reactions(db: AsyncSession, viewer: Viewer, post_id: int) -> set[str]:
    """The kinds of reaction the viewer has given a post (to redraw its buttons)."""
    if viewer.id is None:
        return set()
    kinds = await db.scalars(
        select(Reaction.kind).where(Reaction.post_id == post_id, Reaction.user_id == viewer.id)
    )
    return set(kinds)


async def flag_post(db: AsyncSession, viewer: Viewer, post_id: int, form: FormInput) -> Post:
    post = await db.get(Post, post_id)
    if post is None:
        raise NotFound()
    _thread, rights = await _thread_with_access(db, viewer, post.thread_id)
    if not rights.is_member and Actor.FACILITATOR not in rights.actors:
        raise NotAllowed(lazy_gettext("Only panel members can flag posts."))
    reason = form.text("reason", max_length=1000, min_length=3)
    form.raise_if_invalid()
    await db.execute(
        insert(Flag)
        .values(post_id=post.id, cycle_id=post.cycle_id, user_id=viewer.id, reason=reason)
        .on_conflict_do_nothing()
    )
    await audit.record(db, viewer.user, "post.flagged", ("posts", post.id))
    return post


# --- moderation ---------------------------------------------------------------------------------


def _require_moderator(rights: Access) -> None:
    if Actor.FACILITATOR not in rights.actors:
        raise NotAllowed(lazy_gettext("Only the panel's facilitators moderate."))


async def hide_post(
    db: AsyncSession, viewer: Viewer, post_id: int, form: FormInput, *, hide: bool
) -> Post:
    post = await db.get(Post, post_id, with_for_update=True)
    if post is None:
        raise NotFound()
    _thread, rights = await _thread_with_access(db, viewer, post.thread_id)
    _require_moderator(rights)
    if hide:
        reason = form.text("reason", max_length=1000, min_length=3)
        form.raise_if_invalid()
        post.hidden_at, post.hidden_by_id, post.hidden_reason = utcnow(), viewer.id, reason
    else:
        post.hidden_at = post.hidden_by_id = post.hidden_reason = None
    await db.execute(
        update(Flag).where(Flag.post_id == post.id, Flag.resolved_at.is_(None))
        .values(resolved_at=func.now(), resolved_by_id=viewer.id)
    )  # fmt: skip
    await audit.record(
        db, viewer.user, "post.hidden" if hide else "post.shown", ("posts", post.id),
        {"reason": post.hidden_reason} if hide else {},
    )  # fmt: skip
    return post


async def lock_thread(
    db: AsyncSession, viewer: Viewer, thread_id: uuid.UUID, form: FormInput, *, lock: bool
) -> Thread:
    thread, rights = await _thread_with_access(db, viewer, thread_id)
    _require_moderator(rights)
    if lock:
        reason = form.text("reason", max_length=500, min_length=3)
        form.raise_if_invalid()
        thread.locked_at, thread.locked_reason = utcnow(), reason
    else:
        thread.locked_at = thread.locked_reason = None
    await audit.record(db, viewer.user, "thread.locked" if lock else "thread.unlocked", thread)
    return thread


async def add_summary(
    db: AsyncSession, viewer: Viewer, thread_id: uuid.UUID, form: FormInput, locale: str
) -> ThreadSummary:
    thread, rights = await _thread_with_access(db, viewer, thread_id)
    _require_moderator(rights)
    body = form.text("summary", max_length=5000, min_length=10)
    language = form.get("language") if form.get("language") in LOCALES else locale
    form.raise_if_invalid()
    # The thread row lock makes version numbers strictly increasing under concurrent saves.
    await db.execute(select(Thread.id).where(Thread.id == thread.id).with_for_update())
    version = (
        int(
            await db.scalar(
                select(func.coalesce(func.max(ThreadSummary.version), 0)).where(
                    ThreadSummary.thread_id == thread.id
                )
            )
            or 0
        )
        + 1
    )
    summary = ThreadSummary(
        thread_id=thread.id, version=version, body=body, language=language, author_id=viewer.id
    )
    db.add(summary)
    await db.flush()
    await audit.record(db, viewer.user, "thread.summarised", thread, {"version": version})
    return summary


async def summary_versions(
    db: AsyncSession, viewer: Viewer, thread_id: uuid.UUID
) -> tuple[Thread, list[tuple[ThreadSummary, str | None]]]:
    thread, _rights = await _thread_with_access(db, viewer, thread_id)
    rows = await db.execute(
        select(ThreadSummary, User.display_name)
        .outerjoin(User, User.id == ThreadSummary.author_id)
        .where(ThreadSummary.thread_id == thread.id)
        .order_by(ThreadSummary.version.desc())
    )
    return thread, [(s, name) for s, name in rows]


async def add_evidence(
    db: AsyncSession, viewer: Viewer, thread_id: uuid.UUID, form: FormInput,
    upload: tuple[str, str, bytes] | None,
) -> Evidence:  # fmt: skip
    thread, rights = await _thread_with_access(db, viewer, thread_id)
    _require_moderator(rights)
    title = form.text("title", max_length=200)
    summary = form.text("summary", max_length=2000)
    url = form.get("url")
    if url and not re.match(r"^https?://[^\s]+$", url):
        form.add_error("url", lazy_gettext("Enter a web address starting with https://"))
    if not url and upload is None:
        form.add_error("url", lazy_gettext("Give a link or attach a document."))
    if upload is not None:
        filename, content_type, content = upload
        if content_type not in EVIDENCE_TYPES:
            form.add_error(
                "document", lazy_gettext("Attach a PDF, Word, OpenDocument, text or CSV file.")
            )
        elif len(content) > MAX_EVIDENCE_BYTES:
            form.add_error("document", lazy_gettext("The document must be 5 MB or smaller."))
    form.raise_if_invalid()
    evidence = Evidence(
        thread_id=thread.id, title=title, summary=summary, added_by_id=viewer.id,
        kind="document" if upload is not None else "link", url=url or None,
    )  # fmt: skip
    if upload is not None:
        filename, content_type, content = upload
        evidence.filename = re.sub(r"[^\w.\- ]", "_", filename)[:200] or "document"
        evidence.content_type, evidence.content, evidence.size = content_type, content, len(content)
    db.add(evidence)
    await db.flush()
    await audit.record(db, viewer.user, "thread.evidence_added", thread, {"title": title})
    return evidence


async def evidence_document(db: AsyncSession, viewer: Viewer, evidence_id: uuid.UUID) -> Evidence:
    evidence = (
        await db.execute(
            select(Evidence).where(Evidence.id == evidence_id).options(undefer(Evidence.content))
        )
    ).scalar_one_or_none()
    if evidence is None or evidence.kind != "document":
        raise NotFound()
    await _thread_with_access(db, viewer, evidence.thread_id)
    return evidence


async def flagged_posts(db: AsyncSession, viewer: Viewer, cycle_id: uuid.UUID):
    cycle = await cycles.get_cycle_row(db, cycle_id, viewer)
    rights = await access(db, viewer, cycle)
    _require_moderator(rights)
    rows = await db.execute(
        select(Flag, Post, Thread.title, User.display_name)
        .join(Post, Post.id == Flag.post_id)
        .join(Thread, Thread.id == Post.thread_id)
        .outerjoin(User, User.id == Flag.user_id)
        .where(Flag.cycle_id == cycle.id, Flag.resolved_at.is_(None))
        .order_by(Flag.created_at)
    )
    return cycle, list(rows)


async def post_for_event(db: AsyncSession, post_id: int) -> tuple[Post, str | None] | None:
    row = (
        await db.execute(
            select(Post, User.display_name)
            .outerjoin(User, User.id == Post.author_id)
            .where(Post.id == post_id)
        )
    ).first()
    return (row[0], row[1]) if row else None
