"""Sweep files: YAML (or JSON/TOML) in the shape of Weights & Biases sweep configs.

::

    method: hyperband              # W&B: grid | random | bayes; ours: coarse_to_fine,
    metric:                        #   successive_halving, hyperband, bohb, asha
      name: dev_loss               # a dev-set metric; anything naming "test" is refused
      goal: minimize
    parameters:                    # see space_format: values / value / distribution
      optim.lr: {distribution: log_uniform_values, min: 1.0e-5, max: 1.0}
    hyperband: {max_epochs: 81, eta: 3}   # settings of the chosen method only
    budget: {epochs: 3000}         # or {trials: N}; W&B's run_cap means budget.trials
    base: {data: {name: digits}}   # the RunConfig the parameters override
    final_seeds: {top: 3, seeds: 3}  # optional: re-train the best 3 with 3 new seeds
    executor: {kind: ray, address: auto, gpus_per_trial: 1}  # optional; see executor_spec

W&B's ``early_terminate: {type: hyperband, min_iter, max_iter, eta, s}`` on random or
bayes becomes our Hyperband (with TPE proposals for bayes). W&B keys that only matter to
W&B (program, command, project, entity, name, description) are accepted and ignored.
Every problem is reported at once in a ``ConfigError`` whose messages name the file and
the parameter or setting. Validation metric names (``val_loss``, ``validation_acc``) are
read as their dev-set names (``dev_loss``, ``dev_accuracy``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from dlstudio.config import RunConfig, load_mapping
from dlstudio.errors import ConfigError
from dlstudio.search.executor_spec import EXECUTOR_KEY, ExecutorSpec
from dlstudio.search.final_seeds import FINAL_KEY, FinalSeeds
from dlstudio.search.params import Fixed
from dlstudio.search.factory import build_strategy
from dlstudio.search.space import SearchSpace
from dlstudio.search.strategy import Strategy
from dlstudio.search.sweep_spec import SCHEDULED, SweepSpec

METHODS = ("grid", "random", "bayes", "coarse_to_fine", "successive_halving", "hyperband",
           "asha")
METHOD_ALIASES = {"bayesian": "bayes", "bohb": "hyperband"}
SECTION_KEYS: dict[str, tuple[str, ...]] = {
    "grid": ("points",),
    "random": (),
    "bayes": ("sampler", "n_startup_trials", "constant_liar"),
    "coarse_to_fine": ("rounds", "per_round", "keep", "shrink", "mode", "points"),
    "successive_halving": ("n_configs", "min_epochs", "max_epochs", "eta", "resume"),
    "hyperband": ("max_epochs", "min_epochs", "eta", "resume", "sampler",
                  "finish_last_bracket", "n_startup_trials", "random_fraction"),
    "asha": ("max_epochs", "min_epochs", "eta", "resume", "sampler", "n_startup_trials",
             "random_fraction", "wait_for_promotions"),
}
WANDB_ONLY = ("program", "command", "project", "entity", "name", "description")
TOP_KEYS = ("method", "metric", "parameters", "early_terminate", "run_cap", "budget", "base",
            FINAL_KEY, EXECUTOR_KEY, *WANDB_ONLY, *SECTION_KEYS)
MAXIMIZED_WORDS = ("accuracy", "f1", "auc", "r2", "precision", "recall")
DEV_PREFIXES = ("validation_", "validation/", "valid_", "val_", "val/", "dev/", "dev_")


def load_sweep_file(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file; ConfigError messages name the file."""
    try:
        data = load_mapping(path)
    except ConfigError as exc:
        raise ConfigError([m.replace("config file", "sweep file", 1) for m in exc.problems]) \
            from None
    return parse_sweep(data, source=str(path))


def strategy_from_sweep(sweep: SweepSpec | Mapping[str, Any], seed: int = 0) -> Strategy:
    """The strategy a sweep names, seeded with ``seed``: ``sweep`` is a :class:`SweepSpec`
    (from ``load_sweep_file``) or a raw sweep mapping, parsed first."""
    spec = sweep if isinstance(sweep, SweepSpec) else parse_sweep(dict(sweep))
    return build_strategy(spec, seed=seed)


