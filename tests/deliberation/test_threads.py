"""Deliberation in threads over HTTP: who may post, replies to depth 3, quoting, stances,
reactions, editing with history, moderation, summaries, evidence, read positions, mentions with
e-mail, the rate limit, and bad input."""

from __future__ import annotations

import contextlib

import pytest
from factories import (
    PASSWORD,
    make_cycle,
    make_organisation,
    make_panel,
    make_proposal,
    make_thread,
    make_user,
)
from helpers import Browser, field_error, soup
from sqlalchemy import select

from deliberate.accounts.models import Role
from deliberate.audit import AuditEvent
from deliberate.deliberation.models import Post, PostRevision, ReadPosition, Thread, ThreadSummary
from deliberate.notifications import Notification


@contextlib.asynccontextmanager
async def signed_in(app, email: str):
    async with Browser(app) as browser:
        await browser.sign_in(email, PASSWORD)
        yield browser


@pytest.fixture
async def world(db):
    organisation = await make_organisation(db)
    cycle = await make_cycle(db, organisation, stage="deliberation")
    anwen = await make_user(db, "anwen@example.org", name="Anwen Jones")
    bryn = await make_user(db, "bryn@example.org", name="Bryn Davies")
    outsider = await make_user(db, "outsider@example.org", name="Olwen")
    facilitator = await make_user(
        db, "fac@example.org", name="Ffion", roles=[(Role.FACILITATOR, organisation)]
    )
    panel = await make_panel(db, cycle, [anwen, bryn])
    thread = await make_thread(db, cycle)
    return {"cycle": cycle, "anwen": anwen, "bryn": bryn, "outsider": outsider,
            "facilitator": facilitator, "panel": panel, "thread": thread}  # fmt: skip


def post_ids(response) -> list[str]:
    return [li["id"] for li in soup(response).select("li.post-item")]


async def test_members_post_and_reply_three_deep(app, db, world):
    thread = world["thread"]
    path = f"/threads/{thread.id}"
    async with signed_in(app, "anwen@example.org") as anwen:
        first = await anwen.submit(
            f"{path}/posts",
            {"body": "Transport is the **key**", "stance": "supports"},
            form_page=path,
        )
        assert first.status_code == 303
        parent = (await db.execute(select(Post.id))).scalar_one()
        for _ in range(4):
            reply = await anwen.submit(
                f"{path}/posts", {"body": "A reply", "stance": "question", "parent": str(parent)},
                form_page=path,
            )  # fmt: skip
            assert reply.status_code == 303
            db.expunge_all()
            parent = (
                await db.execute(select(Post.id).order_by(Post.id.desc()).limit(1))
            ).scalar_one()
        page = await anwen.get(path)
    depths = (await db.execute(select(Post.depth).order_by(Post.id))).scalars().all()
    assert depths == [0, 1, 2, 3, 3]  # a reply to the deepest level joins it
    html = soup(page)
    # Nested lists mirror the reply tree.
    deepest = html.select("#posts > li > ol > li > ol > li > ol > li")
    assert len(deepest) == 2
    assert html.find("strong", string="key") is not None
    assert db is not None
    async with app.state.sessionmaker() as session:
        row = await session.get(Thread, thread.id)
        assert row.post_count == 5


async def test_non_members_cannot_post_but_can_read(app, db, world):
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "outsider@example.org") as outsider:
        page = await outsider.get(path)
        assert page.status_code == 200
        assert "Only members of the citizens' panel post here" in soup(page).get_text()
        refused = await outsider.submit(
            f"{path}/posts", {"body": "Let me in", "stance": "neutral"}, form_page=path
        )
        assert refused.status_code == 403
    async with Browser(app) as visitor:
        assert (await visitor.get(path)).status_code == 200
    assert (await db.execute(select(Post))).first() is None


async def test_private_threads_are_for_members_only(app, db, world):
    from deliberate.deliberation.models import Panel

    panel = await db.get(Panel, world["panel"].id)
    panel.threads_private = True
    await db.commit()
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "outsider@example.org") as outsider:
        assert (await outsider.get(path)).status_code == 403
    async with Browser(app) as visitor:
        assert (await visitor.get(path)).status_code == 303
    async with signed_in(app, "bryn@example.org") as member:
        assert (await member.get(path)).status_code == 200


