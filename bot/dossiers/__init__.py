"""Dossiers: the shared vocabulary (models, types, references) at this level, and one folder per
process that uses it: `service/` (the dossier service), `client/` (the action server's way to
reach it) and `intake/` (the conversation that collects a dossier, in the action server)."""
