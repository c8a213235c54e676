"""Officers a dossier can be assigned to: the console accounts of the dossier's counter."""

from __future__ import annotations

from bot.handoff.models import Officer
from bot.handoff.web.services import Services


async def officers_of_counter(hub: Services, counter: str) -> list[Officer]:
    rows = await hub.db.fetch_all(
        "SELECT officer_id FROM officer_counters WHERE counter = :counter ORDER BY officer_id",
        {"counter": counter})
    found = [await hub.officers.get(int(row["officer_id"])) for row in rows]
    return sorted((o for o in found if o is not None), key=lambda o: o.display_name.lower())
