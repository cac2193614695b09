"""Fixtures for the vote: a cycle with a shortlist and a ballot, voters with real sessions (made
straight in the database, as many as a test needs), and a browser that votes like a person."""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from factories import make_cycle, make_organisation, make_proposal, make_user
from helpers import Browser, csrf_from
from sqlalchemy import text

from deliberate.accounts.models import Role
from deliberate.security import SESSION_COOKIE, token_hash

COSTS = [40_000, 30_000, 20_000, 15_000, 10_000]
TITLES = [
    "A minibus for the hill villages",
    "Evening sessions at the day centre",
    "Gardening group at Llanbadarn",
    "Training for support workers",
    "Swimming on Fridays",
]


@dataclass
class VoteWorld:
    organisation: Any
    cycle: Any
    commissioner: Any
    proposals: list[Any]


async def build_world(
    db,
    *,
    method: str = "approval",
    params: dict | None = None,
    eligibility: str = "citizens",
    weighting: str = "none",
    multipliers: dict | None = None,
    visibility: str = "sealed",
    open_voting: bool = True,
    options: int = 4,
    slug: str = "ceredigion",
) -> VoteWorld:
    from deliberate.cycles.service import move_cycle
    from deliberate.cycles.stages import Stage
    from deliberate.voting.models import BallotDefinition

    organisation = await make_organisation(db, slug=slug)
    commissioner = await make_user(
        db, f"com-{slug}@example.org", name="Cai", roles=[(Role.COMMISSIONER, organisation)]
    )
    cycle = await make_cycle(db, organisation, stage="deliberation")
    proposals = []
    for i in range(options):
        proposal = await make_proposal(
            db, cycle, commissioner, title=TITLES[i], answer="taken_forward", support_count=10 - i
        )
        proposal.estimated_cost = COSTS[i]
        proposals.append(proposal)
    db.add(
        BallotDefinition(
            cycle_id=cycle.id,
            method=method,
            params=params or {},
            eligibility=eligibility,
            weighting=weighting,
            multipliers=multipliers or {},
            results_visibility=visibility,
        )
    )
    await db.commit()
    if open_voting:
        await move_cycle(db, None, cycle.id, Stage.VOTING)
        await db.commit()
    return VoteWorld(organisation, cycle, commissioner, proposals)


async def close_vote(db, cycle_id) -> None:
    from deliberate.cycles.service import move_cycle
    from deliberate.cycles.stages import Stage

    await move_cycle(db, None, cycle_id, Stage.SPECIFICATION)
    await db.commit()


async def make_voters(db, count: int, *, group: str | None = None, prefix: str = "voter"):
    """Users with live sessions, in two statements: returns [(user_id, session token)]."""
    tag = uuid.uuid4().hex[:6]
    rows = (
        await db.execute(
            text(
                "INSERT INTO users (id, email, display_name, language, email_verified_at, "
                "stakeholder_group) SELECT gen_random_uuid(), :p || n || '-' || :t || "
                "'@example.org', 'Voter ' || n, 'en', now(), :g "
                "FROM generate_series(1, :n) AS n RETURNING id"
            ),
            {"p": prefix, "t": tag, "n": count, "g": group},
        )
    ).scalars()
    ids = list(rows)
    tokens = [secrets.token_urlsafe(24) for _ in ids]
    await db.execute(
        text(
            "INSERT INTO user_sessions (id, user_id, expires_at) "
            "SELECT unnest(CAST(:h AS text[])), unnest(CAST(:u AS uuid[])), "
            "now() + interval '1 day'"
        ),
        {"h": [token_hash(t) for t in tokens], "u": ids},
    )
    await db.commit()
    return list(zip(ids, tokens, strict=True))


async def declare_carers(db, cycle_id, users) -> None:
    """Voters (from make_voters) declare themselves carers in a cycle with stakeholder groups,
    straight in the database, so many can cast at once without a page each first."""
    await db.execute(
        text(
            "INSERT INTO voter_groups (cycle_id, user_id, group_key) "
            "SELECT :c, unnest(CAST(:u AS uuid[])), 'carer'"
        ),
        {"c": cycle_id, "u": [user_id for user_id, _ in users]},
    )
    await db.commit()


def voter_browser(app, token: str) -> Browser:
    browser = Browser(app)
    browser.cookies.set(SESSION_COOKIE, token)
    return browser


async def declare(browser: Browser, cycle_id, group: str):
    page = await browser.get(f"/cycles/{cycle_id}/vote")
    response = await browser.post(
        f"/cycles/{cycle_id}/vote/group", data={"csrf_token": csrf_from(page.text), "group": group}
    )
    assert response.status_code == 303, response.text
    return response


async def vote(
    browser: Browser, cycle_id, choice: dict[str, Any], *, htmx: bool = False, extra=None
):
    """Review then cast, as the pages would; returns (cast response, the token used)."""
    from helpers import soup

    headers = {"HX-Request": "true"} if htmx else {}
    page = await browser.get(f"/cycles/{cycle_id}/vote")
    assert page.status_code == 200, page.text
    token = csrf_from(page.text)
    review = await browser.post(
        f"/cycles/{cycle_id}/vote/review",
        data={"csrf_token": token, **choice, **(extra or {})},
        headers=headers,
    )
    assert review.status_code == 200, review.text
    form = soup(review).find("form", attrs={"action": f"/cycles/{cycle_id}/vote/cast"})
    assert form is not None
    data: list[tuple[str, str]] = [
        (field["name"], field.get("value", "")) for field in form.find_all("input")
    ]
    data += list((extra or {}).items())
    fields: dict[str, list[str]] = {}
    for name, value in data:
        fields.setdefault(name, []).append(value)
    submission = fields["submission_token"][0]
    cast = await browser.post(f"/cycles/{cycle_id}/vote/cast", data=fields, headers=headers)
    return cast, submission
