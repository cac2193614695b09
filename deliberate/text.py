"""People's own text: Markdown rendered to HTML, then sanitised with nh3 so no raw HTML, script or
htmx attribute (hx-*) survives."""

from __future__ import annotations

import functools
from urllib.parse import quote

import nh3
from markdown_it import MarkdownIt

# "html": False makes markdown-it escape raw HTML instead of passing it through; nh3 then
# removes anything that is still not on the allow-list (defence in depth).
_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_markdown.disable("image")

ALLOWED_TAGS = {
    "p", "br", "strong", "em", "code", "pre", "blockquote", "ul", "ol", "li", "a",
    "h3", "h4", "h5", "h6", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "ol": {"start"}}


# A page of a thread renders a hundred posts, most of them the same from one request to the
# next: each distinct text is rendered and sanitised once per process (bodies are at most
# 5,000 characters, so the cache holds a few megabytes at most).
@functools.lru_cache(maxsize=1024)
def render_markdown(text: str) -> str:
    html = _markdown.render(text)
    # Headings are demoted so people's text never competes with the page's own structure.
    for level in (2, 1):
        html = html.replace(f"<h{level}>", "<h3>").replace(f"</h{level}>", "</h3>")
    return sanitise_html(html)


def sanitise_html(html: str) -> str:
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow ugc",
    )


LINK_SCHEMES = frozenset({"http", "https", "mailto"})


def safe_link(url: str | None) -> str | None:
    """A web address people gave, fit for an `href`: http(s) or mailto only, else None (shown as
    text instead). Read as a browser reads it: surrounding spaces and control characters, and
    tabs and newlines anywhere, are dropped before the scheme is looked at, so `java\\tscript:`
    or ` javascript:` are refused like `javascript:`. Checked when shown, not only when saved, so
    whatever the database holds (an import, an older release) can never become a script link."""
    if not url:
        return None
    cleaned = url.strip("".join(chr(c) for c in range(33))).translate(_TABS_AND_NEWLINES)
    scheme, colon, _rest = cleaned.partition(":")
    if not colon or scheme.lower() not in LINK_SCHEMES:
        return None
    return cleaned


_TABS_AND_NEWLINES = str.maketrans("", "", "\t\n\r")


def attachment_disposition(filename: str | None, default: str = "document") -> str:
    """A Content-Disposition that always downloads, for a file name people gave: a plain ASCII
    `filename` (quotes, control and other characters replaced) for old clients, and the real
    name, percent-encoded, as `filename*` (RFC 6266), so a Welsh or any non-Latin-1 name can
    neither break the header nor the response."""
    name = filename or default
    fallback = "".join(
        ch if ch.isascii() and (ch.isalnum() or ch in ".-_ ") else "_" for ch in name
    )
    return (
        f"attachment; filename=\"{fallback or default}\"; filename*=UTF-8''{quote(name, safe='')}"
    )