def parse_sweep(data: dict[str, Any], source: str = "<sweep>") -> SweepSpec:
    """Validate a sweep mapping; every problem is reported, each prefixed by ``source``."""
    problems = [f"{key}: unknown sweep setting; expected one of {', '.join(TOP_KEYS)}"
                for key in data if key not in TOP_KEYS]
    method, settings = _method(data, problems)
    metric_name, goal = _metric(data.get("metric"), problems)
    base = _base(data.get("base"), problems)
    budget = _budget(data, method, problems)
    final = _final_seeds(data.get(FINAL_KEY), problems)
    executor = _executor(data.get(EXECUTOR_KEY), problems)
    space = None
    try:
        space = SearchSpace.from_dict(data.get("parameters") or {}, base)
    except ConfigError as exc:
        problems += exc.problems
    if not data.get("parameters"):
        problems.append("parameters: missing; a sweep needs at least one parameter")
    if space is not None and method in SCHEDULED:
        space = _epochs_to_schedule(space, settings, problems)
    spec = SweepSpec(method=method or "", metric_name=metric_name, goal=goal,
                     space=space, settings=settings, base=base, budget=budget,  # type: ignore
                     source=source, name=str(data.get("name") or ""), final_seeds=final,
                     executor=executor)
    if not problems:
        problems += _dry_run(spec)
    if problems:
        raise ConfigError([f"{source}: {p}" for p in problems])
    return spec


def _final_seeds(raw: Any, problems: list[str]) -> FinalSeeds | None:
    if raw is None:
        return None
    try:
        return FinalSeeds.parse(raw)
    except ConfigError as exc:
        problems += exc.problems
        return None


def _executor(raw: Any, problems: list[str]) -> ExecutorSpec:
    try:
        return ExecutorSpec.parse(raw)
    except ConfigError as exc:
        problems += exc.problems
        return ExecutorSpec()


def _epochs_to_schedule(space: SearchSpace, settings: dict[str, Any],
                        problems: list[str]) -> SearchSpace:
    """W&B files often fix ``epochs``; under a halving schedule that is max_epochs."""
    if "train.epochs" not in space:
        return space
    param = space["train.epochs"]
    if not isinstance(param, Fixed):
        problems.append("train.epochs: set by the schedule's rungs; give max_epochs instead "
                        "of searching it")
        return space
    settings.setdefault("max_epochs", param.value)
    return SearchSpace([p for p in space if p.name != "train.epochs"], space.base)


def _method(data: dict[str, Any], problems: list[str]) -> tuple[str | None, dict[str, Any]]:
    raw = data.get("method")
    method = METHOD_ALIASES.get(str(raw), raw)
    if raw is None:
        problems.append(f"method: missing; expected one of {', '.join(METHODS)}")
    elif method not in METHODS:
        problems.append(f"method: unknown {raw!r}; expected one of {', '.join(METHODS)} or bohb")
        method = None
    early = data.get("early_terminate")
    settings: dict[str, Any] = {}
    if early is not None and method is not None:
        method, settings = _early_terminate(early, method, problems)
    if raw == "bohb":
        settings["sampler"] = "tpe"
    for section in SECTION_KEYS:
        if section not in data:
            continue
        if section != method:
            problems.append(f"{section}: settings for method {section}, but method is {raw}")
            continue
        values = data[section] or {}
        if not isinstance(values, dict):
            problems.append(f"{section}: expected a mapping of settings")
            continue
        problems += [f"{section}.{key}: unknown setting; expected one of "
                     f"{', '.join(SECTION_KEYS[section]) or 'none'}"
                     for key in values if key not in SECTION_KEYS[section]]
        settings.update({k: v for k, v in values.items() if k in SECTION_KEYS[section]})
    return method, settings


