from bot.contract import CONTRACT_KEYS, build_contract, is_contract, merge_turn, public


def test_keys_are_present_only_when_they_apply():
    assert public(build_contract()) == {}
    contract = public(build_contract(topic="terrasvergunning", municipality="Gent", nis="44021"))
    assert contract == {"topic": "terrasvergunning", "municipality": "Gent", "nis": "44021"}
    assert set(contract) <= set(CONTRACT_KEYS)


def test_an_empty_contract_is_still_recognised_as_one():
    assert is_contract(build_contract())
    assert not is_contract({"topic": "x"})


def test_turn_without_action_contract_has_context_but_no_topic():
    slots = {"topic": "terrasvergunning", "municipality": "Gent", "nis": "44021", "counter": "gent"}
    contract = merge_turn(slots, [])
    assert "topic" not in contract
    assert contract["municipality"] == "Gent" and contract["counter"] == "gent"


def test_last_action_contract_wins_within_a_turn():
    slots = {"municipality": "Aalst", "nis": "41002"}
    first = build_contract(topic="terrasvergunning", source="https://www.vlaanderen.be")
    second = build_contract(topic="kmo_portefeuille", counter="vlaio",
                            source="https://www.vlaio.be/nl", authority="VLAIO")
    contract = merge_turn(slots, [first, {"unrelated": 1}, second])
    assert contract["topic"] == "kmo_portefeuille"
    assert contract["source"] == "https://www.vlaio.be/nl" and contract["authority"] == "VLAIO"
    assert contract["counter"] == "vlaio"
    assert contract["municipality"] == "Aalst"


def test_out_of_scope_turn_after_a_topic_has_no_topic_source_or_authority():
    slots = {"topic": "terrasvergunning", "municipality": "Gent", "nis": "44021"}
    contract = merge_turn(slots, [build_contract(municipality="Gent", nis="44021")])
    assert not {"topic", "source", "authority"} & set(contract)
