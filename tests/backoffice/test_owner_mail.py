"""The owner's e-mails: queued with the dossier event, sent through a real SMTP server
(aiosmtpd in this process), retried while the server is down, .eml files without SMTP_HOST."""

from __future__ import annotations

import asyncio
import email
import email.policy
from datetime import datetime, timedelta, timezone

import pytest
from aiohttp.test_utils import TestClient, TestServer

from bot.dossiers.service.app import create_dossier_app
from bot.dossiers.service.mail_outbox import MailWorker, retry_delay
from bot.dossiers.service.mail_texts import fill, load_mail_texts
from bot.dossiers.service.mailer import (
    FileMailer,
    MailConfigError,
    SmtpMailer,
    mail_settings_from_env,
)
from tests.backoffice.smtp_server import Collector, smtp_server
from tests.bot.dossier_fixtures import (
    BACKENDS,
    OFFICERS,
    SERVICE_TOKEN,
    free_port,
    open_storage,
    submission,
)

NOW = datetime(2026, 11, 23, 10, 30, tzinfo=timezone.utc)
SENDER = "Ondernemersloket Gent <loket@gent.example.be>"
ADMIN = "mail-admin-token-" + "m" * 24
OFFICERS_ALL = {**OFFICERS, ADMIN: ["*"]}


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(params=BACKENDS)
async def storage(request, tmp_path):
    async with open_storage(request.param, tmp_path) as opened:
        yield opened


async def service(storage, clock) -> TestClient:
    """The service without its own worker: the test runs the worker's passes itself."""
    app = create_dossier_app(storage, OFFICERS_ALL, service_token=SERVICE_TOKEN, clock=clock,
                             mail_texts=load_mail_texts(sender_domain="gent.example.be"))
    client = TestClient(TestServer(app))
    await client.start_server()
    return client


async def submit(api: TestClient, key: str = "mail-key-000001", **overrides) -> str:
    response = await api.post("/api/dossiers", json=submission(**overrides), headers={
        "Authorization": f"Bearer {SERVICE_TOKEN}", "Idempotency-Key": key})
    assert response.status in (200, 201), await response.text()
    return str((await response.json())["reference"])


async def change(api: TestClient, reference: str, status: str, note: str | None = None) -> None:
    response = await api.patch(f"/api/dossiers/{reference}", json={"status": status, "note": note},
                               headers={"Authorization": f"Bearer {ADMIN}"})
    assert response.status == 200, await response.text()


def smtp(port: int, **extra: str):
    env = {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_STARTTLS": "false",
           "MAIL_FROM": SENDER, **extra}
    return SmtpMailer(mail_settings_from_env(env))


async def outbox_rows(storage) -> list[dict]:
    async with storage.transaction() as tx:
        return [dict(r) for r in await tx.fetchall(
            "SELECT mail_key, attempts, sent_at, failed_at, last_error FROM mail_outbox "
            "ORDER BY created_at, mail_key")]


