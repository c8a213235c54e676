"""Personal data never reaches the logs: mask_pii and the logging filter."""

from __future__ import annotations

import io
import logging

import pytest

from bot.privacy import PiiFilter, install_pii_filter, mask_pii
from tests.bot.dossier_fixtures import enterprise_number


@pytest.mark.parametrize(("text", "secret", "placeholder"), [
    ("mail van Lotte.Verbeke@example.be ontvangen", "Lotte.Verbeke@example.be", "[email]"),
    ("GET /api/dossiers/OVL-2026-K7M4QX?email=lotte%40example.be", "lotte%40example.be",
     "[email]"),
    ("bel 0470 12 34 56", "0470 12 34 56", "[phone]"),
    ("bel 0470/12.34.56", "0470/12.34.56", "[phone]"),
    ("tel +32 470 12 34 56!", "+32 470 12 34 56", "[phone]"),
    ("tel 0032 9 123 45 67", "0032 9 123 45 67", "[phone]"),
    ("vast 09 123 45 67", "09 123 45 67", "[phone]"),
    ("rrn 85.07.30-033.28", "85.07.30-033.28", "[national_number]"),
    ("rrn 85073003328", "85073003328", "[national_number]"),
    ("kbo BE 0403.170.701", "BE 0403.170.701", "[enterprise_number]"),
    ("kbo 0403170701", "0403170701", "[enterprise_number]"),
    (f"kbo {enterprise_number(12345678)}", enterprise_number(12345678), "[enterprise_number]"),
    ("rekening BE68 5390 0754 7034", "BE68 5390 0754 7034", "[iban]"),
])
def test_personal_data_is_replaced(text, secret, placeholder):
    masked = mask_pii(text)
    assert secret not in masked
    assert placeholder in masked


@pytest.mark.parametrize("text", [
    "dossier OVL-2026-K7M4QX status in_behandeling",
    "2026-11-23 10:30:00,123 INFO nis 44021 port 8100 took 0.0123s",
    "periode 01/07/2027 tot 31/08/2027, 18.5 m2, 300 bezoekers",
])
def test_ordinary_log_content_is_left_alone(text):
    assert mask_pii(text) == text


def make_logger(name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger(name)
    logger.handlers = [handler]
    logger.propagate = False
    logger.setLevel(logging.INFO)
    return logger, stream


def test_the_filter_masks_arguments_and_tracebacks():
    logger, stream = make_logger("test.privacy.filter")
    install_pii_filter(logger)
    logger.info("new dossier for %s (%s)", "jan.peeters@example.be", "0470 12 34 56")
    try:
        raise ValueError("bad enterprise number BE 0403.170.701 for jan.peeters@example.be")
    except ValueError:
        logger.exception("submission failed")
    output = stream.getvalue()
    assert "jan.peeters@example.be" not in output
    assert "0470 12 34 56" not in output and "0403.170.701" not in output
    assert "new dossier for [email] ([phone])" in output
    assert "ValueError: bad enterprise number [enterprise_number] for [email]" in output


def test_installing_twice_adds_one_filter():
    logger, _ = make_logger("test.privacy.twice")
    install_pii_filter(logger)
    install_pii_filter(logger)
    assert sum(isinstance(f, PiiFilter) for f in logger.handlers[0].filters) == 1


def test_a_record_with_broken_arguments_is_still_logged_and_masked():
    logger, stream = make_logger("test.privacy.broken")
    install_pii_filter(logger)
    logger.info("two placeholders %s %s but one argument", "lotte@example.be")
    output = stream.getvalue()
    assert "lotte@example.be" not in output and "[email]" in output
