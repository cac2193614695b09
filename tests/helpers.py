"""Helpers for tests that act like a person with a browser (importable as `helpers`)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from bs4 import BeautifulSoup
from sqlalchemy import text


class Browser(httpx.AsyncClient):
    """An HTTP client that behaves like a person's browser: it keeps cookies, reads the CSRF token
    from the page it is on, and submits forms the way the page would."""

    def __init__(self, app, **kwargs: Any) -> None:
        super().__init__(
            transport=httpx.ASGITransport(app=app, raise_app_exceptions=False),
            base_url="http://testserver",
            follow_redirects=False,
            **kwargs,
        )
        self.app = app

    async def page(self, path: str, **kwargs: Any) -> httpx.Response:
        response = await self.get(path, **kwargs)
        return response

    async def csrf_token(self, path: str = "/") -> str:
        response = await self.get(path)
        return csrf_from(response.text)

    async def submit(
        self, path: str, data: dict[str, Any] | None = None, *, form_page: str | None = None, **kw
    ) -> httpx.Response:
        """POST a form as the page at `form_page` (default: `path`) would, CSRF token included."""
        token = await self.csrf_token(form_page or path)
        return await self.post(path, data={"csrf_token": token, **(data or {})}, **kw)

    async def sign_in(self, email: str, password: str) -> httpx.Response:
        response = await self.submit("/signin", {"email": email, "password": password})
        assert response.status_code == 303, response.text
        return response


def csrf_from(html: str) -> str:
    soup = BeautifulSoup(html, "html.parser")
    field = soup.find("input", attrs={"name": "csrf_token"})
    assert field is not None, "the page has no CSRF field"
    return str(field["value"])


def soup(response: httpx.Response) -> BeautifulSoup:
    return BeautifulSoup(response.text, "html.parser")


def field_error(response: httpx.Response, name: str) -> str | None:
    node = soup(response).find(id=f"error-{name}")
    return node.get_text(" ", strip=True) if node else None


LINK_RE = re.compile(r"https?://\S+")


def links_in(body: str) -> list[str]:
    return LINK_RE.findall(body)


async def count_rows(session, table: str, where: str = "TRUE", **params: Any) -> int:
    return int(
        (
            await session.execute(text(f"SELECT count(*) FROM {table} WHERE {where}"), params)
        ).scalar()
    )


class MailBox:
    """Messages received by a real SMTP server on loopback (aiosmtpd)."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server, session, envelope):
        from email import message_from_bytes, policy

        self.messages.append(message_from_bytes(envelope.content, policy=policy.default))
        return "250 OK"

    def last_to(self, address: str):
        for message in reversed(self.messages):
            if message["To"] == address:
                return message
        raise AssertionError(f"no mail to {address}; got {[m['To'] for m in self.messages]}")

    def link_to(self, address: str, fragment: str) -> str:
        body = self.last_to(address).get_content()
        for link in links_in(body):
            if fragment in link:
                return link
        raise AssertionError(f"no link containing {fragment!r} in {body!r}")
