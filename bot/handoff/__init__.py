"""Hand-off to human officers: queue per counter, officer accounts, pause/resume of the bot.

Plain Python plus aiohttp/aiosqlite; no rasa imports. The web layer is in `bot.handoff.web`,
the client the action server uses in `bot.handoff.client`."""
