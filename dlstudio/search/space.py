"""SearchSpace: the validated set of parameters a sweep draws configurations from."""

from __future__ import annotations

import copy
import dataclasses
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import numpy as np

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.search.params import Categorical, Fixed, Float, Int, Param
from dlstudio.search.space_format import (
    flatten_parameters, format_param, parse_param, resolve_name,
)


class SearchSpace:
    """Parameters over RunConfig's dotted keys, checked against RunConfig.

    Build it from W&B-style mappings with :meth:`from_dict` or from parameter objects::

        space = SearchSpace.from_dict({
            "optim.name": {"values": ["adam", "momentum", "nesterov"]},
            "optim.lr": {"distribution": "log_uniform_values", "min": 1e-5, "max": 1.0},
            "optim.momentum": {"min": 0.5, "max": 0.99,
                               "condition": {"optim.name": ["momentum", "nesterov"]}},
        })

    Every problem (unknown key, min >= max, a log scale with min <= 0, empty values, a
    value RunConfig refuses, a condition on a missing parameter ...) is collected into one
    ``ConfigError``, one message per problem, each naming the parameter. ``base`` is the
    RunConfig mapping the sampled values override; values are checked against it.
    """

    def __init__(self, params: Iterable[Param], base: Mapping[str, Any] | None = None):
        params = list(params)
        self.base: dict[str, Any] = copy.deepcopy(dict(base or {}))
        problems = _check(params, self.base)
        ordered, cycle = _topological(params)
        problems += cycle
        if problems:
            raise ConfigError(problems)
        self.params: tuple[Param, ...] = tuple(ordered)
        self._by_name = {p.name: p for p in self.params}
        self._parents = {parent for p in self.params for parent in p.parents}

    @classmethod
    def from_dict(cls, parameters: Mapping[str, Any],
                  base: Mapping[str, Any] | None = None) -> SearchSpace:
        """Parse a W&B-style ``parameters`` mapping (see ``space_format``)."""
        flat, problems = flatten_parameters(
            dict(parameters) if isinstance(parameters, Mapping) else parameters)
        known = list(RunConfig().flat())
        params: list[Param] = []
        for written, spec in flat.items():
            dotted, problem = resolve_name(written, known)
            if problem:
                problems.append(problem)
                continue
            if any(p.name == dotted for p in params):
                problems.append(f"{written}: {dotted} is given twice")
                continue
            param, more = parse_param(dotted, spec)
            problems += more
            if param is not None:
                params.append(_resolve_parents(param, known, problems))
        if problems:
            raise ConfigError(problems + _check(params, dict(base or {})))
        return cls(params, base)

    def to_dict(self) -> dict[str, Any]:
        """W&B-style parameters that :meth:`from_dict` reads back into an equal space."""
        return {p.name: format_param(p) for p in self.params}

    # -- reading -------------------------------------------------------------------
    def __iter__(self) -> Iterator[Param]:
        return iter(self.params)

    def __len__(self) -> int:
        return len(self.params)

    def __contains__(self, name: object) -> bool:
        return name in self._by_name

    def __getitem__(self, name: str) -> Param:
        return self._by_name[name]

    def __eq__(self, other: object) -> bool:
        return (isinstance(other, SearchSpace) and self.params == other.params
                and self.base == other.base)

    def __repr__(self) -> str:
        return f"SearchSpace({[p.name for p in self.params]})"

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.params]

    @property
    def has_conditions(self) -> bool:
        return bool(self._parents)

    def is_parent(self, name: str) -> bool:
        """True when some parameter's condition refers to ``name``."""
        return name in self._parents

    def sample(self, rng: np.random.Generator) -> dict[str, Any]:
        """One configuration: each active parameter drawn in dependency order."""
        config: dict[str, Any] = {}
        for param in self.params:
            if param.active(config):
                config[param.name] = param.sample(rng)
        return config


