"""Personal data: the export a person downloads (UK GDPR right of access and portability) and
the erasure of their account (right to erasure).

Export: everything the platform holds about the person, as JSON, in a fixed number of queries
(one per kind of record, whatever the amounts). Secrets are left out: the password hash, session
and e-mail token hashes, ballot submission tokens.

Erasure keeps the person's public contributions in place and removes the person:

- the account row stays as an anonymous tombstone (`erased_at` set, no e-mail, name or password,
  inactive), so proposals, posts, amendments and endorsements keep their place in threads,
  histories and sign-off counts; pages show their author as a former member, the label they
  already use for an author whose account is gone;
- removed: sessions (every browser is signed out), sign-in identities, e-mail tokens, role
  grants, notifications, follows, read positions, voters' group declarations and the
  recruitment-pool records; other people's notices of their replies and mentions lose the name;
- a panel member leaves the panel the usual way (a replacement is drawn while the stage allows
  it); their drawn-panel rows lose name, e-mail and account but keep the attributes the
  published draw was computed from;
- cast ballots stay counted with the weight they had, but unlinked: no voter, no submission
  token, the times rounded to the day, and the audit events of the casts lose their actor;
- supports and reactions stay on the tombstone, so counts and limits agree with the rows.

Refused: the only administrator, and the only commissioner of an organisation with cycles not
yet closed; someone must take those responsibilities over first.
"""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from sqlalchemy import delete, exists, func, or_, select, text, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from deliberate import audit, security
from deliberate.accounts.models import (
    EmailToken,
    OIDCIdentity,
    Organisation,
    Role,
    RoleGrant,
    User,
    UserSession,
)
from deliberate.accounts.viewer import Viewer
from deliberate.cycles.models import Cycle, CycleFollow
from deliberate.cycles.stages import Action, Actor, Stage, permits
from deliberate.db import utcnow
from deliberate.deliberation.models import (
    MEMBER_STATUSES,
    Flag,
    Post,
    PostRevision,
    Reaction,
    ReadPosition,
    Volunteer,
)
from deliberate.errors import Conflict, NotAllowed, NotFound, SignInRequired
from deliberate.forms import FormInput
from deliberate.i18n import lazy_gettext
from deliberate.notifications import Notification
from deliberate.proposals.models import Proposal, Support
from deliberate.specs.models import Amendment, AmendmentComment, DeliveryRating, Endorsement
from deliberate.voting import chain
from deliberate.voting.models import BulletinEntry, CastBallot, VoterGroup

EXPORT_FORMAT = "deliberate-personal-data-v1"
# What an OpenID-Connect-only account types to confirm (it has no password to re-enter).
CONFIRM_PHRASE = lazy_gettext("delete my account")


# --- export ------------------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID | decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    return value


def _row(obj: Any, *, leave_out: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        attr.key: _plain(getattr(obj, attr.key))
        for attr in obj.__mapper__.column_attrs
        if attr.key not in leave_out
    }


async def _all(db: AsyncSession, query) -> list[Any]:
    return list((await db.execute(query)).scalars())


async def _mine(
    db: AsyncSession,
    owner: Any,
    uid: Any,
    *,
    order_by: str | None = "created_at",
    leave_out: tuple[str, ...] = (),
) -> list[dict[str, Any]]:
    """Every row of `owner`'s table whose `owner` column is the person, oldest first."""
    model = owner.class_
    query = select(model).where(owner == uid)
    if order_by is not None:
        query = query.order_by(getattr(model, order_by))
    return [_row(row, leave_out=leave_out) for row in await _all(db, query)]


