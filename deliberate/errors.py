"""Domain errors, raised by services and shown to people in one place (`deliberate.app`)."""

from __future__ import annotations

from collections.abc import Mapping

from deliberate.i18n import LazyString, lazy_gettext


class DomainError(Exception):
    status_code = 400
    default_message = lazy_gettext("That could not be done.")

    def __init__(self, message: str | LazyString | None = None) -> None:
        self.message = message if message is not None else self.default_message
        super().__init__(str(self.message))


class NotAllowed(DomainError):
    """The person may not do this (HTTP 403)."""

    status_code = 403
    default_message = lazy_gettext("You do not have permission to do that.")


class SignInRequired(DomainError):
    status_code = 401
    default_message = lazy_gettext("Please sign in to continue.")


class NotFound(DomainError):
    status_code = 404
    default_message = lazy_gettext("We could not find that page.")


class WrongStage(DomainError):
    """Not possible in the current stage, or in the current state of the thing (HTTP 409)."""

    status_code = 409
    default_message = lazy_gettext("That cannot be done at this stage.")


class Conflict(DomainError):
    status_code = 409
    default_message = lazy_gettext("That conflicts with a change someone else made.")


class RateLimited(DomainError):
    status_code = 429
    default_message = lazy_gettext("Too many attempts. Please wait a moment and try again.")

    def __init__(self, retry_after: int, message: str | LazyString | None = None) -> None:
        self.retry_after = retry_after
        super().__init__(message)


class Invalid(DomainError):
    """Input that breaks a rule, field by field (HTTP 422). Views re-render the form with the
    person's input kept and each problem next to its field."""

    status_code = 422
    default_message = lazy_gettext("Please correct the problems below.")

    def __init__(
        self,
        errors: Mapping[str, str | LazyString],
        message: str | LazyString | None = None,
    ) -> None:
        self.errors = dict(errors)
        super().__init__(message)
