"""Stored XSS, checked in Chromium: the corpus in tests/xss_corpus.py is put into every text field
the app stores and shows, then every view the router knows (with real path parameters, and as an
htmx fragment swapped in by htmx itself) is visited as the roles that see the most. On every page:
no dialog, `window.__xss` never set, no request to another host or carrying the marker, no Content
Security Policy violation, no event handler, htmx attribute or foreign form, frame or style from
people's text, links only to http(s), mailto or this site, and the text still shown as text.

The demo gives every page type real content; the corpus is then written over every person's text
straight into the tables. That is the stronger test: the pages must be safe whatever the database
holds (an import, an old release, an API), not only what today's forms accept. What is reflected
from a request (search words, list filters, `next` after sign-in) goes through the real URL."""

from __future__ import annotations

import asyncio
import json
import re
import secrets
import time
from typing import Any
from urllib.parse import quote, urlsplit

import httpx
import pytest
from sqlalchemy import text
from starlette.routing import Route
from xss_corpus import (
    EVALUATED_TEMPLATE,
    EVIL,
    MARKER,
    PAYLOADS,
    SHORT_PAYLOADS,
    URL_PAYLOADS,
)

from deliberate.demo import DEMO_PASSWORD
from deliberate.security import SESSION_COOKIE, token_hash

pytestmark = pytest.mark.browser

# Collected in the page before any of its own script runs.
INIT_SCRIPT = """
window.__csp = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__csp.push(e.violatedDirective + ' ' + e.blockedURI + ' ' + (e.sample || ''));
});
"""

# Everything on the page that people's text could have turned into something active.
CHECK_PAGE = """(marker) => {
  // Through the prototypes: a form's named fields can shadow its own properties.
  const names = (el) => Element.prototype.getAttributeNames.call(el);
  const attr = (el, n) => Element.prototype.getAttribute.call(el, n);
  const tag = (el) => Object.getOwnPropertyDescriptor(Element.prototype, 'localName').get.call(el);
  const closest = (el, s) => Element.prototype.closest.call(el, s);
  const out = [];
  const here = location.origin;
  if (window.__xss !== undefined) out.push('window.__xss = ' + window.__xss);
  // htmx never evaluates attribute code, runs swapped-in scripts or asks another site.
  if (!window.htmx) out.push('htmx did not load');
  else if (htmx.config.allowEval || htmx.config.allowScriptTags || !htmx.config.selfRequestsOnly)
    out.push('htmx config allows eval, scripts or other sites');
  for (const v of window.__csp || []) out.push('CSP violation: ' + v);
  const user = '.prose, [data-user-content]';
  for (const el of document.querySelectorAll('*')) {
    const t = tag(el);
    for (const n of names(el)) {
      const value = attr(el, n) || '';
      const v = value.toLowerCase();
      if (n.startsWith('on')) out.push(`<${t}> has ${n}`);
      const hx = (n.startsWith('hx-') || n.startsWith('data-hx-')) && n !== 'hx-disable';
      if (hx && (closest(el, user) || v.includes(marker) || v.includes('__xss')))
        out.push(`<${t}> has ${n}="${value}" from people's text`);
      if (n === 'style' || n === 'srcdoc') out.push(`<${t}> has ${n}`);
      if (['href', 'src', 'action', 'data', 'xlink:href', 'formaction', 'poster'].includes(n)) {
        let url;
        try { url = new URL(value, location.href); } catch (e) { continue; }
        const link = t === 'a' || t === 'area';
        if (link && !['http:', 'https:', 'mailto:'].includes(url.protocol))
          out.push(`link <a href="${value}">`);
        if (!link && url.origin !== here) out.push(`<${t}> ${n}="${value}" leaves the site`);
      }
    }
  }
  // Defence in depth: htmx ignores any hx-* attribute inside people's text.
  for (const el of document.querySelectorAll(user)) {
    if (!closest(el, '[hx-disable]')) out.push(`<${tag(el)} class="${attr(el, 'class')}"> lacks hx-disable`);
  }
  for (const el of document.querySelectorAll(
      'iframe, frame, object, embed, base, meta[http-equiv], style, applet, portal'))
    out.push(`<${tag(el)}> element`);
  for (const el of document.querySelectorAll('script')) {
    if (!attr(el, 'src')) out.push('inline script: ' + el.textContent.slice(0, 80));
  }
  if (document.body && document.body.innerText.includes('__EVALUATED__'))
    out.push('a template evaluated people\\'s text');
  return out;
}""".replace("__EVALUATED__", EVALUATED_TEMPLATE)

