"""The load test's own checks: a reply an owner could not use is counted, and the stores are
compared with what owners were told (a lost, duplicated or unconfirmed record is found)."""

from __future__ import annotations

import threading

from bench.loadtest.replies import Budget, offered, problem, references
from bench.loadtest.verify import check

CONTRACT = {"municipality": "Aalst"}  # the reply contract under `custom`


def test_an_answer_with_text_and_contract_passes() -> None:
    assert problem([{"text": "Voor een terras in Aalst …", "custom": CONTRACT}]) is None


def test_replies_an_owner_cannot_use_are_named() -> None:
    assert problem({"error": "x"}) == "no JSON list"
    assert problem(["tekst"]) == "no JSON list"
    assert problem([]) == "empty reply"
    assert problem([{"text": "Hallo"}]) == "reply without contract"
    apology = "Sorry, er liep iets mis aan onze kant en ik kan je vraag nu niet afwerken."
    assert problem([{"text": apology, "custom": CONTRACT}]) == "apology"


def test_buttons_and_references_are_read_from_the_reply() -> None:
    replies = [{"text": "Zal ik het indienen?", "buttons": [
        {"title": "Ja, indienen", "payload": "/affirm"}],
        "custom": {**CONTRACT, "dossier": {"reference": "OVL-2026-AB12"}}}]
    assert offered(replies) == {"Ja, indienen": "/affirm"}
    assert references(replies, "dossier") == {"OVL-2026-AB12"}
    assert references(replies, "handoff") == set()


def test_the_budget_hands_out_exactly_its_messages_under_threads() -> None:
    budget, taken, lock = Budget(500), [], threading.Lock()

    def worker() -> None:
        while budget.take():
            with lock:
                taken.append(1)
            budget.done()

    threads = [threading.Thread(target=worker) for _ in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(taken) == 500 and budget.in_flight == 0


def test_store_check_finds_duplicates_losses_and_unconfirmed_rows() -> None:
    told = {"load-dossier-a": {"kind": "dossier", "references": ["R1"]},
            "load-dossier-b": {"kind": "dossier", "references": ["R2"]},
            "load-dossier-c": {"kind": "dossier", "references": []},
            "load-question-d": {"kind": "question", "references": []}}
    rows = [("load-dossier-a", "R1"), ("load-dossier-a", "R9"), ("load-dossier-c", "R3")]
    result = check("dossier", rows, told)
    assert (result.promised, result.stored) == (2, 3)
    assert result.duplicated == 1  # conversation a twice
    assert result.missing == 1  # R2 was promised, not stored
    assert result.unconfirmed == 2  # R9 and R3: stored, never shown to the owner
    assert not result.ok
    assert check("dossier", [("load-dossier-a", "R1"), ("load-dossier-b", "R2")], told).ok
