-- The officers' back office: the status version an officer's change must name (two officers
-- changing at once: one wins), assignment, the officer's name in the history, internal notes
-- the owner never sees, and a lower-case search column (reference, names, enterprise number)
-- that the storage fills for dossiers created before this migration.
ALTER TABLE dossiers ADD COLUMN status_seq INTEGER NOT NULL DEFAULT 1;
UPDATE dossiers SET status_seq = COALESCE((SELECT MAX(h.seq) FROM dossier_status_history h
    WHERE h.reference = dossiers.reference), 1);
ALTER TABLE dossiers ADD COLUMN assigned_to TEXT;
ALTER TABLE dossiers ADD COLUMN assigned_name TEXT;
ALTER TABLE dossiers ADD COLUMN search_text TEXT;
ALTER TABLE dossier_status_history ADD COLUMN actor_name TEXT;
CREATE INDEX dossiers_counter_status ON dossiers (counter, status);

CREATE TABLE dossier_notes (
    reference TEXT NOT NULL REFERENCES dossiers (reference) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    author TEXT NOT NULL,
    author_name TEXT,
    text TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (reference, seq)
);
