"""Demo data for the specification: one cycle whose golden thread runs the whole way, from
proposals (with supports) through a panel's threads and facilitator summaries and a counted vote,
to a co-designed specification (edits, an accepted and a rejected amendment), endorsements that
meet the quorum, publication, delivery updates and the panel's ratings. Everything after the
vote goes through the real services, so the demo exercises the same rules as people do.

Idempotent, keyed by the cycle's title. Called from `deliberate.demo`."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from deliberate.accounts.models import Organisation, Role, User
from deliberate.accounts.viewer import Viewer
from deliberate.cycles.models import Cycle, StakeholderGroupDef
from deliberate.cycles.service import move_cycle
from deliberate.cycles.stages import Stage
from deliberate.db import utcnow
from deliberate.deliberation.models import Panel, Post, Thread, ThreadSummary, Volunteer
from deliberate.forms import FormInput
from deliberate.proposals.models import Proposal, Support
from deliberate.specs import service
from deliberate.specs.models import Clause, SpecSection
from deliberate.voting import chain
from deliberate.voting.models import BallotDefinition, CastBallot
from deliberate.voting.service import append_to_bulletin, get_options

TITLE_EN = "Community meals and lunch clubs for older people, Ceredigion 2026–2029"
TITLE_CY = "Prydau cymunedol a chlybiau cinio i bobl hŷn, Ceredigion 2026–2029"

# (title, body, language, supporters, answer, reason)
PROPOSALS = [
    (
        "A lunch club in every village hall",
        "Older people in the villages eat alone most days. A weekly lunch club in the hall, "
        "with a hot meal and company, would change that.",
        "en", 14, "taken_forward", "Taken forward to the panel and the vote.",
    ),
    (
        "Transport to the lunch club",
        "Many of us no longer drive. A minibus or volunteer drivers would let people get to "
        "the club, and home again.",
        "en", 11, "taken_forward", "Taken forward to the panel and the vote.",
    ),
    (
        "Prydau poeth ar y Sul",
        "Does dim pryd poeth ar gael ar y Sul. Byddai pryd wedi'i ddanfon i'r tŷ ar y Sul yn "
        "help mawr i bobl sy'n byw ar eu pen eu hunain.",
        "cy", 9, "taken_forward", "Wedi'i gymryd ymlaen i'r panel a'r bleidlais.",
    ),
    (
        "Meals that suit every diet",
        "Menus for diabetes, soft food and culturally appropriate meals, planned with a "
        "dietitian.",
        "en", 7, "taken_forward", "Taken forward to the panel and the vote.",
    ),
    (
        "A café in the council offices",
        "Open a café for older people in the council offices in Aberaeron.",
        "en", 3, "not_taken_forward",
        "The offices are not accessible by bus from most villages; the panel's budget is "
        "better spent on clubs in the villages themselves.",
    ),
]  # fmt: skip

THREAD_POSTS = [
    ("supports", "This is what my mother needs. She would go every week."),
    ("question", "Who would cook? Could the school kitchens help?"),
]
SUMMARIES = [
    "The panel supports the idea; the open questions are who cooks and how often.",
    "The panel supports weekly clubs, cooked locally where possible (school kitchens or a "
    "local caterer), with volunteers for company and washing up.",
]

OUTCOMES = [
    (
        "Fewer older people eat alone: at least 400 people attend a lunch club each month "
        "by March 2028.",
        "Llai o bobl hŷn yn bwyta ar eu pen eu hunain: o leiaf 400 o bobl yn mynd i glwb "
        "cinio bob mis erbyn Mawrth 2028.",
    ),
    (
        "People who attend say they feel less lonely (measured by a short survey each year).",
        "Mae pobl sy'n mynd yn dweud eu bod yn teimlo'n llai unig (wedi'i fesur gan arolwg "
        "byr bob blwyddyn).",
    ),
]
QUALITY = (
    "Every meal meets the Welsh Government's nutrition standards for older people; staff and "
    "volunteers hold a food hygiene certificate and have safeguarding training.",
    "Mae pob pryd yn bodloni safonau maeth Llywodraeth Cymru ar gyfer pobl hŷn; mae gan staff "
    "a gwirfoddolwyr dystysgrif hylendid bwyd a hyfforddiant diogelu.",
)


def _viewer(user: User, organisation: Organisation, role: Role | None = None) -> Viewer:
    grants = frozenset({(role.value, organisation.id)}) if role else frozenset()
    return Viewer(user=user, session_token=None, grants=grants)


async def load_specs_demo(
    db: AsyncSession, organisations: dict[str, Organisation], citizens: list[User]
) -> None:
    if await db.scalar(select(Cycle.id).where(Cycle.title_en == TITLE_EN)) is not None:
        return
    organisation = organisations["ceredigion"]
    commissioner_user = await _user(db, "commissioner@demo.deliberate.cymru")
    facilitator_user = await _user(db, "facilitator@demo.deliberate.cymru")
    if commissioner_user is None or facilitator_user is None or len(citizens) < 12:
        return
    commissioner = _viewer(commissioner_user, organisation, Role.COMMISSIONER)
    facilitator = _viewer(facilitator_user, organisation, Role.FACILITATOR)
    members = citizens[:6]

    cycle = await _cycle(db, organisation, commissioner_user)
    proposals = await _proposals(db, cycle, citizens, commissioner_user)
    await _panel_and_threads(db, cycle, members, facilitator_user, proposals)
    await _vote(db, cycle, citizens)
    # The vote closes: the tally, then the specification from its result (version 1).
    await move_cycle(db, None, cycle.id, Stage.SPECIFICATION)
    await _codesign(db, cycle, commissioner, facilitator, members, organisation)
    for index, member in enumerate(members):
        stance = "object" if index == 5 else "endorse"
        reason = "I would like Sunday meals to start sooner." if stance == "object" else ""
        spec = await service.get_specification(db, cycle.id)
        assert spec is not None
        await service.endorse(
            db,
            _viewer(member, organisation),
            cycle.id,
            FormInput({"version": str(spec.latest_version), "stance": stance, "reason": reason}),
        )
    await move_cycle(db, commissioner, cycle.id, Stage.PUBLISHED)
    await _delivery(db, cycle, commissioner, members, organisation)
    await db.flush()


async def _user(db: AsyncSession, email: str) -> User | None:
    return await db.scalar(select(User).where(User.email == email))


async def _cycle(db: AsyncSession, organisation: Organisation, author: User) -> Cycle:
    cycle = Cycle(
        organisation_id=organisation.id,
        stage=Stage.DELIBERATION.value,
        title_en=TITLE_EN,
        title_cy=TITLE_CY,
        summary_en=(
            "What should community meals and lunch clubs for older people look like? About "
            "£180,000 a year for three years."
        ),
        summary_cy=(
            "Sut dylai prydau cymunedol a chlybiau cinio i bobl hŷn edrych? Tua £180,000 y "
            "flwyddyn am dair blynedd."
        ),
        service_area="social_care",
        budget=180_000,
        categories=[],
        settings={"signoff_quorum": 67, "panel_size": 6},
        announced=True,
        created_by_id=author.id,
    )
    db.add(cycle)
    await db.flush()
    groups = [
        ("uses_services", "Older people", "Pobl hŷn", 0.5),
        ("carer", "Carers and families", "Gofalwyr a theuluoedd", 0.3),
        ("resident", "Residents", "Trigolion", 0.2),
    ]
    for position, (key, name_en, name_cy, share) in enumerate(groups):
        db.add(
            StakeholderGroupDef(
                cycle_id=cycle.id, key=key, name_en=name_en, name_cy=name_cy,
                target_share=share, position=position,
            )
        )  # fmt: skip
    return cycle


async def _proposals(
    db: AsyncSession, cycle: Cycle, citizens: list[User], commissioner: User
) -> list[Proposal]:
    made = []
    for index, (title, body, language, supporters, answer, reason) in enumerate(PROPOSALS):
        proposal = Proposal(
            cycle_id=cycle.id,
            author_id=citizens[(index * 3) % len(citizens)].id,
            title=title,
            body=body,
            language=language,
            answer=answer,
            answer_reason=reason,
            answered_at=utcnow() - dt.timedelta(days=40),
            answered_by_id=commissioner.id,
            support_count=supporters,
            created_at=utcnow() - dt.timedelta(days=60 - index),
        )
        db.add(proposal)
        await db.flush()
        for supporter in citizens[:supporters]:
            db.add(Support(proposal_id=proposal.id, user_id=supporter.id, cycle_id=cycle.id))
        made.append(proposal)
    await db.flush()
    return made


async def _panel_and_threads(
    db: AsyncSession,
    cycle: Cycle,
    members: list[User],
    facilitator: User,
    proposals: list[Proposal],
) -> None:
    panel = Panel(
        cycle_id=cycle.id,
        size=len(members),
        attributes=[],
        status="drawn",
        seed="community-meals-2026",
        seed_published_at=utcnow() - dt.timedelta(days=35),
        drawn_at=utcnow() - dt.timedelta(days=34),
        report={"algorithm": "demo data: this panel was set by hand, not drawn", "quotas": []},
    )
    db.add(panel)
    await db.flush()
    for user in members:
        db.add(
            Volunteer(
                panel_id=panel.id, cycle_id=cycle.id, user_id=user.id, name=user.display_name,
                email=user.email, attributes={}, consent_at=utcnow(), status="accepted",
                source="form",
            )
        )  # fmt: skip
    start = utcnow() - dt.timedelta(days=30)
    for proposal in proposals:
        if proposal.answer != "taken_forward":
            continue
        thread = Thread(
            cycle_id=cycle.id, proposal_id=proposal.id, kind="proposal", title=proposal.title,
            created_by_id=facilitator.id,
        )  # fmt: skip
        db.add(thread)
        await db.flush()
        for number, (stance, body) in enumerate(THREAD_POSTS):
            post = Post(
                thread_id=thread.id, cycle_id=cycle.id, author_id=members[number].id, depth=0,
                body=body, language="en", stance=stance, reaction_counts={},
                created_at=start + dt.timedelta(hours=5 * number),
            )  # fmt: skip
            db.add(post)
            await db.flush()
            post.path = f"{post.id:012d}"
        thread.post_count = len(THREAD_POSTS)
        thread.last_post_at = start + dt.timedelta(hours=5)
        for version, body in enumerate(SUMMARIES, start=1):
            db.add(
                ThreadSummary(
                    thread_id=thread.id, version=version, body=body, language="en",
                    author_id=facilitator.id,
                )
            )  # fmt: skip
    await db.flush()


async def _vote(db: AsyncSession, cycle: Cycle, citizens: list[User]) -> None:
    db.add(
        BallotDefinition(
            cycle_id=cycle.id, method="approval", params={}, eligibility="citizens",
            weighting="none", multipliers={}, results_visibility="sealed",
        )
    )  # fmt: skip
    await db.flush()
    await move_cycle(db, None, cycle.id, Stage.VOTING)
    options = [o.key for o in await get_options(db, cycle.id)]
    for index, user in enumerate(citizens[:12]):
        # Everyone approves the first option; fewer and fewer approve the later ones.
        picked = [key for rank, key in enumerate(options) if index % (rank + 1) == 0]
        receipt = chain.make_receipt(
            secrets.token_hex(16), str(cycle.id), str(user.id), uuid.uuid4().hex
        )
        hashed = chain.receipt_hash(receipt)
        db.add(
            CastBallot(
                cycle_id=cycle.id, voter_id=user.id, choice={"approvals": picked},
                receipt_hash=hashed, submission_token=uuid.uuid4().hex,
            )
        )  # fmt: skip
        await db.flush()
        await append_to_bulletin(db, cycle.id, hashed)


async def _codesign(
    db: AsyncSession,
    cycle: Cycle,
    commissioner: Viewer,
    facilitator: Viewer,
    members: list[User],
    organisation: Organisation,
) -> None:
    for body_en, body_cy in OUTCOMES:
        await service.add_clause(
            db, commissioner, cycle.id,
            FormInput({"section": "outcomes", "body_en": body_en, "body_cy": body_cy,
                       "reason": "The outcomes the panel asked us to measure."}),
        )  # fmt: skip
    await service.add_clause(
        db, commissioner, cycle.id,
        FormInput({"section": "quality", "body_en": QUALITY[0], "body_cy": QUALITY[1],
                   "reason": "Quality and safeguarding standards."}),
    )  # fmt: skip
    first = (
        await db.execute(
            select(Clause)
            .join(SpecSection, SpecSection.id == Clause.section_id)
            .where(Clause.cycle_id == cycle.id, SpecSection.key == "requirements")
            .order_by(Clause.position)
            .limit(1)
        )
    ).scalar_one()
    accepted = await service.propose_amendment(
        db,
        _viewer(members[0], organisation),
        first.id,
        FormInput(
            {
                "body_en": first.body_en + "\n\nClubs meet at least weekly, cooked locally "
                "where possible, with volunteers for company.",
                "body_cy": first.body_cy,
                "explanation": "This is what the panel agreed in the thread's summary.",
            }
        ),
    )
    await service.comment_on_amendment(
        db, _viewer(members[1], organisation), accepted.id,
        FormInput({"body": "Yes — and say 'cooked locally', as the summary does."}),
    )  # fmt: skip
    await service.decide_amendment(
        db, facilitator, accepted.id,
        FormInput({"decision": "accept", "reason": "It records the panel's agreed summary."}),
    )  # fmt: skip
    rejected = await service.propose_amendment(
        db,
        _viewer(members[2], organisation),
        first.id,
        FormInput({"body_en": "Lunch clubs every day in every village.", "body_cy": ""}),
    )
    await service.decide_amendment(
        db, commissioner, rejected.id,
        FormInput({"decision": "reject",
                   "reason": "A daily club in every village is beyond the budget; weekly "
                   "clubs reach more people for the money."}),
    )  # fmt: skip


async def _delivery(
    db: AsyncSession,
    cycle: Cycle,
    commissioner: Viewer,
    members: list[User],
    organisation: Organisation,
) -> None:
    clauses = list(
        (
            await db.execute(
                select(Clause, SpecSection.key)
                .join(SpecSection, SpecSection.id == Clause.section_id)
                .where(Clause.cycle_id == cycle.id)
                .order_by(SpecSection.position, Clause.position)
            )
        ).all()
    )
    today = dt.date.today()
    reports = {
        "requirements": [
            ("delivered", "Nine village halls now run a weekly lunch club.", 60),
            ("in_progress", "Two volunteer driver schemes started; a third is recruiting.", 30),
            ("at_risk", "Sunday deliveries are running in the north only; the south is "
             "waiting for a caterer.", 14),
            ("planned", "A dietitian is planning the menus with the clubs.", 7),
        ],
        "outcomes": [
            ("in_progress", "312 people attended a club last month.", 10),
            ("planned", "The first survey goes out in March.", 5),
        ],
    }  # fmt: skip
    seen: dict[str, int] = {}
    outcome_ids = []
    for clause, key in clauses:
        index = seen.get(key, 0)
        seen[key] = index + 1
        if key == "outcomes":
            outcome_ids.append(clause.id)
        items = reports.get(key, [])
        if index >= len(items):
            continue
        status, note, days = items[index]
        await service.report_delivery(
            db, commissioner, clause.id,
            FormInput({"status": status, "note": note,
                       "reported_on": (today - dt.timedelta(days=days)).isoformat(),
                       "evidence_url": "https://www.ceredigion.gov.uk/" if status == "delivered"
                       else ""}),
        )  # fmt: skip
    for number, member in enumerate(members[:3]):
        for clause_id in outcome_ids:
            await service.rate_delivery(
                db, _viewer(member, organisation), clause_id,
                FormInput({"rating": str(3 + number % 2), "comment": "Good start in our village."}),
            )  # fmt: skip