JSON_KEYS = {
    "name_en", "name_cy", "title", "title_en", "title_cy", "body_en", "body_cy", "reason",
    "note", "comment", "explanation", "algorithm", "proposal_title", "into_title",
    "cycle_title",
}  # fmt: skip

# (table, column, how): "text" always, "set" only where the row has one, "short" for 40-character
# keys shown as text, "url" for web addresses, "json" for the names and titles inside.
FIELDS: dict[str, list[tuple[str, str]]] = {
    "organisations": [("name_en", "text"), ("name_cy", "text")],
    "users": [("display_name", "text")],
    "cycles": [
        ("title_en", "text"), ("title_cy", "text"), ("summary_en", "text"),
        ("summary_cy", "text"), ("easy_read_en", "text"), ("easy_read_cy", "text"),
        ("service_area", "short"), ("categories", "json"),
    ],
    "cycle_groups": [("name_en", "text"), ("name_cy", "text")],
    "proposals": [("title", "text"), ("body", "text"), ("answer_reason", "set")],
    "community_assets": [("description", "text")],
    "panels": [("attributes", "json"), ("report", "json")],
    "volunteers": [("name", "text"), ("attributes", "values")],
    "threads": [("title", "text"), ("locked_reason", "set")],
    "posts": [("body", "text"), ("hidden_reason", "set")],
    "post_revisions": [("body", "text")],
    "thread_summaries": [("body", "text")],
    "evidence": [("title", "text"), ("summary", "text"), ("url", "url")],
    "flags": [("reason", "text")],
    "ballot_options": [("title", "text")],
    "tallies": [("result", "json"), ("summary", "json"), ("export", "json")],
    "specifications": [("title_en", "text"), ("title_cy", "text")],
    "spec_sections": [("title_en", "text"), ("title_cy", "text")],
    "spec_versions": [("reason", "set"), ("snapshot", "json")],
    "clauses": [("body_en", "text"), ("body_cy", "text")],
    "amendments": [
        ("base_en", "text"), ("base_cy", "text"), ("body_en", "text"), ("body_cy", "text"),
        ("explanation", "text"), ("reason", "set"),
    ],
    "amendment_comments": [("body", "text")],
    "endorsements": [("reason", "text")],
    "delivery_updates": [("note", "text"), ("evidence_url", "url")],
    "delivery_ratings": [("comment", "text")],
    "notifications": [("details", "json")],
    "audit_events": [("details", "json")],
}  # fmt: skip


class Counter:
    def __init__(self) -> None:
        self.n = 0

    def next(self, pool: list[str]) -> str:
        self.n += 1
        return pool[self.n % len(pool)]


def _walk(value: Any, counter: Counter) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if key in JSON_KEYS and isinstance(item, str):
                out[key] = counter.next(PAYLOADS)
            else:
                out[key] = _walk(item, counter)
        return out
    if isinstance(value, list):
        return [_walk(item, counter) for item in value]
    return value


