"""People's own text: Markdown rendered to HTML, then sanitised with nh3 so no raw HTML, script or
htmx attribute (hx-*) survives."""

from __future__ import annotations

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
