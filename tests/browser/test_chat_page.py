"""Real browser (Debian's chromium through Playwright) on the owner's chat page and the widget,
against our web app and a fake Rasa (tests/browser/fake_stack.py; no trained model needed):
the log scrolls and keeps the newest answer and the input in view, the transcript survives a
reload, an officer's messages look different, thumbs only under answers, one clear offline
state, and axe-core finds no serious or critical problem on any page."""

from __future__ import annotations

import json
import re
import sqlite3
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect, sync_playwright

from tests.browser.conftest import CHROMIUM_ARGS
from tests.browser.fake_stack import JOINED, FakeStack, fake_stack
from tests.e2e.conftest import ROOT
from tests.e2e.test_handoff_channels import Console

pytestmark = pytest.mark.browser
WAIT = 10_000  # ms
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def browser(chromium_path: str) -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeStack]:
    with fake_stack(tmp_path_factory.mktemp("fake_stack")) as running:
        yield running


@pytest.fixture(scope="module")
def fake_down(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeStack]:
    with fake_stack(tmp_path_factory.mktemp("fake_down"), rasa_up=False) as running:
        yield running


def new_page(browser: Browser, viewport: dict[str, int] = DESKTOP, **options: Any
             ) -> tuple[BrowserContext, Page, list[str]]:
    mobile = viewport["width"] < 500
    context = browser.new_context(viewport=viewport, is_mobile=mobile, has_touch=mobile,
                                  **options)
    page = context.new_page()
    problems: list[str] = []
    page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: problems.append(str(e)))
    return context, page, problems


def say(page: Page, text: str) -> None:
    page.fill("#message", text)
    page.press("#message", "Enter")


def conversation_id(context: BrowserContext) -> str:
    return next(c["value"] for c in context.cookies() if c["name"] == "olk_session")


def bubbles(page: Page) -> list[tuple[str, str]]:
    """(kind, text) of every message in the log after the welcome."""
    return [(n.get_attribute("class") or "", n.locator("p").first.inner_text())
            for n in page.locator("#log .msg:not(#welcome)").all()]


def axe_violations(page: Page) -> list[str]:
    page.add_script_tag(path=str(AXE))
    found = page.evaluate("""async () => {
        const result = await axe.run(document, { resultTypes: ["violations"] });
        return result.violations.filter(v => v.impact === "serious" || v.impact === "critical")
          .map(v => v.id + " (" + v.impact + "): " +
                    v.nodes.map(n => n.target.join(" ")).join(", "));
    }""")
    return [str(v) for v in found]


# -- scrolling ---------------------------------------------------------------------------------

@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_after_five_long_answers_the_last_answer_and_the_input_are_in_view(
        fake: FakeStack, browser: Browser, viewport: dict[str, int]) -> None:
    context, page, problems = new_page(browser, viewport)
    try:
        page.goto(fake.web_url + "/")
        expect(page.locator("#welcome")).to_contain_text("digitale assistent")
        expect(page.locator("#starters button")).to_have_count(4)
        for n in range(1, 6):
            say(page, f"Geef me een lang antwoord over terrassen, vraag {n}")
            expect(page.locator(".msg[data-answer]")).to_have_count(n, timeout=WAIT)
        expect(page.locator("#starters")).to_be_hidden()
        last = page.locator(".msg[data-answer]").last
        expect(last).to_contain_text("5. Voor een terras")
        expect(last).to_be_in_viewport()
        expect(page.locator("#message")).to_be_in_viewport(ratio=1)
        expect(page.locator("#form button[type=submit]")).to_be_in_viewport(ratio=1)
        # The answer is shown from its start (it is taller than the log on a phone), and only
        # the log scrolls: the page itself does not grow below the fold.
        log_box, answer_box = page.locator("#log").bounding_box(), last.bounding_box()
        assert log_box and answer_box and log_box["y"] <= answer_box["y"] + 1
        assert answer_box["y"] < log_box["y"] + log_box["height"]
        assert page.evaluate("document.documentElement.scrollHeight <= window.innerHeight + 1")
        assert page.evaluate("document.getElementById('log').scrollTop") > 0
        # Thumbs only under the answers: not under the counter cards that follow them.
        expect(page.locator(".msg__feedback")).to_have_count(5)
        expect(page.locator(".msg--bot:not([data-answer]) .msg__feedback")).to_have_count(0)
        assert problems == []
    finally:
        context.close()


