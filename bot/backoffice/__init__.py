"""The officers' back office for dossiers in the web app's console (/officer/dossiers)."""

from bot.backoffice.routes import setup_backoffice_routes

__all__ = ["setup_backoffice_routes"]
