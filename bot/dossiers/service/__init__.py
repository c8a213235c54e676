"""The dossier service (its own process, port 8100): HTTP API, officer tokens, storage and
migrations. Only this process opens the dossier database."""
