"""Entry point that runs the Rasa CLI with a short custom-action timeout.

Stock Rasa 3.6 waits up to 300 s for the action server, which freezes a conversation when an
action hangs. Rasa reads the timeout from a module constant at call time, so we lower it here,
before handing over to the normal CLI. Our channel then answers with an apology instead.

Rasa's dependencies (pkg_resources, sanic_cors, matplotlib, click, SQLAlchemy, ...) emit dozens
of deprecation warnings at start-up that nobody here can act on; they are filtered before Rasa
is imported, unless `LOG_LEVEL=DEBUG`. Warnings raised from our own packages still show.

Every log record is masked (`bot/log_privacy.py`: e-mail, phone, rijksregisternummer, IBAN,
enterprise number, tokens) before Rasa configures its logging.
"""

from __future__ import annotations

import os
import sys
import warnings
from collections.abc import Mapping
from typing import Any

from bot.log_privacy import mask_all_log_records
from connectors.settings import rasa_settings

# Module names the filter leaves alone (our code); everything else is third-party.
THIRD_PARTY = r"(?!(bot|actions|connectors|launcher)(\.|$))"
THIRD_PARTY_CATEGORIES: tuple[type[Warning], ...] = (
    DeprecationWarning, PendingDeprecationWarning, FutureWarning)


def _ignore_third_party() -> None:
    for category in THIRD_PARTY_CATEGORIES:
        warnings.filterwarnings("ignore", category=category, module=THIRD_PARTY)


def quiet_third_party_warnings() -> None:
    """Install the filters, and again after Rasa's own set-up: the first matching filter wins,
    and both sanic.app (`once` for DeprecationWarning, at import) and Rasa's CLI (`once` for
    UserWarning, which pyparsing's deprecation warnings also are) put theirs in front."""
    if os.environ.get("LOG_LEVEL", "").upper() == "DEBUG":
        return
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    import sanic.app  # noqa: F401

    _ignore_third_party()
    import rasa.utils.common as rasa_common

    rasa_filter = rasa_common._filter_warnings  # looked up at call time (Rasa 3.6 pinned)

    def filter_warnings(*args: Any, **kwargs: Any) -> None:
        rasa_filter(*args, **kwargs)
        _ignore_third_party()

    rasa_common._filter_warnings = filter_warnings


def with_api_token(argv: list[str], env: Mapping[str, str]) -> list[str]:
    """Rasa 3.6 takes its API token only as `--auth-token`: add it from RASA_API_TOKEN inside
    this process, so it never appears in the process list (/proc/<pid>/cmdline keeps the
    arguments the process was started with). `=` form: a token may start with "-"."""
    token = env.get("RASA_API_TOKEN", "")
    if not token or "--enable-api" not in argv or any(
            arg == "--auth-token" or arg.startswith("--auth-token=") for arg in argv):
        return argv
    return [*argv, f"--auth-token={token}"]


def check_action_responses_with_one_validator() -> None:
    """Rasa validates every action-server response with `jsonschema.validate`, which checks
    the schema itself and builds a validator on each call (28–60 ms of a turn here, see
    docs/performance.md). Same schema, same errors, with the validator built once."""
    import jsonschema
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validator_class = jsonschema.validators.validator_for(schema)
    validator_class.check_schema(schema)
    validator = validator_class(schema)
    original = RemoteAction._validate_action_result

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error = jsonschema.exceptions.best_match(validator.iter_errors(result))
        if error is None:
            return True
        return bool(original(self, result))  # Rasa's own message for the rare failure

    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def main() -> None:
    mask_all_log_records()
    sys.argv = with_api_token(sys.argv, os.environ)
    quiet_third_party_warnings()
    check_action_responses_with_one_validator()
    from connectors.event_types import resolve_event_types_once

    resolve_event_types_once()
    import rasa.core.actions.action as rasa_action
    from rasa.__main__ import main as rasa_main

    rasa_action.DEFAULT_REQUEST_TIMEOUT = rasa_settings().action_timeout_seconds
    rasa_main()


if __name__ == "__main__":
    sys.argv[0] = "rasa"
    main()
