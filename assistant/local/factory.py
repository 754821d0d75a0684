"""`make_local_model`: build the local engine from the shipped exemplars and the offline model."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from assistant.local.calibration import Calibration
from assistant.local.catalog import DEMO_CATALOG, CatalogItem
from assistant.local.engine import Engine
from assistant.local.exemplars import load_exemplars
from assistant.local.model import LocalChatModel
from assistant.local.recognizer import Recognizer, SyncEmbedder
from assistant.local.speech_acts import CachedEmbedder, make_speech_acts

if TYPE_CHECKING:
    from switchboard.settings import Settings


def make_local_model(
    settings: Settings | None = None,
    *,
    embedder: SyncEmbedder | None = None,
    exemplar_dir: Path | None = None,
    catalog: Sequence[CatalogItem] | None = None,
    cache_dir: Path | None = None,
    calibration: Calibration | None = None,
) -> LocalChatModel:
    """The offline chat model (`SWITCHBOARD_LLM=local`).

    - `embedder`: anything with `embed_sync(texts) -> unit vectors`; by default the process's
      shared offline MiniLM (`knowledge.embedding.local_embedder()`), which the shipped
      calibration was fitted for. Another embedder needs its own calibration
      (`bench/oos_bench.py --calibrate`).
    - `exemplar_dir`: the exemplar YAML files (default: `settings.exemplars_dir`, else the
      shipped `knowledge/data/exemplars`).
    - `catalog`: plan/add-on names to recognise before a live `list_offers` result is in the
      conversation (default: the demo world's names). Prices are never taken from it.
    - `cache_dir`: where the exemplars' embeddings are cached (default `settings.data_dir/cache`;
      without either, they are computed at start-up, ~4 s).
    """
    if embedder is None:
        from knowledge.embedding import local_embedder

        embedder = local_embedder()
    embedder = CachedEmbedder(embedder)  # recognition and the act classifiers share a vector
    if cache_dir is None and settings is not None:
        cache_dir = settings.data_dir / "cache"
    if exemplar_dir is None and settings is not None:
        exemplar_dir = settings.exemplars_dir
    recognizer = Recognizer(
        load_exemplars(exemplar_dir),
        embedder=embedder,
        calibration=calibration,
        cache_dir=cache_dir,
    )
    engine = Engine(
        recognizer,
        catalog=DEMO_CATALOG if catalog is None else catalog,
        acts=make_speech_acts(embedder),
    )
    return LocalChatModel(engine=engine)
