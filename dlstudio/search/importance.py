"""Which hyperparameters mattered: parameter importance over stored runs.

The runs (a sweep's trials or any query's) become a throwaway in-memory Optuna study:
one ``create_trial`` per run with the parameters that differ between the runs, each on
a distribution inferred from its values (numbers on a float or int range, log-scaled
when they span two decades or more; text, booleans and lists as categories). Optuna's
``importance`` module then scores them with fANOVA (variance of the metric explained by
each parameter, from a random forest's functional ANOVA) and mean decrease in impurity
(how much the forest's splits on a parameter reduce the error).

Below ``MIN_RUNS`` runs with the metric the answer is refused: both evaluators fit a
64-tree random forest, and with a handful of points every tree sees nearly the same
few samples, so the split order (and the importances) follows noise.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from dlstudio.config import flatten
from dlstudio.errors import ConfigError

MIN_RUNS = 8
EVALUATORS = ("fanova", "mdi")
EVALUATOR_TITLES = {"fanova": "fANOVA", "mdi": "Mean decrease impurity"}
DEFAULT_METRIC = "best_dev_metric"
MISSING = "(missing)"


@dataclass
class ImportanceResult:
    """Importances per evaluator (``{"fanova": {param: share}}``, shares sum to 1,
    largest first), with the points they came from for plotting."""

    metric: str
    run_ids: list[int]
    params: list[str]
    values: list[dict[str, Any]]  # per run, the parameter values used (categories as text)
    scores: list[float]  # per run, the metric
    importances: dict[str, dict[str, float]]
    skipped: dict[str, str] = field(default_factory=dict)  # parameter -> why left out
    runs_without_metric: int = 0

    @property
    def runs_used(self) -> int:
        return len(self.run_ids)


def compute_importance(runs: Iterable[dict], metric: str = DEFAULT_METRIC,
                       evaluators: Iterable[str] = EVALUATORS, seed: int = 0
                       ) -> ImportanceResult:
    """Parameter importance of ``runs`` (store rows) for the summary ``metric``.

    Raises ``ConfigError`` with the reason when it cannot be computed: fewer than
    ``MIN_RUNS`` runs with the metric, no parameter that differs, or one metric value.
    """
    evaluators = list(evaluators)
    for name in evaluators:
        if name not in EVALUATORS:
            raise ConfigError(f"importance evaluator: unknown {name!r}; expected one of "
                              f"{', '.join(EVALUATORS)}")
    runs = list(runs)
    scored = [run for run in runs if _finite((run.get("summary") or {}).get(metric))]
    if len(scored) < MIN_RUNS:
        raise ConfigError(
            f"importance: {len(scored)} of {len(runs)} runs have a {metric}; at least "
            f"{MIN_RUNS} are needed (with fewer, a random forest's importances follow noise)")
    scores = [float(run["summary"][metric]) for run in scored]
    if len(set(scores)) == 1:
        raise ConfigError(f"importance: every run has {metric} = {scores[0]:g}; no "
                          "parameter can explain a metric that does not vary")
    configs = [flatten(run.get("config") or {}) for run in scored]
    params, skipped, distributions = _parameters(configs)
    if not params:
        raise ConfigError(f"importance: the {len(scored)} runs share every config value; "
                          "no parameter varies" + _skipped_text(skipped))
    values = [{key: _value(config, key, distributions[key]) for key in params}
              for config in configs]
    importances = _evaluate(values, scores, distributions, evaluators, seed)
    return ImportanceResult(metric, [run["id"] for run in scored], params, values, scores,
                            importances, skipped, len(runs) - len(scored))


def _parameters(configs: list[dict[str, Any]]):
    from optuna.distributions import (CategoricalDistribution, FloatDistribution,
                                      IntDistribution)

    keys = list(dict.fromkeys(key for config in configs for key in config))
    params, skipped, distributions = [], {}, {}
    for key in keys:
        present = [config[key] for config in configs if key in config]
        numbers = [v for v in present if _is_number(v)]
        if numbers and len(numbers) == len(present):
            if len(present) < len(configs):
                skipped[key] = f"missing in {len(configs) - len(present)} runs"
                continue
            low, high = min(numbers), max(numbers)
            if low == high:
                continue
            log = low > 0 and high / low >= 100
            if all(isinstance(v, int) for v in numbers):
                distributions[key] = IntDistribution(int(low), int(high), log=log and low >= 1)
            else:
                distributions[key] = FloatDistribution(float(low), float(high), log=log)
        else:
            texts = [_category(config.get(key, MISSING)) for config in configs]
            choices = sorted(set(texts))
            if len(choices) < 2:
                continue
            if len(choices) == len(configs) and len(configs) > 2:
                skipped[key] = "a different value in every run (a name, not a setting)"
                continue
            distributions[key] = CategoricalDistribution(choices)
        params.append(key)
    return params, skipped, distributions


def _evaluate(values, scores, distributions, evaluators, seed) -> dict[str, dict[str, float]]:
    import optuna
    from optuna.importance import (FanovaImportanceEvaluator,
                                   MeanDecreaseImpurityImportanceEvaluator)

    from dlstudio.search.optuna_bridge import quiet

    classes = {"fanova": FanovaImportanceEvaluator,
               "mdi": MeanDecreaseImpurityImportanceEvaluator}
    with quiet():
        study = optuna.create_study(direction="maximize")
        study.add_trials([
            optuna.trial.create_trial(params=point, distributions=dict(distributions),
                                      value=score)
            for point, score in zip(values, scores)])
        return {name: dict(optuna.importance.get_param_importances(
                    study, evaluator=classes[name](seed=seed)))
                for name in evaluators}


def _value(config: dict[str, Any], key: str, distribution) -> Any:
    from optuna.distributions import CategoricalDistribution

    if isinstance(distribution, CategoricalDistribution):
        return _category(config.get(key, MISSING))
    return config[key]


def _category(value: Any) -> str:
    # Optuna's categories are scalars; lists ([16, 16] hidden layers) become their text.
    return value if isinstance(value, str) else str(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _finite(value: Any) -> bool:
    return _is_number(value)


def _skipped_text(skipped: dict[str, str]) -> str:
    if not skipped:
        return ""
    return " (left out: " + "; ".join(f"{k}: {why}" for k, why in skipped.items()) + ")"


def select_runs(store, target: str) -> tuple[str, list[dict]]:
    """The runs ``target`` names: a sweep id (``12`` or ``sweep:12``) or a run query.
    Returns a label (``"sweep 12"`` or the query) and the runs."""
    text = target.strip()
    sweep = text[len("sweep:"):].strip() if text.lower().startswith("sweep:") else text
    if sweep.isdigit():
        sweep_id = int(sweep)
        store.get_sweep(sweep_id)  # "sweep 12: not found"
        return f"sweep {sweep_id}", store.list_runs(sweep_id=sweep_id)
    return text, store.list_runs(where=text)
