"""How dossier values read in Dutch, for the owner's summary in the chat (intake/) and for the
mails the dossier service sends (service/): one spelling for both."""

from __future__ import annotations


def format_decimal(value: float) -> str:
    """Flemish spelling: a decimal comma, no trailing ",0"."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return text.replace(".", ",")


def format_phone(e164: str) -> str:
    """+32470123456 -> 0470 12 34 56; other Belgian numbers as 0 + the national number; other
    countries unchanged."""
    national = e164.removeprefix("+32")
    if national == e164 or not national.isdigit():
        return e164
    if national.startswith("4") and len(national) == 9:
        return f"0{national[:3]} {national[3:5]} {national[5:7]} {national[7:]}"
    return f"0{national}"