async def add_rows(session) -> None:
    """What the demo lacks: flags, earlier versions of posts, hidden posts with a reason, a
    locked thread, answered and merged notices, a reason on every audit event."""
    facilitator = "(SELECT id FROM users WHERE email = 'facilitator@demo.deliberate.cymru')"
    await session.execute(
        text(
            "INSERT INTO flags (post_id, cycle_id, user_id, reason) SELECT p.id, p.cycle_id, "
            "u.id, 'x' FROM (SELECT * FROM posts ORDER BY id LIMIT 6) p, "
            "(SELECT id FROM users WHERE email = 'citizen@demo.deliberate.cymru') u"
        )
    )
    await session.execute(
        text(
            "INSERT INTO post_revisions (post_id, body, stance) "
            "SELECT id, 'x', stance FROM posts ORDER BY id LIMIT 6"
        )
    )
    await session.execute(
        text(
            f"UPDATE posts SET hidden_at = now(), hidden_by_id = {facilitator}, "
            "hidden_reason = 'x' WHERE id IN (SELECT id FROM posts ORDER BY id DESC LIMIT 3)"
        )
    )
    await session.execute(
        text(
            "UPDATE threads SET locked_at = now(), locked_reason = 'x' "
            "WHERE id = (SELECT id FROM threads ORDER BY id LIMIT 1)"
        )
    )
    await session.execute(
        text(
            "UPDATE proposals SET answer_reason = 'x' WHERE answer IS NOT NULL "
            "AND answer_reason IS NULL"
        )
    )
    for kind in ("proposal_answered", "proposal_merged"):
        await session.execute(
            text(
                "INSERT INTO notifications (user_id, kind, cycle_id, proposal_id, details) "
                "SELECT u.id, :kind, p.cycle_id, p.id, jsonb_build_object('proposal_title', "
                "'x', 'into_title', 'x', 'into', p.id::text) FROM users u, "
                "(SELECT * FROM proposals ORDER BY id LIMIT 2) p WHERE u.email LIKE '%@demo%'"
            ),
            {"kind": kind},
        )
    await session.execute(
        text("UPDATE audit_events SET details = details || jsonb_build_object('note', 'x')")
    )
    # Documents attached to a thread, stored as an HTML page whatever the upload allowed, with a
    # name that is neither Latin-1 nor free of quotes.
    await session.execute(
        text(
            "INSERT INTO evidence (id, thread_id, kind, title, summary, filename, content_type, "
            "content, size) SELECT gen_random_uuid(), id, 'document', 'x', 'x', :name, "
            "'text/html', convert_to(:html, 'UTF8'), 40 FROM threads ORDER BY id LIMIT 2"
        ),
        {"html": PAYLOADS[0], "name": f'Adroddiad ŵyn "{PAYLOADS[28]}"; {PAYLOADS[1]}'},
    )


async def seed_corpus(session) -> int:
    """Write the corpus over every field in FIELDS, each row a different payload; returns how
    many values were written."""
    await add_rows(session)
    counter = Counter()
    written = 0
    for table, columns in FIELDS.items():
        names = ", ".join(f'"{column}"' for column, _ in columns)
        rows = (await session.execute(text(f'SELECT ctid::text, {names} FROM "{table}"'))).all()
        kinds = dict(columns)
        batches: dict[tuple[str, ...], list[dict[str, Any]]] = {}
        for row in rows:
            values: dict[str, Any] = {}
            for (column, how), current in zip(columns, row[1:], strict=True):
                if how == "set" and not current:
                    continue
                if how in ("text", "set"):
                    values[column] = counter.next(PAYLOADS)
                elif how == "short":
                    values[column] = counter.next(SHORT_PAYLOADS)
                elif how == "url":
                    values[column] = counter.next(URL_PAYLOADS) if current else None
                elif how == "json" and current is not None:
                    values[column] = json.dumps(_walk(current, counter))
                elif how == "values" and current:
                    values[column] = json.dumps({k: counter.next(PAYLOADS) for k in current})
            if values:
                batches.setdefault(tuple(values), []).append({**values, "ctid": row[0]})
                written += len(values)
        # One statement per table and set of columns, sent as a batch.
        for changed, params in batches.items():
            sets = ", ".join(
                f'"{c}" = CAST(:{c} AS jsonb)'
                if kinds[c] in ("json", "values")
                else f'"{c}" = :{c}'
                for c in changed
            )
            await session.execute(
                text(f'UPDATE "{table}" SET {sets} WHERE ctid = CAST(CAST(:ctid AS text) AS tid)'),
                params,
            )
    # A few proposals filed under a category no cycle declares (shown as typed).
    await session.execute(
        text(
            "UPDATE proposals SET category = :c WHERE id IN "
            "(SELECT id FROM proposals ORDER BY id LIMIT 2)"
        ),
        {"c": SHORT_PAYLOADS[0]},
    )
    return written


