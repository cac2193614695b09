"""English and Welsh. Every interface string goes through gettext; catalogs are Babel `.po` files in
`deliberate/translations/`, compiled in memory at start-up so there is no build step to forget."""

from __future__ import annotations

import gettext as _gettext
import io
from contextvars import ContextVar
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = ("en", "cy")
DEFAULT_LOCALE = "en"
LANGUAGE_NAMES = {"en": "English", "cy": "Cymraeg"}
TRANSLATIONS_DIR = Path(__file__).parent / "translations"

locale_var: ContextVar[str] = ContextVar("locale", default=DEFAULT_LOCALE)


@cache
def translations(locale: str) -> _gettext.NullTranslations:
    po_path = TRANSLATIONS_DIR / locale / "LC_MESSAGES" / "messages.po"
    if not po_path.exists():
        return _gettext.NullTranslations()
    with po_path.open("rb") as handle:
        catalog = read_po(handle, locale=locale)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return _gettext.GNUTranslations(buffer)


def get_locale() -> str:
    return locale_var.get()


def gettext(message: str, **variables: object) -> str:
    translated = translations(get_locale()).gettext(message)
    return translated % variables if variables else translated


def ngettext(singular: str, plural: str, n: int, **variables: object) -> str:
    translated = translations(get_locale()).ngettext(singular, plural, n)
    variables.setdefault("num", n)
    return translated % variables


_ = gettext


class LazyString:
    """A message translated when it is shown, in the reader's language, not when it is defined."""

    __slots__ = ("message", "variables")

    def __init__(self, message: str, **variables: object) -> None:
        self.message = message
        self.variables = variables

    def __str__(self) -> str:
        return gettext(self.message, **self.variables)

    def __html__(self) -> str:
        from markupsafe import escape

        return str(escape(str(self)))

    def __repr__(self) -> str:
        return f"LazyString({self.message!r})"

    def __eq__(self, other: object) -> bool:
        return str(self) == str(other)

    def __hash__(self) -> int:
        return hash(self.message)


def lazy_gettext(message: str, **variables: object) -> LazyString:
    return LazyString(message, **variables)


def negotiate(accept_language: str | None) -> str | None:
    """Pick en or cy from an Accept-Language header, honouring q-values."""
    if not accept_language:
        return None
    choices: list[tuple[float, int, str]] = []
    for position, part in enumerate(accept_language.split(",")):
        pieces = part.strip().split(";")
        tag = pieces[0].strip().lower()
        quality = 1.0
        for param in pieces[1:]:
            name, _sep, value = param.strip().partition("=")
            if name == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        primary = tag.split("-")[0]
        if primary in LOCALES and quality > 0:
            choices.append((-quality, position, primary))
    return min(choices)[2] if choices else None


def format_date_local(value, format: str = "medium") -> str:
    return format_date(value, format=format, locale=Locale.parse(get_locale()))


def format_datetime_local(value, format: str = "medium") -> str:
    if value is None:  # Babel's "now": not to be kept
        return format_datetime(
            None, format=format, locale=Locale.parse(get_locale()), tzinfo="Europe/London"
        )
    return _format_datetime(value, format, get_locale())


# A thread's page shows the same hundred dates on every request, and Babel takes ~50 µs each.
@lru_cache(maxsize=4096)
def _format_datetime(value, format: str, locale: str) -> str:
    return format_datetime(
        value, format=format, locale=Locale.parse(locale), tzinfo="Europe/London"
    )


def format_number(value) -> str:
    return format_decimal(value, locale=Locale.parse(get_locale()))
