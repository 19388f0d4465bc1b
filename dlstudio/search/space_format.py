"""Read and write parameters in the shape of Weights & Biases sweep configs.

Each parameter is a mapping: ``{values: [...]}``, ``{value: x}`` or ``{distribution: ...,
min: a, max: b, q: step}``; without ``distribution`` the kind is inferred the way W&B does
(values -> categorical, value -> constant, integer min/max -> int_uniform, else uniform).
A nested ``{parameters: {...}}`` makes dotted names (``optim: {parameters: {lr: ...}}`` is
``optim.lr``). Our additions: ``condition: {optim.name: [momentum, nesterov]}``,
``points: N`` (grid points of a numeric parameter) and ``int_log_uniform_values``.

Steps follow Optuna: ``q_uniform`` gives ``min + k * q`` (W&B rounds to multiples of q;
the two agree when min is a multiple of q); log-scaled steps give multiples of q.

Names are RunConfig dotted keys. A bare name that is the last part of exactly one key
(``lr``, ``batch_size``, ``dropout``) resolves to it, as do a few common W&B names
(``learning_rate``, ``optimizer``), so existing sweep files load.
"""

from __future__ import annotations

import dataclasses
import math
from typing import Any

from dlstudio.formatting import parse_number
from dlstudio.search.params import (
    MAX_POINTS, Categorical, Condition, Fixed, Float, Int, Param, normalise_value,
)

SUPPORTED = (
    "constant", "categorical", "uniform", "q_uniform", "int_uniform", "log_uniform",
    "log_uniform_values", "q_log_uniform", "q_log_uniform_values", "int_log_uniform_values",
)
# W&B distributions we know but do not draw from: refused with the supported list.
UNSUPPORTED = (
    "normal", "q_normal", "log_normal", "q_log_normal", "inv_log_uniform",
    "inv_log_uniform_values", "beta", "q_beta",
)
SPEC_KEYS = ("values", "value", "distribution", "min", "max", "q", "condition", "points")
ALIASES = {
    "learning_rate": "optim.lr", "optimizer": "optim.name", "model": "model.name",
    "dataset": "data.name", "scheduler": "schedule.name", "schedule": "schedule.name",
    "hidden_size": "model.hidden", "hidden_sizes": "model.hidden",
}


def resolve_name(name: str, known: list[str]) -> tuple[str | None, str | None]:
    """``(dotted key, None)`` or ``(None, problem)`` for a parameter name as written."""
    if name in known:
        return name, None
    if name in ALIASES:
        return ALIASES[name], None
    matches = [key for key in known if "." not in name and key.rsplit(".", 1)[-1] == name]
    if len(matches) == 1:
        return matches[0], None
    if len(matches) > 1:
        return None, f"{name}: ambiguous parameter; write one of {', '.join(matches)}"
    import difflib

    close = difflib.get_close_matches(name, known, n=1)
    hint = f"; did you mean {close[0]}?" if close else "; expected a RunConfig key such as optim.lr"
    return None, f"{name}: unknown parameter{hint}"


def flatten_parameters(parameters: Any, prefix: str = "") -> tuple[dict[str, Any], list[str]]:
    """Unnest W&B ``parameters`` blocks into ``{dotted name: spec}``."""
    if not isinstance(parameters, dict):
        where = prefix.rstrip(".") or "parameters"
        return {}, [f"{where}: expected a mapping of parameter names to settings"]
    flat: dict[str, Any] = {}
    problems: list[str] = []
    for name, spec in parameters.items():
        dotted = f"{prefix}{name}"
        if isinstance(spec, dict) and "parameters" in spec:
            if set(spec) != {"parameters"}:
                problems.append(f"{dotted}: a nested 'parameters' block takes no other settings")
            inner, more = flatten_parameters(spec["parameters"], dotted + ".")
            flat.update(inner)
            problems += more
        else:
            flat[dotted] = spec
    return flat, problems


def parse_param(name: str, spec: Any) -> tuple[Param | None, list[str]]:
    """One parameter from its W&B-style mapping; problems name the parameter."""
    if not isinstance(spec, dict):
        return None, [f"{name}: expected a mapping such as {{values: [...]}} or "
                      f"{{distribution: uniform, min: 0, max: 1}}, got {spec!r}"]
    problems = [f"{name}: unknown setting {key!r}; expected one of {', '.join(SPEC_KEYS)}"
                for key in spec if key not in SPEC_KEYS and key != "probabilities"]
    if "probabilities" in spec:
        problems.append(f"{name}: 'probabilities' is not supported; values are drawn uniformly")
    condition, more = _parse_condition(name, spec.get("condition"))
    problems += more
    spec = {key: _number_text(value) if key in ("min", "max", "q") else value
            for key, value in spec.items()}
    if "points" in spec and not (isinstance(spec["points"], int)
                                 and not isinstance(spec["points"], bool)
                                 and 1 <= spec["points"] <= MAX_POINTS):
        problems.append(f"{name}: points must be a whole number from 1 to {MAX_POINTS:,}, "
                        f"got {spec['points']!r}")
    distribution = spec.get("distribution", _infer(spec))
    if distribution is None:
        problems.append(f"{name}: give values, value, or distribution with min and max")
        return None, problems
    param, more = _build(name, str(distribution), spec, condition)
    if param is not None and isinstance(spec.get("points"), int):
        param = dataclasses.replace(param, points=spec["points"])
    return param, problems + more


