"""Between sweep mappings and the sweep form's fields (no widgets).

``fill_values`` reads a sweep mapping into what the form shows: through the core's
``read_sweep`` when the mapping is valid (canonical names, W&B extras converted), else
as written, so a broken file still lands in the form with its problems beside it.
"""

from __future__ import annotations

from typing import Any

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.search.space_format import flatten_parameters
from dlstudio.search.sweep_file import METHOD_ALIASES
from dlstudio.search.executor_spec import EXECUTOR_KEY
from dlstudio.search.final_seeds import FINAL_KEY
from dlstudio.training.sweeps.setup import read_sweep

# Top-level keys the form keeps without editing them (the executor has its own part).
PASSED_THROUGH = (FINAL_KEY,)


def method_key(method: str, settings: dict[str, Any]) -> str:
    """The form's method choice for a sweep file's method and settings."""
    sampler = settings.get("sampler")
    if method == "bayes":
        return "bayes_gp" if sampler == "gp" else "bayes_tpe"
    if method == "hyperband" and sampler == "tpe":
        return "bohb"
    if method == "asha" and sampler == "tpe":
        return "asha_tpe"
    return method


def fill_values(data: dict[str, Any]) -> dict[str, Any]:
    """``name, method, section, metric, goal, budget, parameters, base, executor, extra``
    of a sweep mapping (``base`` is a RunConfig, or None when the mapping's is invalid;
    ``executor`` the section as written)."""
    extra = {key: data[key] for key in PASSED_THROUGH if key in data}
    extra[EXECUTOR_KEY] = data.get(EXECUTOR_KEY)
    try:
        spec, _ = read_sweep(data)
    except ConfigError:
        return _raw_values(data, extra)
    section = {k: v for k, v in spec.settings.items() if k != "sampler"}
    return {"name": str(data.get("name") or ""),
            "method": method_key(spec.method, spec.settings), "section": section,
            "metric": spec.metric_name, "goal": spec.goal, "budget": dict(spec.budget),
            "parameters": spec.space.to_dict(), "base": RunConfig.from_dict(spec.base),
            "executor": extra.pop(EXECUTOR_KEY), "extra": extra}


def _raw_values(data: dict[str, Any], extra: dict[str, Any]) -> dict[str, Any]:
    raw = str(data.get("method") or "random")
    method = METHOD_ALIASES.get(raw, raw)
    section = data.get(method) if isinstance(data.get(method), dict) else {}
    if raw == "bohb":
        section = {**section, "sampler": "tpe"}
    metric = data.get("metric") if isinstance(data.get("metric"), dict) else {}
    parameters, _ = flatten_parameters(data.get("parameters") or {})
    try:
        base = RunConfig.from_dict(data.get("base") or {})
    except (ConfigError, AttributeError, TypeError):
        base = None
    budget = data.get("budget") if isinstance(data.get("budget"), dict) else {}
    return {"name": str(data.get("name") or ""), "method": method_key(method, section),
            "section": {k: v for k, v in section.items() if k != "sampler"},
            "metric": str(metric.get("name", "dev_loss")),
            "goal": str(metric.get("goal", "minimize")), "budget": budget,
            "parameters": parameters, "base": base, "executor": extra.pop(EXECUTOR_KEY),
            "extra": extra}


def nested_diff(config: RunConfig) -> dict[str, Any]:
    """The config's values that differ from RunConfig's defaults, nested by section
    (the dataset always), which is how a sweep file's ``base`` reads best."""
    defaults = RunConfig().flat()
    nested: dict[str, Any] = {}
    for key, value in config.flat().items():
        if key == "name" or (value == defaults.get(key) and key != "data.name"):
            continue
        section, _, attr = key.partition(".")
        nested.setdefault(section, {})[attr] = value
    return nested


def describe_base(config: RunConfig) -> str:
    """``digits · mlp [64] · adam, lr 0.001 · 10 epochs · batch 64 · auto``."""
    model = config.model.name
    if model == "mlp":
        model += f" {config.model.hidden}"
    return (f"{config.data.name} · {model} · {config.optim.name}, lr {config.optim.lr:g} · "
            f"{config.train.epochs} epochs · batch {config.train.batch_size} · "
            f"{config.train.device}")
