"""Validators for what users type: pure functions returning `Valid(value)` or `Invalid(code)`."""

from bot.validators.contact import validate_email, validate_name, validate_phone
from bot.validators.dates import today_in_brussels
from bot.validators.enterprise import format_enterprise_number, validate_enterprise_number
from bot.validators.periods import Period, parse_date, parse_period
from bot.validators.result import ERROR_CODES, ErrorCode, Invalid, Valid, ValidationResult
from bot.validators.surface import validate_surface

__all__ = [
    "ERROR_CODES",
    "ErrorCode",
    "Invalid",
    "Period",
    "Valid",
    "ValidationResult",
    "format_enterprise_number",
    "parse_date",
    "parse_period",
    "today_in_brussels",
    "validate_email",
    "validate_enterprise_number",
    "validate_name",
    "validate_phone",
    "validate_surface",
]
