"""``SweepSpec``: a parsed, validated sweep file (see ``sweep_file``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from dlstudio.search.final_seeds import FinalSeeds
from dlstudio.search.space import SearchSpace


@dataclass
class SweepSpec:
    """A parsed, validated sweep file: what :func:`strategy_from_sweep` builds from."""

    method: str
    metric_name: str
    goal: str
    space: SearchSpace
    settings: dict[str, Any] = field(default_factory=dict)  # the method's own section
    base: dict[str, Any] = field(default_factory=dict)
    budget: dict[str, int] = field(default_factory=dict)  # {"trials": N} and/or {"epochs": N}
    source: str = "<sweep>"
    name: str = ""
    final_seeds: FinalSeeds | None = None
