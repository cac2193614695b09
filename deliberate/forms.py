"""Small helpers for reading forms: each view gets the person's input back unchanged plus the
problems, field by field, so a form can be shown again with nothing lost."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from starlette.datastructures import FormData

from deliberate.errors import Invalid
from deliberate.i18n import LazyString, lazy_gettext

EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]+\.[^@\s]{2,}$")


class FormInput:
    """The submitted values, kept as text for showing again, and the problems found."""

    def __init__(self, data: Mapping[str, Any] | FormData | None = None) -> None:
        self.data: dict[str, str] = {}
        if data is not None:
            for key in data:
                value = data.get(key)
                if isinstance(value, str) and key != "csrf_token" and "password" not in key:
                    self.data[key] = value
        self._raw = data
        self.errors: dict[str, str | LazyString] = {}

    def get(self, name: str, default: str = "") -> str:
        if self._raw is None:
            return default
        value = self._raw.get(name)
        return value.strip() if isinstance(value, str) else default

    def raw(self, name: str) -> str:
        value = self._raw.get(name) if self._raw is not None else None
        return value if isinstance(value, str) else ""

    def text(
        self, name: str, *, required: bool = True, max_length: int = 200, min_length: int = 0
    ) -> str:
        value = self.get(name)
        if required and not value:
            self.errors[name] = lazy_gettext("Enter this information.")
        elif len(value) > max_length:
            self.errors[name] = lazy_gettext(
                "This must be %(max)s characters or fewer (it has %(count)s).",
                max=max_length,
                count=len(value),
            )
        elif value and len(value) < min_length:
            self.errors[name] = lazy_gettext(
                "This must be at least %(min)s characters.", min=min_length
            )
        return value

    def email(self, name: str = "email") -> str:
        value = self.get(name).lower()
        if not value:
            self.errors[name] = lazy_gettext("Enter your e-mail address.")
        elif len(value) > 320 or not EMAIL_RE.match(value):
            self.errors[name] = lazy_gettext(
                "Enter an e-mail address in the right format, like name@example.com."
            )
        return value

    def choice(self, name: str, choices: Mapping[str, Any] | list[str], *, required: bool = True):
        value = self.get(name)
        if not value and not required:
            return None
        if value not in choices:
            self.errors[name] = lazy_gettext("Choose one of the options.")
            return None
        return value

    def add_error(self, name: str, message: str | LazyString) -> None:
        self.errors.setdefault(name, message)

    def raise_if_invalid(self) -> None:
        if self.errors:
            raise Invalid(self.errors)
