"""Insights for municipalities: what business owners ask, where the bot falls short, hand-offs,
dossiers and feedback, from Rasa's own event stream.

Rasa's event broker publishes every tracker event (SQL broker on SQLite in the local profile,
RabbitMQ in production). The consumer (`consumer.py`) runs as a background task of the web app,
reduces each event to what the insights need (`events.py`: no sender id in clear, no slot values
but the reply contract, free text only masked), groups the events of one user message into a
turn (`turns.py`) and writes the analytics schema (`store.py`). `summary.py` aggregates it with
small counts suppressed and `api.py` serves `GET /api/insights/summary` (docs/insights-api.md).
"""
