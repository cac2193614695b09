"""Every interface string has its Welsh translation: the catalog is checked against a fresh
extraction of the code and templates, so a new string without Welsh fails here."""

from __future__ import annotations

import re
from pathlib import Path

from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po

from deliberate import i18n

ROOT = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "gettext": None, "lazy_gettext": None, "ngettext": (1, 2)}
PLACEHOLDER = re.compile(r"%\([a-z_]+\)s")


def extracted() -> set[str]:
    method_map = [("deliberate/**.py", "python"), ("templates/**.html", "jinja2")]
    options = {"templates/**.html": {"extensions": "jinja2.ext.do"}}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        ROOT, method_map, options, keywords=KEYWORDS
    ):
        found.add(message[0] if isinstance(message, tuple) else message)
    return found


def test_every_string_has_welsh():
    with (i18n.TRANSLATIONS_DIR / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="cy")
    translated = {
        m.id[0] if isinstance(m.id, tuple) else m.id
        for m in catalog
        if m.id and (all(m.string) if isinstance(m.string, tuple) else m.string)
    }
    missing = sorted(extracted() - translated)
    assert missing == [], f"{len(missing)} strings lack Welsh (run `make messages`): {missing[:10]}"


def test_welsh_keeps_every_placeholder():
    with (i18n.TRANSLATIONS_DIR / "cy" / "LC_MESSAGES" / "messages.po").open("rb") as handle:
        catalog = read_po(handle, locale="cy")
    for message in catalog:
        if not message.id:
            continue
        sources = message.id if isinstance(message.id, tuple) else (message.id,)
        targets = message.string if isinstance(message.string, tuple) else (message.string,)
        wanted = set(PLACEHOLDER.findall(sources[-1]))
        for target in targets:
            assert set(PLACEHOLDER.findall(target)) == wanted, (message.id, target)


async def test_pages_are_served_in_welsh(client):
    from helpers import soup

    page = soup(await client.get("/signin", headers={"accept-language": "cy"}))
    assert page.html["lang"] == "cy"
    assert page.find("h1").get_text(strip=True) == "Mewngofnodi"
