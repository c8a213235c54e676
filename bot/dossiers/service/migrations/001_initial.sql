-- Dossiers and their status history. The same file runs on SQLite and PostgreSQL:
-- SQLite stores TIMESTAMPTZ as ISO-8601 text (UTC) and JSONB as JSON text.
CREATE TABLE dossiers (
    reference TEXT PRIMARY KEY,
    idempotency_key TEXT NOT NULL UNIQUE,
    request_hash TEXT NOT NULL,
    dossier_type TEXT NOT NULL,
    tenant TEXT NOT NULL,
    counter TEXT NOT NULL,
    municipality_nis TEXT NOT NULL,
    municipality_name TEXT NOT NULL,
    applicant_email TEXT NOT NULL,
    applicant JSONB NOT NULL,
    fields JSONB NOT NULL,
    conversation_id TEXT,
    status TEXT NOT NULL CHECK (status IN ('received', 'in_behandeling',
        'aanvullende_info_nodig', 'goedgekeurd', 'geweigerd', 'afgesloten')),
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

CREATE INDEX dossiers_counter_created ON dossiers (counter, created_at);

CREATE TABLE dossier_status_history (
    reference TEXT NOT NULL REFERENCES dossiers (reference) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    from_status TEXT,
    to_status TEXT NOT NULL,
    actor TEXT NOT NULL,
    note TEXT,
    changed_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (reference, seq)
);