def _number_text(value: Any) -> Any:
    """``1e-5`` as PyYAML reads it (the text "1e-5": YAML 1.1 wants ``1.0e-5``) becomes
    the number, as ``--set optim.lr=1e-5`` does; other values are left as they are."""
    if not isinstance(value, str):
        return value
    number = parse_number(value)
    return value if number is None else number


def _infer(spec: dict[str, Any]) -> str | None:
    if "values" in spec:
        return "categorical"
    if "value" in spec:
        return "constant"
    if "min" in spec and "max" in spec:
        ints = all(isinstance(spec[k], int) and not isinstance(spec[k], bool)
                   for k in ("min", "max"))
        return "int_uniform" if ints else "uniform"
    return None


def _build(name: str, dist: str, spec: dict[str, Any],
           condition: Condition) -> tuple[Param | None, list[str]]:
    if dist in UNSUPPORTED:
        return None, [f"{name}: distribution {dist!r} is not supported; use one of "
                      f"{', '.join(SUPPORTED)}"]
    if dist not in SUPPORTED:
        return None, [f"{name}: unknown distribution {dist!r}; expected one of "
                      f"{', '.join(SUPPORTED)}"]
    if dist == "constant":
        if "value" not in spec:
            return None, [f"{name}: distribution constant needs 'value'"]
        return Fixed(name=name, value=_plain(spec["value"]), condition=condition), []
    if dist == "categorical":
        values = spec.get("values")
        if not isinstance(values, list):
            return None, [f"{name}: 'values' must be a list, got {values!r}"]
        return Categorical(name=name, values=tuple(_plain(values)), condition=condition), []
    missing = [key for key in ("min", "max") if key not in spec]
    if missing:
        return None, [f"{name}: distribution {dist} needs {' and '.join(missing)}"]
    low, high, step = spec["min"], spec["max"], spec.get("q")
    if not all(_is_number(v) for v in (low, high)) or (step is not None and not _is_number(step)):
        return None, [f"{name}: min, max and q must be numbers, got {low!r}, {high!r}, {step!r}"]
    if dist in ("log_uniform", "q_log_uniform"):  # W&B: min and max are natural-log exponents
        try:
            low, high = math.exp(low), math.exp(high)
        except OverflowError:
            return None, [f"{name}: {dist} takes natural-log exponents as min and max; "
                          f"e**{high} is too large. Use log_uniform_values for plain values"]
    log = "log" in dist
    ints = all(isinstance(v, int) for v in (low, high, 1 if step is None else step))
    if dist in ("int_uniform", "int_log_uniform_values") or (
            dist in ("q_uniform", "q_log_uniform_values") and ints):
        if not ints:
            return None, [f"{name}: {dist} needs whole-number min, max and q, "
                          f"got {low!r}, {high!r}, {step!r}"]
        return Int(name=name, low=low, high=high, log=log, step=1 if step is None else step,
                   condition=condition), []
    if dist.startswith("q_") and step is None:
        step = 1.0  # the W&B default
    return Float(name=name, low=float(low), high=float(high), log=log,
                 step=None if step is None else float(step), condition=condition), []


def _parse_condition(name: str, raw: Any) -> tuple[Condition, list[str]]:
    if raw is None:
        return (), []
    if not isinstance(raw, dict) or not raw:
        return (), [f"{name}: condition must map a categorical parameter to its values, "
                    f"e.g. {{optim.name: [momentum, nesterov]}}"]
    pairs = []
    for parent, values in raw.items():
        values = values if isinstance(values, list) else [values]
        pairs.append((str(parent), tuple(_plain(values))))
    return tuple(pairs), []


def format_param(param: Param) -> dict[str, Any]:
    """The W&B-style mapping that :func:`parse_param` reads back into an equal parameter."""
    spec: dict[str, Any]
    if isinstance(param, Fixed):
        spec = {"value": param.value}
    elif isinstance(param, Categorical):
        spec = {"values": list(param.values)}
    elif isinstance(param, Int):
        dist = "int_log_uniform_values" if param.log else "int_uniform"
        spec = {"distribution": dist, "min": param.low, "max": param.high, "q": param.step}
    elif isinstance(param, Float):
        dist = "log_uniform_values" if param.log else "uniform"
        if param.step is not None:
            dist = "q_" + dist
        spec = {"distribution": dist, "min": param.low, "max": param.high}
        if param.step is not None:
            spec["q"] = param.step
    else:
        raise TypeError(f"unknown parameter type {type(param).__name__}")
    if param.points is not None:
        spec["points"] = param.points
    if param.condition:
        spec["condition"] = {parent: list(values) for parent, values in param.condition}
    return spec


def _plain(value: Any) -> Any:
    return normalise_value(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)
