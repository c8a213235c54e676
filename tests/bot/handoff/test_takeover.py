"""Pause/resume: an officer takes a queued conversation, replies, and hands it back."""

from __future__ import annotations

import pytest

from bot.handoff.takeover import TakeoverError
from tests.bot.handoff.conftest import PASSWORD, new_request


@pytest.fixture()
async def sofie(officers):
    return await officers.create("sofie", PASSWORD, ["aalst"], display_name="Sofie")


@pytest.fixture()
async def jan(officers):
    return await officers.create("jan", PASSWORD, ["aalst"], display_name="Jan")


@pytest.fixture()
async def queued(requests):
    request, _ = await requests.create(new_request("conv-1"), "live")
    return request


async def test_taking_tells_the_owner_who_joined(takeover, requests, rasa, outbox, sofie, queued):
    assert await takeover.take(sofie, queued) is True
    assert (await requests.get(queued.id)).status == "taken"
    assert rasa.appended[0] == ("conv-1", [
        {"event": "pause"}, {"event": "slot", "name": "handoff_officer", "value": "Sofie"}])
    assert rasa.executed == [("conv-1", "action_handoff_officer_joined")]
    owner_sees = await outbox.after("conv-1")
    assert [m.text for m in owner_sees] == ["Sofie van het ondernemersloket is er nu bij."]


async def test_a_colleague_cannot_take_it_a_second_time(takeover, requests, sofie, jan, queued):
    await takeover.take(sofie, queued)
    with pytest.raises(TakeoverError) as error:
        await takeover.take(jan, await requests.get(queued.id))
    assert error.value.code == "not_queued"


async def test_rasa_down_while_taking_still_takes_but_reports_it(takeover, requests, rasa,
                                                                  sofie, queued):
    rasa.down = True
    assert await takeover.take(sofie, queued) is False
    assert (await requests.get(queued.id)).taken_by == sofie.id


async def test_reply_goes_into_the_conversation_and_to_the_owner(takeover, requests, rasa,
                                                                 outbox, sofie, queued):
    await takeover.take(sofie, queued)
    await takeover.reply(sofie, await requests.get(queued.id), "  Dag! Ik kijk even mee.  ")
    event = rasa.appended[-1][1][0]
    assert event["event"] == "bot" and event["text"] == "Dag! Ik kijk even mee."
    assert event["metadata"] == {"author": "officer", "officer": "Sofie"}
    assert rasa.pushed == ["Dag! Ik kijk even mee."]  # socket.io owners get it from Rasa
    last = (await outbox.after("conv-1"))[-1]
    assert (last.author, last.officer, last.text) == ("officer", "Sofie", "Dag! Ik kijk even mee.")


async def test_only_the_officer_who_took_it_can_reply(takeover, requests, sofie, jan, queued):
    with pytest.raises(TakeoverError) as error:
        await takeover.reply(sofie, queued, "hallo")
    assert error.value.code == "not_live"
    await takeover.take(sofie, queued)
    with pytest.raises(TakeoverError) as error:
        await takeover.reply(jan, await requests.get(queued.id), "hallo")
    assert error.value.code == "not_yours"


async def test_empty_and_overlong_replies_are_refused(takeover, requests, sofie, queued):
    await takeover.take(sofie, queued)
    taken = await requests.get(queued.id)
    for text, code in (("   ", "empty"), ("x" * 2001, "too_long")):
        with pytest.raises(TakeoverError) as error:
            await takeover.reply(sofie, taken, text)
        assert error.value.code == code


async def test_hand_back_resumes_the_bot_and_tells_the_owner(takeover, requests, rasa, outbox,
                                                             audit, sofie, queued):
    await takeover.take(sofie, queued)
    await takeover.hand_back(sofie, await requests.get(queued.id))
    assert rasa.event_names("conv-1")[-2:] == ["resume", "action"]
    assert rasa.appended[-1][1] == [{"event": "action", "name": "action_listen"}]
    assert rasa.executed[-1] == ("conv-1", "action_handoff_back")
    assert (await requests.get(queued.id)).status == "returned"
    assert (await outbox.after("conv-1"))[-1].text.startswith("De medewerker heeft het gesprek")
    actions = [(e.officer_id, e.action, e.target) for e in await audit.entries()]
    assert (sofie.id, "hand_back", queued.reference) in actions
    assert (sofie.id, "take", queued.reference) in actions


async def test_hand_back_with_rasa_down_keeps_the_conversation_with_the_officer(
        takeover, requests, rasa, sofie, queued):
    await takeover.take(sofie, queued)
    rasa.down = True
    with pytest.raises(Exception, match="down"):
        await takeover.hand_back(sofie, await requests.get(queued.id))
    assert (await requests.get(queued.id)).status == "taken"  # the officer can try again


async def test_closing_a_queued_conversation_resumes_the_bot_with_a_closing_notice(
        takeover, requests, rasa, jan, queued):
    await takeover.close(jan, queued)
    assert rasa.executed == [("conv-1", "action_handoff_closed")]
    assert "resume" in rasa.event_names("conv-1")
    assert (await requests.get(queued.id)).status == "closed"


async def test_closing_a_callback_does_not_touch_the_conversation(takeover, requests, rasa, jan):
    callback, _ = await requests.create(new_request("conv-2"), "callback")
    await takeover.close(jan, callback)
    assert rasa.appended == [] and rasa.executed == []
    assert (await requests.get(callback.id)).status == "closed"
    with pytest.raises(TakeoverError):
        await takeover.close(jan, await requests.get(callback.id))
