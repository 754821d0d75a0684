"""What every piece of simulator logic gets: one transaction, the world, the clock."""

from __future__ import annotations

from dataclasses import dataclass

from bss.clock import SimClock
from bss.store import Repo
from bss.world import World


@dataclass(slots=True)
class Ctx:
    repo: Repo
    world: World
    clock: SimClock
