"""Outgoing e-mail: real SMTP when SMTP_HOST is set, else a `.eml` file in the data folder's `mail/`
and a log line, so a developer can follow sign-up links without a mail server."""

from __future__ import annotations

import asyncio
import smtplib
import time
from email.message import EmailMessage
from email.utils import make_msgid

from deliberate.logging import get_logger
from deliberate.settings import Settings

log = get_logger("deliberate.mail")


def build_message(settings: Settings, to: str, subject: str, body: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = settings.mail_from
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="deliberate.local")
    message.set_content(body)
    return message


def _send_smtp(settings: Settings, message: EmailMessage) -> None:
    assert settings.smtp_host
    with smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=10) as smtp:
        if settings.smtp_starttls:
            smtp.starttls()
        if settings.smtp_user and settings.smtp_password:
            smtp.login(settings.smtp_user, str(settings.smtp_password))
        smtp.send_message(message)


def _write_file(settings: Settings, message: EmailMessage) -> str:
    settings.mail_dir.mkdir(parents=True, exist_ok=True)
    path = settings.mail_dir / f"{time.time_ns()}.eml"
    path.write_bytes(bytes(message))
    return str(path)


async def send_mail(settings: Settings, to: str, subject: str, body: str) -> None:
    message = build_message(settings, to, subject, body)
    if settings.smtp_host:
        await asyncio.to_thread(_send_smtp, settings, message)
        log.info("mail_sent", subject=subject, via="smtp")
    else:
        path = await asyncio.to_thread(_write_file, settings, message)
        if settings.production:
            log.warning("mail_written_not_sent", subject=subject, path=path)
        else:
            # The body holds a single-use link: logged outside production only, where following
            # it from the console is the point.
            log.info("mail_written", subject=subject, path=path, body=body)


async def send_translated(
    settings: Settings, to: str, language: str, subject: str, body: str, **variables: object
) -> None:
    """Send a message written in the recipient's language, whoever caused it."""
    from deliberate import i18n

    token = i18n.locale_var.set(language if language in i18n.LOCALES else i18n.DEFAULT_LOCALE)
    try:
        subject_text = i18n.gettext(subject)
        body_text = i18n.gettext(body, **variables)
    finally:
        i18n.locale_var.reset(token)
    await send_mail(settings, to, subject_text, body_text)