async def export_data(db: AsyncSession, viewer: Viewer, *, secret: str) -> dict[str, Any]:
    """Everything held about the signed-in person, ready for `json.dumps`. One query per kind of
    record (21 in all) whatever the amounts, plus the audit event of the export."""
    user = _require_user(viewer)
    uid = user.id
    grants = (
        await db.execute(
            select(RoleGrant, Organisation.slug)
            .outerjoin(Organisation, Organisation.id == RoleGrant.organisation_id)
            .where(RoleGrant.user_id == uid)
            .order_by(RoleGrant.created_at)
        )
    ).all()
    ballots = (
        await db.execute(
            select(CastBallot, BulletinEntry.seq)
            .outerjoin(
                BulletinEntry,
                (BulletinEntry.cycle_id == CastBallot.cycle_id)
                & (BulletinEntry.receipt_hash == CastBallot.receipt_hash),
            )
            .where(CastBallot.voter_id == uid)
            .order_by(CastBallot.cast_at)
        )
    ).all()
    own_posts = select(Post.id).where(Post.author_id == uid).scalar_subquery()
    data: dict[str, Any] = {
        "format": EXPORT_FORMAT,
        "exported_at": utcnow().isoformat(),
        "account": {
            **_row(user, leave_out=("password_hash",)),
            "has_password": user.password_hash is not None,
        },
        "identities": await _mine(db, OIDCIdentity.user_id, uid),
        "roles": [
            {"role": g.role, "organisation": slug, "created_at": _plain(g.created_at)}
            for g, slug in grants
        ],
        # Only when each session began and ends: its id is the hash of a live credential.
        "sessions": [
            {
                "created_at": _plain(s.created_at),
                "expires_at": _plain(s.expires_at),
                "revoked_at": _plain(s.revoked_at),
            }
            for s in await _all(
                db, select(UserSession).where(UserSession.user_id == uid).order_by("created_at")
            )
        ],
        "proposals": await _mine(db, Proposal.author_id, uid, leave_out=("search",)),
        "supports": await _mine(db, Support.user_id, uid),
        "follows": await _mine(db, CycleFollow.user_id, uid),
        "posts": await _mine(db, Post.author_id, uid),
        "post_revisions": [
            _row(r)
            for r in await _all(
                db,
                select(PostRevision)
                .where(PostRevision.post_id.in_(own_posts))
                .order_by(PostRevision.replaced_at),
            )
        ],
        "reactions": await _mine(db, Reaction.user_id, uid),
        "flags": await _mine(db, Flag.user_id, uid),
        "read_positions": await _mine(db, ReadPosition.user_id, uid, order_by=None),
        "volunteering": await _mine(db, Volunteer.user_id, uid),
        "voter_groups": await _mine(db, VoterGroup.user_id, uid, order_by=None),
        "ballots": [
            {
                **_row(b, leave_out=("submission_token", "group_key")),
                # The receipt is worked out again from the submission, as the confirmation
                # page does; only its hash is stored.
                "receipt": chain.make_receipt(
                    secret, str(b.cycle_id), str(uid), b.submission_token
                ),
                "bulletin_seq": seq,
            }
            for b, seq in ballots
        ],
        "endorsements": await _mine(db, Endorsement.user_id, uid),
        "amendments": await _mine(db, Amendment.proposer_id, uid),
        "amendment_comments": await _mine(db, AmendmentComment.author_id, uid),
        "delivery_ratings": await _mine(db, DeliveryRating.user_id, uid),
        "notifications": await _mine(db, Notification.user_id, uid),
        # What the audit log records them doing, and what it records done to their account
        # (without naming who did it).
        "audit_events": [
            {**_row(e, leave_out=("actor_id",)), "by_you": e.actor_id == uid}
            for e in await _all(
                db,
                select(audit.AuditEvent)
                .where(
                    or_(
                        audit.AuditEvent.actor_id == uid,
                        (audit.AuditEvent.subject_type == "users")
                        & (audit.AuditEvent.subject_id == str(uid)),
                    )
                )
                .order_by(audit.AuditEvent.id),
            )
        ],
    }
    cycle_ids = {
        row["cycle_id"]
        for kind in data.values()
        if isinstance(kind, list)
        for row in kind
        if isinstance(row, dict) and row.get("cycle_id")
    }
    titles = await db.execute(
        select(Cycle.id, Cycle.title_en, Cycle.title_cy).where(
            Cycle.id.in_([uuid.UUID(c) for c in cycle_ids])
        )
    )
    data["cycles"] = {str(c): {"title_en": en, "title_cy": cy} for c, en, cy in titles}
    await audit.record(db, user, "account.data_exported", user)
    return data


