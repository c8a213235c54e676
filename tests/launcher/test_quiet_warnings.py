"""Rasa's entry point hides third-party deprecation warnings (they went to the terminal by the
hundred), keeps ours, and shows everything with LOG_LEVEL=DEBUG."""

from __future__ import annotations

import os
import subprocess
import sys

from launcher import ROOT

PROBE = """
import warnings
from connectors.rasa_entry import quiet_third_party_warnings
quiet_third_party_warnings()
import sanic.app  # what Rasa imports: it shows every DeprecationWarning once
import rasa.utils.common as rasa_common
rasa_common._filter_warnings(log_level=20)  # what Rasa's CLI does at start-up
for module in ("pkg_resources", "matplotlib.fontconfig_pattern", "bot.catalog"):
    for category in (DeprecationWarning, UserWarning):
        warnings.warn_explicit(f"probe {category.__name__} from {module}", category,
                               module.replace(".", "/") + ".py", 1, module=module)
"""


def probe(log_level: str) -> str:
    env = {**os.environ, "LOG_LEVEL": log_level}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=120, check=True)
    return result.stderr


def test_third_party_deprecations_are_hidden_ours_are_kept() -> None:
    shown = probe("INFO")
    assert "probe DeprecationWarning from pkg_resources" not in shown
    assert "probe DeprecationWarning from matplotlib.fontconfig_pattern" not in shown
    assert "probe DeprecationWarning from bot.catalog" in shown
    assert "probe UserWarning from pkg_resources" in shown  # only deprecations are filtered


def test_log_level_debug_shows_everything() -> None:
    shown = probe("DEBUG")
    assert "probe DeprecationWarning from pkg_resources" in shown
    assert "probe DeprecationWarning from matplotlib.fontconfig_pattern" in shown
