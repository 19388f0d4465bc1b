"""Axes for plotting trials over a search space: where a value sits, what to label.

Numeric parameters use the space's own unit scale (``Param.to_unit``: log-aware, so a
log parameter gets a log axis); categorical ones sit at their index, evenly spread.
Fixed parameters are not searched and get no axis. No Qt here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from dlstudio.search import Categorical, Float, Int, Param, SearchSpace
from dlstudio.gui.sweeps.progress import format_value


@dataclass
class ParamAxis:
    """One searched parameter as an axis from 0 to 1."""

    param: Param
    ticks: list[tuple[float, str]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.param.name

    @property
    def categorical(self) -> bool:
        return isinstance(self.param, Categorical)

    @property
    def log(self) -> bool:
        return bool(getattr(self.param, "log", False))

    def position(self, value: Any) -> float:
        """Where ``value`` sits in [0, 1]; NaN when missing (an inactive conditional)."""
        if value is None:
            return math.nan
        if self.categorical:
            keys = [_key(v) for v in self.param.values]  # type: ignore[attr-defined]
            if _key(value) not in keys:
                return math.nan
            return _spread(keys.index(_key(value)), len(keys))
        try:
            return min(max(float(self.param.to_unit(value)), 0.0), 1.0)  # type: ignore
        except (TypeError, ValueError, ZeroDivisionError):
            return math.nan

    def index(self, value: Any) -> float:
        """A categorical value's index (the scatter plot's x); NaN when unknown."""
        keys = [_key(v) for v in self.param.values]  # type: ignore[attr-defined]
        return float(keys.index(_key(value))) if _key(value) in keys else math.nan


def axes_for(space: SearchSpace) -> list[ParamAxis]:
    """One axis per searched (not fixed) parameter, in the space's order."""
    axes = []
    for param in space:
        if isinstance(param, Categorical):
            axis = ParamAxis(param)
            axis.ticks = [(_spread(i, len(param.values)), format_value(v))
                          for i, v in enumerate(param.values)]
            axes.append(axis)
        elif isinstance(param, (Float, Int)):
            axis = ParamAxis(param)
            middle = math.sqrt(param.low * param.high) if param.log else \
                (param.low + param.high) / 2
            axis.ticks = [(axis.position(v), _number(v))
                          for v in (param.low, middle, param.high)]
            axes.append(axis)
    return axes


def _spread(index: int, count: int) -> float:
    return 0.5 if count <= 1 else index / (count - 1)


def _key(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _number(value: float) -> str:
    return f"{value:.3g}"