def _early_terminate(early: Any, method: str,
                     problems: list[str]) -> tuple[str, dict[str, Any]]:
    """W&B's hyperband early termination on random/bayes -> our Hyperband."""
    if not isinstance(early, dict) or early.get("type") != "hyperband":
        problems.append("early_terminate: only {type: hyperband, ...} is supported")
        return method, {}
    unknown = set(early) - {"type", "min_iter", "max_iter", "eta", "s", "strict"}
    problems += [f"early_terminate.{key}: unknown setting" for key in sorted(unknown)]
    if method not in ("random", "bayes"):
        problems.append(f"early_terminate: works with method random or bayes, not {method}")
        return method, {}
    settings: dict[str, Any] = {"eta": early.get("eta", 3)}
    if "max_iter" in early:
        settings["max_epochs"] = early["max_iter"]
        if all(isinstance(v, int) for v in (early.get("s"), early["max_iter"], settings["eta"])):
            settings["min_epochs"] = max(1, early["max_iter"] // settings["eta"] ** early["s"])
    if "min_iter" in early:
        settings["min_epochs"] = early["min_iter"]
    if method == "bayes":
        settings["sampler"] = "tpe"
    return "hyperband", settings


def _metric(raw: Any, problems: list[str]) -> tuple[str, str]:
    if raw is None:
        return "dev_loss", "minimize"
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        problems.append("metric: expected {name: dev_loss, goal: minimize}")
        return "dev_loss", "minimize"
    problems += [f"metric.{key}: unknown setting; expected name, goal"
                 for key in raw if key not in ("name", "goal", "target")]
    name = _dev_name(raw["name"].strip().lower())
    if "test" in name:
        problems.append(f"metric.name: {raw['name']!r} is a test-set metric; tune on the dev "
                        f"set, never on the test set (e.g. dev_loss)")
    elif not name.startswith("dev_"):
        problems.append(f"metric.name: {raw['name']!r} is not a dev-set metric; use dev_loss, "
                        f"dev_accuracy, dev_error or dev_metric")
    inferred = "maximize" if any(w in name for w in MAXIMIZED_WORDS) else "minimize"
    goal = raw.get("goal", inferred)
    if goal not in ("minimize", "maximize"):
        problems.append(f"metric.goal: unknown {goal!r}; expected minimize or maximize")
        goal = inferred
    return name, goal


def _dev_name(name: str) -> str:
    for prefix in DEV_PREFIXES:
        if name.startswith(prefix):
            name = "dev_" + name[len(prefix):]
            break
    return "dev_accuracy" if name in ("dev_acc", "dev_accuracy") else name


def _base(raw: Any, problems: list[str]) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        problems.append("base: expected a RunConfig mapping such as {data: {name: digits}}")
        return {}
    try:
        RunConfig.from_dict(raw)
    except ConfigError as exc:
        problems += [f"base: {m}" for m in exc.problems]
    return raw


def _budget(data: dict[str, Any], method: str | None, problems: list[str]) -> dict[str, int]:
    raw = data.get("budget") or {}
    if not isinstance(raw, dict):
        problems.append("budget: expected {trials: N} or {epochs: N}")
        raw = {}
    raw = dict(raw)
    if "run_cap" in data:
        raw.setdefault("trials", data["run_cap"])
    budget: dict[str, int] = {}
    for key, value in raw.items():
        if key not in ("trials", "epochs"):
            problems.append(f"budget.{key}: unknown setting; expected trials or epochs")
        elif isinstance(value, bool) or not isinstance(value, int) or value < 1:
            problems.append(f"budget.{key}: got {value!r}, expected a whole number >= 1")
        else:
            budget[key] = value
    if method == "successive_halving" and budget:
        problems.append("budget: successive_halving runs a fixed schedule; set "
                        "successive_halving.n_configs and max_epochs instead")
    if method in ("hyperband", "asha") and "trials" in budget:
        problems.append(f"budget.trials: {method} is budgeted in epochs; use budget.epochs")
    return budget


def _dry_run(spec: SweepSpec) -> list[str]:
    """Build the strategy so that bad settings are reported like everything else.

    A constructor stops at its first bad argument, so the setting it names is dropped
    and the strategy built again, until it builds: every bad setting is named at once.
    """
    problems: list[str] = []
    settings = dict(spec.settings)
    while True:
        found = _build_problems(replace(spec, settings=settings))
        problems += [p for p in found if p not in problems]
        named = {p.split(":", 1)[0].removeprefix(f"{spec.method}.") for p in found}
        if not found or not named & settings.keys():
            return problems
        settings = {k: v for k, v in settings.items() if k not in named}


def _build_problems(spec: SweepSpec) -> list[str]:
    try:
        build_strategy(spec, seed=0)
    except ConfigError as exc:
        return exc.problems
    except ValueError as exc:
        message = str(exc)
        key = message.split(":", 1)[0]
        return [f"{spec.method}.{message}" if key in SECTION_KEYS[spec.method] else message]
    return []