# -- reload ------------------------------------------------------------------------------------

def test_after_a_reload_the_transcript_is_back_from_the_server(
        fake: FakeStack, browser: Browser) -> None:
    context, page, problems = new_page(browser)
    try:
        page.goto(fake.web_url + "/")
        page.get_by_role("button", name="Een terras plaatsen").click()  # a starter button
        expect(page.locator(".msg--bot:not(#welcome)")).to_have_count(1, timeout=WAIT)
        say(page, "Aalst, en graag een lang antwoord")
        expect(page.locator(".msg[data-answer]")).to_have_count(1, timeout=WAIT)
        # The question "In welke gemeente…?" carries a topic but gets no thumbs.
        question = page.locator(".msg--bot", has_text="In welke gemeente")
        expect(question.locator(".msg__feedback")).to_have_count(0)
        before = bubbles(page)
        assert before[0] == ("msg msg--user", "Een terras plaatsen")
        assert len(before) == 5  # owner, question, owner, answer, counter card

        page.reload()
        expect(page.locator("#log .msg:not(#welcome)")).to_have_count(len(before), timeout=WAIT)
        assert bubbles(page) == before
        expect(page.locator("#starters")).to_be_hidden()
        answer = page.locator(".msg[data-answer]")
        expect(answer).to_have_count(1)
        expect(answer.locator(".msg__button", has_text="Aanvraag starten")).to_be_visible()
        expect(answer.locator("a.msg__button")).to_have_attribute("rel", "noopener noreferrer")
        expect(page.locator("#log .msg__feedback")).to_have_count(1)

        # A thumb on the restored answer is stored for this conversation, with its topic.
        with page.expect_response("**/api/chat/feedback") as voted:
            answer.locator(".msg__vote--up").click()
        assert voted.value.status == 200
        expect(answer.locator(".msg__vote--up")).to_have_attribute("aria-pressed", "true")
        expect(answer.locator(".msg__feedback-note")).to_have_text("Bedankt voor je feedback!")
        with sqlite3.connect(fake.feedback_db) as db:
            rows = db.execute("SELECT conversation_id, vote, topic FROM feedback").fetchall()
        assert (conversation_id(context), "up", "terrasvergunning") in rows
        answer.locator(".msg__vote--down").click()  # one vote per answer: the first counts
        expect(answer.locator(".msg__feedback-note")).to_have_text(
            "Je gaf al feedback op dit antwoord. Bedankt!")
        expect(answer.locator(".msg__vote--up")).to_have_attribute("aria-pressed", "true")

        # "Nieuw gesprek": an empty log with the welcome, also after a reload.
        page.get_by_role("button", name="Nieuw gesprek").click()
        expect(page.locator("#log .msg:not(#welcome)")).to_have_count(0)
        expect(page.locator("#starters")).to_be_visible()
        page.reload()
        expect(page.locator("#starters")).to_be_visible()
        page.wait_for_load_state("networkidle")
        expect(page.locator("#log .msg:not(#welcome)")).to_have_count(0)
        assert [p for p in problems if "409 (Conflict)" not in p] == []  # the second vote
    finally:
        context.close()


def test_the_history_endpoint_has_no_conversation_id_in_its_url(fake: FakeStack) -> None:
    # Without the owner's cookie there is nothing to read, whatever the query says.
    someone = next(iter(fake.rasa.trackers), "x" * 24)
    url = f"{fake.web_url}/api/chat/history?conversation_id={someone}&sender={someone}"
    with urllib.request.urlopen(url, timeout=10) as response:
        assert json.loads(response.read()) == {"messages": []}


# -- officer -----------------------------------------------------------------------------------

