"""Hand-off to human officers: a queue per counter, officer accounts, pause/resume of the bot.

Flow: `actions/human.py` asks the service (`POST /api/handoff/requests`, Bearer
HANDOFF_SERVICE_TOKEN) → `service.HandoffService.submit` queues the conversation when the
counter is open and one of its officers is available (else a call-back request) → the action
returns `ConversationPaused` → an officer takes it in the console (`/officer/`),
`takeover.Takeover` talks to Rasa's HTTP API (RASA_URL, RASA_API_TOKEN) to announce the
officer, send replies and resume the bot → owners read officer messages through
`delivery.OwnerDelivery.deliver_to_owner`.

Plain Python plus aiohttp/argon2-cffi and the storage layer (bot.storage: SQLAlchemy on
aiosqlite or asyncpg); no rasa imports. Web layer: `bot.handoff.web`;
client for the action server: `bot.handoff.client`; accounts: `python -m bot.handoff`.
Environment: HANDOFF_DB (default var/handoff.sqlite3) or HANDOFF_DB_URL (PostgreSQL),
HANDOFF_SERVICE_TOKEN,
HANDOFF_SERVICE_URL (action server side), HANDOFF_PRESENCE_SECONDS, RASA_URL, RASA_API_TOKEN,
SECURE_COOKIES."""
