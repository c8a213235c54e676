"""The hand-off objects one web app shares, built at start-up (never at import)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

from aiohttp import web

from bot.handoff.audit import AuditLog
from bot.handoff.broker import EventBroker, event_broker
from bot.handoff.config import HandoffConfig
from bot.handoff.db import Database
from bot.handoff.delivery import OwnerDelivery
from bot.handoff.officers import LoginPolicy, OfficerStore
from bot.handoff.outbox import Outbox
from bot.handoff.passwords import HashingPool
from bot.handoff.rasa_api import TrackerApi
from bot.handoff.requests import RequestStore
from bot.handoff.service import HandoffService
from bot.handoff.takeover import Takeover
from bot.ratelimit import Limit, RateLimiter, Unlimited, build_limiter
from bot.webcore.texts import load_texts


@dataclass
class Services:
    config: HandoffConfig
    db: Database
    requests: RequestStore
    officers: OfficerStore
    outbox: Outbox
    audit: AuditLog
    broker: EventBroker
    rasa: TrackerApi
    delivery: OwnerDelivery
    takeover: Takeover
    service: HandoffService
    clock: Callable[[], float]
    login_limiter: RateLimiter = field(default_factory=Unlimited)

    def texts(self) -> dict[str, str]:
        return load_texts(self.config.content_dir / "officer.yml")


@dataclass
class Holder:
    """Set before the app starts; tests may put a fake Rasa API or a clock in it."""

    config: HandoffConfig
    tracker_api: TrackerApi | None = None
    clock: Callable[[], float] = time.time
    services: Services | None = field(default=None)


HOLDER_KEY = web.AppKey("handoff_holder", Holder)


def build_services(config: HandoffConfig, rasa: TrackerApi,
                   clock: Callable[[], float] = time.time) -> Services:
    db = Database(config.db_url)
    policy = LoginPolicy(config.max_failed_logins, config.lockout_seconds,
                         config.session_seconds, config.idle_seconds,
                         config.password_min_length)
    hashing = HashingPool(config.argon2_workers, config.argon2_queue)
    requests, officers = RequestStore(db, clock), OfficerStore(db, policy, clock, hashing)
    login_limiter: RateLimiter = build_limiter(
        Limit.parse(config.login_rate_limit), "officer_login", config.shared_state,
        clock) if config.rate_limits else Unlimited()
    outbox, audit = Outbox(db, clock), AuditLog(db, clock)
    broker = event_broker(config.shared_state)
    delivery = OwnerDelivery(outbox, rasa, clock)
    return Services(
        config=config, db=db, requests=requests, officers=officers, outbox=outbox, audit=audit,
        broker=broker, rasa=rasa, delivery=delivery,
        takeover=Takeover(requests, rasa, delivery, audit, broker),
        service=HandoffService(requests, officers, broker, config.presence_seconds,
                               config.max_waiting_per_counter),
        clock=clock, login_limiter=login_limiter)


def services(request: web.Request) -> Services:
    found = request.app[HOLDER_KEY].services
    if found is None:
        raise web.HTTPServiceUnavailable()
    return found


def fill(text: str, **values: object) -> str:
    """Fill {placeholders} in an officer-editable text without failing on stray braces."""
    for key, value in values.items():
        text = text.replace("{" + key + "}", str(value))
    return text
