"""Bias / variance / dev-overfitting verdicts from a run's train, dev and test numbers.

Everything is done on errors: error = 100 - accuracy for classification in percent, or
the metric itself for a regression error such as RMSE. Three gaps are read off the
ladder human -> train -> dev -> test:

    avoidable bias   = train error - human error   (human-level error stands in for Bayes)
    variance         = dev error   - train error
    dev overfitting  = test error  - dev error

**When a gap counts.** A gap counts when it is at least ``Thresholds.min_gap`` points
(2 by default; for a regression metric, ``min_relative_gap`` = 10 % of the largest error,
since RMSE has no fixed scale) and, when set sizes are given, its confidence interval lies
wholly above 0 - a 3-point gap measured on 50 dev samples is noise, not variance.

**Confidence intervals** (percent metrics only, 95 % by default): avoidable bias uses a
Wilson score interval on the train error, the human level taken as exact; variance and dev
overfitting use Newcombe's hybrid score interval for a difference of two independent
binomial proportions (see ``intervals``). Wald intervals were rejected: at the low error
rates of a good model they shrink to nothing and call every gap significant. A regression
metric is not a proportion, so it gets no interval and is judged by size alone.

**The verdict.** Dev overfitting wins when it counts and is the largest counting gap (ties
included): the dev set then flatters the model, so variance read from it cannot be
trusted and the first fix is a bigger dev set. Otherwise ``both`` when bias and variance
both count and the smaller is at least ``comparable_ratio`` (one half) of the larger;
otherwise the larger counting one; ``none`` when nothing counts. Counting gaps left out
of the verdict are listed in ``also``. The course's four cases (train/dev/test accuracy,
human 100): 85/83/82 -> bias, 97/75/74 -> variance, 85/75/73 -> both, 97/94/85 ->
dev_overfitting.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Any

from dlstudio.diagnosis.explain import explain
from dlstudio.diagnosis.intervals import newcombe_difference, wilson_interval
from dlstudio.diagnosis.remedies import remedies_for
from dlstudio.errors import ConfigError

METRICS = ("accuracy", "error", "regression")
CI_METHOD = "Wilson (bias, human level exact) / Newcombe hybrid score (differences)"
_VERDICT_OF_GAP = {"avoidable_bias": "bias", "variance": "variance",
                   "dev_overfitting": "dev_overfitting"}


@dataclass(frozen=True)
class Thresholds:
    """When a gap counts and when bias and variance are "comparable"."""

    min_gap: float = 2.0  # percentage points, accuracy / error metrics
    min_relative_gap: float = 0.10  # regression: share of the largest error
    comparable_ratio: float = 0.5  # "both" when smaller gap / larger gap >= this
    confidence: float = 0.95

    def __post_init__(self):
        problems = []
        if not self.min_gap >= 0:
            problems.append(f"min_gap: must be >= 0 points, got {self.min_gap!r}")
        if not self.min_relative_gap >= 0:
            problems.append(f"min_relative_gap: must be >= 0, got {self.min_relative_gap!r}")
        if not 0 < self.comparable_ratio <= 1:
            problems.append(f"comparable_ratio: must be in (0, 1], got {self.comparable_ratio!r}")
        if not 0 < self.confidence < 1:
            problems.append(f"confidence: must be in (0, 1), got {self.confidence!r}")
        if problems:
            raise ConfigError(problems)


@dataclass(frozen=True)
class Gap:
    """One rung of the error ladder: its size, its interval (or None) and whether it counts."""

    name: str  # "avoidable_bias", "variance" or "dev_overfitting"
    value: float
    low: float | None
    high: float | None
    counts: bool

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready fields."""
        return asdict(self)


@dataclass(frozen=True)
class Diagnosis:
    """The verdict on one run, with the numbers behind it and what to do next."""

    metric: str  # one of METRICS
    human_error: float
    train_error: float
    dev_error: float
    test_error: float | None
    avoidable_bias: Gap
    variance: Gap
    dev_overfitting: Gap | None  # None without a test metric
    verdict: str  # one of remedies.VERDICTS
    also: tuple[str, ...]  # counting problems that are not the verdict
    remedies: tuple[str, ...]
    notes: tuple[str, ...]
    explanation: str
    ci_method: str | None  # None when no interval could be computed
    thresholds: Thresholds

    def to_dict(self) -> dict[str, Any]:
        """Everything as plain JSON-ready values (for ``--json``); ``verdict`` first."""
        data = {"verdict": self.verdict}
        data.update(asdict(self))
        for name in ("avoidable_bias", "variance", "dev_overfitting"):
            gap = getattr(self, name)
            data[name] = None if gap is None else gap.to_dict()
        for name in ("also", "remedies", "notes"):
            data[name] = list(data[name])
        return data


