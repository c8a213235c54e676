"""The mail worker of the dossier service: sends what the outbox holds, retries with
back-off (30 s, 1 min, 2 min, … up to an hour between attempts) until the mail server takes
it, so a server that is down delays mails and loses none. A mail the server refuses for good
is marked failed and logged; it is never sent twice on purpose (one row per dossier event)."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from datetime import datetime, timedelta

from bot.dossiers.service.mailer import Mailer, MailError
from bot.dossiers.service.storage import DossierStorage

logger = logging.getLogger(__name__)


def retry_delay(attempts: int, first: float = 30.0, longest: float = 3600.0) -> float:
    """Seconds before the next attempt after `attempts` failed ones."""
    return float(min(longest, first * 2 ** max(0, attempts - 1)))


class MailWorker:
    def __init__(self, storage: DossierStorage, mailer: Mailer, clock: Callable[[], datetime],
                 *, interval_seconds: float = 10.0, lease_seconds: float = 300.0,
                 first_retry_seconds: float = 30.0, longest_retry_seconds: float = 3600.0,
                 batch: int = 20) -> None:
        self.storage = storage
        self.mailer = mailer
        self.clock = clock
        self.interval = interval_seconds
        self.lease = timedelta(seconds=lease_seconds)
        self.first_retry = first_retry_seconds
        self.longest_retry = longest_retry_seconds
        self.batch = batch
        self._wake = asyncio.Event()

    def wake(self) -> None:
        """A new mail was queued: send it now rather than at the next interval."""
        self._wake.set()

    async def deliver_due(self) -> int:
        """One pass over the due mails; returns how many were sent."""
        sent = 0
        now = self.clock()
        for mail in await self.storage.due_mails(now, self.batch):
            if not await self.storage.claim_mail(mail.key, now, now + self.lease):
                continue  # another worker took it
            attempts = mail.attempts + 1
            try:
                await self.mailer.send(mail)
            except MailError as error:
                if error.permanent:
                    logger.error("mail %s refused for good: %s", mail.key, error)
                    await self.storage.mail_failed(mail.key, self.clock(), str(error))
                    continue
                delay = retry_delay(attempts, self.first_retry, self.longest_retry)
                logger.warning("mail %s not sent (attempt %d, %s); next try in %.0f s",
                               mail.key, attempts, error, delay)
                await self.storage.mail_retry(mail.key, self.clock() + timedelta(seconds=delay),
                                              str(error))
                continue
            await self.storage.mail_sent(mail.key, self.clock())
            logger.info("mail %s sent", mail.key)
            sent += 1
        return sent

    async def run(self) -> None:
        while True:
            self._wake.clear()  # before the pass: a mail queued during it wakes the next one
            try:
                await self.deliver_due()
            except Exception:  # a database hiccup must not stop the worker
                logger.exception("mail outbox pass failed")
            with contextlib.suppress(asyncio.TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
