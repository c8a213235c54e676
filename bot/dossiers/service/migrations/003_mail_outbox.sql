-- The owner's e-mails: written in the same transaction as the dossier event they tell about
-- (one row per event: mail_key), sent by the service's mail worker, retried with back-off
-- until the mail server takes them. A mail the server refuses for good gets failed_at.
CREATE TABLE mail_outbox (
    mail_key TEXT PRIMARY KEY,
    reference TEXT NOT NULL REFERENCES dossiers (reference) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    recipient TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    message_id TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    sent_at TIMESTAMPTZ,
    failed_at TIMESTAMPTZ,
    last_error TEXT
);

CREATE INDEX mail_outbox_due ON mail_outbox (next_attempt_at)
    WHERE sent_at IS NULL AND failed_at IS NULL;