async def through_the_forms(app) -> dict[str, str]:
    """Some of the corpus stored as people store it: a citizen's name and a proposal with every
    payload in its body, a panel member's post, each through the real form. Returns the paths
    of what was made, with the title each must show."""
    from helpers import Browser

    async with app.state.sessionmaker() as session:
        cycle_id, category = (
            await session.execute(
                text(
                    "SELECT id, categories->0->>'key' FROM cycles WHERE stage = 'proposals' "
                    "ORDER BY created_at LIMIT 1"
                )
            )
        ).one()
        thread_id = await session.scalar(
            text(
                "SELECT t.id FROM threads t JOIN cycles c ON c.id = t.cycle_id "
                "WHERE c.stage = 'deliberation' AND t.locked_at IS NULL ORDER BY t.id LIMIT 1"
            )
        )
    made: dict[str, str] = {}
    async with Browser(app) as citizen:
        await citizen.sign_in(ROLES["citizen"], DEMO_PASSWORD)
        answer = await citizen.submit(
            "/account",
            {
                "display_name": PAYLOADS[10], "language": "en", "stakeholder_group": "",
                "email_notifications": "immediate",
            },
        )  # fmt: skip
        assert answer.status_code == 303, answer.text
        answer = await citizen.submit(
            f"/cycles/{cycle_id}/proposals/new",
            {
                "title": PAYLOADS[1], "body": "\n\n".join(PAYLOADS), "language": "en",
                "category": category, "estimated_cost": "£1,000",
                "asset_0_kind": "group", "asset_0_description": PAYLOADS[12],
            },
        )  # fmt: skip
        assert answer.status_code == 303, answer.text
        made[urlsplit(answer.headers["location"]).path] = PAYLOADS[1]
    async with Browser(app) as member:
        await member.sign_in(ROLES["panel member"], DEMO_PASSWORD)
        answer = await member.submit(
            f"/threads/{thread_id}/posts",
            {"body": PAYLOADS[13], "stance": "question"},
            form_page=f"/threads/{thread_id}",
        )
        assert answer.status_code == 303, answer.text
    return made


@pytest.fixture
async def xss_site(live_server, make_app):
    from deliberate.demo import load_demo

    app = make_app()
    started = time.monotonic()
    async with app.state.sessionmaker() as session:
        await load_demo(session)
        await session.commit()
    loaded = time.monotonic()
    async with app.state.sessionmaker() as session:
        written = await seed_corpus(session)
        await session.commit()
    assert written > 500
    live_server.made = await through_the_forms(app)
    print(
        f"\ndemo {loaded - started:.0f} s; {written} values of the corpus written and three "
        f"forms sent in {time.monotonic() - loaded:.0f} s"
    )
    live_server.app = app
    return live_server


# Routes that are not HTML pages (files, JSON, a live stream) or leave the site by design; the
# non-HTML answers are checked over HTTP for their content type instead.
NOT_PAGES = re.compile(
    r"^(static|healthz|api:.*|threads:events|evidence:download|accounts:oidc_.*"
    r"|accounts:data_download|specs:export_.*|voting:ballots_.*|voting:bulletin|panel:report)$"
)


