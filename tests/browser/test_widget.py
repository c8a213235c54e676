"""Real browser (Debian's chromium through Playwright) on the demo page of a municipality that
embeds the chat widget with one script tag, against the whole assistant (trained model, Rasa,
action server, web app; the `stack` fixture of tests/browser/conftest.py)."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Locator, Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS
from tests.e2e.handoff_stack import ROOT, Stack
from tests.e2e.test_handoff_channels import Console

pytestmark = pytest.mark.browser
WAIT = 30_000  # ms; the first answers of a cold Rasa can take a while
STORE_KEY = "olk-widget:v1:oost-vlaanderen"
TERRAS = "Heb ik een vergunning nodig om een terras voor mijn café te zetten?"


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture()
def problems() -> list[str]:
    return []


@pytest.fixture()
def page(browser: Browser, problems: list[str]) -> Iterator[Page]:
    context = browser.new_context()
    page = context.new_page()
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    yield page
    context.close()


def open_demo(page: Page, stack: Stack, municipality: str = "Aalst") -> None:
    page.goto(f"{stack.web_url}/demo?municipality={municipality}")
    expect(page.locator(".launcher")).to_be_visible(timeout=WAIT)


def ask(page: Page, text: str) -> None:
    page.locator("#olk-input").fill(text)
    page.keyboard.press("Enter")


def session_id(page: Page) -> str:
    return str(json.loads(page.evaluate(f"sessionStorage.getItem('{STORE_KEY}')"))["sessionId"])


def rasa_user_texts(stack: Stack, conversation: str) -> list[str]:
    url = f"{stack.rasa_url}/conversations/{conversation}/tracker?token={stack.rasa_token}"
    with urllib.request.urlopen(url, timeout=10) as response:
        events = json.loads(response.read())["events"]
    return [e.get("text") or "" for e in events if e["event"] == "user"]


def rgb(css: str) -> tuple[float, ...]:
    return tuple(float(x) for x in re.findall(r"[\d.]+", css)[:3])


def contrast(locator: Locator, background: Locator | None = None) -> float:
    def luminance(colour: tuple[float, ...]) -> float:
        parts = [c / 255 for c in colour]
        lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in parts]
        return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]

    fg = luminance(rgb(locator.evaluate("e => getComputedStyle(e).color")))
    bg = luminance(rgb((background or locator).evaluate(
        "e => getComputedStyle(e).backgroundColor")))
    return (max(fg, bg) + 0.05) / (min(fg, bg) + 0.05)


def test_owner_asks_on_a_municipal_page_clicks_gives_feedback_and_keeps_it_after_reload(
        stack: Stack, page: Page, problems: list[str]) -> None:
    open_demo(page, stack)
    # Keyboard only: Tab reaches the launcher, Enter opens the chat with focus in the input.
    page.keyboard.press("Tab")
    expect(page.locator(".launcher")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator("#olk-input")).to_be_focused()
    log = page.locator(".log")
    assert log.get_attribute("aria-live") == "polite"
    expect(log).to_contain_text("ondernemersloket van Aalst")  # greeting for this page
    expect(page.locator(".panel__privacy")).to_contain_text("We bewaren dit gesprek")

    # The page told the municipality: the answer routes to Aalst without asking for it.
    ask(page, TERRAS)
    expect(page.locator(".typing")).to_be_visible()
    answer = page.locator(".msg--bot[data-topic=terrasvergunning]").first
    expect(answer).to_contain_text("terrasvergunning", timeout=WAIT)
    expect(page.locator(".typing")).to_be_hidden(timeout=WAIT)
    source = answer.locator(".msg__source a").first
    expect(source).to_have_attribute("href", re.compile(r"^https://"))
    assert source.get_attribute("rel") == "noopener noreferrer"
    expect(log).to_contain_text("Ondernemersloket Aalst", timeout=WAIT)
    expect(log).not_to_contain_text("In welke gemeente")

    # Thumbs down on the answer: stored with topic, municipality and tenant.
    with page.expect_response("**/api/feedback") as voted:
        answer.locator(".msg__vote--down").click()
    assert voted.value.status == 200
    expect(answer.locator(".msg__feedback-note")).to_have_text("Bedankt voor je feedback!")
    expect(answer.locator(".msg__vote--down")).to_have_attribute("aria-pressed", "true")
    conversation = session_id(page)
    db = Path(os.environ.get("FEEDBACK_DB", str(ROOT / "var" / "feedback.sqlite3")))
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT vote, topic, municipality, tenant FROM feedback "
                                  "WHERE conversation_id = ?", (conversation,)).fetchall()
    assert rows == [("down", "terrasvergunning", "Aalst", "oost-vlaanderen")]

    # A button of the answer, reached and pressed with the keyboard only.
    choice = answer.locator(".msg__choice", has_text="openbaar domein")
    title = choice.inner_text()
    page.locator("#olk-input").focus()
    for _ in range(40):
        page.keyboard.press("Shift+Tab")
        if choice.evaluate("e => e.getRootNode().activeElement === e"):
            break
    expect(choice).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.locator(".msg--user").last).to_have_text(re.compile(re.escape(title)))
    expect(page.locator(".msg--bot[data-topic=inname_openbaar_domein]").first).to_be_visible(
        timeout=WAIT)
    expect(page.locator(".typing")).to_be_hidden(timeout=WAIT)
    bubbles = page.locator(".msg").count()

    # Reload: same conversation, same messages, panel still open; the bot knows the history.
    page.reload()
    expect(page.locator(".msg")).to_have_count(bubbles, timeout=WAIT)
    expect(page.locator(".panel")).to_be_visible()
    expect(page.locator(".msg--bot[data-topic=terrasvergunning] .msg__vote--down")
           ).to_have_attribute("aria-pressed", "true")
    ask(page, "Wat kan je allemaal?")
    expect(page.locator(".msg--bot").last).to_contain_text("Hiermee kan ik je helpen",
                                                            timeout=WAIT)
    assert session_id(page) == conversation
    said = rasa_user_texts(stack, conversation)
    assert TERRAS in said and "Wat kan je allemaal?" in said

    # Escape closes and gives focus back to the launcher; a new conversation starts clean.
    page.keyboard.press("Escape")
    expect(page.locator(".panel")).to_be_hidden()
    expect(page.locator(".launcher")).to_be_focused()
    page.keyboard.press("Enter")
    page.get_by_role("button", name="Nieuw gesprek").click()
    expect(page.locator(".msg")).to_have_count(1)
    expect(page.locator("#olk-input")).to_be_focused()
    ask(page, "Hallo")
    expect(page.locator(".msg--bot").nth(1)).to_be_visible(timeout=WAIT)
    assert session_id(page) != conversation
    assert problems == []  # no CSP violation, no script error


def test_texts_have_aa_contrast_and_the_chat_fills_a_phone_screen(
        stack: Stack, browser: Browser) -> None:
    phone = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True,
                                has_touch=True)
    page = phone.new_page()
    try:
        open_demo(page, stack, municipality="Gent")
        launcher = page.locator(".launcher")
        assert contrast(launcher) >= 4.5
        launcher.click()
        panel = page.locator(".panel").bounding_box()
        assert panel is not None and panel["width"] >= 359 and panel["height"] >= 639
        expect(page.locator("#olk-input")).to_be_in_viewport()
        expect(page.locator(".log")).to_contain_text("ondernemersloket van Gent")
        ask(page, TERRAS)
        expect(page.locator(".msg--user")).to_have_count(1)
        white = page.locator(".panel")  # the log itself is transparent
        checks = {"user message": contrast(page.locator(".msg--user")),
                  "send button": contrast(page.locator(".form__send")),
                  "header": contrast(page.locator(".panel__title"), page.locator(".panel__head")),
                  "privacy": contrast(page.locator(".panel__privacy")),
                  "bot message": contrast(page.locator(".msg--bot .msg__text").first, white)}
        assert all(ratio >= 4.5 for ratio in checks.values()), checks
    finally:
        phone.close()


def test_the_widget_shows_when_an_officer_joins_and_labels_the_officers_messages(
        stack: Stack, page: Page, problems: list[str]) -> None:
    console = Console(stack)
    console.login()  # someone of the Aalst counter is available
    open_demo(page, stack)
    page.locator(".launcher").click()
    ask(page, "Ik wil met een medewerker spreken")  # the page says Aalst: no question
    status = page.locator(".panel__handoff")
    expect(status).to_have_text(re.compile("wachtrij"), timeout=WAIT)
    queue = console.get("/officer/fragments/queue")
    request_id = re.findall(r'href="/officer/requests/(\d+)"', queue)[-1]

    console.act(request_id, "take")
    expect(page.locator(".log")).to_contain_text("is er nu bij", timeout=WAIT)
    expect(status).to_have_text("Een medewerker van het loket is bij het gesprek.")
    console.act(request_id, "reply", text="Dag! Ik help je graag verder met je terras.")
    officer = page.locator(".msg--officer")
    expect(officer).to_contain_text("Ik help je graag verder", timeout=WAIT)
    expect(officer.locator(".msg__author")).to_have_text("Sofie, medewerker van het loket")
    expect(officer.locator(".msg__vote--up")).to_have_count(0)  # no feedback on people

    console.act(request_id, "handback")
    expect(page.locator(".log")).to_contain_text("weer aan mij", timeout=WAIT)
    expect(status).to_be_hidden()
    assert problems == []
