"""Real browser (Debian's chromium through Playwright) against the whole assistant with the
dossier service: the owner checks the status of their terrace application in the web chat and
adds the plan with its own file button (a renamed executable is refused in Dutch); the officer
logs in, opens the dossier, sees the plan as received and downloads it, asks for more
information; the owner
sees the question in the chat and answers; the officer sees the answer in the history, and the
owner got the e-mails (.eml files, the local profile without SMTP_HOST)."""

from __future__ import annotations

import json
import secrets
import subprocess
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from email import message_from_bytes, policy
from pathlib import Path

import pytest
import yaml
from playwright.sync_api import Browser, Page, expect, sync_playwright

from launcher import ROOT, plan_isolated
from launcher import Stack as LauncherStack
from tests.bot import document_files as files
from tests.bot.dossier_fixtures import submission
from tests.browser.conftest import CHROMIUM_ARGS
from tests.e2e.handoff_stack import ALWAYS_OPEN_COUNTER, MODEL, always_open_content, required

pytestmark = pytest.mark.browser
WAIT = 30_000  # ms; the first answers of a cold Rasa can take a while
EMAIL = "lotte.verbeke@example.be"
QUESTION = "Hoe breed wordt het terras, gemeten vanaf de gevel?"
ANSWER = "Het terras wordt 3 meter breed vanaf de gevel."
TEXTS = yaml.safe_load((ROOT / "content" / "dossier_documents.yml").read_text("utf-8"))


@dataclass(frozen=True)
class DossierStack:
    web_url: str
    state: Path
    reference: str
    officer: str
    password: str


def _submit(service_url: str, token: str) -> str:
    """The owner's terrace application, as the action server submits it (another
    conversation than the browser's: the chat proves ownership by the e-mail check)."""
    body = submission(counter=ALWAYS_OPEN_COUNTER, municipality={"nis": "41002",
                                                                "name": "Aalst"},
                      conversation_id="earlier-conversation")
    body["applicant"]["email"] = EMAIL
    request = urllib.request.Request(
        service_url + "/api/dossiers", data=json.dumps(body).encode(), method="POST",
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json",
                 "Idempotency-Key": "browser-test-" + secrets.token_hex(8)})
    with urllib.request.urlopen(request, timeout=10) as response:
        return str(json.loads(response.read())["reference"])


