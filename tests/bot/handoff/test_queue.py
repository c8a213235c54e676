"""The queue per counter and the choice between the live queue and a call-back request."""

from __future__ import annotations

from tests.bot.handoff.conftest import PASSWORD, new_request


async def login(officers, name: str, counters: list[str]):
    officer = await officers.create(name, PASSWORD, counters)
    assert (await officers.authenticate(name, PASSWORD)).outcome == "ok"
    await officers.start_session(officer)
    return officer


async def test_positions_count_only_the_same_counter_and_move_up(requests, clock):
    first, _ = await requests.create(new_request("c1", "aalst"), "live")
    clock.advance(5)
    second, _ = await requests.create(new_request("c2", "aalst"), "live")
    clock.advance(5)
    other, _ = await requests.create(new_request("c3", "gent"), "live")
    clock.advance(5)
    third, _ = await requests.create(new_request("c4", "aalst"), "live")
    assert [await requests.position(r) for r in (first, second, third)] == [1, 2, 3]
    assert await requests.position(other) == 1

    await requests.finish(first.id, "closed", ("queued",))
    second, third = await requests.get(second.id), await requests.get(third.id)
    assert [await requests.position(r) for r in (second, third)] == [1, 2]


async def test_a_request_can_be_taken_only_once(requests, officers):
    sofie = await officers.create("sofie", PASSWORD, ["aalst"])
    jan = await officers.create("jan", PASSWORD, ["aalst"])
    request, _ = await requests.create(new_request(), "live")
    assert await requests.take(request.id, sofie.id) is True
    assert await requests.take(request.id, jan.id) is False
    taken = await requests.get(request.id)
    assert taken.status == "taken" and taken.taken_by == sofie.id
    assert taken.taken_by_name == "sofie"
    assert await requests.position(taken) is None


async def test_open_counter_with_an_officer_online_queues_with_a_position(service, officers):
    await login(officers, "sofie", ["aalst"])
    first = await service.submit(new_request("c1"), counter_open=True)
    second = await service.submit(new_request("c2"), counter_open=True)
    assert (first.status, first.position) == ("queued", 1)
    assert (second.status, second.position) == ("queued", 2)
    assert first.reference != second.reference and first.owner_token


async def test_nobody_logged_in_gives_a_callback_request_with_reference(service, requests):
    outcome = await service.submit(new_request(), counter_open=True)
    assert outcome.status == "callback" and outcome.position is None
    stored = await requests.by_reference(outcome.reference)
    assert stored.status == "callback" and stored.summary == "Mag ik een terras?"


async def test_closed_counter_gives_a_callback_even_with_officers_online(service, officers):
    await login(officers, "sofie", ["aalst"])
    outcome = await service.submit(new_request(), counter_open=False)
    assert outcome.status == "callback"


async def test_officer_of_another_counter_does_not_count(service, officers):
    await login(officers, "piet", ["gent"])
    assert (await service.submit(new_request(counter="aalst"), True)).status == "callback"


async def test_officer_silent_for_longer_than_the_presence_window_is_not_available(
        service, officers, clock):
    await login(officers, "sofie", ["aalst"])
    clock.advance(121)
    assert (await service.submit(new_request(), counter_open=True)).status == "callback"


async def test_logged_out_officer_is_not_available(service, officers):
    sofie = await officers.create("sofie", PASSWORD, ["aalst"])
    await officers.authenticate("sofie", PASSWORD)
    token, _ = await officers.start_session(sofie)
    session = await officers.session(token)
    await officers.end_session(session)
    assert (await service.submit(new_request(), counter_open=True)).status == "callback"


async def test_asking_twice_in_one_conversation_keeps_the_same_request(service, officers):
    await login(officers, "sofie", ["aalst"])
    first = await service.submit(new_request("c1"), counter_open=True)
    again = await service.submit(new_request("c1"), counter_open=True)
    assert again.reference == first.reference and again.position == 1
    assert again.owner_token is None  # the token is only handed out once


async def test_contact_is_saved_only_on_the_owners_own_callback(service, requests):
    outcome = await service.submit(new_request("c1"), counter_open=False)
    from bot.handoff.contact import parse_contact

    contact = parse_contact("mail me op jan.peeters@voorbeeld.be")
    assert await service.save_contact(outcome.reference, "someone-else", contact) is None
    assert await service.save_contact(outcome.reference, "c1", contact) is not None
    stored = await requests.by_reference(outcome.reference)
    assert (stored.contact_kind, stored.contact) == ("email", "jan.peeters@voorbeeld.be")


async def test_new_requests_are_announced_to_officers_of_that_counter_only(service, broker):
    aalst, gent = broker.subscribe(["aalst"]), broker.subscribe(["gent"])
    await service.submit(new_request(counter="aalst"), counter_open=False)
    assert (await aalst.next(0.1)) == {"type": "queue"}
    assert (await gent.next(0.05)) == {}  # nothing but a heartbeat timeout
