"""The operator's support hours (`SWITCHBOARD_SUPPORT_HOURS`, in `SWITCHBOARD_TIME_ZONE`): when a
person can answer, and when they next can. Written like "Mon-Fri 08:00-20:00; Sat 09:00-17:00"
or "24/7"; a day not named is closed. Standard library only."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = "24/7"
_SPAN = re.compile(
    r"^(?P<first>[a-z]{3})(?:\s*-\s*(?P<last>[a-z]{3}))?\s+"
    r"(?P<start>\d{1,2}:\d{2})\s*-\s*(?P<end>\d{1,2}:\d{2})$"
)


def _clock(text: str) -> time | None:
    """ "08:00" -> 08:00; "24:00" -> None (the end of the day)."""
    hours, minutes = (int(part) for part in text.split(":"))
    if hours == 24 and minutes == 0:
        return None
    return time(hours, minutes)


@dataclass(frozen=True, slots=True)
class SupportHours:
    text: str
    # weekday (0 = Monday) -> (start, end) spans; end None means midnight at the day's end
    spans: dict[int, tuple[tuple[time, time | None], ...]]

    @classmethod
    def parse(cls, text: str) -> SupportHours:
        """The hours in `text`; ValueError naming the part that cannot be read."""
        cleaned = " ".join(text.strip().split())
        if cleaned.lower() in (ALWAYS, "always", "mon-sun 00:00-24:00"):
            return cls(ALWAYS, {day: ((time(0), None),) for day in range(7)})
        spans: dict[int, list[tuple[time, time | None]]] = {}
        for part in filter(None, (p.strip() for p in cleaned.lower().split(";"))):
            match = _SPAN.match(part)
            if match is None or match["first"] not in DAYS:
                raise ValueError(f"can't read {part!r}: write e.g. 'Mon-Fri 08:00-20:00'")
            first = DAYS.index(match["first"])
            last = DAYS.index(match["last"]) if match["last"] in DAYS else first
            if match["last"] and match["last"] not in DAYS:
                raise ValueError(f"can't read the day {match['last']!r} in {part!r}")
            start, end = _clock(match["start"]), _clock(match["end"])
            if start is None or (end is not None and end <= start):
                raise ValueError(f"{part!r}: the end must come after the start")
            day = first
            while True:
                spans.setdefault(day, []).append((start, end))
                if day == last:
                    break
                day = (day + 1) % 7
        if not spans:
            raise ValueError("no hours given: write e.g. 'Mon-Fri 08:00-20:00' or '24/7'")
        return cls(cleaned, {day: tuple(sorted(s)) for day, s in spans.items()})

    @property
    def always(self) -> bool:
        return self.text == ALWAYS

    def is_open(self, moment: datetime, zone: ZoneInfo) -> bool:
        local = moment.astimezone(zone)
        for start, end in self.spans.get(local.weekday(), ()):
            if start <= local.time() and (end is None or local.time() < end):
                return True
        return False

    def next_open(self, moment: datetime, zone: ZoneInfo) -> datetime | None:
        """The next moment a person is there (now if open), in the operator's zone."""
        local = moment.astimezone(zone)
        if self.is_open(moment, zone):
            return local
        for ahead in range(8):
            day = (local + timedelta(days=ahead)).date()
            for start, _ in self.spans.get(day.weekday(), ()):
                opening = datetime.combine(day, start, tzinfo=zone)
                if opening > local:
                    return opening
        return None


def closed_note(hours: SupportHours, moment: datetime, zone: ZoneInfo) -> str:
    """What to add to a handoff when nobody is there: empty while the team is working."""
    if hours.is_open(moment, zone):
        return ""
    opening = hours.next_open(moment, zone)
    local = moment.astimezone(zone)
    when = ""
    if opening is not None:
        day = (
            "today"
            if opening.date() == local.date()
            else "tomorrow"
            if opening.date() == local.date() + timedelta(days=1)
            else opening.strftime("%A")
        )
        when = f" They'll pick this up from {opening:%H:%M} {day}."
    return f" Our team works {hours.text} ({zone.key} time), so nobody is there right now.{when}"


def quiet_until(span: str, moment: datetime, zone: ZoneInfo) -> datetime | None:
    """When the quiet hours `span` ("21:00-08:00", local to `zone`; "" for none) that hold at
    `moment` end, in UTC; None when `moment` is not in them. A span may cross midnight."""
    if not span:
        return None
    first, last = span.split("-")
    start, end = time.fromisoformat(first), time.fromisoformat(last)
    local = moment.astimezone(zone)
    now = local.time()
    inside = (start <= now < end) if start < end else (now >= start or now < end)
    if not inside:
        return None
    day = local.date() if (start < end or now < end) else local.date() + timedelta(days=1)
    return datetime.combine(day, end, tzinfo=zone).astimezone(moment.tzinfo or zone)


__all__ = ["ALWAYS", "SupportHours", "closed_note", "quiet_until"]
