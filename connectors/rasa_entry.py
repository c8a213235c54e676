"""Entry point that runs the Rasa CLI with a short custom-action timeout.

Stock Rasa 3.6 waits up to 300 s for the action server, which freezes a conversation when an
action hangs. Rasa reads the timeout from a module constant at call time, so we lower it here,
before handing over to the normal CLI. Our channel then answers with an apology instead.
"""

from __future__ import annotations

import os
import sys


def main() -> None:
    import rasa.core.actions.action as rasa_action
    from rasa.__main__ import main as rasa_main

    rasa_action.DEFAULT_REQUEST_TIMEOUT = int(os.environ.get("ACTION_TIMEOUT_SECONDS", "6"))
    rasa_main()


if __name__ == "__main__":
    sys.argv[0] = "rasa"
    main()
