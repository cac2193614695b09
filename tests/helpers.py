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
            transport=httpx.ASGITransport(app=app),
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
