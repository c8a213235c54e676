-- Which of the dossier type's requested documents (content/requested_documents.yml: the
-- document's `id`) an owner's upload is. NULL for documents added before this migration and
-- for uploads that did not say (the officer's page lists them as "niet toegewezen").
ALTER TABLE dossier_attachments ADD COLUMN requested_key TEXT;
