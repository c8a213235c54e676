"""The dossier service (stand-in for the municipal case system), its client and outbox."""
