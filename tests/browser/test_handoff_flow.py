"""Real browser (Debian's chromium through Playwright): an owner asks for a person in the chat,
an officer takes the conversation in the console, they chat, and the bot takes over again."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS
from tests.e2e.handoff_stack import Stack

pytestmark = pytest.mark.browser
WAIT = 30_000  # ms; the first answers of a cold Rasa can take a while


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


def owner_says(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.click("#form button[type=submit]")


def test_owner_talks_to_an_officer_and_the_bot_takes_over_again(stack: Stack,
                                                                 browser: Browser) -> None:
    officer = browser.new_context().new_page()
    owner = browser.new_context().new_page()
    errors: list[str] = []
    for page in (officer, owner):
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))

    # The officer logs in first, so someone of the Aalst counter is available.
    officer.goto(stack.web_url + "/officer/login")
    officer.fill("#name", stack.officer)
    officer.fill("#password", stack.password)
    officer.click("form.login__form button[type=submit]")
    expect(officer.locator("h1")).to_have_text("Wachtrij van je loketten")

    # The owner asks for a person and joins the queue; the bot says so.
    owner.goto(stack.web_url + "/")
    owner_says(owner, "mag ik iemand van het loket aan de lijn?")
    log = owner.locator("#log")
    expect(log).to_contain_text("In welke gemeente", timeout=WAIT)
    owner_says(owner, "Aalst")
    expect(log).to_contain_text("plaats 1 in de wachtrij", timeout=WAIT)

    # The request appears in the officer's queue without a reload (server-sent events).
    take = officer.locator("#queue tr.row--queued button[data-action=take]")
    expect(take).to_have_count(1, timeout=WAIT)
    expect(officer.locator("#queue")).to_contain_text("Aalst")
    owner_says(owner, "Mijn terras wordt 4 meter breed, kan dat?")
    take.click()
    transcript = officer.locator("#transcript")
    expect(transcript).to_contain_text("4 meter breed", timeout=WAIT)
    expect(log).to_contain_text("Sofie van het ondernemersloket is er nu bij", timeout=WAIT)

    # While the officer has the conversation the bot stays silent; the officer's reply
    # reaches the owner in the same chat.
    bubbles_before = log.locator(".msg--bot").count()
    owner_says(owner, "Hallo?")
    expect(transcript).to_contain_text("Hallo?", timeout=WAIT)
    assert log.locator(".msg--bot").count() == bubbles_before
    officer.fill("#reply", "Dag! Voor 4 meter kijk ik even na wat kan.")
    officer.click("#reply-form button[type=submit]")
    reply = log.locator(".msg--officer")
    expect(reply).to_contain_text("Voor 4 meter kijk ik even na wat kan.", timeout=WAIT)
    expect(reply).to_contain_text("Sofie, medewerker van het loket")

    # The officer hands back; the owner is told, and the bot answers again.
    officer.click("button[data-action=handback]")
    expect(officer.locator(".notice")).to_contain_text("terug bij de assistent", timeout=WAIT)
    expect(log).to_contain_text("weer aan mij, de digitale assistent", timeout=WAIT)
    owner_says(owner, "Wat kan je allemaal?")
    expect(log.locator(".msg--bot").last).to_contain_text("Hiermee kan ik je helpen",
                                                          timeout=WAIT)
    assert not [e for e in errors if "Content Security Policy" in e], errors
