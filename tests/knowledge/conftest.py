"""Knowledge fixtures: tiktoken seeded offline, a fast fake embedder, tiny article sets."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import pytest

from knowledge.embedding import Vectors
from knowledge.offline import seed_tiktoken_cache
from knowledge.text import stems, words
from switchboard.settings import Settings


@pytest.fixture(autouse=True, scope="session")
def _tiktoken_offline(tmp_path_factory: pytest.TempPathFactory) -> None:
    seed_tiktoken_cache(tmp_path_factory.mktemp("tiktoken"))


class FakeEmbedder:
    """Bag of stemmed words hashed into 64 dimensions: texts sharing words are close.

    Fast and deterministic; counts calls and texts so tests can see what was embedded.
    """

    model_id = "fake-hash-64"

    def __init__(self) -> None:
        self.calls = 0
        self.texts: list[str] = []

    async def embed(self, texts: Sequence[str]) -> Vectors:
        self.calls += 1
        self.texts.extend(texts)
        out = np.zeros((len(texts), 64), dtype=np.float32)
        for row, text in enumerate(texts):
            for token in stems(words(text)):
                out[row, int(hashlib.md5(token.encode()).hexdigest(), 16) % 64] += 1.0
        out[:, 0] += 1e-3  # no all-zero rows
        return (out / np.linalg.norm(out, axis=1, keepdims=True)).astype(np.float32)


@pytest.fixture
def embedder() -> FakeEmbedder:
    return FakeEmbedder()


ARTICLES = {
    "roaming.md": """---
id: kb-roaming
title: Roaming in Europe
url: https://help.example/roaming
tags: [roaming, travel, abroad]
customer_type: all
capability: roaming
---
## Turning roaming on

Switch roaming on in the app before you travel. It is on by default for pay-monthly lines.

## Prices in Zone 1

In EU countries you pay £2.25 per day and use your UK allowances.
""",
    "voicemail.md": """---
id: kb-voicemail
title: Setting up voicemail
url: https://help.example/voicemail
tags: [voicemail, 222]
customer_type: all
---
# Setting up voicemail

Dial 222 and follow the prompts. The default PIN is 0000.

## Changing your PIN

Dial 222, choose options, then change PIN.
""",
    "topup.md": """---
id: kb-top-up
title: Topping up your credit
url: https://help.example/top-up
tags: [top up, credit]
customer_type: prepaid
capability: top_up
---
You can top up between £5 and £50 at a time with your saved card, up to £100 a day.
""",
    "bill.md": """---
id: kb-bill
title: Understanding your monthly bill
url: https://help.example/bill
tags: [bill, invoice]
customer_type: [postpaid, business]
capability: billing_payments
---
Your bill is issued on the 1st of each month and is due on the 15th. A late payment fee applies.
""",
}


def write_articles(folder: Path, articles: dict[str, str] | None = None) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in (ARTICLES if articles is None else articles).items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def articles(tmp_path: Path) -> Path:
    return write_articles(tmp_path / "articles")


@pytest.fixture
def kb_settings(settings: Settings, articles: Path) -> Settings:
    return settings.model_copy(update={"knowledge_dir": articles})
