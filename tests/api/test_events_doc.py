"""docs/events.md documents every SSE event and every field of its payload."""

from __future__ import annotations

import re
from pathlib import Path

from assistant import events
from assistant.events import _Event

DOC = Path(__file__).resolve().parents[2] / "docs" / "events.md"


def _all_events(cls: type[_Event] = _Event) -> list[type[_Event]]:
    found: list[type[_Event]] = []
    for sub in cls.__subclasses__():
        found += [sub, *_all_events(sub)]
    return found


def _sections() -> dict[str, str]:
    parts = re.split(r"^### `([a-z.]+)`$", DOC.read_text(), flags=re.MULTILINE)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_every_event_and_field_is_documented() -> None:
    sections = _sections()
    assert len(_all_events()) >= 14
    for event in _all_events():
        assert event.name in sections, f"docs/events.md lacks `{event.name}`"
        sample_fields = set(event.model_fields) - {"kind"}
        # renamed on the wire by Notification.data() and the surveys' data()
        wire = {"notification_kind": "kind", "survey_kind": "kind"}
        for field in sample_fields:
            assert f"| `{wire.get(field, field)}` |" in sections[event.name], (event.name, field)


def test_nothing_is_documented_that_is_not_sent() -> None:
    names = {event.name for event in _all_events()}
    assert set(_sections()) == names
    assert events.Notification(notification_kind="order", text="x").data()["kind"] == "order"
