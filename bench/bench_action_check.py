"""Rasa's check of every action server response: `jsonschema.validate` as Rasa 3.6 calls it
(`RemoteAction._validate_action_result` re-checks the schema against the 2020-12 meta-schema on
each call) against a validator built once. Paid on every custom-action turn, ours and stock.

Usage: .venv/bin/python bench/bench_action_check.py
"""

from __future__ import annotations

import sys
import time
from typing import Any

CALLS = 20
RESPONSE: dict[str, Any] = {
    "events": [
        {"event": "slot", "name": "topic", "value": "terrasvergunning", "timestamp": None},
        {"event": "slot", "name": "municipality", "value": "Aalst", "timestamp": None},
    ],
    "responses": [{"response": "utter_topic_answer", "custom": {"topic": "terrasvergunning"}}],
}


def ms_per_call(check: Any) -> float:
    started = time.perf_counter()
    for _ in range(CALLS):
        check(RESPONSE)
    return (time.perf_counter() - started) / CALLS * 1000


def main() -> int:
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    spec = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(spec)
    validator_class.check_schema(spec)
    validator = validator_class(spec)
    as_rasa = ms_per_call(lambda response: jsonschema.validate(response, spec))
    cached = ms_per_call(validator.validate)
    print(f"action response check: as Rasa 3.6 does it {as_rasa:.1f} ms per call, "
          f"validator built once {cached:.2f} ms per call ({as_rasa / cached:.0f}x)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
