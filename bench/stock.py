"""The stock bot of the comparison: `rasa init` with the project's own Rasa, trained once.

The only change to the template is its own commented-out example action, switched on: the
`bot_challenge` rule ("are you a bot?") runs `action_hello_world` after `utter_iamabot`, so the
stock bot has one turn with an action server round trip like ours. Everything else (config,
policies, in-memory tracker store, data) is what `rasa init` writes.

The project and its model live under var/bench/stock/<fingerprint>/ (never committed); the
fingerprint covers the Rasa version and the changes below, so a second `make bench` does not
retrain.
"""

from __future__ import annotations

import hashlib
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CACHE = ROOT / "var" / "bench" / "stock"
BIN = Path(sys.executable).parent
MODEL_NAME = "stock"
RECIPE_VERSION = "1"  # bump when the steps in ensure_stock_bot change

HELLO_WORLD = '''from typing import Any, Dict, List, Text

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher


class ActionHelloWorld(Action):
    def name(self) -> Text:
        return "action_hello_world"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: Dict[Text, Any]) -> List[Dict[Text, Any]]:
        dispatcher.utter_message(text="Hello World!")
        return []
'''

RULE_BEFORE = "  - intent: bot_challenge\n  - action: utter_iamabot\n"
RULE_AFTER = RULE_BEFORE + "  - action: action_hello_world\n"
CUSTOM_ACTION_TEXT = "are you a bot?"
CUSTOM_ACTION_REPLY = "Hello World!"


def rasa_version() -> str:
    from importlib.metadata import version

    return f"rasa {version('rasa')} rasa-sdk {version('rasa-sdk')}"


def fingerprint() -> str:
    digest = hashlib.sha256()
    digest.update(rasa_version().encode())
    for part in (RECIPE_VERSION, HELLO_WORLD, RULE_AFTER):
        digest.update(part.encode())
    return digest.hexdigest()[:16]


def project_dir() -> Path:
    return CACHE / fingerprint()


def model_path(project: Path) -> Path:
    return project / "models" / f"{MODEL_NAME}.tar.gz"


def _run(argv: list[str], cwd: Path, log: Path) -> None:
    with log.open("ab") as out:
        code = subprocess.run(argv, cwd=cwd, stdout=out, stderr=subprocess.STDOUT,
                              stdin=subprocess.DEVNULL, check=False).returncode
    if code:
        raise RuntimeError(f"{' '.join(argv[:3])} failed ({code}); see {log}")


def customise(project: Path) -> None:
    """Switch on the template's example custom action."""
    (project / "actions" / "actions.py").write_text(HELLO_WORLD, encoding="utf-8")
    domain = project / "domain.yml"
    text = domain.read_text(encoding="utf-8")
    if "action_hello_world" not in text:
        text = text.replace("\nresponses:", "\nactions:\n  - action_hello_world\n\nresponses:", 1)
    domain.write_text(text, encoding="utf-8")
    rules = project / "data" / "rules.yml"
    text = rules.read_text(encoding="utf-8")
    if RULE_AFTER not in text:
        if RULE_BEFORE not in text:
            raise RuntimeError("rasa init's bot_challenge rule changed; update bench/stock.py")
        text = text.replace(RULE_BEFORE, RULE_AFTER, 1)
    rules.write_text(text, encoding="utf-8")


def ensure_stock_bot(say: object = print) -> Path:
    """The stock project directory with a trained model in models/stock.tar.gz."""
    project = project_dir()
    if model_path(project).exists():
        return project
    if project.exists():
        shutil.rmtree(project)
    project.mkdir(parents=True)
    log = project.parent / f"{project.name}.train.log"
    log.write_bytes(b"")
    if callable(say):
        say(f"building the stock rasa init bot in {project.relative_to(ROOT)} "
            f"(once; log {log.name})")
    _run([str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(project)], project, log)
    customise(project)
    shutil.rmtree(project / "models", ignore_errors=True)
    _run([str(BIN / "rasa"), "train", "--fixed-model-name", MODEL_NAME, "--out", "models"],
         project, log)
    if not model_path(project).exists():
        raise RuntimeError(f"stock training wrote no {model_path(project)}; see {log}")
    return project