async def test_confirmation_and_status_mails_reach_a_real_smtp_server(storage):
    clock, port = Clock(), free_port()
    api = await service(storage, clock)
    try:
        reference = await submit(api, counter="gent")
        clock.now += timedelta(minutes=1)
        await change(api, reference, "in_behandeling")
        clock.now += timedelta(minutes=1)
        await change(api, reference, "aanvullende_info_nodig",
                     "Stuur ons een plan van het terras met de afmetingen {in meter}.")
        with smtp_server(port) as server:
            worker = MailWorker(storage, smtp(port), clock)
            assert await worker.deliver_due() == 3
            assert await worker.deliver_due() == 0
    finally:
        await api.close()
    confirmation, taken, question = server.messages
    assert server.envelopes[0] == ("loket@gent.example.be", ["Lotte.Verbeke@example.be"])
    assert confirmation["Subject"] == f"Je aanvraag {reference} is goed ontvangen"
    assert confirmation["From"] == SENDER and confirmation["To"] == "Lotte.Verbeke@example.be"
    assert confirmation["Message-ID"].endswith("@gent.example.be>")
    assert confirmation["X-Dossier-Reference"] == reference
    body = confirmation.get_content()
    assert "Beste Lotte Verbeke" in body and "een terrasvergunning" in body
    for line in ("- Naam van de zaak: Café De Hoek", "- Oppervlakte: 18,5 m²",
                 "- Periode: van 1 april 2027 tot en met 30 september 2027",
                 "- Telefoon: 0470 12 34 56", "- Gemeente: Gent"):
        assert line in body, line
    assert "Ondernemersloket Gent" in body
    assert "ondernemen@gent.example.be" in body  # the counter's address from the tenant file
    assert taken["Subject"] == f"Je aanvraag {reference}: in behandeling"
    assert "Een medewerker bekijkt je aanvraag nu." in taken.get_content()
    text = question.get_content()
    assert question["Subject"] == f"Je aanvraag {reference}: aanvullende informatie nodig"
    assert "Nieuwe status: aanvullende informatie nodig." in text
    assert "Stuur ons een plan van het terras met de afmetingen {in meter}." in text
    assert "Vermeld daarbij altijd je referentie " + reference in text
    assert all(row["sent_at"] is not None and row["attempts"] == 1
               for row in await outbox_rows(storage))


async def test_a_mail_server_that_is_down_delays_the_mail_and_loses_nothing(storage):
    clock, port = Clock(), free_port()
    api = await service(storage, clock)
    try:
        await submit(api)
    finally:
        await api.close()
    worker = MailWorker(storage, smtp(port), clock, first_retry_seconds=30)
    assert await worker.deliver_due() == 0  # nothing listens on the port
    assert await worker.deliver_due() == 0  # not due again before the back-off
    [row] = await outbox_rows(storage)
    assert row["attempts"] == 1 and row["sent_at"] is None and row["last_error"]
    clock.now += timedelta(seconds=31)
    assert await worker.deliver_due() == 0  # still down: the next wait doubles
    assert (await outbox_rows(storage))[0]["attempts"] == 2
    clock.now += timedelta(seconds=61)
    with smtp_server(port) as server:
        assert await worker.deliver_due() == 1
        clock.now += timedelta(hours=2)
        assert await worker.deliver_due() == 0
    assert len(server.messages) == 1  # exactly once
    assert (await outbox_rows(storage))[0]["attempts"] == 3


async def test_a_recipient_refused_for_good_is_not_retried(storage):
    clock, port = Clock(), free_port()
    api = await service(storage, clock)
    try:
        await submit(api)
    finally:
        await api.close()
    collector = Collector()
    collector.refuse.add("lotte.verbeke@example.be")
    with smtp_server(port, collector):
        worker = MailWorker(storage, smtp(port), clock)
        assert await worker.deliver_due() == 0
        clock.now += timedelta(days=1)
        assert await worker.deliver_due() == 0
    [row] = await outbox_rows(storage)
    assert row["failed_at"] is not None and row["attempts"] == 1 and "550" in row["last_error"]
    [seen] = await storage.mails_for(row["mail_key"].split("/")[0])
    assert seen["failed_at"] and seen["sent_at"] is None and seen["kind"] == "submitted"


@pytest.mark.filterwarnings("ignore:Requiring AUTH while not requiring TLS")
async def test_smtp_log_in_with_user_and_password(tmp_path):
    clock, port = Clock(), free_port()
    async with open_storage("sqlite", tmp_path) as storage:
        api = await service(storage, clock)
        try:
            await submit(api)
        finally:
            await api.close()
        with smtp_server(port, Collector("loket", "geheim-wachtwoord"), with_auth=True) as server:
            worker = MailWorker(storage, smtp(port, SMTP_USER="loket",
                                              SMTP_PASSWORD="geheim-wachtwoord"), clock)
            assert await worker.deliver_due() == 1
    assert server.logins == ["loket"] and len(server.messages) == 1


