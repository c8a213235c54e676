-- The counters' signed outgoing webhooks: one row per dossier event for a counter that has a
-- webhook (content/tenants/*.yml), written in the same transaction as the event, delivered in
-- order per dossier (seq) and retried with back-off until the receiver answers 2xx.
CREATE TABLE webhook_outbox (
    event_id TEXT PRIMARY KEY,
    reference TEXT NOT NULL REFERENCES dossiers (reference) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    tenant TEXT NOT NULL,
    counter TEXT NOT NULL,
    event TEXT NOT NULL,
    body TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    next_attempt_at TIMESTAMPTZ NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    delivered_at TIMESTAMPTZ,
    last_status INTEGER,
    last_error TEXT
);

CREATE INDEX webhook_outbox_due ON webhook_outbox (next_attempt_at) WHERE delivered_at IS NULL;
