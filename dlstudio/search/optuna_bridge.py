"""Our search space on Optuna's terms: distributions, suggestions, rebuilt studies.

Only the Bayesian strategy and Hyperband's TPE option use this, and they import it
lazily: importing ``dlstudio.search`` does not load Optuna. Optuna sees every
categorical as the index of its value (values may be lists, which Optuna cannot hold),
and a log-scaled integer on a step as the multiplier ``k`` of ``k * step``. Conditional
parameters are suggested define-by-run, only where their condition holds.

Optuna's logging and its ExperimentalWarning (for TPE's ``group`` option) are
silenced only around our own calls, so anyone else's Optuna use is untouched.
"""

from __future__ import annotations

import contextlib
import copy
import math
import warnings
from collections.abc import Iterator
from typing import Any

import optuna
from optuna.distributions import (
    BaseDistribution, CategoricalDistribution, FloatDistribution, IntDistribution,
)
from optuna.trial import TrialState

from dlstudio.search.params import Categorical, Fixed, Float, Int, Param
from dlstudio.search.space import SearchSpace

@contextlib.contextmanager
def quiet() -> Iterator[None]:
    """Silence Optuna's logs (below ERROR) and ExperimentalWarning for the duration."""
    previous = optuna.logging.get_verbosity()
    # ERROR, not WARNING: Optuna warns in the log about optional packages (greenlet for
    # the GP sampler) on every fit, which says nothing about the sweep.
    optuna.logging.set_verbosity(optuna.logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", category=optuna.exceptions.ExperimentalWarning)
            yield
    finally:
        optuna.logging.set_verbosity(previous)


def distribution(param: Param) -> BaseDistribution:
    """The Optuna distribution of a non-fixed parameter (see the module docstring)."""
    if isinstance(param, Categorical):
        return CategoricalDistribution(list(range(len(param.values))))
    if isinstance(param, Float):
        if param.step is None or param.log:  # Optuna has no stepped log floats: we round
            return FloatDistribution(param.low, param.high, log=param.log)
        k_high = math.floor((param.high - param.low) / param.step + 1e-9)
        return FloatDistribution(param.low, param.low + k_high * param.step, step=param.step)
    if isinstance(param, Int):
        if param.log:
            return IntDistribution(-(-param.low // param.step), param.high // param.step,
                                   log=True)
        k_high = (param.high - param.low) // param.step
        return IntDistribution(param.low, param.low + k_high * param.step, step=param.step)
    raise TypeError(f"{param.name}: no Optuna distribution for {type(param).__name__}")


def to_value(param: Param, raw: Any) -> Any:
    """Optuna's value -> the config value."""
    if isinstance(param, Categorical):
        return copy.deepcopy(param.values[int(raw)])
    if isinstance(param, Int):
        return int(raw) * param.step if param.log else int(raw)
    if isinstance(param, Float):
        if param.log and param.step:  # Optuna drew a continuous value: round it to the step
            return param.from_unit(param.to_unit(float(raw)))
        return float(raw)
    raise TypeError(f"{param.name}: unexpected {type(param).__name__}")


def to_raw(param: Param, value: Any) -> Any:
    """The config value -> Optuna's value (inverse of :func:`to_value`)."""
    if isinstance(param, Categorical):
        return param.values.index(value)
    if isinstance(param, Int):
        return value // param.step if param.log else value
    return min(max(float(value), param.low), param.high)  # a rounded k*step may overshoot


def suggest(trial: optuna.Trial, space: SearchSpace) -> tuple[dict[str, Any], dict[str, Any]]:
    """Define-by-run: ``(config, optuna params)`` for the parameters that apply."""
    config: dict[str, Any] = {}
    raw_params: dict[str, Any] = {}
    for param in space.params:
        if not param.active(config):
            continue
        if isinstance(param, Fixed):
            config[param.name] = copy.deepcopy(param.value)
            continue
        raw = _suggest_one(trial, param.name, distribution(param))
        raw_params[param.name] = raw
        config[param.name] = to_value(param, raw)
    return config, raw_params


def _suggest_one(trial: optuna.Trial, name: str, dist: BaseDistribution) -> Any:
    if isinstance(dist, CategoricalDistribution):
        return trial.suggest_categorical(name, dist.choices)
    if isinstance(dist, IntDistribution):
        return trial.suggest_int(name, dist.low, dist.high, step=dist.step, log=dist.log)
    assert isinstance(dist, FloatDistribution)
    return trial.suggest_float(name, dist.low, dist.high, step=dist.step, log=dist.log)


def encode(space: SearchSpace, config: dict[str, Any]) -> dict[str, Any]:
    """Optuna params of a configuration (its non-fixed, active parameters)."""
    return {p.name: to_raw(p, config[p.name]) for p in space.params
            if not isinstance(p, Fixed) and p.name in config}


def make_sampler(kind: str, seed: int, n_startup_trials: int, *, constant_liar: bool,
                 conditional: bool) -> optuna.samplers.BaseSampler:
    """A fresh seeded sampler; made anew for every proposal (see ``Bayesian``)."""
    with quiet():
        if kind == "gp":
            return optuna.samplers.GPSampler(seed=seed, n_startup_trials=n_startup_trials,
                                             warn_independent_sampling=False)
        # group=True models conditional parameters jointly within each sub-space.
        return optuna.samplers.TPESampler(seed=seed, n_startup_trials=n_startup_trials,
                                          multivariate=True, group=conditional,
                                          constant_liar=constant_liar)


def new_study() -> optuna.Study:
    """An empty in-memory study that minimises (our losses are always lower-better)."""
    with quiet():
        return optuna.create_study(direction="minimize")


def add_record(study: optuna.Study, space: SearchSpace, raw_params: dict[str, Any],
               value: float | None, running: bool = False) -> None:
    """Replay one trial: complete with ``value``, failed (None), or still running."""
    dists = {name: distribution(space[name]) for name in raw_params}
    if running:
        state = TrialState.RUNNING
    else:
        state = TrialState.FAIL if value is None else TrialState.COMPLETE
    with quiet():
        study.add_trial(optuna.trial.create_trial(
            state=state, value=value if state == TrialState.COMPLETE else None,
            params=raw_params, distributions=dists))


def tell(study: optuna.Study, number: int, value: float | None) -> None:
    """Finish trial ``number`` with ``value``, or as FAIL when None."""
    with quiet():
        if value is None:
            study.tell(number, state=TrialState.FAIL)
        else:
            study.tell(number, value)


def propose(study: optuna.Study, space: SearchSpace,
            sampler: optuna.samplers.BaseSampler) -> tuple[optuna.Trial, dict[str, Any],
                                                           dict[str, Any]]:
    """Ask ``study`` (with ``sampler``) for one configuration: ``(trial, config, params)``."""
    with quiet():
        study.sampler = sampler
        trial = study.ask()
        config, raw_params = suggest(trial, space)
    return trial, config, raw_params
