"""Documents an owner adds to a dossier, the owner's answers to an officer's question, and the
grants that bind both to the owner's conversation (records; storage is in sql.py)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime
from typing import Any

MAX_NAME = 120
MAX_ATTACHMENTS = 20  # per dossier
_UNSAFE = re.compile(r"[^\w .,()+-]+")


def display_name(raw: str, extension: str) -> str:
    """The owner's file name, safe to show and to send back: no path, no control or markup
    characters, at most 120 characters, ending in the extension of what it really is."""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFC", base)
    stem = base.rsplit(".", 1)[0] if "." in base else base
    stem = " ".join(_UNSAFE.sub(" ", stem).split()).strip(" .")[:MAX_NAME - 5]
    return f"{stem or 'document'}.{extension}"


def ascii_name(name: str) -> str:
    """A plain-ASCII fallback for Content-Disposition's `filename=`."""
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    return re.sub(r'[^A-Za-z0-9 ._()-]+', "_", folded) or "document"


@dataclass(frozen=True)
class Attachment:
    id: str
    reference: str
    seq: int
    filename: str
    content_type: str
    size: int
    sha256: str
    uploaded_by: str  # "owner" or the officer's id
    created_at: datetime
    # the requested document it is (content/requested_documents.yml `id`); None: not said
    requested_key: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"id": self.id, "seq": self.seq, "filename": self.filename,
                "content_type": self.content_type, "size": self.size, "sha256": self.sha256,
                "uploaded_by": self.uploaded_by, "at": self.created_at.isoformat(),
                "requested_key": self.requested_key}


@dataclass(frozen=True)
class OwnerAnswer:
    """The owner's answer to "aanvullende info nodig"; `history_seq` is the status change it
    made (aanvullende info nodig -> in behandeling)."""

    reference: str
    seq: int
    text: str
    history_seq: int
    created_at: datetime

    def as_dict(self) -> dict[str, Any]:
        return {"seq": self.seq, "text": self.text, "history_seq": self.history_seq,
                "at": self.created_at.isoformat()}
