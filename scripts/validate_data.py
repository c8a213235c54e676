"""`rasa data validate`, failing on every warning except responses that custom actions send.

Rasa warns about responses that no story or rule uses; ours are sent by name from actions/ or
bot/ (which Rasa cannot see), by Rasa's forms (`utter_ask_*`), or as the reply to a refused answer
(`utter_dossier_invalid_<code>` for every code in bot.validators.ERROR_CODES). Such a warning is
accepted only in those cases."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run as a script: make the project importable

from bot.validators import ERROR_CODES  # noqa: E402

INVALID_PREFIX = "utter_dossier_invalid_"
UNUSED = re.compile(r"The utterance '(\w+)' is not used in any story or rule")
# Sent without a story: `utter_restart` by Rasa's own action_restart, and `unclear_input` is an
# intent that only our channels trigger (for empty or emoji-only messages), never NLU.
EXPECTED = ("The utterance 'utter_restart' is not used",
            "The intent 'unclear_input' is listed in the domain file, but is not found")


def sent_by_code(name: str) -> bool:
    if name.startswith("utter_ask_"):
        return True
    if name.startswith(INVALID_PREFIX) and name[len(INVALID_PREFIX):] in ERROR_CODES:
        return True
    literal = re.compile(rf"[\"']{re.escape(name)}[\"']")
    sources = [*(ROOT / "actions").rglob("*.py"), *(ROOT / "bot").rglob("*.py")]
    return any(literal.search(path.read_text(encoding="utf-8")) for path in sources)


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
        if match and sent_by_code(match.group(1)):
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
