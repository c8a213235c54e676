"""Sending the owner's e-mails: over SMTP (aiosmtplib) when SMTP_HOST is set, otherwise as
`.eml` files in a folder (var/mail/ by default), so a local run shows what would be sent.

`MailError.permanent` tells the outbox to stop retrying (the server refused this mail for good,
e.g. an unknown recipient); every other failure is retried."""

from __future__ import annotations

import asyncio
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, parseaddr
from pathlib import Path
from typing import Protocol

import aiosmtplib

from bot.dossiers.service.mail_model import OutgoingMail
from bot.paths import PROJECT_ROOT

DEFAULT_MAIL_DIR = PROJECT_ROOT / "var" / "mail"
DEFAULT_SENDER = "Ondernemersloket <no-reply@ondernemersloket.example.be>"
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


class MailError(Exception):
    def __init__(self, message: str, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class MailConfigError(ValueError):
    pass


class Mailer(Protocol):
    async def send(self, mail: OutgoingMail) -> None: ...


@dataclass(frozen=True)
class MailSettings:
    sender: str = DEFAULT_SENDER
    host: str | None = None  # None: write .eml files to `directory`
    port: int = 587
    user: str | None = None
    password: str | None = None
    starttls: bool = True
    timeout_seconds: float = 30.0
    directory: Path = DEFAULT_MAIL_DIR

    @property
    def sender_domain(self) -> str:
        address = parseaddr(self.sender)[1]
        return address.rpartition("@")[2] or "localhost"


def _flag(value: str, name: str) -> bool:
    lowered = value.strip().lower()
    if lowered in ("1", "true", "yes", "on"):
        return True
    if lowered in ("0", "false", "no", "off"):
        return False
    raise MailConfigError(f"{name} must be true or false")


def default_mail_dir(db_url: str) -> Path:
    """`mail/` beside a SQLite dossier store (var/mail/ by default, or the state directory of
    a test stack); var/mail/ for PostgreSQL."""
    if db_url.startswith("sqlite:///"):
        return Path(db_url.removeprefix("sqlite:///")).parent / "mail"
    return DEFAULT_MAIL_DIR


def mail_settings_from_env(env: Mapping[str, str],
                           default_dir: Path = DEFAULT_MAIL_DIR) -> MailSettings:
    """SMTP_HOST, SMTP_PORT, SMTP_USER, SMTP_PASSWORD, SMTP_STARTTLS, MAIL_FROM, MAIL_DIR."""
    host = env.get("SMTP_HOST", "").strip() or None
    sender = env.get("MAIL_FROM", "").strip()
    if host and not sender:
        raise MailConfigError("MAIL_FROM is required when SMTP_HOST is set")
    if sender and "@" not in parseaddr(sender)[1]:
        raise MailConfigError("MAIL_FROM must be an e-mail address, e.g. Loket <loket@gemeente.be>")
    starttls = _flag(env.get("SMTP_STARTTLS", "true") or "true", "SMTP_STARTTLS")
    raw_port = env.get("SMTP_PORT", "").strip()
    try:
        port = int(raw_port) if raw_port else (587 if starttls else 25)
    except ValueError:
        raise MailConfigError("SMTP_PORT must be a number") from None
    directory = env.get("MAIL_DIR", "").strip()
    return MailSettings(sender=sender or DEFAULT_SENDER, host=host, port=port,
                        user=env.get("SMTP_USER", "").strip() or None,
                        password=env.get("SMTP_PASSWORD") or None, starttls=starttls,
                        directory=Path(directory) if directory else default_dir)


def build_message(mail: OutgoingMail, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = mail.recipient
    message["Subject"] = mail.subject
    message["Date"] = format_datetime(mail.created_at)
    message["Message-ID"] = mail.message_id
    message["Auto-Submitted"] = "auto-generated"
    message["X-Dossier-Reference"] = mail.reference
    message.set_content(mail.body)
    return message


class SmtpMailer:
    def __init__(self, settings: MailSettings) -> None:
        assert settings.host, "SmtpMailer needs SMTP_HOST"
        self.settings = settings

    async def send(self, mail: OutgoingMail) -> None:
        s = self.settings
        implicit_tls = s.port == 465
        try:
            await aiosmtplib.send(
                build_message(mail, s.sender), hostname=s.host, port=s.port, username=s.user,
                password=s.password, use_tls=implicit_tls,
                start_tls=False if implicit_tls else s.starttls, timeout=s.timeout_seconds)
        except aiosmtplib.SMTPRecipientsRefused as error:
            codes = [r.code for r in error.recipients]
            raise MailError(f"recipient refused ({codes})",
                            permanent=all(code >= 500 for code in codes)) from error
        except aiosmtplib.SMTPDataError as error:
            raise MailError(f"message refused ({error.code})",
                            permanent=error.code >= 500) from error
        except (aiosmtplib.SMTPException, OSError, TimeoutError) as error:
            raise MailError(type(error).__name__) from error


class FileMailer:
    """Writes each mail as `<directory>/<time>-<key>.eml` (written whole, then renamed)."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings

    async def send(self, mail: OutgoingMail) -> None:
        await asyncio.to_thread(self._write, mail)

    def _write(self, mail: OutgoingMail) -> None:
        directory = self.settings.directory
        name = f"{mail.created_at:%Y%m%dT%H%M%S}-{_UNSAFE_NAME.sub('_', mail.key)}.eml"
        try:
            directory.mkdir(parents=True, exist_ok=True)
            partial = directory / (name + ".part")
            partial.write_bytes(build_message(mail, self.settings.sender).as_bytes(policy=SMTP))
            os.replace(partial, directory / name)
        except OSError as error:
            raise MailError(type(error).__name__) from error


def make_mailer(settings: MailSettings) -> Mailer:
    return SmtpMailer(settings) if settings.host else FileMailer(settings)
