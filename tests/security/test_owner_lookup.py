"""The dossier status lookup: the owner's e-mail never travels in a query string, and wrong
guesses in one conversation do not block another owner's lookup, although every chat's lookup
comes from the action server's one address."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from rasa_sdk.executor import CollectingDispatcher

from actions.dossier_service import DossierBackend
from actions.dossier_status import ActionDossierStatus
from bot.dossiers.client.api import DossierClient
from bot.dossiers.client.outbox import Outbox
from bot.dossiers.service.app import create_dossier_app
from bot.dossiers.service.config import ConfigError, config_from_env
from bot.dossiers.service.sqlite_storage import SqliteStorage
from tests.actions.conftest import _fresh_services, use_services  # noqa: F401
from tests.actions.helpers import make_tracker
from tests.bot.dossier_fixtures import OFFICERS, SERVICE_TOKEN, free_port, serving, submission

OWNER_EMAIL = "Lotte.Verbeke@Example.be"
LOOKUP_LIMIT = 20  # the service's default


@pytest.fixture
async def service(tmp_path: Path) -> AsyncIterator[tuple[str, str]]:
    """A running dossier service with its default lookup limit and one dossier: (url, ref)."""
    storage = SqliteStorage(tmp_path / "dossiers.sqlite3")
    app = create_dossier_app(storage, OFFICERS, service_token=SERVICE_TOKEN)
    try:
        async with serving(app, free_port()) as url, DossierClient(url, SERVICE_TOKEN) as client:
            created = await client.create(submission(), "owner-lookup-key-1")
            yield url, created["reference"]
    finally:
        await storage.close()


async def ask_status(conversation: str, reference: str, email: str) -> str:
    tracker = make_tracker("x", "inform", slots={"dossier_status_reference": reference,
                                                 "dossier_status_email": email})
    tracker.sender_id = conversation
    dispatcher = CollectingDispatcher()
    await ActionDossierStatus().run(dispatcher, tracker, {})
    return str(dispatcher.messages[0]["response"])


async def test_twenty_wrong_guesses_in_one_conversation_do_not_block_another_owner(
        service: tuple[str, str], use_services: Any, tmp_path: Path) -> None:  # noqa: F811
    url, reference = service
    client = DossierClient(url, SERVICE_TOKEN, retries=0)  # one action server: one address
    backend = DossierBackend(client, Outbox(client, tmp_path / "outbox.sqlite3"))
    use_services(dossiers=backend)
    try:
        guesses = [await ask_status("attacker-conversation", reference, f"raad{n}@example.be")
                   for n in range(LOOKUP_LIMIT)]
        assert guesses == ["utter_dossier_status_not_found"] * LOOKUP_LIMIT
        assert await ask_status("attacker-conversation", reference, OWNER_EMAIL) \
            == "utter_dossier_status_unavailable"  # this conversation is blocked ...
        # ... the owner, in their own conversation, is not
        assert await ask_status("owner-conversation", reference, OWNER_EMAIL) \
            == "utter_dossier_status_received"
    finally:
        await backend.close()


async def test_the_email_travels_in_the_post_body_never_in_the_url() -> None:
    seen: list[dict[str, Any]] = []

    async def record(request: web.Request) -> web.Response:
        seen.append({"method": request.method, "url": request.path_qs,
                     "body": await request.text(), "headers": dict(request.headers)})
        return web.json_response({"reference": "OVL-2026-K7M4QX", "status": "received"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", record)
    async with serving(app, free_port()) as url, DossierClient(url, SERVICE_TOKEN) as client:
        await client.get_status("ovl-2026-k7m4qx", OWNER_EMAIL, "conversation-1")
    [request] = seen
    assert request["method"] == "POST"
    assert request["url"] == "/api/dossiers/OVL-2026-K7M4QX/owner-lookup"
    assert "lotte" not in request["url"].lower() and "example" not in request["url"].lower()
    assert OWNER_EMAIL in request["body"]
    assert request["headers"]["X-Conversation-Id"] == "conversation-1"


async def test_the_old_get_with_the_email_answers_410_with_a_pointer(
        service: tuple[str, str]) -> None:
    url, reference = service
    async with aiohttp.ClientSession() as session, session.get(
            f"{url}/api/dossiers/{reference}", params={"email": OWNER_EMAIL}) as response:
        body = await response.json()
    assert response.status == 410
    assert body == {"error": "use_post_owner_lookup",
                    "use": f"POST /api/dossiers/{reference}/owner-lookup"}


async def test_a_conversation_header_without_the_service_token_is_not_believed(
        service: tuple[str, str]) -> None:
    url, reference = service
    lookup = f"{url}/api/dossiers/{reference}/owner-lookup"
    statuses = []
    async with aiohttp.ClientSession() as session:
        for n in range(LOOKUP_LIMIT + 1):  # a fresh made-up conversation for every guess
            async with session.post(lookup, json={"email": f"raad{n}@example.be"},
                                    headers={"X-Conversation-Id": f"fake-{n}"}) as response:
                statuses.append(response.status)
    assert statuses == [404] * LOOKUP_LIMIT + [429]



def test_the_lookup_limit_is_a_setting_with_a_default() -> None:
    base = {"DOSSIER_SERVICE_TOKEN": SERVICE_TOKEN, "DOSSIER_OFFICER_TOKENS": '{"' + "o" * 20
            + '": ["*"]}'}
    assert config_from_env(base).lookup_limit == LOOKUP_LIMIT
    assert config_from_env({**base, "DOSSIER_LOOKUP_RATE_LIMIT": "5"}).lookup_limit == 5
    with pytest.raises(ConfigError):
        config_from_env({**base, "DOSSIER_LOOKUP_RATE_LIMIT": "veel"})
