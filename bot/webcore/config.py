"""Settings of the web app: the one module of the web app that reads the environment (no
secrets have defaults). `WebConfig.env` is the environment the app was built from; every part
of the app (officer console, back office, insights, limits, documents, retention) reads its own
settings from it, passed in through `create_app(config)`."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.deployment import DEFAULT_TENANT, content_dir, tenant
from bot.paths import DEFAULT_CONTENT_DIR


def _environment() -> Mapping[str, str]:
    return dict(os.environ)


@dataclass(frozen=True)
class WebConfig:
    rasa_url: str = "http://127.0.0.1:5005"
    content_dir: Path = DEFAULT_CONTENT_DIR
    tenant: str = DEFAULT_TENANT
    secure_cookies: bool = False
    # Peers whose X-Forwarded-For is believed (our own proxy), comma-separated addresses.
    trusted_proxies: frozenset[str] = frozenset()
    # The whole environment, for the parts' own settings (a copy taken when the config is made).
    env: Mapping[str, str] = field(default_factory=_environment, repr=False, compare=False)

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> WebConfig:
        env = dict(os.environ if env is None else env)
        return cls(
            rasa_url=env.get("RASA_URL", cls.rasa_url),
            content_dir=content_dir(env),
            tenant=tenant(env),
            secure_cookies=env.get("SECURE_COOKIES", "false").lower() == "true",
            trusted_proxies=frozenset(
                address.strip() for address in
                env.get("TRUSTED_PROXY_ADDRESSES", "").split(",") if address.strip()),
            env=env,
        )

    @property
    def rasa_api_token(self) -> str:
        """RASA_API_TOKEN: for reading a conversation back from Rasa (unset: no transcript)."""
        return self.env.get("RASA_API_TOKEN", "")
