# rule: markup-outside-sanitiser
from markupsafe import Markup


def title(proposal):
    # ruleid: markup-outside-sanitiser
    return Markup(f"<strong>{proposal.title}</strong>")


def body(post):
    # ruleid: markup-outside-sanitiser
    return Markup(post.body)