async def test_locked_thread_and_closed_stage_refuse_with_409(app, db, world):
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "fac@example.org") as facilitator:
        locked = await facilitator.submit(f"{path}/lock", {"reason": "Cooling off"}, form_page=path)
        assert locked.status_code == 303
    async with signed_in(app, "anwen@example.org") as anwen:
        refused = await anwen.submit(
            f"{path}/posts", {"body": "Hello", "stance": "neutral"}, form_page="/"
        )
        assert refused.status_code == 409
        assert "locked" in soup(refused).get_text()
    from deliberate.cycles.models import Cycle

    cycle = await db.get(Cycle, world["cycle"].id)
    cycle.stage = "voting"
    thread = await db.get(Thread, world["thread"].id)
    thread.locked_at = None
    await db.commit()
    async with signed_in(app, "anwen@example.org") as anwen:
        closed = await anwen.submit(
            f"{path}/posts", {"body": "Hello", "stance": "neutral"}, form_page="/"
        )
        assert closed.status_code == 409
        assert "not possible while the cycle is at the Voting stage" in soup(closed).get_text(" ")


@pytest.mark.parametrize(
    ("body", "message"),
    [("", "Enter this information"), ("x" * 5001, "5000 characters or fewer")],
)
async def test_bad_posts_are_named_and_kept(app, db, world, body, message):
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "anwen@example.org") as anwen:
        response = await anwen.submit(
            f"{path}/posts", {"body": body, "stance": "neutral"}, form_page=path
        )
    assert response.status_code == 422
    assert message in field_error(response, "body")
    assert soup(response).find("textarea", attrs={"name": "body"}).get_text() == body
    assert (await db.execute(select(Post))).first() is None


async def test_scripts_and_htmx_attributes_are_stripped_from_posts(app, db, world):
    path = f"/threads/{world['thread'].id}"
    hostile = '<script>alert(1)</script><div hx-get="/admin" hx-trigger="load">x</div><img src=x onerror=alert(2)>'
    async with signed_in(app, "anwen@example.org") as anwen:
        await anwen.submit(f"{path}/posts", {"body": hostile, "stance": "neutral"}, form_page=path)
        page = await anwen.get(path)
    prose = soup(page).select_one("#posts .prose")
    assert prose.find("script") is None and prose.find("img") is None and prose.find("div") is None
    assert not any(a.startswith(("hx-", "on")) for tag in prose.find_all(True) for a in tag.attrs)


async def test_flooding_is_rate_limited_with_retry_after(app, db, world):
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "anwen@example.org") as anwen:
        token = await anwen.csrf_token(path)
        statuses = []
        for n in range(8):
            response = await anwen.post(
                f"{path}/posts",
                data={"csrf_token": token, "body": f"Post {n}", "stance": "neutral"},
            )
            statuses.append(response.status_code)
    assert statuses[:6] == [303] * 6
    assert statuses[6:] == [429, 429]
    assert int(response.headers["retry-after"]) >= 1
    assert "posting very quickly" in soup(response).get_text()


async def test_editing_keeps_history_and_only_the_author_edits(app, db, world):
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "anwen@example.org") as anwen:
        await anwen.submit(
            f"{path}/posts", {"body": "First wording", "stance": "neutral"}, form_page=path
        )
        post_id = (await db.execute(select(Post.id))).scalar_one()
        edited = await anwen.submit(
            f"/posts/{post_id}/edit", {"body": "Second wording", "stance": "concerns"}
        )
        assert edited.status_code == 303
        history = await anwen.get(f"/posts/{post_id}/history")
        assert "First wording" in history.text and "Second wording" in history.text
    async with signed_in(app, "bryn@example.org") as bryn:
        refused = await bryn.submit(
            f"/posts/{post_id}/edit", {"body": "Hijack", "stance": "neutral"}, form_page=path
        )
        assert refused.status_code == 403
    revision = (await db.execute(select(PostRevision))).scalar_one()
    assert revision.body == "First wording"