# --- erasure -----------------------------------------------------------------------------------


def _require_user(viewer: Viewer) -> User:
    if viewer.user is None:
        raise SignInRequired()
    return viewer.user


async def check_can_erase(db: AsyncSession, user: User) -> None:
    """Refuse when erasing would leave the site or an organisation's running cycles without
    anyone responsible."""
    is_admin = await db.scalar(
        select(RoleGrant.id).where(RoleGrant.user_id == user.id, RoleGrant.role == Role.ADMIN)
    )
    if is_admin is not None:
        others = await db.scalar(
            select(func.count())
            .select_from(RoleGrant)
            .join(User, User.id == RoleGrant.user_id)
            .where(
                RoleGrant.role == Role.ADMIN,
                RoleGrant.user_id != user.id,
                User.is_active.is_(True),
            )
        )
        if not others:
            raise Conflict(
                lazy_gettext(
                    "This is the only administrator account. Give another person the "
                    "administrator role first."
                )
            )
    other = aliased(RoleGrant)
    sole = await db.scalar(
        select(Organisation.name_en)
        .join(RoleGrant, RoleGrant.organisation_id == Organisation.id)
        .where(
            RoleGrant.user_id == user.id,
            RoleGrant.role == Role.COMMISSIONER,
            exists().where(
                Cycle.organisation_id == Organisation.id, Cycle.stage != Stage.CLOSED.value
            ),
            ~exists().where(
                other.organisation_id == Organisation.id,
                other.role == Role.COMMISSIONER,
                other.user_id != user.id,
            ),
        )
        .limit(1)
    )
    if sole is not None:
        raise Conflict(
            lazy_gettext(
                "This is the only commissioner of %(organisation)s, which has cycles that are "
                "not closed yet. An administrator must make someone else a commissioner first.",
                organisation=sole,
            )
        )


async def erasure_refusal(db: AsyncSession, viewer: Viewer) -> str | None:
    """Why the signed-in person cannot delete their account now, if they cannot."""
    try:
        await check_can_erase(db, _require_user(viewer))
    except Conflict as refusal:
        return str(refusal.message)
    return None


async def erase_own_account(db: AsyncSession, viewer: Viewer, form: FormInput) -> str:
    """The person's own "Delete my account", confirmed with their password (or, for an account
    that signs in only through an identity provider, by typing the confirmation phrase)."""
    user = _require_user(viewer)
    if user.password_hash:
        if not security.verify_password(user.password_hash, form.raw("password")):
            form.add_error("password", lazy_gettext("Your password is not right."))
    elif form.get("confirm").casefold() not in {
        str(CONFIRM_PHRASE).casefold(),
        "delete my account",
    }:
        form.add_error(
            "confirm", lazy_gettext("Type “%(phrase)s” to confirm.", phrase=str(CONFIRM_PHRASE))
        )
    form.raise_if_invalid()
    return await erase_account(db, user, actor=user, reason=None)


async def erase_by_admin(
    db: AsyncSession, viewer: Viewer, user_id: uuid.UUID, form: FormInput
) -> str:
    """A site administrator erases an account on the person's request, with the reason."""
    if not viewer.is_admin:
        raise NotAllowed()
    user = await db.get(User, user_id)
    if user is None:
        raise NotFound()
    if user.id == viewer.id:
        raise Conflict(
            lazy_gettext("To delete your own account, use “Your data” on your account page.")
        )
    reason = form.text("reason", max_length=500)
    form.raise_if_invalid()
    return await erase_account(db, user, actor=viewer.user, reason=reason)