async def path_values(session) -> dict[str, list[str]]:
    async def ids(sql: str) -> list[str]:
        return [str(value) for value in (await session.execute(text(sql))).scalars()]

    return {
        "cycle_id": await ids("SELECT id FROM cycles ORDER BY created_at"),
        "proposal_id": await ids(
            "SELECT DISTINCT ON (cycle_id, merged_into_id IS NULL) id FROM proposals "
            "ORDER BY cycle_id, merged_into_id IS NULL, id"
        ),
        "thread_id": await ids("SELECT id FROM threads ORDER BY id"),
        "post_id": await ids(
            "(SELECT id FROM posts WHERE hidden_at IS NOT NULL LIMIT 1) UNION ALL "
            "(SELECT post_id FROM post_revisions LIMIT 2)"
        ),
        "clause_id": await ids("SELECT id FROM clauses ORDER BY cycle_id, position"),
        "amendment_id": await ids("SELECT id FROM amendments"),
        "user_id": await ids("SELECT id FROM users ORDER BY email LIMIT 3"),
        "token": ["not-a-token"],
        "evidence": await ids("SELECT id FROM evidence WHERE kind = 'document'"),
    }


def page_urls(app, values: dict[str, list[str]], versions: dict[str, list[int]]) -> list[tuple]:
    """(route name, url) for every GET route of the router, with every real path value."""
    urls: list[tuple[str, str]] = []
    for route in app.routes:
        if not isinstance(route, Route) or "GET" not in (route.methods or set()):
            continue
        if NOT_PAGES.match(route.name or ""):
            continue
        params = list(route.param_convertors)
        if not params:
            urls.append((route.name, str(route.path)))
            continue
        if params == ["cycle_id", "number"]:
            for cycle_id, numbers in versions.items():
                urls += [
                    (route.name, str(route.url_path_for(route.name, cycle_id=cycle_id, number=n)))
                    for n in numbers
                ]
            continue
        assert len(params) == 1 and params[0] in values, f"no values for {route.path}"
        for value in values[params[0]]:
            urls.append((route.name, str(route.url_path_for(route.name, **{params[0]: value}))))
    return urls


async def new_session(session, email: str) -> str:
    token = secrets.token_urlsafe(24)
    await session.execute(
        text(
            "INSERT INTO user_sessions (id, user_id, expires_at) SELECT :h, id, "
            "now() + interval '1 day' FROM users WHERE email = :e"
        ),
        {"h": token_hash(token), "e": email},
    )
    await session.commit()
    return token


ROLES = {
    "admin": "admin@demo.deliberate.cymru",
    "commissioner": "commissioner@demo.deliberate.cymru",
    "facilitator": "facilitator@demo.deliberate.cymru",
    "panel member": "carer01@demo.deliberate.cymru",
    "citizen": "citizen@demo.deliberate.cymru",
    "signed out": None,
}
# Cycle pages for every cycle (each stage shows different parts); other pages for a few values.
PER_ROUTE = 3
CYCLE_WIDE = {
    "cycles:detail", "proposals:list", "proposals:shortlist", "panel:page", "threads:list",
    "voting:results", "voting:vote", "voting:definition", "specs:document", "specs:history",
    "threads:flags",
}  # fmt: skip
PAGES_AT_ONCE = 4
PEOPLE_PAGES = ("/cycles/", "/proposals/", "/threads/", "/posts/", "/clauses/", "/amendments/")


