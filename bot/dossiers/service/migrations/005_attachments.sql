-- Owners' documents, their answers to "aanvullende info nodig", and the grants that let a chat
-- conversation add to a dossier (the owner proved it is theirs there: the e-mail check).
-- Documents live in the database (BYTEA; a BLOB in SQLite): stored in the same transaction as
-- their row, in every backup, and shared by every replica of the service. They are at most
-- 10 MB each and at most 20 per dossier (bot/dossiers/service/documents.py).
CREATE TABLE dossier_attachments (
    attachment_id TEXT PRIMARY KEY,
    reference TEXT NOT NULL REFERENCES dossiers (reference) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    filename TEXT NOT NULL,
    content_type TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    uploaded_by TEXT NOT NULL,
    conversation_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    content BYTEA NOT NULL,
    UNIQUE (reference, seq)
);

CREATE TABLE dossier_owner_answers (
    reference TEXT NOT NULL REFERENCES dossiers (reference) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    text TEXT NOT NULL,
    history_seq INTEGER NOT NULL,
    conversation_id TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (reference, seq)
);

CREATE TABLE dossier_owner_grants (
    reference TEXT NOT NULL REFERENCES dossiers (reference) ON DELETE CASCADE,
    conversation_id TEXT NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (reference, conversation_id)
);
