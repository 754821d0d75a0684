from pathlib import Path

import pytest
import tiktoken

from knowledge.offline import seed_tiktoken_cache


def test_seeding_makes_tiktoken_work_without_network(tmp_path: Path) -> None:
    cache = seed_tiktoken_cache(tmp_path / "cache")
    assert len(list(cache.iterdir())) == 2
    enc = tiktoken.get_encoding("o200k_base")
    assert enc.decode(enc.encode("top up £10")) == "top up £10"
    assert tiktoken.encoding_for_model("gpt-4.1-mini").name == "o200k_base"


def test_a_corrupted_cache_file_is_replaced(tmp_path: Path) -> None:
    cache = seed_tiktoken_cache(tmp_path / "cache")
    victim = next(cache.iterdir())
    good = victim.read_bytes()
    victim.write_bytes(b"garbage")
    seed_tiktoken_cache(cache)
    assert victim.read_bytes() == good


@pytest.mark.parametrize("name", ["cl100k_base", "o200k_base"])
def test_both_encodings_load(name: str) -> None:
    assert tiktoken.get_encoding(name).n_vocab > 100_000
