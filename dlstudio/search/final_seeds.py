"""``final_seeds``: re-train a sweep's best configurations with new seeds.

A sweep file may end with ``final_seeds: {top: 3, seeds: 3}``: once the search is done,
the 3 best configurations train again with 3 new seeds each, and the report gives each
one's mean and spread, so a winner is not just the luckiest seed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from dlstudio.errors import ConfigError

FINAL_KEY = "final_seeds"


@dataclass(frozen=True)
class FinalSeeds:
    """Re-train the ``top`` best configurations with ``seeds`` new seeds each."""

    top: int = 3
    seeds: int = 3

    @classmethod
    def parse(cls, raw: Any) -> FinalSeeds:
        """From ``{top: 3, seeds: 3}``; ConfigError names each bad key."""
        if isinstance(raw, FinalSeeds):
            return raw
        if not isinstance(raw, Mapping):
            raise ConfigError(f"{FINAL_KEY}: expected {{top: 3, seeds: 3}}")
        problems = [f"{FINAL_KEY}.{key}: unknown setting; expected top, seeds"
                    for key in raw if key not in ("top", "seeds")]
        for key in ("top", "seeds"):
            value = raw.get(key, getattr(cls, key))
            if isinstance(value, bool) or not isinstance(value, int) or value < 1:
                problems.append(f"{FINAL_KEY}.{key}: got {value!r}, expected a whole "
                                "number >= 1")
        if problems:
            raise ConfigError(problems)
        return cls(top=raw.get("top", cls.top), seeds=raw.get("seeds", cls.seeds))