def queue_owner(fake: FakeStack, conversation: str) -> None:
    body = json.dumps({"conversation_id": conversation, "counter": "aalst",
                       "counter_name": "Ondernemersloket Aalst", "municipality": "Aalst",
                       "summary": "wil iemand spreken", "counter_open": True}).encode()
    request = urllib.request.Request(fake.web_url + "/api/handoff/requests", data=body,
                                     headers={"Content-Type": "application/json",
                                              "Authorization": "Bearer " + fake.service_token})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert json.loads(response.read())["status"] == "queued"


def officer_available(fake: FakeStack) -> Console:
    console = Console(fake.stack)
    console.login()
    return console


def ask_for_a_person(fake: FakeStack, context: BrowserContext, page: Page) -> None:
    """What the action server does when an owner asks for a person: queue the conversation
    (before the reply that says so, as the real action does)."""
    queue_owner(fake, conversation_id(context))
    say(page, "Ik wil met een medewerker spreken")
    expect(page.locator("#log")).to_contain_text("wachtrij", timeout=WAIT)


def take_and_reply(console: Console, text: str) -> None:
    queue = console.get("/officer/fragments/queue")
    request_id = re.findall(r'href="/officer/requests/(\d+)"', queue)[-1]
    console.act(request_id, "take")
    console.act(request_id, "reply", text=text)


def style(page: Page, selector: str, prop: str) -> str:
    return str(page.locator(selector).first.evaluate(
        f"e => getComputedStyle(e).getPropertyValue('{prop}')"))


def test_an_officers_message_is_distinguishable_live_and_after_a_reload(
        fake: FakeStack, browser: Browser) -> None:
    context, page, problems = new_page(browser, PHONE)
    try:
        console = officer_available(fake)
        page.goto(fake.web_url + "/")
        ask_for_a_person(fake, context, page)
        expect(page.locator(".msg__feedback")).to_have_count(0)  # no thumbs on queue notices
        take_and_reply(console, "Dag, ik ben Sofie. Waar gaat het over?")
        expect(page.locator("#log")).to_contain_text(JOINED, timeout=WAIT)
        officer = page.locator(".msg--officer")
        expect(officer).to_contain_text("Waar gaat het over?", timeout=WAIT)

        def check() -> None:
            expect(officer).to_have_count(1)
            expect(officer.locator(".msg__author")).to_have_text("Sofie, medewerker van het loket")
            expect(officer.locator(".msg__author")).to_be_visible()
            expect(officer.locator(".msg__feedback")).to_have_count(0)
            for prop in ("background-color", "border-left-color", "border-left-width"):
                assert style(page, ".msg--officer", prop) != style(page, ".msg--bot", prop), prop
            expect(officer).to_be_in_viewport()

        check()
        page.reload()
        expect(officer).to_contain_text("Waar gaat het over?", timeout=WAIT)
        check()
        expect(page.locator("#log")).to_contain_text("wachtrij")
        page.wait_for_timeout(2500)  # a poll of the hand-off: nothing is shown twice
        expect(officer).to_have_count(1)
        expect(page.locator(".msg--bot", has_text=JOINED)).to_have_count(1)
        assert problems == []
    finally:
        context.close()


# -- offline -----------------------------------------------------------------------------------

def test_with_rasa_down_the_page_shows_one_clear_dutch_message_quickly(
        fake_down: FakeStack, browser: Browser) -> None:
    context, page, _problems = new_page(browser)
    try:
        page.goto(fake_down.web_url + "/")
        say(page, "Heb ik een vergunning nodig?")
        offline = page.locator("#offline")
        expect(offline).to_contain_text("niet bereikbaar", timeout=3000)
        expect(page.locator("#typing")).to_have_text("")
        expect(page.locator("#log")).not_to_contain_text("niet bereikbaar")
        say(page, "Hallo?")
        expect(page.locator("#typing")).to_have_text("", timeout=3000)
        expect(page.get_by_text("niet bereikbaar")).to_have_count(1)
        page.reload()  # the cookie is there: the page tries to restore and says it once
        expect(offline).to_contain_text("niet bereikbaar", timeout=3000)
        expect(page.get_by_text("niet bereikbaar")).to_have_count(1)
    finally:
        context.close()


