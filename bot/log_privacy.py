"""Every log record of a process masked with `bot.privacy`: message, arguments, traceback,
stack and the string fields handlers add (Sanic's access log puts the request line in
`record.request`).

Rasa and Sanic set up their own handlers, some only when the server app is created (Sanic's
`dictConfig`), so a filter on the handlers that exist at start-up misses them. This installs a
LogRecord factory instead: every record of every logger, now and later, masks itself the
first time a handler formats it (`getMessage`, which every `logging.Formatter` calls before it
reads the record's fields). Call `mask_all_log_records()` first thing in a process entry point
(`connectors/rasa_entry.py`, `connectors/actions_entry.py`)."""

from __future__ import annotations

import logging

from bot.privacy import mask_pii, mask_secrets

_STANDARD_FIELDS = frozenset(logging.LogRecord("", 0, "", 0, "", None, None).__dict__) | {
    "message", "asctime", "_masked"}


def _mask(text: str) -> str:
    return mask_pii(mask_secrets(text))


class MaskedLogRecord(logging.LogRecord):
    """A LogRecord that masks personal data and secrets before it is formatted."""

    _masked = False

    def getMessage(self) -> str:
        if not self._masked:
            self._mask_fields()
        return str(self.msg)

    def _mask_fields(self) -> None:
        try:
            message = super().getMessage()
        except Exception:  # broken format arguments: still log something, masked
            message = f"{self.msg} {self.args}"
        self.msg, self.args = _mask(message), None
        if self.exc_info and not self.exc_text:
            self.exc_text = logging.Formatter().formatException(self.exc_info)
        if self.exc_text:
            self.exc_text = _mask(self.exc_text)
        if self.stack_info:
            self.stack_info = _mask(self.stack_info)
        for name, value in list(self.__dict__.items()):
            if name not in _STANDARD_FIELDS and isinstance(value, str):
                self.__dict__[name] = _mask(value)
        self._masked = True


def mask_all_log_records() -> None:
    """Make every record of this process a MaskedLogRecord; calling it again changes nothing.
    Refuses to replace a record factory someone else installed."""
    current = logging.getLogRecordFactory()
    if current is MaskedLogRecord:
        return
    if current is not logging.LogRecord:
        raise RuntimeError(f"another log record factory is installed: {current!r}")
    logging.setLogRecordFactory(MaskedLogRecord)
