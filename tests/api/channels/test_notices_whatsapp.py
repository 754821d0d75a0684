"""WhatsApp notices: inside the 24-hour window since the customer last wrote, a plain text;
outside it, the approved template named in the settings (Meta refuses free text there)."""

from __future__ import annotations

import json

from api.notices.audience import Target
from api.notices.publish import publish
from switchboard import clock
from tests.api.channels.conftest import ALICE, Channels, MakeChannels
from tests.api.channels.test_notices_outage import prefer
from tests.fakes.scripted_model import say

CREDS = {"whatsapp_access_token": "wa-token", "whatsapp_phone_number_id": "106540352242922"}


async def _notify(ch: Channels, key: str, kind: str = "outage") -> None:
    now = clock.now().replace(hour=12)
    await publish(
        ch.hub.sessionmaker,
        [Target("cust-001", "whatsapp", ALICE.lstrip("+"))],
        kind=kind,
        ref=key,
        key=key,
        text=f"Notice {key}.",
        settings=ch.settings,
        now=now,
    )
    assert await ch.hub.notices.dispatch_due(now=now) == 1
    await ch.hub.worker.deliver_due()


def _sent(ch: Channels) -> list[dict[str, object]]:
    return [json.loads(r.content) for r in ch.provider.requests if r.url.path.endswith("/messages")]


async def test_template_outside_the_window_text_inside(make_channels: MakeChannels) -> None:
    async with make_channels([say("Hi Alice.")], **CREDS) as ch:
        await prefer(ch, "cust-001", consents={"marketing": True})
        await _notify(ch, "N1")  # she never wrote on WhatsApp
        await _notify(ch, "C1", kind="campaign")
        first, offer = _sent(ch)[-2], _sent(ch)[-1]
        assert first["type"] == "template" and first["template"] == {
            "name": "switchboard_update",
            "language": {"code": "en_GB"},
            "components": [
                {"type": "body", "parameters": [{"type": "text", "text": "Notice N1."}]}
            ],
        }
        assert offer["template"]["name"] == "switchboard_offer"  # type: ignore[index]

        await ch.whatsapp("hi", wamid="wamid.W1")
        await ch.settle()
        await _notify(ch, "N2")
        inside = _sent(ch)[-1]
        assert inside["type"] == "text" and inside["text"] == {
            "preview_url": False,
            "body": "Notice N2.",
        }
