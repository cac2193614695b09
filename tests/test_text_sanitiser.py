"""People's text (Markdown) rendered over the stored-XSS corpus: only allow-listed tags survive,
no event handler, style or htmx attribute, links only to http(s), mailto or relative addresses,
and the words a person typed are still shown as text. Fast, no browser: the Chromium test in
tests/browser/test_xss.py checks the same corpus in every view."""

from __future__ import annotations

import re
from urllib.parse import unquote, urlsplit

import pytest
from bs4 import BeautifulSoup
from xss_corpus import EVALUATED_TEMPLATE, PAYLOADS, SHORT_PAYLOADS, URL_PAYLOADS

from deliberate.text import (
    ALLOWED_TAGS,
    attachment_disposition,
    render_markdown,
    safe_link,
    sanitise_html,
)

EVERY = PAYLOADS + URL_PAYLOADS + SHORT_PAYLOADS
SAFE_SCHEMES = {"", "http", "https", "mailto"}


def problems(html: str) -> list[str]:
    found = []
    for tag in BeautifulSoup(html, "html.parser").find_all(True):
        if tag.name not in ALLOWED_TAGS:
            found.append(f"tag <{tag.name}>")
        for name in tag.attrs:
            if name.startswith(("on", "hx-", "data-", "style", "src", "srcdoc", "action")):
                found.append(f"attribute {name} on <{tag.name}>")
        href = tag.get("href")
        if href is not None:
            # What a browser would see: control characters and spaces are stripped first.
            cleaned = "".join(ch for ch in str(href) if ch > " ").lower()
            if urlsplit(cleaned).scheme not in SAFE_SCHEMES:
                found.append(f"href {href!r}")
    return found


@pytest.mark.parametrize("payload", EVERY)
def test_markdown_output_has_no_active_content(payload):
    html = render_markdown(payload)
    assert problems(html) == [], html
    # Sanitising again changes nothing: what the browser parses is what was checked.
    assert sanitise_html(html) == html


@pytest.mark.parametrize("payload", EVERY)
def test_raw_html_is_sanitised(payload):
    html = sanitise_html(payload)
    assert problems(html) == [], html


@pytest.mark.parametrize("payload", [p for p in EVERY if "__xss=" in p])
def test_the_words_are_still_shown_as_text(payload):
    """Raw HTML in Markdown is escaped, not silently dropped: the reader sees what was typed."""
    marker = re.search(r"__xss=\d+", payload).group()
    text = BeautifulSoup(render_markdown(payload), "html.parser").get_text()
    assert marker in text


def test_template_syntax_is_not_evaluated():
    assert EVALUATED_TEMPLATE not in render_markdown(PAYLOADS[16])
    assert "{{ 7*7 }}" in BeautifulSoup(render_markdown(PAYLOADS[16]), "html.parser").get_text()


def test_links_keep_their_text_and_are_marked_as_user_content():
    html = render_markdown("[the minutes](https://example.org/minutes) and [bad](javascript:x)")
    soup = BeautifulSoup(html, "html.parser")
    links = soup.find_all("a")
    assert [(a.get_text(), a["href"]) for a in links] == [
        ("the minutes", "https://example.org/minutes")
    ]
    assert "nofollow" in links[0]["rel"] and "ugc" in links[0]["rel"]
    assert "[bad](javascript:x)" in soup.get_text()


def test_payloads_fit_the_columns_they_are_written_to():
    assert max(len(p) for p in PAYLOADS + URL_PAYLOADS) <= 100
    assert max(len(p) for p in SHORT_PAYLOADS) <= 40


@pytest.mark.parametrize("url", [*URL_PAYLOADS[:5], "//evil.example/x", "/local", "\x01vbscript:x"])
def test_a_link_people_gave_is_refused_unless_http_or_mailto(url):
    assert safe_link(url) is None


@pytest.mark.parametrize(
    ("url", "href"),
    [
        ("https://example.org/report.pdf", "https://example.org/report.pdf"),
        (" HTTP://example.org/a ", "HTTP://example.org/a"),
        ("mailto:team@example.org", "mailto:team@example.org"),
        ("https://exa\tmple.org/", "https://example.org/"),
    ],
)
def test_a_web_address_is_kept_as_the_browser_would_read_it(url, href):
    assert safe_link(url) == href


@pytest.mark.parametrize(
    "filename",
    ['Adroddiad ŵyn "terfynol"; x=.pdf', PAYLOADS[28], PAYLOADS[1], "a\r\nSet-Cookie: x"],
)
def test_a_download_name_can_neither_break_nor_escape_the_header(filename):
    header = attachment_disposition(filename)
    header.encode("latin-1")  # a header a response can carry
    assert header.startswith("attachment; filename=")
    fallback = header.split('"')[1]
    assert header.count('"') == 2 and ";" not in fallback and "\r" not in header
    assert unquote(header.split("filename*=UTF-8''")[1]) == filename