def plan(role: str, urls: list[tuple[str, str]], shown: set[str]) -> list[tuple[str, bool]]:
    """(url, also as an htmx fragment) for one role. The commissioner sees the most and visits
    every route with real values, each route once more as a fragment; the administrator the
    administration and account pages; the facilitator, a panel member and a citizen one page of
    each route under a cycle; signed out, one page of each route, as a fragment too. The one page
    of a route is one the commissioner was shown (`shown`), so it has content. What is reflected
    from the query string is visited signed out and as the commissioner."""
    chosen: dict[str, str] = {}
    for name, url in urls:
        if name not in chosen or (chosen[name] not in shown and url in shown):
            chosen[name] = url
    out: list[tuple[str, bool]] = []
    count: dict[str, int] = {}
    for name, url in urls:
        count[name] = count.get(name, 0) + 1
        first = count[name] == 1
        if name == "reflected":
            if role in ("commissioner", "signed out"):
                out.append((url, False))
        elif role == "commissioner":
            if count[name] <= PER_ROUTE or name in CYCLE_WIDE:
                out.append((url, first))
        elif role == "admin":
            if name.startswith(("admin:", "accounts:")) or (first and url == "/"):
                out.append((url, first))
        elif chosen[name] != url:
            continue
        elif role == "signed out":
            out.append((url, True))
        elif url.startswith(PEOPLE_PAGES) or name == "notifications":
            out.append((url, False))
    return out


class Watcher:
    """What the page did that nobody asked for: dialogs, requests, errors."""

    def __init__(self, page, base: str) -> None:
        self.base = base
        self.host = urlsplit(base).netloc
        self.visiting = ""
        self.found: list[str] = []
        self.asked: set[str] = set()
        page.on("dialog", self.on_dialog)
        page.on("request", self.on_request)
        page.on("pageerror", lambda error: self.found.append(f"{self.visiting}: error {error}"))

    async def on_dialog(self, dialog) -> None:
        self.found.append(f"{self.visiting}: dialog {dialog.type} {dialog.message!r}")
        await dialog.dismiss()

    def on_request(self, request) -> None:
        url = request.url
        if urlsplit(url).netloc != self.host:
            self.found.append(f"{self.visiting}: request to {url}")
        elif MARKER in url.lower() and url not in self.asked:
            self.found.append(f"{self.visiting}: request to {url}")


async def visit(page, watcher: Watcher, url: str, *, fragment: bool = False) -> int:
    """Load `url`, optionally swap it in again as htmx would, and check the page."""
    full = watcher.base + url
    watcher.asked.add(full)
    watcher.visiting = url
    response = await page.goto(full)
    status = response.status if response else 0
    if status >= 500:
        watcher.found.append(f"{url}: status {status}")
    if fragment and status < 400:
        watcher.visiting = url + " (htmx)"
        failed = await page.evaluate(
            """async (url) => {
                let failed = null;
                document.body.addEventListener('htmx:responseError', (e) => {
                    failed = e.detail.xhr.status;
                }, {once: true});
                try {
                    await htmx.ajax('GET', url, {target: 'main', swap: 'innerHTML'});
                } catch (e) {
                    failed = failed || String(e);
                }
                await new Promise((r) => setTimeout(r, 50));
                return failed;
            }""",
            full,
        )
        if failed is not None and not (isinstance(failed, int) and failed < 500):
            watcher.found.append(f"{watcher.visiting}: failed {failed}")
    watcher.found += [f"{watcher.visiting}: {p}" for p in await page.evaluate(CHECK_PAGE, MARKER)]
    return status


def reflected_urls() -> list[str]:
    """Search words, list filters and paging reflected from the query string."""
    values = [PAYLOADS[0], PAYLOADS[10], PAYLOADS[12], PAYLOADS[15]]
    out = []
    for i, value in enumerate(values):
        q = quote(value, safe="")
        out.append(f"/cycles?q={q}&stage={q}&page={q}&area={q}")
        out.append(f"/signin?next={q}")
        out.append(f"/signup?next={q}&email={q}")
        out.append(f"/no-such-page/{q}?q={q}" if i % 2 else f"/admin/audit?page={q}&q={q}")
    return out


