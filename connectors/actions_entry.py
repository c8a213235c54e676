"""Entry point of the action server: rasa_sdk's own CLI (`python -m rasa_sdk`, same
arguments), with every log record masked (`bot/log_privacy.py`) before rasa_sdk configures
its logging, so owners' e-mail addresses, phone numbers, rijksregisternummers, IBANs and
enterprise numbers never reach `var/log/actions.log`."""

from __future__ import annotations

from bot.log_privacy import mask_all_log_records


def main() -> None:
    mask_all_log_records()
    from rasa_sdk.__main__ import main as sdk_main

    sdk_main()


if __name__ == "__main__":
    main()
