"""`rasa data validate`, failing on every warning except responses that custom actions send.

Rasa warns about responses that no story or rule uses; ours are sent by actions by name, which
Rasa cannot see. Such a warning is accepted only when the response name appears in actions/."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
UNUSED = re.compile(r"The utterance '(\w+)' is not used in any story or rule")
# Sent without a story: `utter_restart` by Rasa's own action_restart, and `unclear_input` is an
# intent that only our channels trigger (for empty or emoji-only messages), never NLU.
EXPECTED = ("The utterance 'utter_restart' is not used",
            "The intent 'unclear_input' is listed in the domain file, but is not found")


def used_by_actions(name: str) -> bool:
    sources = (ROOT / "actions").rglob("*.py")
    return any(name in path.read_text(encoding="utf-8") for path in sources)


def main() -> int:
    rasa = Path(sys.executable).with_name("rasa")
    cmd = [str(rasa), "data", "validate", "--config", "config.yml", "--domain", "domain",
           "--data", "data"]
    result = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False)
    output = result.stdout + result.stderr
    problems = []
    for line in output.splitlines():
        if "UserWarning:" not in line or any(expected in line for expected in EXPECTED):
            continue
        match = UNUSED.search(line)
        # utter_ask_<slot> responses are sent by Rasa forms themselves.
        if match and (match.group(1).startswith("utter_ask_") or used_by_actions(match.group(1))):
            continue
        problems.append(line.strip())
    for line in problems:
        print(line)
    if result.returncode != 0:
        print(output[-3000:])
        return result.returncode
    print(f"rasa data validate: ok ({len(problems)} unexpected warnings)")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