NOT_HTML = re.compile(
    r"^(api:.*|specs:export_.*|voting:ballots_.*|voting:bulletin|panel:report|evidence:download)$"
)
OFF_SITE_NEXT = [
    f"//evil.example/{MARKER}",
    f"{EVIL}/next",
    f"/\\evil.example/{MARKER}",
    f"/\t/evil.example/{MARKER}",
    f"/%2F/evil.example/{MARKER}",
    "javascript:window.__xss=301",
    f"https:{MARKER}.example",
]


async def non_html_answers(app, base: str, values, versions, cookie: str) -> list[str]:
    """Files and JSON that carry people's text are never served as a page a browser would run."""
    found = []
    async with httpx.AsyncClient(base_url=base, cookies={SESSION_COOKIE: cookie}) as client:
        for route in app.routes:
            if not isinstance(route, Route) or not NOT_HTML.match(route.name or ""):
                continue
            params = list(route.param_convertors)
            if params == ["cycle_id", "number"]:
                paths = [
                    route.url_path_for(route.name, cycle_id=c, number=n[-1])
                    for c, n in versions.items()
                    if n
                ]
            elif params == ["evidence_id"]:
                paths = [route.url_path_for(route.name, evidence_id=e) for e in values["evidence"]]
            elif params:
                paths = [route.url_path_for(route.name, cycle_id=c) for c in values["cycle_id"]]
            else:
                paths = [route.path]
            for path in paths:
                response = await client.get(str(path))
                kind = response.headers.get("content-type", "")
                if response.status_code == 200 and kind.startswith("text/html"):
                    found.append(f"{path}: served as {kind}")
                if route.name == "evidence:download":
                    # A document people uploaded is always a download, never shown in the page.
                    disposition = response.headers.get("content-disposition", "")
                    if response.status_code != 200 or not disposition.startswith("attachment"):
                        found.append(f"{path}: {response.status_code} {disposition!r}")
                if response.headers.get("x-content-type-options") != "nosniff":
                    found.append(f"{path}: no nosniff")
                if response.status_code >= 500:
                    found.append(f"{path}: status {response.status_code}")
    return found


async def shown_as_text(page, base: str, session, made: dict[str, str]) -> list[str]:
    """Titles and posts are shown as the words typed, escaped, not removed."""

    def same(a: str, b: str) -> bool:
        return " ".join(a.split()) == " ".join(b.split())

    found = []
    # (page, query for its id and the titles it may show: the viewer's language or the other).
    checks = {
        "/proposals/{}": "SELECT id, title, title FROM proposals WHERE merged_into_id IS NULL",
        "/threads/{}": "SELECT id, title, title FROM threads",
        "/cycles/{}": "SELECT id, title_en, title_cy FROM cycles WHERE stage <> 'draft'",
    }
    for pattern, sql in checks.items():
        for row_id, *titles in (await session.execute(text(sql + " LIMIT 2"))).all():
            await page.goto(base + pattern.format(row_id))
            heading = await page.inner_text("main h1")
            if not any(same(heading, title) for title in titles):
                found.append(f"{pattern.format(row_id)}: heading {heading!r}, typed {titles!r}")
    for path, title in made.items():
        await page.goto(base + path)
        heading = await page.inner_text("main h1")
        if not same(heading, title):
            found.append(f"{path}: heading {heading!r}, typed {title!r}")
        shown = " ".join(await page.eval_on_selector_all(".prose", "e => e.map(x => x.innerText)"))
        for typed in PAYLOADS:
            if "__xss=" in typed and re.search(r"__xss=\d+", typed).group() not in shown:
                found.append(f"{path}: the body lost {typed!r}")
    for body in (PAYLOADS[0], PAYLOADS[12], PAYLOADS[13], PAYLOADS[23]):
        thread = await session.scalar(
            text("SELECT thread_id FROM posts WHERE body = :b AND hidden_at IS NULL LIMIT 1"),
            {"b": body},
        )
        if thread is None:
            found.append(f"no visible post holds {body!r}")
            continue
        await page.goto(f"{base}/threads/{thread}")
        texts = await page.eval_on_selector_all(".prose", "els => els.map(e => e.innerText)")
        if not any(same(body, t) for t in texts):
            found.append(f"/threads/{thread}: post {body!r} not shown as typed")
    return found


