"""Token counts for `usage_metadata`, with tiktoken's `o200k_base` when it is available offline
(see `knowledge.offline.seed_tiktoken_cache`) and a ~4-characters-per-token estimate otherwise."""

from __future__ import annotations

from functools import lru_cache
from typing import Any


@lru_cache(maxsize=1)
def _encoding() -> Any:
    try:
        import tiktoken

        return tiktoken.get_encoding("o200k_base")
    except Exception:  # offline with no seeded cache: fall back to the estimate
        return None


def count_tokens(text: str) -> int:
    if not text:
        return 0
    encoding = _encoding()
    if encoding is None:
        return max(1, len(text) // 4)
    return len(encoding.encode(text, disallowed_special=()))
