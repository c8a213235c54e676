"""The action server's calls for an owner's additions to their dossier (docs/dossier-api.md):
a grant for the conversation after the e-mail check, and the owner's answer to "aanvullende
info nodig". Errors as in api.py (NotFound, Invalid with the service's code, ...)."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bot.dossiers.client.api import DossierClient


def _path(reference: str, tail: str) -> str:
    return f"/api/dossiers/{quote(reference.strip().upper(), safe='')}/{tail}"


async def grant_conversation(client: DossierClient, reference: str, email: str,
                             conversation_id: str) -> None:
    """This conversation may add documents and an answer to the dossier (the owner passed the
    e-mail check here). Raises NotFound when the e-mail does not match."""
    headers = {**client._auth(), "X-Conversation-Id": conversation_id}
    status, body = await client._request("POST", _path(reference, "owner-grants"),
                                         json={"email": email}, headers=headers)
    if status != 201:
        client._raise_for(status, body)


async def send_answer(client: DossierClient, reference: str, conversation_id: str,
                      text: str) -> dict[str, Any]:
    """The owner's answer; the dossier as the owner sees it afterwards. Raises Invalid with
    `not_waiting_for_answer` when the dossier no longer waits for it."""
    headers = {**client._auth(), "X-Conversation-Id": conversation_id}
    status, body = await client._request("POST", _path(reference, "owner-answers"),
                                         json={"text": text}, headers=headers)
    if status == 201 and isinstance(body, dict):
        return body
    client._raise_for(status, body)
    raise AssertionError("unreachable")


async def requested_status(client: DossierClient, reference: str, conversation_id: str
                           ) -> tuple[str, dict[str, bool]]:
    """The dossier's type and, per requested document id (required ones first), whether an
    upload was assigned to it. Raises NotFound when this conversation may not add to it."""
    headers = {**client._auth(), "X-Conversation-Id": conversation_id}
    status, body = await client._request("GET", _path(reference, "requested-documents"),
                                         headers=headers)
    if status == 200 and isinstance(body, dict):
        listed = body.get("documents")
        documents = listed if isinstance(listed, list) else []
        return str(body.get("type") or ""), {
            str(d["key"]): bool(d.get("received")) for d in documents
            if isinstance(d, dict) and d.get("key")}
    client._raise_for(status, body)
    raise AssertionError("unreachable")
