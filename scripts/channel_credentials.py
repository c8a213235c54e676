"""Credentials for Rasa: credentials.yml plus each messaging channel of
credentials.messaging.yml whose environment variables are all set.

Rasa refuses to start when a `${VAR}` in its credentials file is not set, so the messaging
channels (Telegram, WhatsApp, Teams) live in their own file and are added one by one.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

ENV_VAR = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_TOP_KEY = re.compile(r"^([A-Za-z_][\w.]*):")


def channel_blocks(text: str) -> list[tuple[str, str]]:
    """(channel key, its YAML block) for each top-level key; comments are left out."""
    blocks: list[tuple[str, list[str]]] = []
    for line in text.splitlines():
        key = _TOP_KEY.match(line)
        if key:
            blocks.append((key.group(1), [line]))
        elif blocks and line.startswith((" ", "\t")) and not line.strip().startswith("#"):
            blocks[-1][1].append(line)
    return [(name, "\n".join(lines)) for name, lines in blocks]


def enabled_channels(text: str, env: Mapping[str, str]) -> list[tuple[str, str]]:
    return [(name, block) for name, block in channel_blocks(text)
            if all(env.get(var) for var in ENV_VAR.findall(block))]


def compose_credentials(root: Path, env: Mapping[str, str], out: Path
                        ) -> tuple[Path, list[str]]:
    """The credentials file to give Rasa and the messaging channels in it."""
    base = root / "credentials.yml"
    messaging = root / "credentials.messaging.yml"
    extra = enabled_channels(messaging.read_text("utf-8"), env) if messaging.exists() else []
    if not extra:
        return base, []
    out.parent.mkdir(parents=True, exist_ok=True)
    text = base.read_text("utf-8").rstrip() + "\n\n" + "\n\n".join(b for _, b in extra) + "\n"
    out.write_text(text, encoding="utf-8")
    return out, [name for name, _ in extra]
