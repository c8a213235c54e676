"""Real browser (Debian's chromium through Playwright) against the whole assistant with the
dossier service and a real SMTP server in this process (aiosmtpd), the whole journey of a
dossier: the owner applies for a terrace permit in the web chat by typing, gets the
confirmation e-mail and adds the plan with the file button the chat offers (a renamed
executable is refused in Dutch); the officer logs in, finds and opens the dossier, sees the
labelled fields and the plan, downloads it, asks for more information; the owner gets that
e-mail, checks the status in the chat, reads the question, answers it and adds a photo; the
officer sees the answer in the history and approves; the owner gets the approval e-mail and
reads the new status and the officer's message in the chat."""

from __future__ import annotations

import re
import secrets
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from email.message import EmailMessage
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, FilePayload, Locator, Page, expect, sync_playwright

from launcher import ROOT, plan_isolated
from launcher import Stack as LauncherStack
from tests.backoffice.smtp_server import Collector, smtp_server
from tests.bot import document_files as files
from tests.bot.dossier_fixtures import free_port
from tests.browser.conftest import CHROMIUM_ARGS
from tests.e2e.handoff_stack import ALWAYS_OPEN_COUNTER, MODEL, always_open_content, required

pytestmark = pytest.mark.browser
WAIT = 30_000  # ms; the first answers of a cold Rasa can take a while
MAIL_WAIT = 40.0  # s; the dossier service's mail worker sends from its outbox
EMAIL = "lotte.verbeke@example.be"
MAIL_FROM = "Ondernemersloket Aalst <loket@aalst.example.be>"
# Aalst (NIS 41002) is served by ALWAYS_OPEN_COUNTER, the counter of the test's officer.
MUNICIPALITY, COUNTER_NAME = "Aalst", "Ondernemersloket Aalst"
BUSINESS, SURFACE = "Café De Hoek", "20 m2"
# (the form's slot, what the owner types): the terrace form as in
# tests/e2e/test_dossier_journey.py, for an address in Aalst
APPLICATION = [
    ("business_name", BUSINESS), ("address", "Grote Markt 3, 9300 Aalst"),
    ("period", "van 1 mei tot 30 september 2027"), ("surface", SURFACE),
    ("description", "liever niet"), ("applicant_name", "Lotte Verbeke"),
    ("enterprise_number", "0202.239.951"), ("email", EMAIL), ("phone", "0470 12 34 56"),
]
QUESTION = "Hoe breed wordt het terras, gemeten vanaf de gevel?"
ANSWER = "Het terras wordt 3 meter breed vanaf de gevel."
APPROVAL = "Het terras mag er staan van 1 mei tot 30 september 2027, met 1,5 meter vrije doorgang."
TEXTS = yaml.safe_load((ROOT / "content" / "dossier_documents.yml").read_text("utf-8"))
RESPONSES = yaml.safe_load((ROOT / "domain" / "dossiers.yml").read_text("utf-8"))["responses"]
STATUS_WORDS = yaml.safe_load((ROOT / "content" / "mail.yml").read_text("utf-8"))["statuses"]
REFERENCE = re.compile(r"Je referentie is ([A-Z]+-\d{4}-[A-Z0-9]+)")


@dataclass(frozen=True)
class DossierStack:
    web_url: str
    inbox: Collector
    officer: str
    password: str


