"""Settings of the web app, from the environment (no secrets have defaults)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent


@dataclass(frozen=True)
class WebConfig:
    rasa_url: str = "http://127.0.0.1:5005"
    content_dir: Path = ROOT / "content"
    tenant: str = "oost-vlaanderen"
    secure_cookies: bool = False
    # Peers whose X-Forwarded-For is believed (our own proxy), comma-separated addresses.
    trusted_proxies: frozenset[str] = frozenset()

    @classmethod
    def from_env(cls) -> WebConfig:
        return cls(
            rasa_url=os.environ.get("RASA_URL", cls.rasa_url),
            content_dir=Path(os.environ.get("CONTENT_DIR", str(cls.content_dir))),
            tenant=os.environ.get("TENANT", cls.tenant),
            secure_cookies=os.environ.get("SECURE_COOKIES", "false").lower() == "true",
            trusted_proxies=frozenset(
                address.strip() for address in
                os.environ.get("TRUSTED_PROXY_ADDRESSES", "").split(",") if address.strip()),
        )
