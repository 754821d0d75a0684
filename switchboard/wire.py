"""The base of every event on the wire (CONTRACT.md §3): an SSE frame's `event:` is the class's
`name` and its `data:` is `data()`. The events themselves live with what produces them:
`tools/events.py` (the confirmation protocol's `action.*`) and `assistant/events.py` (the rest)."""

from __future__ import annotations

from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict


class WireEvent(BaseModel):
    model_config = ConfigDict(frozen=True)
    name: ClassVar[str]

    def data(self) -> dict[str, Any]:
        """The JSON object carried in the SSE `data:` line."""
        return self.model_dump(mode="json", exclude={"kind"})