def test_with_rasa_down_the_widget_shows_one_clear_dutch_message_quickly(
        fake_down: FakeStack, browser: Browser) -> None:
    context, page, _problems = new_page(browser)
    try:
        page.goto(fake_down.web_url + "/demo?municipality=Aalst")
        page.locator(".launcher").click()
        page.fill("#olk-input", "Heb ik een vergunning nodig?")
        page.press("#olk-input", "Enter")
        conn = page.locator(".panel__conn")
        expect(conn).to_contain_text("niet bereikbaar", timeout=3000)
        expect(page.locator(".typing")).to_have_text("")
        expect(page.locator(".panel")).not_to_contain_text("verbinding")
        expect(page.locator(".panel").get_by_text("niet bereikbaar")).to_have_count(1)
        # Once it is known to be offline, a message is not taken: what was typed stays.
        page.fill("#olk-input", "Hallo?")
        page.press("#olk-input", "Enter")
        expect(page.locator("#olk-input")).to_have_value("Hallo?")
        expect(page.locator(".panel").get_by_text("niet bereikbaar")).to_have_count(1)
        expect(page.locator(".typing")).to_have_text("")
    finally:
        context.close()


# -- widget ------------------------------------------------------------------------------------

def test_the_widget_puts_thumbs_under_answers_only_and_announces_typing(
        fake: FakeStack, browser: Browser) -> None:
    context, page, problems = new_page(browser)
    try:
        page.goto(fake.web_url + "/demo?municipality=Aalst")
        page.locator(".launcher").click()
        typing = page.locator(".typing")
        assert typing.get_attribute("role") == "status"
        assert typing.get_attribute("aria-live") == "polite"
        for text in ("Heb ik een vergunning nodig?", "Graag een lang antwoord"):
            page.fill("#olk-input", text)
            page.press("#olk-input", "Enter")
        answer = page.locator(".msg--bot", has_text="Bron: Terrasvergunning")
        expect(answer.locator(".msg__feedback")).to_have_count(1, timeout=WAIT)
        expect(page.locator(".msg__feedback")).to_have_count(1)
        expect(page.locator(".msg--bot", has_text="In welke gemeente")).to_have_count(1)
        expect(page.locator(".panel__conn")).to_have_text("")
        assert problems == []
    finally:
        context.close()


# -- accessibility -----------------------------------------------------------------------------

def test_axe_finds_no_serious_or_critical_violation_on_any_page(
        fake: FakeStack, browser: Browser) -> None:
    assert AXE.exists(), "run npm ci (make unit does)"
    found: dict[str, list[str]] = {}
    # bypass_csp: axe is injected as an inline script; the pages themselves keep their CSP.
    context, page, _ = new_page(browser, bypass_csp=True)
    try:
        page.goto(fake.web_url + "/")
        found["chat, welcome"] = axe_violations(page)
        say(page, "Graag een lang antwoord")
        expect(page.locator(".msg[data-answer]")).to_have_count(1, timeout=WAIT)
        ask_for_a_person(fake, context, page)
        take_and_reply(officer_available(fake), "Dag, ik help je verder.")
        expect(page.locator(".msg--officer")).to_have_count(1, timeout=WAIT)
        found["chat, answer and officer"] = axe_violations(page)

        page.goto(fake.web_url + "/demo?municipality=Aalst")
        expect(page.locator(".launcher")).to_be_visible()
        found["widget, closed"] = axe_violations(page)
        page.locator(".launcher").click()
        page.fill("#olk-input", "Graag een lang antwoord")
        page.press("#olk-input", "Enter")
        expect(page.locator(".msg__feedback")).to_have_count(1, timeout=WAIT)
        found["widget, answer"] = axe_violations(page)

        page.goto(fake.web_url + "/officer/login")
        found["console, login"] = axe_violations(page)
        page.fill("#name", fake.stack.officer)
        page.fill("#password", fake.stack.password)
        page.click("form.login__form button[type=submit]")
        expect(page.locator("h1")).to_have_text("Wachtrij van je loketten")
        found["console, queue"] = axe_violations(page)
        link = page.locator("a[href^='/officer/requests/']").first
        expect(link).to_be_visible()  # a conversation Sofie took
        link.click()
        expect(page.locator("#transcript")).to_contain_text("medewerker")
        found["console, request"] = axe_violations(page)
    finally:
        context.close()
    assert {page: v for page, v in found.items() if v} == {}