async def follows_next(page, base: str) -> list[str]:
    """After signing in through the real form, `next` never leads off the site."""
    found = []
    host = urlsplit(base).netloc
    for target in OFF_SITE_NEXT:
        await page.context.clear_cookies()
        await page.goto(f"{base}/signin?next={quote(target, safe='')}")
        await page.fill("#field-email", ROLES["citizen"])
        await page.fill("#field-password", DEMO_PASSWORD)
        async with page.expect_navigation():
            await page.click("main button[type=submit]")
        if urlsplit(page.url).netloc != host:
            found.append(f"next={target!r} led to {page.url}")
    return found


async def test_stored_xss_corpus_in_every_view(xss_site, browser):
    started = time.monotonic()
    base = xss_site.url
    app = xss_site.app
    async with app.state.sessionmaker() as session:
        values = await path_values(session)
        versions: dict[str, list[int]] = {}
        for cycle_id, latest in (
            await session.execute(text("SELECT cycle_id, latest_version FROM specifications"))
        ).all():
            versions[str(cycle_id)] = list(range(1, (latest or 0) + 1))
        tokens = {role: await new_session(session, email) for role, email in ROLES.items() if email}
    urls = page_urls(app, values, versions)
    names = {name for name, _ in urls}
    assert len(names) >= 35, sorted(names)
    for cycle_id in values["cycle_id"]:
        q = quote(PAYLOADS[12], safe="")
        urls.append(("reflected", f"/cycles/{cycle_id}/proposals?q={q}&category={q}&sort={q}"))
        urls.append(("reflected", f"/cycles/{cycle_id}/specification/compare?a={q}&b={q}"))
    urls += [("reflected", url) for url in reflected_urls()]

    context = await browser.new_context()
    await context.add_init_script(INIT_SCRIPT)
    watchers = []
    for _ in range(PAGES_AT_ONCE):
        page = await context.new_page()
        watchers.append((page, Watcher(page, base)))
    statuses: dict[str, int] = {}
    for role, email in ROLES.items():
        await context.clear_cookies()
        if email:
            await context.add_cookies(
                [{"name": SESSION_COOKIE, "value": tokens[role], "url": base}]
            )
        shown = {
            k.split(" ", 1)[1]
            for k, v in statuses.items()
            if k.startswith("commissioner ") and v == 200
        }
        queue = list(plan(role, urls, shown))

        async def work(page, watcher, queue=queue, role=role):
            while queue:
                url, fragment = queue.pop(0)
                statuses[f"{role} {url}"] = await visit(page, watcher, url, fragment=fragment)

        await asyncio.gather(*(work(page, watcher) for page, watcher in watchers))
        print(f"{role}: {len(statuses)} loads, {time.monotonic() - started:.0f} s")
    # The checks below navigate to the marker on purpose: a page nobody watches for it.
    page = await context.new_page()
    await context.add_cookies(
        [{"name": SESSION_COOKIE, "value": tokens["commissioner"], "url": base}]
    )
    async with app.state.sessionmaker() as session:
        extra = await shown_as_text(page, base, session, xss_site.made)
    extra += await follows_next(page, base)
    extra += await non_html_answers(app, base, values, versions, tokens["commissioner"])
    await context.close()
    visited = len(statuses)
    found = [line for _, watcher in watchers for line in watcher.found] + extra

    assert found == [], "\n".join(found[:60])
    # The pages showed content, not only errors: most of them answered 200.
    ok = sum(1 for status in statuses.values() if status == 200)
    assert ok > visited // 2, {k: v for k, v in statuses.items() if v != 200}
    print(f"\n{visited} page loads, {len(names)} routes, {time.monotonic() - started:.0f} s")
