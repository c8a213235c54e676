"""Fixtures shared with the hand-off tests: cheap Argon2 parameters, a database, a clock."""

from tests.bot.handoff.conftest import (  # noqa: F401
    broker,
    cheap_password_hashing,
    clock,
    db,
    officers,
    rasa,
    requests,
    service,
)
