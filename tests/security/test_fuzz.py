"""A bounded fuzz run over every HTTP API (tests/security/fuzz.py): FUZZ_EXAMPLES inputs in
total (default 300, so CI stays fast), and not one of them may get a 5xx. `make fuzz` runs
100,000."""

from __future__ import annotations

from pathlib import Path

from tests.security.fuzz import (
    CONVERSATION,
    TELEGRAM_SECRET,
    Context,
    Req,
    Runner,
    Stats,
    all_targets,
    budget,
    cheap_passwords,
    fuzz_all,
)


def test_no_input_gets_a_server_error(tmp_path: Path) -> None:
    total = budget()
    stats = fuzz_all(total, tmp_path)
    print(stats.report())
    assert stats.five_xx == 0, stats.report()
    assert stats.sent >= total * 0.8, stats.report()  # the inputs really were sent
    assert set(stats.per_target) == set(all_targets(Context()))  # every target had its share
    assert {401, 403} & set(stats.statuses) and 200 in stats.statuses  # refused and accepted


# Inputs the fuzzer found that got a 500 before they were fixed; each must now be refused or
# answered normally.
FOUND = [
    ("web /officer/login", Req("POST", "/officer/login", (), (
        ("Content-Type", "application/x-www-form-urlencoded"),
        ("Cookie", "olk_officer_login=x")), b"NCI\xb8")),  # not UTF-8: form unreadable
    ("web /officer/login", Req("POST", "/officer/login", (), (
        ("Content-Type", "application/x-www-form-urlencoded; charset=nope"),), b"a=b")),
    ("web /officer/login", Req("GET", "/officer/login", (), (
        ("Cookie", "tE~9GK@Cdeg7H(=41IZMG?]SZnl|"),), b"")),  # illegal cookie name
    ("web /api/chat/history+updates+reset", Req("GET", "/api/chat/history", (), (
        ("Cookie", f"a(b=1; olk_session={CONVERSATION}"),), b"")),
    ("web /api/handoff/{id}/messages", Req(
        "GET", f"/api/handoff/{CONVERSATION}/messages", (("after", "9" * 30),), (), b"")),
    ("telegram webhook", Req("POST", "/webhooks/telegram/webhook", (), (
        ("Content-Type", "application/json"), ("X-Telegram-Bot-Api-Secret-Token",
                                               TELEGRAM_SECRET)),
        b'{"update_id": 1, "message": [{}, []]}')),  # a message that is not an object
    ("telegram webhook", Req("POST", "/webhooks/telegram/webhook", (), (
        ("Content-Type", "application/json"), ("X-Telegram-Bot-Api-Secret-Token",
                                               TELEGRAM_SECRET)),
        b'{"update_id": 2, "message": {"text": "hoi", "date": 1' + b"0" * 400 +
        b', "chat": {"id": 1, "type": "private"}}}')),  # a date too big for a float
]


def test_what_the_fuzzer_found_gets_no_server_error(tmp_path: Path) -> None:
    stats = Stats()
    with cheap_passwords(), Runner(tmp_path) as runner:
        for target, req in FOUND:
            if "messages" in req.path:  # with the owner's real token: past the token check
                req = Req(req.method, req.path, req.query,
                          (("Authorization", f"Bearer {runner.ctx.owner_token}"),), req.body)
            runner.send(stats, target, [req])
    assert stats.sent == len(FOUND)
    assert stats.five_xx == 0, stats.report()
    history = stats.statuses[200]
    assert history >= 3, stats.report()  # the cookie, history and messages answers are normal