@pytest.fixture(scope="module")
def dossier_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DossierStack]:
    if not MODEL.exists():
        required("no trained model (run make train)")
    tmp = tmp_path_factory.mktemp("dossier_documents")
    password = "stack-test-" + secrets.token_urlsafe(12)
    plan = plan_isolated(tmp, model=MODEL, content_dir=always_open_content(tmp / "content"),
                         overrides={"ACTION_TIMEOUT_SECONDS": "6", "RATE_LIMITS": "off"})
    created = subprocess.run([str(plan.config.python), "-m", "bot.handoff", "create-officer",
                              "--name", "sofie", "--display-name", "Sofie",
                              "--counter", ALWAYS_OPEN_COUNTER, "--password-stdin"],
                             input=password.encode() + b"\n", cwd=ROOT, env=dict(plan.env),
                             check=False, capture_output=True)
    assert created.returncode == 0, created.stderr.decode(errors="replace")
    with LauncherStack(plan, only=("dossiers", "actions", "rasa", "web")) as running:
        reference = _submit(running.url("dossiers"), plan.env["DOSSIER_SERVICE_TOKEN"])
        yield DossierStack(running.url("web"), tmp, reference, "sofie", password)


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def owner_says(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.click("#form button[type=submit]")


def upload(page: Page, name: str, content: bytes, mime: str, requested: str = "") -> None:
    """With the file button of the requested document `requested`, else the generic one."""
    selector = f"[data-requested={requested}]" if requested else ":not([data-requested])"
    button = page.locator(f"#log button[data-upload=document]{selector}").last
    expect(button).to_be_visible(timeout=WAIT)
    with page.expect_file_chooser() as chooser:
        button.click()
    chooser.value.set_files(files=[{"name": name, "mimeType": mime, "buffer": content}])


def check_status(page: Page, reference: str) -> None:
    asked = page.locator("#log .msg--bot", has_text="met welk e-mailadres")
    before = asked.count()
    owner_says(page, f"wat is de status van mijn dossier {reference}?")
    expect(asked).to_have_count(before + 1, timeout=WAIT)
    owner_says(page, EMAIL)


def mails(state: Path) -> list[str]:
    found = []
    for path in sorted(state.rglob("*.eml")):
        message = message_from_bytes(path.read_bytes(), policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        found.append(f"{message['Subject']}\n{body.get_content() if body else ''}")
    return found


def test_the_officer_asks_for_more_and_the_owner_answers_in_the_chat(
        dossier_stack: DossierStack, browser: Browser) -> None:
    reference = dossier_stack.reference
    owner = browser.new_context().new_page()
    officer = browser.new_context(accept_downloads=True).new_page()
    errors: list[str] = []
    for page in (owner, officer):
        page.on("pageerror", lambda e: errors.append(str(e)))
    log = owner.locator("#log")

    # The owner checks the status (e-mail check) and adds the plan of the terrace.
    owner.goto(dossier_stack.web_url + "/")
    check_status(owner, reference)
    expect(log).to_contain_text(f"Je aanvraag {reference}", timeout=WAIT)
    owner_says(owner, "ik wil een document toevoegen")
    upload(owner, "Uitvoerbaar.pdf", files.renamed_exe(), "application/pdf", "terrace_plan")
    expect(log).to_contain_text(TEXTS["unsupported_type"], timeout=WAIT)
    upload(owner, "plan terras.pdf", files.pdf(), "application/pdf", "terrace_plan")
    expect(log).to_contain_text(f'Je document "plan terras.pdf" is toegevoegd aan je dossier '
                                f"{reference}", timeout=WAIT)

    # The officer logs in, opens the dossier, sees and downloads the plan (only that one).
    officer.goto(dossier_stack.web_url + "/officer/login")
    officer.fill("#name", dossier_stack.officer)
    officer.fill("#password", dossier_stack.password)
    officer.click("form.login__form button[type=submit]")
    officer.goto(dossier_stack.web_url + "/officer/dossiers")
    officer.click(f"a[href='/officer/dossiers/{reference}']")
    expect(officer.locator("h1")).to_have_text(f"Dossier {reference}", timeout=WAIT)
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

    # ... takes it in and asks for more information.
    status = officer.locator("p.hint strong").first
    officer.click("button[data-status=in_behandeling]")
    expect(status).to_have_text("In behandeling", timeout=WAIT)
    officer.fill("#note-aanvullende_info_nodig", QUESTION)
    officer.click("button[data-status=aanvullende_info_nodig]")
    expect(status).to_have_text("Aanvullende info nodig", timeout=WAIT)
    expect(officer.locator(".notice")).to_contain_text("De status is gewijzigd")

    # The owner asks the status again, reads the question and answers it in the chat.
    check_status(owner, reference)
    expect(log).to_contain_text(QUESTION, timeout=WAIT)
    answer_button = owner.locator("#log button.msg__button", has_text="Antwoord geven").last
    expect(answer_button).to_be_visible(timeout=WAIT)
    answer_button.click()
    expect(log).to_contain_text("Typ je antwoord voor het loket", timeout=WAIT)
    owner_says(owner, ANSWER)
    expect(log).to_contain_text(f"je antwoord is toegevoegd aan je dossier {reference}",
                                timeout=WAIT)

    # The officer sees the answer in the history; the dossier is back "in behandeling".
    officer.reload()
    history = officer.locator(".history")
    expect(history.first).to_contain_text(f"Antwoord van de ondernemer: {ANSWER}", timeout=WAIT)
    expect(status).to_have_text("In behandeling")

    # The owner got the e-mail with the question, and the usual one after answering.
    def owner_mails() -> list[str]:
        return [m for m in mails(dossier_stack.state) if reference in m]

    deadline = time.monotonic() + 40  # the mail worker sends from its outbox
    texts = owner_mails()
    while len(texts) < 4 and time.monotonic() < deadline:
        time.sleep(0.5)
        texts = owner_mails()
    assert any(QUESTION in m and "aanvullende informatie nodig" in m for m in texts), texts
    assert sum("Nieuwe status: in behandeling" in m for m in texts) == 2, texts
    assert errors == []
