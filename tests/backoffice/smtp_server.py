"""A real SMTP server in the test process (aiosmtpd), collecting what it receives."""

from __future__ import annotations

import email
import email.policy
from collections.abc import Iterator
from contextlib import contextmanager
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Collector:
    def __init__(self, user: str | None = None, password: str | None = None) -> None:
        self.messages: list[EmailMessage] = []
        self.envelopes: list[tuple[str, list[str]]] = []
        self.refuse: set[str] = set()
        self.logins: list[str] = []
        self._user, self._password = user, password

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str,
                          rcpt_options: list[str]) -> str:
        if address.lower() in self.refuse:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=email.policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"

    def authenticate(self, server: Any, session: Any, envelope: Any, mechanism: str,
                     auth_data: Any) -> AuthResult:
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self._user
              and auth_data.password.decode() == self._password)
        if ok:
            self.logins.append(self._user or "")
        return AuthResult(success=ok)


@contextmanager
def smtp_server(port: int, collector: Collector | None = None,
                with_auth: bool = False) -> Iterator[Collector]:
    handler = collector or Collector()
    options: dict[str, Any] = {}
    if with_auth:
        options = {"authenticator": handler.authenticate, "auth_require_tls": False,
                   "auth_required": True}
    controller = Controller(handler, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield handler
    finally:
        controller.stop()
