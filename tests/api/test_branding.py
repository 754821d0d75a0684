"""The operator's name (`SWITCHBOARD_BRAND_NAME`) reaches what customers read: the widget's page
(escaped), the model's system prompt, the one-time-code text and the survey question."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from api.survey_question import question_text
from assistant.turn.prompts import system_prompt
from switchboard.db.models import OutboxMessage
from switchboard.settings import load_settings
from tests.api.conftest import ALICE, make_settings, running_api
from tools.context import TurnContext

BRAND = "Acme <Mobile> & Co"


async def test_the_brand_is_what_customers_read(tmp_path: Path) -> None:
    async with running_api(make_settings(tmp_path, brand_name=BRAND)) as api:
        page = (await api.client.get("/")).text
        assert "<title>Acme &lt;Mobile&gt; &amp; Co help — Switchboard</title>" in page
        assert "Brightwave" not in page and "{{brand}}" not in page
        assert (await api.client.post("/v1/demo/otp", json={"msisdn": ALICE})).status_code == 201
        async with api.app.state.api.runtime.sessionmaker() as session:
            sms = (await session.scalars(select(OutboxMessage))).one()
        assert BRAND in sms.payload["text"] and "Brightwave" not in sms.payload["text"]

    settings = load_settings(token_secret="s" * 40, brand_name=BRAND)
    ctx = TurnContext("c1", "t1", "web", settings, sessionmaker=None, bss=None)  # type: ignore[arg-type]
    prompt = system_prompt(ctx)
    assert prompt.startswith(f"You are Switchboard, the customer-service assistant of {BRAND},")
    assert "Brightwave" not in prompt
    assert question_text("nps", BRAND, "sms").startswith(f"How likely are you to recommend {BRAND}")


async def test_the_widget_colour_and_logo(tmp_path: Path) -> None:
    logo = "https://cdn.example.com/brand/logo.svg"
    settings = make_settings(tmp_path, widget_colour="#aa3300", widget_logo_url=logo)
    async with running_api(settings) as api:
        page = await api.client.get("/")
        css = await api.client.get("/brand.css")
    assert css.headers["content-type"].startswith("text/css")
    assert css.text == ":root { --sb-brand: #aa3300; }\n"
    assert f'<img class="sb-logo" src="{logo}" alt="">' in page.text
    assert '<link rel="stylesheet" href="/brand.css">' in page.text
    assert (
        "img-src 'self' data: https://cdn.example.com;" in page.headers["content-security-policy"]
    )
    async with running_api(make_settings(tmp_path / "plain")) as api:
        plain = await api.client.get("/")
        assert (await api.client.get("/brand.css")).text == ":root { --sb-brand: #123e7c; }\n"
    assert "sb-logo" not in plain.text and "{{logo}}" not in plain.text
    assert "img-src 'self' data:;" in plain.headers["content-security-policy"]