async def test_hidden_post_shows_a_placeholder_to_readers_and_the_trail_to_facilitators(
    app, db, world
):
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "anwen@example.org") as anwen:
        await anwen.submit(
            f"{path}/posts", {"body": "Something sharp", "stance": "concerns"}, form_page=path
        )
    post_id = (await db.execute(select(Post.id))).scalar_one()
    async with signed_in(app, "bryn@example.org") as bryn:
        flagged = await bryn.submit(f"/posts/{post_id}/flag", {"reason": "Unkind"}, form_page=path)
        assert flagged.status_code == 303
        refused = await bryn.submit(f"/posts/{post_id}/hide", {"reason": "No"}, form_page=path)
        assert refused.status_code == 403
    async with signed_in(app, "fac@example.org") as facilitator:
        queue = await facilitator.get(f"/cycles/{world['cycle'].id}/flags")
        assert "Unkind" in queue.text
        hidden = await facilitator.submit(
            f"/posts/{post_id}/hide", {"reason": "Personal remark"}, form_page=path
        )
        assert hidden.status_code == 303
        trail = soup(await facilitator.get(path)).get_text()
        assert "Personal remark" in trail and "Something sharp" in trail
    async with Browser(app) as reader:
        text = soup(await reader.get(path)).get_text()
        assert "This post was hidden by a facilitator" in text
        assert "Something sharp" not in text and "Personal remark" not in text
    actions = (await db.execute(select(AuditEvent.action))).scalars().all()
    assert "post.hidden" in actions


async def test_summaries_are_versioned_and_reactions_counted(app, db, world):
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "fac@example.org") as facilitator:
        for text in ["Most want a minibus.", "Most want a minibus; some worry about cost."]:
            response = await facilitator.submit(
                f"{path}/summary", {"summary": text}, form_page=path
            )
            assert response.status_code == 303
        page = soup(await facilitator.get(path))
        assert "some worry about cost" in page.find(id="summary").parent.get_text()
        assert "Version 2" in page.get_text()
    versions = (
        (await db.execute(select(ThreadSummary.version).order_by(ThreadSummary.version)))
        .scalars()
        .all()
    )
    assert versions == [1, 2]

    async with signed_in(app, "anwen@example.org") as anwen:
        await anwen.submit(
            f"{path}/posts", {"body": "I agree", "stance": "supports"}, form_page=path
        )
    post_id = (await db.execute(select(Post.id))).scalar_one()
    async with signed_in(app, "bryn@example.org") as bryn:
        token = await bryn.csrf_token(path)
        fragment = await bryn.post(
            f"/posts/{post_id}/react", data={"kind": "agree"},
            headers={"hx-request": "true", "x-csrf-token": token},
        )  # fmt: skip
        assert fragment.status_code == 200
        button = soup(fragment).find("button", attrs={"aria-pressed": "true"})
        assert button is not None and button.find(class_="count").get_text() == "1"
        await bryn.post(f"/posts/{post_id}/react", data={"kind": "agree", "csrf_token": token})
    db.expunge_all()
    assert (await db.get(Post, post_id)).reaction_counts.get("agree") == 0


async def test_read_positions_and_unread_counts(app, db, world):
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "anwen@example.org") as anwen:
        for n in range(3):
            await anwen.submit(
                f"{path}/posts", {"body": f"Post {n}", "stance": "neutral"}, form_page=path
            )
    async with signed_in(app, "bryn@example.org") as bryn:
        listing = soup(await bryn.get(f"/cycles/{world['cycle'].id}/threads"))
        assert "3 new" in listing.get_text()
        await bryn.get(path)
        listing = soup(await bryn.get(f"/cycles/{world['cycle'].id}/threads"))
        assert "new" not in listing.select_one(".card .meta").get_text()
    position = (
        await db.execute(select(ReadPosition).where(ReadPosition.user_id == world["bryn"].id))
    ).scalar_one()
    assert (
        position.last_post_id
        == (await db.execute(select(Post.id).order_by(Post.id.desc()).limit(1))).scalar_one()
    )


async def test_mentions_notify_in_app_and_by_email(make_app, db, world, mailbox):
    app = make_app()
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "anwen@example.org") as anwen:
        await anwen.submit(
            f"{path}/posts",
            {"body": "What do you think, @Bryn?", "stance": "question"},
            form_page=path,
        )
    notice = (await db.execute(select(Notification))).scalar_one()
    assert notice.user_id == world["bryn"].id and notice.kind == "mentioned"
    message = mailbox.last_to("bryn@example.org")
    assert "mentioned you" in message.get_content()