@pytest.fixture(scope="module")
def dossier_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DossierStack]:
    if not MODEL.exists():
        required("no trained model (run make train)")
    tmp = tmp_path_factory.mktemp("dossier_documents")
    password = "stack-test-" + secrets.token_urlsafe(12)
    smtp_port = free_port()
    plan = plan_isolated(tmp, model=MODEL, content_dir=always_open_content(tmp / "content"),
                         overrides={"ACTION_TIMEOUT_SECONDS": "6", "RATE_LIMITS": "off",
                                    "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(smtp_port),
                                    "SMTP_STARTTLS": "false", "MAIL_FROM": MAIL_FROM})
    created = subprocess.run([str(plan.config.python), "-m", "bot.handoff", "create-officer",
                              "--name", "sofie", "--display-name", "Sofie",
                              "--counter", ALWAYS_OPEN_COUNTER, "--password-stdin"],
                             input=password.encode() + b"\n", cwd=ROOT, env=dict(plan.env),
                             check=False, capture_output=True)
    assert created.returncode == 0, created.stderr.decode(errors="replace")
    with smtp_server(smtp_port) as inbox, \
            LauncherStack(plan, only=("dossiers", "actions", "rasa", "web")) as running:
        yield DossierStack(running.url("web"), inbox, "sofie", password)
        assert not list(tmp.rglob("*.eml")), "mails went to files instead of the SMTP server"


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def owner_says(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.click("#form button[type=submit]")


def last_bot_message(page: Page) -> Locator:
    return page.locator("#log .msg--bot").last


def click_offered(page: Page, title: str) -> None:
    button = page.locator("#log button.msg__button", has_text=title).last
    expect(button).to_be_visible(timeout=WAIT)
    button.click()


def upload(page: Page, name: str, content: bytes, mime: str, requested: str = "") -> None:
    """With the file button of the requested document `requested`, else the generic one."""
    selector = f"[data-requested={requested}]" if requested else ":not([data-requested])"
    button = page.locator(f"#log button[data-upload=document]{selector}").last
    expect(button).to_be_visible(timeout=WAIT)
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(files=[FilePayload(name=name, mimeType=mime, buffer=content)])


def check_status(page: Page, reference: str) -> None:
    asked = page.locator("#log .msg--bot", has_text="met welk e-mailadres")
    before = asked.count()
    owner_says(page, f"wat is de status van mijn dossier {reference}?")
    expect(asked).to_have_count(before + 1, timeout=WAIT)
    owner_says(page, EMAIL)


def apply_in_the_chat(page: Page) -> str:
    """The owner applies for a terrace permit by typing; returns the reference the chat gave."""
    owner_says(page, f"kan ik een terrasvergunning aanvragen in {MUNICIPALITY}")
    click_offered(page, "Aanvraag starten")
    for slot, answer in APPLICATION:
        expect(last_bot_message(page)).to_contain_text(asked(slot), timeout=WAIT)
        owner_says(page, answer)
    summary = last_bot_message(page)
    expect(summary).to_contain_text("Klopt alles?", timeout=WAIT)
    expect(summary).to_contain_text(f"Ze gaat naar {COUNTER_NAME}")
    expect(summary).to_contain_text(f"Naam van de zaak: {BUSINESS}")
    click_offered(page, "Ja, indienen")
    submitted = page.locator("#log .msg--bot", has_text="Je referentie is")
    expect(submitted).to_have_count(1, timeout=WAIT)
    expect(submitted).to_contain_text(f"is ingediend bij {COUNTER_NAME}")
    found = REFERENCE.search(submitted.inner_text())
    assert found, submitted.inner_text()
    return found.group(1)


def field(page: Page, label: str) -> Locator:
    """The value next to a label in the officer's list of what the owner submitted."""
    term = page.locator(".details dt").filter(has_text=re.compile(f"^{re.escape(label)}$"))
    return term.locator("xpath=following-sibling::dd[1]")


def text_of(message: EmailMessage) -> str:
    body = message.get_body(preferencelist=("plain",))
    return f"{message['Subject']}\n{body.get_content() if body else ''}"


def owner_mails(inbox: Collector, reference: str) -> list[EmailMessage]:
    return [m for m in list(inbox.messages) if m["X-Dossier-Reference"] == reference]


def wait_for_mail(inbox: Collector, reference: str, subject: str, *words: str,
                  count: int = 1) -> EmailMessage:
    """The `count`-th mail about `reference` whose subject ends with `subject` and whose text
    has `words`, once the SMTP server received it (and no more such mails than `count`)."""
    deadline = time.monotonic() + MAIL_WAIT
    while True:
        found = [m for m in owner_mails(inbox, reference) if str(m["Subject"]).endswith(subject)
                 and all(word in text_of(m) for word in words)]
        if len(found) >= count or time.monotonic() > deadline:
            break
        time.sleep(0.25)
    assert len(found) == count, [text_of(m) for m in owner_mails(inbox, reference)]
    message = found[-1]
    assert message["To"] == EMAIL and message["From"] == MAIL_FROM, message
    return message


def status_mail(inbox: Collector, reference: str, status: str, *words: str,
                count: int = 1) -> EmailMessage:
    return wait_for_mail(inbox, reference, f"{reference}: {STATUS_WORDS[status]}",
                         f"Nieuwe status: {STATUS_WORDS[status]}.", *words, count=count)


def response(name: str, **values: str) -> str:
    return str(RESPONSES[name][0]["text"]).format(**values)


def asked(slot: str) -> str:
    """The question of the terrace form for `slot` (its own wording, else the common one), up
    to its question mark."""
    own = f"utter_ask_terrasvergunning_form_dossier_{slot}"
    text = response(own if own in RESPONSES else f"utter_ask_dossier_{slot}")
    return text[:text.index("?") + 1]


def test_an_owner_applies_in_the_chat_and_the_officer_asks_more_then_approves(
        dossier_stack: DossierStack, browser: Browser) -> None:
    inbox = dossier_stack.inbox
    owner = browser.new_context().new_page()
    officer = browser.new_context(accept_downloads=True).new_page()
    errors: list[str] = []
    for page in (owner, officer):
        page.on("pageerror", lambda e: errors.append(str(e)))
    log = owner.locator("#log")

    # The owner applies in the web chat; the confirmation e-mail arrives over SMTP.
    owner.goto(dossier_stack.web_url + "/")
    reference = apply_in_the_chat(owner)
    confirmation = wait_for_mail(inbox, reference, f"Je aanvraag {reference} is goed ontvangen",
                                 f"Je referentie is {reference}",
                                 f"Naam van de zaak: {BUSINESS}")
    assert inbox.envelopes[inbox.messages.index(confirmation)][1] == [EMAIL]

    # Right there the chat offers the requested plan with its own file button: a renamed
    # executable is refused, the real plan is added.
    upload(owner, "Uitvoerbaar.pdf", files.renamed_exe(), "application/pdf", "terrace_plan")
    expect(log).to_contain_text(TEXTS["unsupported_type"], timeout=WAIT)
    upload(owner, "plan terras.pdf", files.pdf(), "application/pdf", "terrace_plan")
    expect(log).to_contain_text(f'Je document "plan terras.pdf" is toegevoegd aan je dossier '
                                f"{reference}", timeout=WAIT)

    # The officer logs in, finds the dossier in the list and opens it: the fields the owner
    # typed, labelled, and the plan (only that one), which downloads as it was sent.
    officer.goto(dossier_stack.web_url + "/officer/login")
    officer.fill("#name", dossier_stack.officer)
    officer.fill("#password", dossier_stack.password)
    officer.click("form.login__form button[type=submit]")
    officer.goto(dossier_stack.web_url + "/officer/dossiers")
    row = officer.locator(f"tr[data-reference='{reference}']")
    expect(row).to_contain_text("Lotte Verbeke", timeout=WAIT)
    row.locator(f"a[href='/officer/dossiers/{reference}']").click()
    expect(officer.locator("h1")).to_have_text(f"Dossier {reference}", timeout=WAIT)
    expect(field(officer, "Gemeente")).to_have_text(MUNICIPALITY)
    expect(field(officer, "Naam van de zaak")).to_have_text(BUSINESS)
    expect(field(officer, "Oppervlakte")).to_have_text("20 m²")
    expect(field(officer, "Aanvrager")).to_have_text("Lotte Verbeke")
    expect(field(officer, "E-mail")).to_have_text(EMAIL)
    documents = officer.locator(".documents a")
    expect(documents).to_have_count(1)
    expect(documents).to_have_text("plan terras.pdf")
    requested = officer.locator(".requested-documents")
    expect(requested).to_contain_text("ontvangen: plan terras.pdf")
    expect(requested).not_to_contain_text("ontbreekt nog")
    with officer.expect_download() as download:
        documents.click()
    assert download.value.suggested_filename == "plan terras.pdf"
    assert Path(download.value.path()).read_bytes() == files.pdf()

    # ... takes it in and asks for more information; the owner gets both e-mails.
    status = officer.locator("p.hint strong").first
    officer.click("button[data-status=in_behandeling]")
    expect(status).to_have_text("In behandeling", timeout=WAIT)
    officer.fill("#note-aanvullende_info_nodig", QUESTION)
    officer.click("button[data-status=aanvullende_info_nodig]")
    expect(status).to_have_text("Aanvullende info nodig", timeout=WAIT)
    expect(officer.locator(".notice")).to_contain_text("De status is gewijzigd")
    status_mail(inbox, reference, "in_behandeling")
    status_mail(inbox, reference, "aanvullende_info_nodig", QUESTION)

    # The owner asks the status in the chat, reads the question, answers it and adds a photo.
    check_status(owner, reference)
    expect(log).to_contain_text(QUESTION, timeout=WAIT)
    click_offered(owner, "Antwoord geven")
    expect(log).to_contain_text("Typ je antwoord voor het loket", timeout=WAIT)
    owner_says(owner, ANSWER)
    expect(log).to_contain_text(f"je antwoord is toegevoegd aan je dossier {reference}",
                                timeout=WAIT)
    owner_says(owner, "ik wil een document toevoegen")
    upload(owner, "foto gevel.png", files.png(), "image/png", "location_photo")
    expect(log).to_contain_text(f'Je document "foto gevel.png" is toegevoegd aan je dossier '
                                f"{reference}", timeout=WAIT)

    # The officer sees the answer in the history and the photo; the dossier is back
    # "in behandeling" (the owner gets that e-mail again), and the officer approves it.
    officer.reload()
    history = officer.locator(".history")
    expect(history.first).to_contain_text(f"Antwoord van de ondernemer: {ANSWER}", timeout=WAIT)
    expect(status).to_have_text("In behandeling")
    expect(documents).to_have_count(2)
    expect(requested).to_contain_text("ontvangen: foto gevel.png")
    status_mail(inbox, reference, "in_behandeling", count=2)
    officer.fill("#note-goedgekeurd", APPROVAL)
    officer.click("button[data-status=goedgekeurd]")
    expect(status).to_have_text("Goedgekeurd", timeout=WAIT)
    expect(officer.locator(".notice")).to_contain_text("De status is gewijzigd")
    expect(officer.locator(".transitions button[data-status=goedgekeurd]")).to_have_count(0)

    # The owner gets the approval e-mail with the officer's message ...
    status_mail(inbox, reference, "goedgekeurd", APPROVAL)
    mailed = owner_mails(inbox, reference)
    assert len(mailed) == 5, [text_of(m) for m in mailed]  # each e-mail once, none else

    # ... and, asking the status in the chat again, reads that it is approved, with the
    # message; nothing is left to answer.
    answer_offers = owner.locator("#log button.msg__button", has_text="Antwoord geven")
    offers_before = answer_offers.count()
    check_status(owner, reference)
    approved = response("utter_dossier_status_goedgekeurd", reference=reference,
                        type_title="een terrasvergunning", counter_name=COUNTER_NAME)
    expect(log).to_contain_text(approved, timeout=WAIT)
    expect(log).to_contain_text(
        response("utter_dossier_status_officer_note", officer_note=APPROVAL), timeout=WAIT)
    expect(answer_offers).to_have_count(offers_before)
    assert errors == []