def diagnose(
    train: float,
    dev: float,
    test: float | None = None,
    *,
    human_level: float | None = None,
    metric: str = "accuracy",
    train_size: int | None = None,
    dev_size: int | None = None,
    test_size: int | None = None,
    thresholds: Thresholds | None = None,
) -> Diagnosis:
    """Diagnose a run from its train / dev / (test) numbers.

    ``metric``: ``"accuracy"`` (percent, higher is better), ``"error"`` (percent error) or
    ``"regression"`` (an error metric such as RMSE, any scale, no intervals).
    ``human_level`` is in the same terms as the metric: human accuracy for ``accuracy``
    (default 100), human error for the others (default 0). Set sizes are optional; with
    them each gap gets a confidence interval. ``test=None`` judges bias and variance only.
    Raises ``ConfigError`` naming every bad argument.
    """
    thresholds = thresholds or Thresholds()
    values = {"train": train, "dev": dev, "test": test, "human_level": human_level}
    sizes = {"train_size": train_size, "dev_size": dev_size, "test_size": test_size}
    _validate(metric, values, sizes)
    errors = _to_errors(metric, values)
    gaps = _gaps(metric, errors, sizes, thresholds)
    verdict, also = _verdict(gaps, thresholds)
    with_ci = any(g is not None and g.low is not None for g in gaps.values())
    text, notes = explain(metric, errors, gaps, verdict, also, thresholds)
    return Diagnosis(
        metric=metric, human_error=errors["human"], train_error=errors["train"],
        dev_error=errors["dev"], test_error=errors["test"],
        avoidable_bias=gaps["avoidable_bias"], variance=gaps["variance"],
        dev_overfitting=gaps["dev_overfitting"], verdict=verdict, also=also,
        remedies=remedies_for(verdict), notes=notes, explanation=text,
        ci_method=CI_METHOD if with_ci else None, thresholds=thresholds,
    )


def _validate(metric: str, values: dict[str, Any], sizes: dict[str, Any]) -> None:
    if metric not in METRICS:
        raise ConfigError(f"metric: must be one of {', '.join(METRICS)}, got {metric!r}")
    problems = []
    for name, value in values.items():
        if value is None and name in ("test", "human_level"):
            continue
        if not _is_number(value):
            problems.append(f"{name}: must be a finite number, got {value!r}")
        elif metric == "regression" and value < 0:
            problems.append(f"{name}: a regression error must be >= 0, got {value!r}")
        elif metric != "regression" and not 0 <= value <= 100:
            problems.append(f"{name}: must be a percentage in 0..100, got {value!r}")
    for name, size in sizes.items():
        if size is None:
            continue
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            problems.append(f"{name}: must be a positive whole number of samples, got {size!r}")
    if problems:
        raise ConfigError(problems)


def _to_errors(metric: str, values: dict[str, Any]) -> dict[str, float | None]:
    human = values["human_level"]
    if human is None:
        human = 100.0 if metric == "accuracy" else 0.0
    raw = {"human": human, "train": values["train"], "dev": values["dev"], "test": values["test"]}
    if metric == "accuracy":
        return {k: None if v is None else 100.0 - float(v) for k, v in raw.items()}
    return {k: None if v is None else float(v) for k, v in raw.items()}


def _gaps(metric, errors, sizes, thresholds) -> dict[str, Gap | None]:
    if metric == "regression":
        largest = max(e for e in errors.values() if e is not None)
        min_gap = thresholds.min_relative_gap * largest
    else:
        min_gap = thresholds.min_gap
    ladder = {"avoidable_bias": ("human", "train"), "variance": ("train", "dev"),
              "dev_overfitting": ("dev", "test")}
    gaps: dict[str, Gap | None] = {}
    for name, (lower, upper) in ladder.items():
        if errors[upper] is None:
            gaps[name] = None
            continue
        value = errors[upper] - errors[lower]
        low, high = (None, None)
        if metric != "regression":
            low, high = _interval(name, errors, sizes, thresholds.confidence)
        # The small tolerance keeps 97.3 - 95.3 (= 1.99999...) counting at a 2-point bar.
        counts = value > 0 and value >= min_gap - 1e-9 and (low is None or low > 0)
        gaps[name] = Gap(name, value, low, high, counts)
    return gaps


def _interval(name, errors, sizes, confidence) -> tuple[float | None, float | None]:
    """A percent-point interval for one gap, or (None, None) when a size is missing."""
    if name == "avoidable_bias":
        if sizes["train_size"] is None:
            return None, None
        low, high = wilson_interval(errors["train"] / 100, sizes["train_size"], confidence)
        return 100 * low - errors["human"], 100 * high - errors["human"]
    upper, lower = ("dev", "train") if name == "variance" else ("test", "dev")
    n_upper, n_lower = sizes[f"{upper}_size"], sizes[f"{lower}_size"]
    if n_upper is None or n_lower is None:
        return None, None
    low, high = newcombe_difference(errors[upper] / 100, n_upper, errors[lower] / 100,
                                    n_lower, confidence)
    return 100 * low, 100 * high


def _verdict(gaps: dict[str, Gap | None], thresholds: Thresholds) -> tuple[str, tuple[str, ...]]:
    counting = {name: g.value for name, g in gaps.items() if g is not None and g.counts}
    if not counting:
        return "none", ()
    bias, variance = counting.get("avoidable_bias"), counting.get("variance")
    if counting.get("dev_overfitting", -math.inf) >= max(counting.values()):
        verdict, covered = "dev_overfitting", {"dev_overfitting"}
    elif bias is not None and variance is not None and (
        min(bias, variance) >= thresholds.comparable_ratio * max(bias, variance)
    ):
        verdict, covered = "both", {"avoidable_bias", "variance"}
    else:
        pair = {k: v for k, v in counting.items() if k != "dev_overfitting"}
        top = max(pair, key=pair.get)
        verdict, covered = _VERDICT_OF_GAP[top], {top}
    also = tuple(_VERDICT_OF_GAP[name] for name in counting if name not in covered)
    return verdict, also


def _is_number(value) -> bool:
    return (isinstance(value, (int, float)) and not isinstance(value, bool)
            and math.isfinite(value))
