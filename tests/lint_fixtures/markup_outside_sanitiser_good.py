# rule: markup-outside-sanitiser
from markupsafe import Markup, escape

from deliberate import text
from deliberate.text import render_markdown


def body(post):
    return Markup(render_markdown(post.body))


def pasted(html):
    return Markup(text.sanitise_html(html))


def title(proposal):
    return escape(proposal.title)


SEPARATOR = Markup("<hr>")
