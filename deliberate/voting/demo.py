"""Demo data for the vote: one cycle in voting (a shortlist, an equal-shares ballot and some
ballots with receipts on the bulletin) and one whose vote has closed, with its tally. Idempotent,
keyed by title. Called from `deliberate.demo`."""

from __future__ import annotations

import secrets
import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from deliberate.accounts.models import Organisation, User
from deliberate.cycles.models import Cycle, StakeholderGroupDef
from deliberate.cycles.service import move_cycle
from deliberate.cycles.stages import Stage
from deliberate.proposals.models import Proposal
from deliberate.voting import chain
from deliberate.voting.models import BallotDefinition, CastBallot, VoterGroup
from deliberate.voting.service import append_to_bulletin, get_options

GROUPS = [
    ("uses_services", "People who use the service", "Pobl sy'n defnyddio'r gwasanaeth", 0.4),
    ("carer", "Carers and families", "Gofalwyr a theuluoedd", 0.3),
    ("practitioner", "Practitioners", "Ymarferwyr", 0.15),
    ("resident", "Residents", "Trigolion", 0.15),
]

CYCLES: list[dict[str, Any]] = [
    {
        "title_en": "Youth services in Aberystwyth 2027–2029",
        "title_cy": "Gwasanaethau ieuenctid yn Aberystwyth 2027–2029",
        "summary_en": "How should £120,000 a year for young people's services be spent?",
        "summary_cy": "Sut dylid gwario £120,000 y flwyddyn ar wasanaethau i bobl ifanc?",
        "organisation": "ceredigion",
        "budget": 120_000,
        "method": "mes",
        "close": False,
        "options": [
            ("Evening youth club in Penparcau", "en", 35_000),
            ("Clwb ieuenctid Cymraeg ar nos Wener", "cy", 25_000),
            ("Mental health drop-in with a youth worker", "en", 45_000),
            ("Free bus passes to college for under-18s", "en", 40_000),
            ("Skate park repairs and a summer programme", "en", 20_000),
            ("Sesiynau chwaraeon yn yr awyr agored", "cy", 15_000),
        ],
    },
    {
        "title_en": "Respite care for carers, Hywel Dda 2026–2028",
        "title_cy": "Gofal seibiant i ofalwyr, Hywel Dda 2026–2028",
        "summary_en": "Which kinds of short breaks should carers be offered first?",
        "summary_cy": "Pa fathau o seibiannau byr y dylid eu cynnig i ofalwyr yn gyntaf?",
        "organisation": "hywel-dda",
        "budget": 200_000,
        "method": "approval",
        "close": True,
        "options": [
            ("Overnight breaks in a local care home", "en", 80_000),
            ("Sitting service at home for an afternoon a week", "en", 50_000),
            ("Gwyliau byr i ofalwyr a'r person maen nhw'n gofalu amdano", "cy", 60_000),
            ("Emergency cover when a carer is ill", "en", 40_000),
        ],
    },
]


async def load_voting_demo(
    db: AsyncSession, organisations: dict[str, Organisation], citizens: list[User]
) -> None:
    for spec in CYCLES:
        exists = await db.scalar(select(Cycle.id).where(Cycle.title_en == spec["title_en"]))
        if exists is not None:
            continue
        await _load_cycle(db, organisations[spec["organisation"]], citizens, spec)


async def _load_cycle(
    db: AsyncSession, organisation: Organisation, citizens: list[User], spec: dict[str, Any]
) -> None:
    cycle = Cycle(
        organisation_id=organisation.id,
        stage=Stage.DELIBERATION.value,
        title_en=spec["title_en"],
        title_cy=spec["title_cy"],
        summary_en=spec["summary_en"],
        summary_cy=spec["summary_cy"],
        service_area="community" if spec["method"] == "mes" else "social_care",
        budget=spec["budget"],
        categories=[],
        settings={"signoff_quorum": 67, "panel_size": 24},
        announced=True,
    )
    db.add(cycle)
    await db.flush()
    for position, (key, name_en, name_cy, share) in enumerate(GROUPS):
        db.add(
            StakeholderGroupDef(
                cycle_id=cycle.id,
                key=key,
                name_en=name_en,
                name_cy=name_cy,
                target_share=share,
                position=position,
            )
        )
    author = citizens[0] if citizens else None
    for index, (title, language, cost) in enumerate(spec["options"]):
        db.add(
            Proposal(
                cycle_id=cycle.id,
                author_id=author.id if author else None,
                title=title,
                body=f"{title}. (Demo proposal.)",
                language=language,
                estimated_cost=cost,
                answer="taken_forward",
                answer_reason="Taken forward to the vote.",
                support_count=20 - index,
            )
        )
    db.add(
        BallotDefinition(
            cycle_id=cycle.id,
            method=spec["method"],
            params={"budget": spec["budget"]} if spec["method"] == "mes" else {},
            eligibility="citizens",
            weighting="equal_voice",
            multipliers={},
            results_visibility="sealed",
        )
    )
    await db.flush()
    await move_cycle(db, None, cycle.id, Stage.VOTING)
    options = [o.key for o in await get_options(db, cycle.id)]
    group_keys = [g[0] for g in GROUPS]
    voters = citizens[:15]
    for index, user in enumerate(voters):
        group = user.stakeholder_group if user.stakeholder_group in group_keys else None
        db.add(
            VoterGroup(
                cycle_id=cycle.id,
                user_id=user.id,
                group_key=group or group_keys[index % len(group_keys)],
            )
        )
        picked = [options[(index + step) % len(options)] for step in (0, 2)]
        if spec["method"] == "mes":
            costs = {o.key: o.cost or 0 for o in await get_options(db, cycle.id)}
            while sum(costs[k] for k in picked) > spec["budget"]:
                picked.pop()
        receipt = chain.make_receipt(
            secrets.token_hex(16), str(cycle.id), str(user.id), uuid.uuid4().hex
        )
        hashed = chain.receipt_hash(receipt)
        db.add(
            CastBallot(
                cycle_id=cycle.id,
                voter_id=user.id,
                choice={"approvals": picked},
                receipt_hash=hashed,
                submission_token=uuid.uuid4().hex,
            )
        )
        await db.flush()
        await append_to_bulletin(db, cycle.id, hashed)
    if spec["close"]:
        await move_cycle(db, None, cycle.id, Stage.SPECIFICATION)
    await db.flush()