def test_axe_is_pinned_in_package_json() -> None:
    package = json.loads((ROOT / "package.json").read_text(encoding="utf-8"))
    assert re.fullmatch(r"\d+\.\d+\.\d+", package["devDependencies"]["axe-core"])
    assert (ROOT / "package-lock.json").exists()
    assert "node_modules/" in (ROOT / ".gitignore").read_text(encoding="utf-8")
    assert Path(ROOT / "Makefile").read_text(encoding="utf-8").count("npm ci") == 1


# -- the whole assistant -----------------------------------------------------------------------

def test_with_the_real_assistant_starters_answers_thumbs_and_reload_agree(
        stack: Any, browser: Browser) -> None:
    """The trained model, Rasa and the action server (the `stack` fixture): a starter button
    works, the real answer gets thumbs and its questions do not, and after a reload the same
    answer is restored with thumbs that the server accepts (the page and the server number the
    answers alike)."""
    context, page, problems = new_page(browser, PHONE)
    try:
        page.goto(stack.web_url + "/")
        page.get_by_role("button", name="Een terras plaatsen").click()
        # The general answer (thumbs) and the question for the municipality (none).
        question = page.locator(".msg--bot", has_text="In welke gemeente")
        expect(question).to_have_count(1, timeout=30_000)
        expect(question.locator(".msg__feedback")).to_have_count(0)
        expect(page.locator(".msg[data-answer]")).to_have_count(1)
        say(page, "Aalst")
        answers = page.locator(".msg[data-answer]")
        expect(answers).to_have_count(2, timeout=30_000)
        answer = answers.last
        expect(answer).to_contain_text("Aalst")
        expect(answer).to_contain_text("Bron")
        expect(page.locator("#typing")).to_have_text("", timeout=30_000)
        expect(page.locator(".msg__feedback")).to_have_count(2)  # not under the counter card
        expect(answer).to_be_in_viewport()
        expect(page.locator("#message")).to_be_in_viewport(ratio=1)
        before = bubbles(page)

        page.reload()
        expect(page.locator("#log .msg:not(#welcome)")).to_have_count(len(before),
                                                                       timeout=30_000)
        # The tracker store masks e-mail addresses and phone numbers (bot/tracker_privacy.py),
        # also in the counter's contact card: compare the messages up to their first line.
        assert [(kind, text.split("\n")[0]) for kind, text in bubbles(page)] == \
            [(kind, text.split("\n")[0]) for kind, text in before]
        expect(page.locator(".msg[data-answer]")).to_have_count(2)
        restored = page.locator(".msg[data-answer]").last
        with page.expect_response("**/api/chat/feedback") as voted:
            restored.locator(".msg__vote--down").click()
        assert voted.value.status == 200
        expect(restored.locator(".msg__feedback-note")).to_have_text("Bedankt voor je feedback!")
        assert problems == []
    finally:
        context.close()


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_in_the_widget_five_long_answers_keep_the_last_answer_and_the_input_in_view(
        fake: FakeStack, browser: Browser, viewport: dict[str, int]) -> None:
    context, page, problems = new_page(browser, viewport)
    try:
        page.goto(fake.web_url + "/demo?municipality=Aalst")
        page.locator(".launcher").click()
        for n in range(1, 6):
            page.fill("#olk-input", f"Geef me een lang antwoord, vraag {n}")
            page.press("#olk-input", "Enter")
            expect(page.locator(".msg__feedback")).to_have_count(n, timeout=WAIT)
        last = page.locator(".msg--bot", has_text="Bron: Terrasvergunning").last
        expect(last).to_contain_text("5. Voor een terras")
        expect(last).to_be_in_viewport()
        expect(page.locator("#olk-input")).to_be_in_viewport(ratio=1)
        log_box, answer_box = page.locator(".log").bounding_box(), last.bounding_box()
        assert log_box and answer_box
        assert log_box["y"] - 1 <= answer_box["y"] < log_box["y"] + log_box["height"]
        assert problems == []
    finally:
        context.close()