async def erase_account(
    db: AsyncSession, user: User, *, actor: User | None, reason: str | None
) -> str:
    """Remove the person and keep their public contributions, anonymised (see the module's
    docstring). In the caller's transaction; the caller has checked who may do this. Returns the
    address the account had, for the last message to it."""
    if user.erased_at is not None:
        raise Conflict(lazy_gettext("This account has already been deleted."))
    await check_can_erase(db, user)
    uid = user.id
    await _leave_panels(db, user)

    # Pool records go, as when a volunteer withdraws; rows of a drawn panel keep only the
    # attributes the published draw was computed from.
    await db.execute(delete(Volunteer).where(Volunteer.user_id == uid, Volunteer.status == "pool"))
    await db.execute(
        update(Volunteer)
        .where(Volunteer.user_id == uid)
        .values(user_id=None, name="", email=func.concat("erased:", Volunteer.id))
    )

    # Ballots: counted with the same weight, linked to nobody.
    await db.execute(
        update(CastBallot)
        .where(
            CastBallot.voter_id == uid,
            VoterGroup.cycle_id == CastBallot.cycle_id,
            VoterGroup.user_id == CastBallot.voter_id,
        )
        .values(group_key=VoterGroup.group_key)
    )
    await db.execute(
        update(CastBallot)
        .where(CastBallot.voter_id == uid)
        .values(
            voter_id=None,
            submission_token="",
            cast_at=func.date_trunc("day", CastBallot.cast_at),
            updated_at=func.date_trunc("day", CastBallot.updated_at),
        )
    )
    await db.execute(
        update(audit.AuditEvent)
        .where(audit.AuditEvent.actor_id == uid, audit.AuditEvent.action == "ballot.cast")
        .values(actor_id=None)
    )

    for model in (
        VoterGroup,
        UserSession,
        OIDCIdentity,
        EmailToken,
        RoleGrant,
        Notification,
        CycleFollow,
        ReadPosition,
    ):
        await db.execute(delete(model).where(model.user_id == uid))
    # Other people's notices of this person's replies and mentions carry their name.
    await db.execute(
        text(
            "UPDATE notifications SET details = jsonb_set(details, '{by}', '\"\"') "
            "WHERE kind IN ('mentioned', 'replied') AND details ? 'by' "
            "AND (details->>'post')::bigint IN (SELECT id FROM posts WHERE author_id = :u)"
        ),
        {"u": uid},
    )

    address = user.email
    user.email = f"erased:{uid}"
    user.email_verified_at = None
    user.password_hash = None
    user.display_name = ""
    user.stakeholder_group = None
    user.language = "en"
    user.email_notifications = "off"
    user.is_active = False
    user.erased_at = utcnow()
    await audit.record(
        db,
        actor,
        "account.erased",
        ("users", uid),
        {"by": "self" if actor is user else "admin", **({"reason": reason} if reason else {})},
    )
    await db.flush()
    return address


async def _leave_panels(db: AsyncSession, user: User) -> None:
    """A member leaves each panel they sit on, as "Leave the panel" does, so a replacement can be
    drawn; where the stage no longer allows leaving, they are marked withdrawn."""
    from deliberate.deliberation import panels

    memberships = (
        await db.execute(
            select(Volunteer, Cycle.stage)
            .join(Cycle, Cycle.id == Volunteer.cycle_id)
            .where(Volunteer.user_id == user.id, Volunteer.status.in_(MEMBER_STATUSES))
        )
    ).all()
    as_member = Viewer(user=user)
    for person, stage in memberships:
        if permits(Stage(stage), Action.LEAVE_PANEL, {Actor.PANEL}):
            await panels.leave_panel(db, as_member, person.cycle_id)
        else:
            person.status, person.decided_at = "withdrawn", utcnow()
    await db.flush()
