"""What the action server uses to reach the dossier service: the HTTP client and the outbox
that keeps submissions made while the service is down."""
