from bot.contract import CONTRACT_KEYS, build_contract, merge_turn


def test_contract_has_every_key_even_when_unknown():
    assert set(build_contract()) == set(CONTRACT_KEYS)
    assert all(value is None for value in build_contract().values())


def test_turn_without_action_contract_has_context_but_no_topic():
    slots = {"topic": "terrasvergunning", "municipality": "Gent", "nis": "44021", "counter": "gent"}
    contract = merge_turn(slots, [])
    assert contract["topic"] is None
    assert contract["municipality"] == "Gent" and contract["counter"] == "gent"


def test_last_action_contract_wins_within_a_turn():
    slots = {"municipality": "Aalst", "nis": "41002"}
    first = build_contract(topic="terrasvergunning")
    second = build_contract(topic="kmo_portefeuille", counter="vlaio")
    contract = merge_turn(slots, [first, {"unrelated": 1}, second])
    assert contract["topic"] == "kmo_portefeuille"
    assert contract["counter"] == "vlaio"
    assert contract["municipality"] == "Aalst"
