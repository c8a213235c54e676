"""Web side of the hand-off: internal API, owner updates and the officer console."""
