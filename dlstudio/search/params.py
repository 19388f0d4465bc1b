"""Search-space parameters: the values one hyperparameter may take and how to draw them.

Four kinds: :class:`Categorical`, :class:`Fixed`, :class:`Float` and :class:`Int` (both
uniform or log-scaled, optionally on a step). Any of them may carry a ``condition``: it
applies only when categorical parents hold given values, e.g. ``optim.momentum`` only
for ``optim.name`` in (momentum, nesterov).

Numeric parameters map to and from a unit interval (log-aware), which is what grids,
random draws and coarse-to-fine boxes are built on.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass
from typing import Any

import numpy as np

Condition = tuple[tuple[str, tuple[Any, ...]], ...]


def normalise_value(value: Any) -> Any:
    """Tuples become lists, as after a JSON round trip, so stored configs compare equal."""
    return json.loads(json.dumps(value))


# Grid values per numeric parameter: more cannot be trained in any sweep anyone runs,
# and is a typo for a smaller number.
MAX_POINTS = 10_000

@dataclass(frozen=True, kw_only=True)
class Param:
    """Base: a dotted RunConfig key, an optional condition on categorical parents, and
    optionally how many grid points this parameter gets (else the grid's default)."""

    name: str
    condition: Condition = ()
    points: int | None = None

    def active(self, config: dict[str, Any]) -> bool:
        """True when every parent named in the condition holds one of its listed values."""
        return all(parent in config and config[parent] in values
                   for parent, values in self.condition)

    @property
    def parents(self) -> tuple[str, ...]:
        return tuple(parent for parent, _ in self.condition)

    def check(self) -> list[str]:
        """Problems with this parameter's own settings, each naming it."""
        return []


@dataclass(frozen=True, kw_only=True)
class Categorical(Param):
    """One of a list of values (strings, numbers, booleans, lists such as [64, 32])."""

    values: tuple[Any, ...]

    def sample(self, rng: np.random.Generator) -> Any:
        return copy.deepcopy(self.values[int(rng.integers(len(self.values)))])

    def grid(self, points: int) -> list[Any]:
        return copy.deepcopy(list(self.values))

    def check(self) -> list[str]:
        if not self.values:
            return [f"{self.name}: values is empty; give at least one value"]
        seen: list[str] = []
        for value in self.values:
            key = json.dumps(value, sort_keys=True)
            if key in seen:
                return [f"{self.name}: value {value!r} is listed twice"]
            seen.append(key)
        return []


@dataclass(frozen=True, kw_only=True)
class Fixed(Param):
    """A constant: always this value (where its condition holds)."""

    value: Any

    def sample(self, rng: np.random.Generator) -> Any:
        return copy.deepcopy(self.value)

    def grid(self, points: int) -> list[Any]:
        return [copy.deepcopy(self.value)]


@dataclass(frozen=True, kw_only=True)
class Float(Param):
    """A real number in [low, high]; ``log`` draws uniformly in log10 space.

    ``step`` quantises: ``low + k * step`` on a linear scale, multiples of ``step``
    (``k * step``) on a log scale, as W&B's ``q_uniform`` / ``q_log_uniform_values``.
    """

    low: float
    high: float
    log: bool = False
    step: float | None = None

    def check(self) -> list[str]:
        lo, hi, name = self.low, self.high, self.name
        if not (_is_number(lo) and _is_number(hi) and math.isfinite(lo) and math.isfinite(hi)):
            return [f"{name}: min and max must be finite numbers, got {lo!r} and {hi!r}"]
        if lo >= hi:
            return [f"{name}: min ({lo}) must be below max ({hi})"]
        if self.log and lo <= 0:
            return [f"{name}: a log scale needs min > 0, got {lo}"]
        if self.step is not None:
            if not (_is_number(self.step) and self.step > 0):
                return [f"{name}: q (step) must be a number > 0, got {self.step!r}"]
            if self.log and math.ceil(lo / self.step) > math.floor(hi / self.step):
                return [f"{name}: no multiple of q={self.step} lies in [{lo}, {hi}]"]
        return []

    def to_unit(self, value: float) -> float:
        if self.log:
            span = math.log10(self.high) - math.log10(self.low)
            return (math.log10(value) - math.log10(self.low)) / span
        return (value - self.low) / (self.high - self.low)

    def from_unit(self, u: float) -> float:
        u = min(max(u, 0.0), 1.0)
        if self.log:
            lo, hi = math.log10(self.low), math.log10(self.high)
            value = 10.0 ** (lo + u * (hi - lo))
        else:
            value = self.low + u * (self.high - self.low)
        return self._quantise(min(max(value, self.low), self.high))

    def _quantise(self, value: float) -> float:
        if self.step is None:
            return float(value)
        if self.log:
            k_low, k_high = math.ceil(self.low / self.step), math.floor(self.high / self.step)
            return float(min(max(round(value / self.step), k_low), k_high) * self.step)
        k_high = math.floor((self.high - self.low) / self.step + 1e-9)
        return float(self.low + min(max(round((value - self.low) / self.step), 0), k_high)
                     * self.step)

    def sample(self, rng: np.random.Generator) -> float:
        return self.from_unit(float(rng.random()))

    def grid(self, points: int) -> list[float]:
        if points == 1:
            return [self.from_unit(0.5)]
        return _unique([self.from_unit(i / (points - 1)) for i in range(points)])


@dataclass(frozen=True, kw_only=True)
class Int(Param):
    """A whole number in [low, high] on a step; ``log`` draws uniformly in log space.

    Linear: ``low, low + step, ...``. Log: the multiples of ``step`` in [low, high], each
    drawn with probability proportional to the log-width of its rounding interval.
    """

    low: int
    high: int
    log: bool = False
    step: int = 1

    def check(self) -> list[str]:
        lo, hi, name = self.low, self.high, self.name
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (lo, hi, self.step)):
            return [f"{name}: min, max and q must be whole numbers for an integer parameter"]
        if lo >= hi:
            return [f"{name}: min ({lo}) must be below max ({hi})"]
        if self.log and lo <= 0:
            return [f"{name}: a log scale needs min > 0, got {lo}"]
        if self.step < 1:
            return [f"{name}: q (step) must be >= 1, got {self.step}"]
        if self._k_low > self._k_high:
            return [f"{name}: no value of step {self.step} lies in [{lo}, {hi}]"]
        return []

    # Values are step * k (log) or low + step * k (linear), k in [_k_low, _k_high].
    @property
    def _k_low(self) -> int:
        return -(-self.low // self.step) if self.log else 0

    @property
    def _k_high(self) -> int:
        return self.high // self.step if self.log else (self.high - self.low) // self.step

    def _value(self, k: int) -> int:
        return int(k * self.step if self.log else self.low + k * self.step)

    def _k(self, value: int) -> float:
        return value / self.step if self.log else (value - self.low) / self.step

    @property
    def count(self) -> int:
        """How many distinct values the parameter can take."""
        return self._k_high - self._k_low + 1

    def to_unit(self, value: int) -> float:
        k = self._k(value)
        if self.log:
            lo, hi = math.log(self._k_low - 0.5), math.log(self._k_high + 0.5)
            return (math.log(k) - lo) / (hi - lo)
        return (k + 0.5) / self.count

    def from_unit(self, u: float) -> int:
        u = min(max(u, 0.0), 1.0)
        if self.log:
            lo, hi = math.log(self._k_low - 0.5), math.log(self._k_high + 0.5)
            k = round(math.exp(lo + u * (hi - lo)))
        else:
            k = math.floor(u * self.count)
        return self._value(min(max(k, self._k_low), self._k_high))

    def sample(self, rng: np.random.Generator) -> int:
        return self.from_unit(float(rng.random()))

    def grid(self, points: int) -> list[int]:
        if self.count <= points:
            return [self._value(k) for k in range(self._k_low, self._k_high + 1)]
        if points == 1:
            return [self.from_unit(0.5)]
        if self.log:
            ks = np.exp(np.linspace(math.log(self._k_low), math.log(self._k_high), points))
        else:
            ks = np.linspace(self._k_low, self._k_high, points)
        return _unique([self._value(int(round(k))) for k in ks])


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _unique(values: list[Any]) -> list[Any]:
    # Grid values are numbers: a dict keeps the first of each in order, in linear time
    # (a list scan made `points: 100000` a minutes-long hang).
    return list(dict.fromkeys(values))