def _resolve_parents(param: Param, known: list[str], problems: list[str]) -> Param:
    pairs = []
    for parent, values in param.condition:
        dotted, problem = resolve_name(parent, known)
        if problem:
            problems.append(f"{param.name}: condition on {problem}")
        pairs.append((dotted or parent, values))
    return dataclasses.replace(param, condition=tuple(pairs))


def _check(params: list[Param], base: dict[str, Any]) -> list[str]:
    defaults = RunConfig().flat()
    problems: list[str] = []
    names = [p.name for p in params]
    sound: list[Param] = []  # well-formed: worth asking RunConfig about their values
    for param in params:
        if param.name not in defaults:
            problems.append(resolve_name(param.name, list(defaults))[1] or
                            f"{param.name}: unknown parameter")
            continue
        if names.count(param.name) > 1:
            problems.append(f"{param.name}: given twice")
            continue
        own = param.check() or _kind_problems(param, defaults[param.name])
        problems += own + _condition_problems(param, params)
        if not own:
            sound.append(param)
    return problems + _value_problems(sound, base)


def _kind_problems(param: Param, default: Any) -> list[str]:
    kind = type(default)
    if isinstance(param, (Categorical, Fixed)):
        return []
    if kind is int and isinstance(param, Float):
        return [f"{param.name}: takes whole numbers; use int_uniform, int_log_uniform_values "
                f"or values, not a real-valued distribution"]
    if kind not in (int, float):
        return [f"{param.name}: takes {kind.__name__} values; list them with 'values'"]
    return []


def _condition_problems(param: Param, params: list[Param]) -> list[str]:
    by_name = {p.name: p for p in params}
    problems = []
    for parent_name, values in param.condition:
        parent = by_name.get(parent_name)
        if parent is None:
            problems.append(f"{param.name}: condition on {parent_name}, which is not a "
                            f"parameter of this sweep")
        elif not isinstance(parent, (Categorical, Fixed)):
            problems.append(f"{param.name}: condition on {parent_name}, which is not "
                            f"categorical (give it values)")
        else:
            allowed = parent.values if isinstance(parent, Categorical) else (parent.value,)
            for value in values:
                if value not in allowed:
                    problems.append(f"{param.name}: condition value {value!r} is not one of "
                                    f"{parent_name}'s values {list(allowed)}")
    return problems


def _value_problems(params: list[Param], base: dict[str, Any]) -> list[str]:
    """Ask RunConfig about each listed value and each bound, next to the fixed values."""
    context = dict(base)
    context.update({p.name: p.value for p in params if isinstance(p, Fixed) and not p.condition})
    problems: list[str] = []
    for param in params:
        for label, value in _probe_values(param):
            try:
                RunConfig.from_dict({**context, param.name: value})
            except ConfigError as exc:
                own = [m for m in exc.problems
                       if m.startswith((f"{param.name}: got", f"{param.name}: unknown"))]
                problems += [f"{m} (from {label})" for m in own]
    return problems


def _probe_values(param: Param) -> list[tuple[str, Any]]:
    if isinstance(param, Categorical):
        return [("values", v) for v in param.values]
    if isinstance(param, Fixed):
        return [("value", param.value)]
    if isinstance(param, (Float, Int)):
        return [("min", param.from_unit(0.0)), ("max", param.from_unit(1.0))]
    return []


def _topological(params: list[Param]) -> tuple[list[Param], list[str]]:
    """Parents before children, otherwise the given order; a cycle is a problem."""
    ordered: list[Param] = []
    placed: set[str] = set()
    names = {p.name for p in params}
    remaining = list(params)
    while remaining:
        ready = next((p for p in remaining
                      if all(parent in placed or parent not in names for parent in p.parents)),
                     None)
        if ready is None:
            return ordered, [f"{p.name}: its condition forms a cycle" for p in remaining]
        ordered.append(ready)
        placed.add(ready.name)
        remaining.remove(ready)
    return ordered, []