async def test_a_retried_submission_queues_one_confirmation(storage):
    clock = Clock()
    api = await service(storage, clock)
    try:
        first = await submit(api, "same-key-0000001")
        again = await submit(api, "same-key-0000001")
    finally:
        await api.close()
    assert first == again
    assert [row["mail_key"] for row in await outbox_rows(storage)] == [f"{first}/submitted"]


async def test_the_running_service_sends_at_once(tmp_path):
    port = free_port()
    async with open_storage("sqlite", tmp_path) as storage:
        app = create_dossier_app(storage, OFFICERS_ALL, service_token=SERVICE_TOKEN,
                                 mailer=smtp(port), mail_interval_seconds=60)
        with smtp_server(port) as server:
            api = TestClient(TestServer(app))
            await api.start_server()
            try:
                reference = await submit(api)
                for _ in range(100):  # woken by the submission, not after the 60 s interval
                    if server.messages:
                        break
                    await asyncio.sleep(0.05)
            finally:
                await api.close()
    assert [m["X-Dossier-Reference"] for m in server.messages] == [reference]


async def test_without_smtp_host_mails_are_eml_files(storage, tmp_path):
    clock = Clock()
    settings = mail_settings_from_env({"MAIL_DIR": str(tmp_path / "mail")})
    assert settings.host is None
    api = await service(storage, clock)
    try:
        reference = await submit(api)
    finally:
        await api.close()
    assert await MailWorker(storage, FileMailer(settings), clock).deliver_due() == 1
    [path] = sorted((tmp_path / "mail").glob("*.eml"))
    assert reference in path.name
    message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert message["Subject"] == f"Je aanvraag {reference} is goed ontvangen"
    assert "Café De Hoek" in message.get_content()  # type: ignore[attr-defined]


def test_mail_settings_come_from_the_environment():
    settings = mail_settings_from_env({"SMTP_HOST": "smtp.example.be", "MAIL_FROM": SENDER,
                                       "SMTP_USER": "loket", "SMTP_PASSWORD": "x"})
    assert (settings.host, settings.port, settings.starttls) == ("smtp.example.be", 587, True)
    assert settings.sender_domain == "gent.example.be"
    assert mail_settings_from_env({"SMTP_HOST": "h", "MAIL_FROM": SENDER,
                                   "SMTP_STARTTLS": "false"}).port == 25
    for bad in ({"SMTP_HOST": "h"}, {"SMTP_HOST": "h", "MAIL_FROM": SENDER, "SMTP_PORT": "x"},
                {"SMTP_HOST": "h", "MAIL_FROM": "geen adres"},
                {"SMTP_HOST": "h", "MAIL_FROM": SENDER, "SMTP_STARTTLS": "misschien"}):
        with pytest.raises(MailConfigError):
            mail_settings_from_env(bad)


def test_eml_files_go_beside_a_sqlite_store():
    from pathlib import Path

    from bot.dossiers.service.mailer import DEFAULT_MAIL_DIR, default_mail_dir

    assert default_mail_dir("sqlite:///var/dossiers.sqlite3") == Path("var/mail")
    assert default_mail_dir("sqlite:////tmp/stack/dossiers.sqlite3") == Path("/tmp/stack/mail")
    assert default_mail_dir("postgresql://db/dossiers") == DEFAULT_MAIL_DIR


def test_retries_back_off_up_to_an_hour():
    assert [retry_delay(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert retry_delay(50) == 3600


def test_placeholders_are_filled_once():
    assert fill("Beste {name}, {reference}", name="{reference}", reference="OVL") == \
        "Beste {reference}, OVL"


def test_every_status_has_words_and_a_next_step():
    from bot.dossiers.models import STATUSES

    texts = load_mail_texts()
    for status in STATUSES:
        assert texts.mail["statuses"][status] and texts.mail["next_steps"][status]