async def test_threads_open_for_the_shortlist_when_deliberation_starts(app, db):
    from deliberate.accounts.viewer import Viewer
    from deliberate.cycles import service as cycles
    from deliberate.cycles.stages import Stage

    organisation = await make_organisation(db)
    commissioner = await make_user(db, "com@example.org", roles=[(Role.COMMISSIONER, organisation)])
    cycle = await make_cycle(db, organisation, stage="proposals")
    await make_proposal(db, cycle, commissioner, title="Shortlisted one", answer="taken_forward")
    await make_proposal(db, cycle, commissioner, title="Not this one", answer="not_taken_forward")
    await make_panel(db, cycle, [commissioner])
    viewer = Viewer(
        user=commissioner, session_token="t", grants=frozenset({("commissioner", organisation.id)})
    )
    async with app.state.sessionmaker() as session:
        await cycles.move_cycle(session, viewer, cycle.id, Stage.DELIBERATION)
        await session.commit()
    titles = (await db.execute(select(Thread.title))).scalars().all()
    assert titles == ["Shortlisted one"]


async def test_daily_digest_collects_notices_and_goes_once_a_day(make_app, db, world, mailbox):
    import datetime as dt

    from deliberate.accounts.models import User
    from deliberate.notifications import send_daily_digests

    app = make_app()
    bryn = await db.get(User, world["bryn"].id)
    bryn.email_notifications = "daily"
    await db.commit()
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "anwen@example.org") as anwen:
        await anwen.submit(
            f"{path}/posts", {"body": "Over to you, @Bryn", "stance": "question"}, form_page=path
        )
    assert mailbox.messages == []  # no immediate mail for someone on the daily digest
    sent = await send_daily_digests(app.state.sessionmaker, app.state.settings)
    assert sent == 1
    message = mailbox.last_to("bryn@example.org")
    assert "Anwen Jones mentioned you" in message.get_content()
    again = await send_daily_digests(app.state.sessionmaker, app.state.settings)
    assert again == 0 and len(mailbox.messages) == 1
    tomorrow = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    assert await send_daily_digests(app.state.sessionmaker, app.state.settings, now=tomorrow) == 0


async def test_a_proposal_page_links_to_its_thread(app, db, world):
    author = world["anwen"]
    proposal = await make_proposal(
        db, world["cycle"], author, title="Minibus", answer="taken_forward"
    )
    thread = await make_thread(db, world["cycle"], "Minibus", proposal=proposal)
    async with Browser(app) as reader:
        page = soup(await reader.get(f"/proposals/{proposal.id}"))
    link = page.find("a", href=f"/threads/{thread.id}")
    assert link is not None and link.get_text(strip=True) == "Minibus"


async def test_facilitator_attaches_evidence_and_members_quote(app, db, world):
    path = f"/threads/{world['thread'].id}"
    async with signed_in(app, "fac@example.org") as facilitator:
        token = await facilitator.csrf_token(path)
        link = await facilitator.post(
            f"{path}/evidence",
            data={
                "csrf_token": token,
                "title": "Carers Wales",
                "url": "https://www.carersuk.org/wales/",
                "summary": "Support for carers",
            },
        )
        assert link.status_code == 303
        bad = await facilitator.post(
            f"{path}/evidence",
            data={"csrf_token": token, "title": "Script", "summary": "x"},
            files={"document": ("evil.html", b"<script>", "text/html")},
        )
        assert bad.status_code == 422
        document = await facilitator.post(
            f"{path}/evidence",
            data={
                "csrf_token": token,
                "title": "Survey results",
                "summary": "What 120 carers told us",
            },
            files={"document": ("survey.pdf", b"%PDF-1.4 test", "application/pdf")},
        )
        assert document.status_code == 303
    async with signed_in(app, "anwen@example.org") as anwen:
        page = soup(await anwen.get(path))
        evidence = page.find(id="evidence").parent
        download = evidence.find("a", string="Survey results")
        fetched = await anwen.get(download["href"])
        assert fetched.content == b"%PDF-1.4 test"
        assert "attachment" in fetched.headers["content-disposition"]
        await anwen.submit(
            f"{path}/posts", {"body": "Respite first", "stance": "supports"}, form_page=path
        )
        first = (await db.execute(select(Post.id))).scalar_one()
    async with signed_in(app, "bryn@example.org") as bryn:
        await bryn.submit(
            f"{path}/posts", {"body": "I agree with this", "stance": "supports", "parent": str(first), "quote": str(first)},
            form_page=f"{path}?reply={first}&quote=1",
        )  # fmt: skip
        page = soup(await bryn.get(path))
    quote = page.select_one("blockquote.quote")
    assert "Anwen Jones wrote" in quote.get_text() and "Respite first" in quote.get_text()
