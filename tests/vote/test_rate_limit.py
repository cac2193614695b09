"""The limit on ballot submissions: ten new ones a minute per person per cycle, counted in the
database so that every app process sees the same count; the eleventh is refused with 429, a
Retry-After and a page that says the last ballot is recorded."""

from __future__ import annotations

import secrets
from urllib.parse import parse_qs, urlsplit

from helpers import count_rows, csrf_from, soup
from vote.support import build_world, declare, make_voters, voter_browser

from deliberate import ratelimit
from deliberate.security import LANG_COOKIE
from deliberate.voting import chain


async def test_the_eleventh_ballot_in_a_minute_is_refused_across_processes(make_app):
    first, second = make_app(), make_app()  # two app processes sharing the database
    async with first.state.sessionmaker() as db:
        world = await build_world(db, method="approval")
        [(voter_id, session)] = await make_voters(db, 1)
        cycle_id = world.cycle.id
        async with voter_browser(first, session) as a, voter_browser(second, session) as b:
            await declare(a, cycle_id, "carer")
            token = csrf_from((await a.get(f"/cycles/{cycle_id}/vote")).text)
            sent: list[str] = []
            statuses: list[int] = []
            for n in range(ratelimit.BALLOT_LIMIT + 1):
                browser = a if n % 2 == 0 else b
                submission = secrets.token_urlsafe(24)
                response = await browser.post(
                    f"/cycles/{cycle_id}/vote/cast",
                    data={
                        "csrf_token": token,
                        "submission_token": submission,
                        "option": str(1 + n % 4),
                    },
                )
                statuses.append(response.status_code)
                if response.status_code == 303:
                    location = parse_qs(urlsplit(response.headers["location"]).query)
                    assert location["t"] == [submission]
                    sent.append(submission)
            assert statuses == [303] * ratelimit.BALLOT_LIMIT + [429]
            assert 1 <= int(response.headers["retry-after"]) <= 61
            text = soup(response).get_text(" ", strip=True)
            assert f"sent your ballot {ratelimit.BALLOT_LIMIT} times in the last minute" in text
            assert "Your last ballot is recorded" in text

            # The same submission again (a retry of the last one) is not a new ballot: its
            # receipt comes back, even while new ones are refused.
            again = await b.post(
                f"/cycles/{cycle_id}/vote/cast",
                data={"csrf_token": token, "submission_token": sent[-1], "option": "1"},
            )
            assert again.status_code == 303

            # The refusal in Welsh is a page in Welsh, with the same answer.
            b.cookies.set(LANG_COOKIE, "cy")
            welsh = await b.post(
                f"/cycles/{cycle_id}/vote/cast",
                data={
                    "csrf_token": token,
                    "submission_token": secrets.token_urlsafe(24),
                    "option": "2",
                },
            )
            assert welsh.status_code == 429
            assert welsh.headers["retry-after"]
            assert soup(welsh).html["lang"] == "cy"

        # Nothing refused was stored: the ballot is the last acknowledged one, and the bulletin
        # holds exactly the acknowledged receipts.
        receipts = {
            chain.receipt_hash(chain.make_receipt(
                str(first.state.settings.secret_key), str(cycle_id), str(voter_id), s
            ))
            for s in sent
        }  # fmt: skip
        entries = await count_rows(db, "bulletin_entries", "cycle_id = :c", c=cycle_id)
        assert entries == len(receipts) == ratelimit.BALLOT_LIMIT
        ballots = await count_rows(db, "ballots", "cycle_id = :c", c=cycle_id)
        assert ballots == 1
        last = chain.receipt_hash(chain.make_receipt(
            str(first.state.settings.secret_key), str(cycle_id), str(voter_id), sent[-1]
        ))  # fmt: skip
        current = await count_rows(
            db, "ballots", "cycle_id = :c AND receipt_hash = :h", c=cycle_id, h=last
        )
        assert current == 1


async def test_another_voter_is_not_held_back(make_app):
    app = make_app()
    async with app.state.sessionmaker() as db:
        world = await build_world(db, method="approval")
        (_, busy), (_, calm) = await make_voters(db, 2)
        cycle_id = world.cycle.id
        async with voter_browser(app, busy) as hammer:
            await declare(hammer, cycle_id, "carer")
            token = csrf_from((await hammer.get(f"/cycles/{cycle_id}/vote")).text)
            for _ in range(ratelimit.BALLOT_LIMIT + 1):
                last = await hammer.post(
                    f"/cycles/{cycle_id}/vote/cast",
                    data={
                        "csrf_token": token,
                        "submission_token": secrets.token_urlsafe(24),
                        "option": "1",
                    },
                )
            assert last.status_code == 429
        async with voter_browser(app, calm) as person:
            await declare(person, cycle_id, "carer")
            token = csrf_from((await person.get(f"/cycles/{cycle_id}/vote")).text)
            response = await person.post(
                f"/cycles/{cycle_id}/vote/cast",
                data={
                    "csrf_token": token,
                    "submission_token": secrets.token_urlsafe(24),
                    "option": "3",
                },
            )
            assert response.status_code == 303
