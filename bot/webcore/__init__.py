"""Web plumbing shared by the owner's chat app (`bot.web`) and the officer console
(`bot.handoff.web`): settings, page texts and the owner's session cookie. It imports neither,
so the two web packages never import each other in a cycle (`bot.web` composes the app)."""
