"""RunConfig: the validated description of one training run.

Loaded from the form, a YAML / TOML / JSON file, or ``--set key=value`` pairs. Every
problem is collected and raised at once as a ``ConfigError`` naming the dotted key and
what was expected, so a bad config never starts a run. No torch, no Qt here: the GUI,
the CLI and the store all read configs.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dlstudio.errors import ConfigError

BUILTIN_DATASETS = ("digits", "wine", "breast_cancer", "iris", "diabetes")
SYNTHETIC_DATASETS = ("moons", "circles", "spirals")
FILE_DATASETS = ("csv", "npz")
DATASETS = BUILTIN_DATASETS + SYNTHETIC_DATASETS + FILE_DATASETS
TASKS = ("auto", "classification", "regression")
MODELS = ("linear", "mlp", "cnn", "plugin")
ACTIVATIONS = ("relu", "tanh", "sigmoid", "gelu", "leaky_relu", "elu")
OPTIMIZERS = (
    "gd", "sgd", "momentum", "nesterov", "rmsprop", "adagrad", "adadelta", "adam",
    "adamw", "lbfgs",
)
SCHEDULES = ("constant", "step", "exponential", "cyclic", "onecycle", "cosine", "plateau")
# Schedules whose peak LR is optim.lr: one value trains, is shown and is swept. Older
# configs named the peak schedule.max_lr; it is kept equal to optim.lr for them.
PEAK_SCHEDULES = ("cyclic", "onecycle")
CYCLIC_MODES = ("triangular", "triangular2", "exp_range")
DEVICES_PREFIXES = ("auto", "cpu", "cuda", "mps")
PRECISIONS = ("fp32", "bf16", "fp16")
IN_MEMORY = ("auto", "always", "never")
MAX_SYNTHETIC_SAMPLES = 10_000_000  # 160 MB of float64 points; more is a typo
MAX_INT = 2**63 - 1  # what SQLite and torch hold
MAX_SEED = 2**32 - 1  # numpy's and scikit-learn's seeds; the trainer mixes in the epoch
# optim.lr where a config does not set it. AdaDelta has no learning rate in the course
# (nor in Zeiler's paper): torch's lr multiplies its update, so 1.0 is the method itself;
# the shared 1e-3 trained it below chance on digits (7 % test accuracy).
# 3e-3 suits the default Adam: digits' default MLP reaches ~97 % dev accuracy in its 10
# epochs (1e-3: 92-93 %; 1e-2 is as good on average but noisier across seeds).
DEFAULT_LR = 3e-3
OPTIMIZER_DEFAULT_LR = {"adadelta": 1.0}


def default_lr(optimizer: str) -> float:
    """The learning rate ``optimizer`` trains with when a config gives none."""
    return OPTIMIZER_DEFAULT_LR.get(optimizer, DEFAULT_LR)



@dataclass
class DataConfig:
    name: str = "digits"
    path: str = ""  # csv / npz file
    target: str = ""  # csv target column; default: the last one
    task: str = "auto"
    n_samples: int = 1000  # synthetic sets
    noise: float = 0.2  # synthetic sets
    images: bool = False  # digits as 1x8x8 images (for the CNN)
    # auto: hold the data on the device when it fits, else stream batches (a .npz saved
    # with numpy.savez from disk); always / never: force one of the two
    in_memory: str = "auto"


@dataclass
class SplitConfig:
    test: float = 0.2  # share of all samples held out for the final report
    dev: float = 0.3  # share of what is left after the test share
    stratify: bool = True
    k_folds: int = 0  # >= 2: cross-validation; train/dev come from fold `fold`
    fold: int = 0
    train_fraction: float = 1.0  # < 1: train on a stratified subset (learning curves)


@dataclass
class ModelConfig:
    name: str = "mlp"
    hidden: list[int] = field(default_factory=lambda: [64])
    activation: str = "relu"
    dropout: float = 0.0
    batch_norm: bool = False
    channels: list[int] = field(default_factory=lambda: [16, 32])  # cnn
    plugin: str = ""  # path of a .py defining build_model(config, input_shape, output_dim)


@dataclass
class OptimConfig:
    name: str = "adam"
    lr: float = DEFAULT_LR  # default_lr(name) where a config sets none (adadelta: 1.0)
    momentum: float = 0.9  # momentum, nesterov
    beta1: float = 0.9  # adam, adamw
    beta2: float = 0.999
    alpha: float = 0.99  # rmsprop smoothing constant
    rho: float = 0.9  # adadelta
    eps: float = 1e-8
    weight_decay: float = 0.0
    history_size: int = 10  # lbfgs
    max_iter: int = 20  # lbfgs


@dataclass
class ScheduleConfig:
    name: str = "constant"
    warmup_steps: int = 0  # linear warmup from 0 over this many optimizer steps
    step_size: int = 10  # step: epochs between decays
    gamma: float = 0.1  # step, exponential (per epoch), cyclic exp_range
    base_lr: float = 1e-4  # cyclic lower bound
    max_lr: float = 1e-2  # cyclic, onecycle: the old name of their peak, now optim.lr
    step_size_up: int = 200  # cyclic: batches per half cycle
    mode: str = "triangular"  # cyclic
    pct_start: float = 0.3  # onecycle
    eta_min: float = 0.0  # cosine
    factor: float = 0.1  # plateau
    patience: int = 5  # plateau (epochs)


@dataclass
class TrainConfig:
    epochs: int = 10
    batch_size: int = 64
    seed: int = 0
    device: str = "auto"
    precision: str = "fp32"
    threads: int = 0  # CPU intra-op threads; 0: cores - 1, at least 1
    early_stopping: int = 0  # patience in epochs on the dev metric; 0: off
    grad_clip: float = 0.0  # max gradient norm; 0: off
    divergence_factor: float = 1e3  # loss above this x the first loss counts as diverged
    checkpoints: bool = True


SECTIONS = {
    "data": DataConfig,
    "split": SplitConfig,
    "model": ModelConfig,
    "optim": OptimConfig,
    "schedule": ScheduleConfig,
    "train": TrainConfig,
}


@dataclass
class RunConfig:
    """Everything that defines a run; ``validate()`` is called by every loader."""

    name: str = ""
    data: DataConfig = field(default_factory=DataConfig)
    split: SplitConfig = field(default_factory=SplitConfig)
    model: ModelConfig = field(default_factory=ModelConfig)
    optim: OptimConfig = field(default_factory=OptimConfig)
    schedule: ScheduleConfig = field(default_factory=ScheduleConfig)
    train: TrainConfig = field(default_factory=TrainConfig)

    # -- loading -------------------------------------------------------------------
    @classmethod
    def from_dict(cls, values: dict[str, Any], overrides: list[str] | None = None) -> RunConfig:
        """Build from nested and/or dotted keys, apply ``key=value`` overrides, validate."""
        config = cls()
        problems: list[str] = []
        flat = flatten(values)
        for key, value in flat.items():
            _assign(config, key, value, problems)
        given: dict[str, Any] = {}
        for item in overrides or []:
            key, sep, raw = item.partition("=")
            if not sep:
                problems.append(f"--set {item!r}: expected key=value, e.g. optim.lr=0.01")
                continue
            given[key.strip()] = _parse_scalar(raw.strip())
            _assign(config, key.strip(), given[key.strip()], problems)
        _settle_lr(config, flat, given)
        problems += _validate(config)
        if problems:
            raise ConfigError(problems)
        return config

    @classmethod
    def from_file(cls, path: str | Path, overrides: list[str] | None = None) -> RunConfig:
        """Load a YAML, TOML or JSON file (by extension)."""
        return cls.from_dict(load_mapping(path), overrides)

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    def flat(self) -> dict[str, Any]:
        """``{"optim.lr": 0.001, ...}``: what tables and sweeps work with."""
        return flatten(self.to_dict())

    def replace(self, **dotted: Any) -> RunConfig:
        """A validated copy with some dotted keys changed: ``replace(**{"optim.lr": 0.1})``."""
        values = self.flat()
        values.update(dotted)
        if (values.get("schedule.name") in PEAK_SCHEDULES and "schedule.max_lr" in dotted
                and "optim.lr" not in dotted):
            values.pop("optim.lr")  # the peak's old name, changed alone: it sets the peak
        return RunConfig.from_dict(values)

    # -- validation ----------------------------------------------------------------
    def validate(self) -> None:
        problems = _validate(self)
        if problems:
            raise ConfigError(problems)


def load_mapping(path: str | Path) -> dict[str, Any]:
    """Read a config mapping from YAML, TOML or JSON; errors name the file."""
    path = Path(path)
    if not path.is_file():
        raise ConfigError(f"config file {path}: not found")
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"config file {path}: not a text file (byte {exc.start} is not "
                          "UTF-8); expected YAML, TOML or JSON text") from exc
    except OSError as exc:
        raise ConfigError(f"config file {path}: cannot read: {exc.strerror or exc}") from exc
    suffix = path.suffix.lower()
    try:
        if suffix in (".yaml", ".yml"):
            import yaml

            data = yaml.safe_load(text)
        elif suffix == ".toml":
            data = _toml_module().loads(text)
        elif suffix == ".json":
            data = json.loads(text)
        else:
            raise ConfigError(f"config file {path}: expected .yaml, .yml, .toml or .json")
    except ConfigError:
        raise
    except Exception as exc:  # every parser has its own error type
        # Parsers point at the spot over several lines; the message is one.
        raise ConfigError(f"config file {path}: cannot parse: {' '.join(str(exc).split())}") \
            from exc
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"config file {path}: expected a mapping of sections at the top")
    return data


def _toml_module():
    """``tomllib`` from Python 3.11 on; before, ``tomli``, the package it was made from."""
    try:
        import tomllib
    except ModuleNotFoundError:
        import tomli as tomllib
    return tomllib


def flatten(values: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """Nested sections to dotted keys (``{"optim": {"lr": 1}}`` -> ``{"optim.lr": 1}``);
    keys that are already dotted pass through."""
    flat: dict[str, Any] = {}
    for key, value in values.items():
        dotted = f"{prefix}{key}"
        # An empty mapping as a key's value (``optim.lr: {}``) stays, to be refused as
        # a value; an empty section (``optim: {}``) is just no settings.
        if isinstance(value, dict) and (value or "." not in dotted):
            flat.update(flatten(value, dotted + "."))
        else:
            flat[dotted] = value
    return flat


def _settle_lr(config: RunConfig, values: dict[str, Any], overrides: dict[str, Any]) -> None:
    """Which value is optim.lr, the one LR that trains, is shown and is swept.

    An override beats the values under it. Within one of the two, optim.lr wins; a
    schedule.max_lr set without it, for a schedule that peaks at optim.lr, is the peak's
    old name and sets it. With neither, the optimizer's own default applies.
    """
    peaks = config.schedule.name in PEAK_SCHEDULES
    for layer in (overrides, values):
        if "optim.lr" in layer:
            break
        if peaks and "schedule.max_lr" in layer:
            config.optim.lr = config.schedule.max_lr  # the latest layer's: no later one set it
            break
    else:
        config.optim.lr = default_lr(config.optim.name)
    if peaks:
        config.schedule.max_lr = config.optim.lr


def _parse_scalar(raw: str) -> Any:
    """``--set`` values: YAML scalars (numbers, booleans, [lists]) else the string."""
    import yaml

    try:
        return yaml.safe_load(raw) if raw else ""
    except yaml.YAMLError:
        return raw


def _assign(config: RunConfig, key: str, value: Any, problems: list[str]) -> None:
    if key == "name":
        config.name = "" if value is None else str(value)
        return
    section_name, _, attr = key.partition(".")
    section = getattr(config, section_name, None) if section_name in SECTIONS else None
    if section is None:
        problems.append(f"{key}: unknown section {section_name!r}; expected one of "
                        f"{', '.join(SECTIONS)} (or name)")
        return
    fields = {f.name: f for f in dataclasses.fields(section)}
    if attr not in fields:
        problems.append(f"{key}: unknown key; {section_name} has {', '.join(fields)}")
        return
    default = getattr(type(section)(), attr)
    coerced = _coerce(key, value, default, problems)
    if coerced is not _INVALID:
        setattr(section, attr, coerced)


_INVALID = object()


def _coerce(key: str, value: Any, default: Any, problems: list[str]) -> Any:
    kind = type(default)
    try:
        if kind is bool:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in ("true", "false", "yes", "no", "1", "0"):
                return value.lower() in ("true", "yes", "1")
            raise ValueError
        if kind is int:
            return _whole_number(value)
        if kind is float:
            if isinstance(value, bool):
                raise ValueError
            return float(value)
        if kind is list:
            items = value if isinstance(value, (list, tuple)) else _split_list(value)
            return [_whole_number(v) for v in items]
        return "" if value is None else str(value)
    except (TypeError, ValueError, OverflowError):
        expected = {bool: "true or false", int: f"a whole number up to {MAX_INT:,}",
                    float: "a number",
                    list: "a list of whole numbers such as [64, 32]"}.get(kind, "text")
        problems.append(f"{key}: got {value!r}, expected {expected}")
        return _INVALID


def _whole_number(value: Any) -> int:
    """A whole number (or its text) up to ``MAX_INT``; not a bool, 1.5 or inf."""
    if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
        raise ValueError
    number = int(value)
    if abs(number) > MAX_INT:
        raise ValueError
    return number


def _split_list(value: Any) -> list[Any]:
    if isinstance(value, (int, float)):
        return [value]
    text = str(value).strip().strip("[]")
    return [part for part in text.replace(",", " ").split() if part]


def _finite(value: float) -> bool:
    # A whole number is finite however large (math.isfinite overflows on 10**400).
    return isinstance(value, int) or math.isfinite(value)


def _validate(c: RunConfig) -> list[str]:
    p: list[str] = []

    def one_of(key: str, value: str, allowed: tuple[str, ...]) -> None:
        if value not in allowed:
            p.append(f"{key}: unknown {value!r}; expected one of {', '.join(allowed)}")

    def at_least(key: str, value: float, low: float) -> None:
        if not (isinstance(value, (int, float)) and _finite(value) and value >= low):
            p.append(f"{key}: got {value}, expected a number >= {low}")

    def at_most(key: str, value: float, high: float) -> None:
        if isinstance(value, (int, float)) and value > high:
            p.append(f"{key}: got {value}, expected a number <= {high:,}")

    def above(key: str, value: float, low: float) -> None:
        if not (_finite(value) and value > low):
            p.append(f"{key}: got {value}, expected a number > {low}")

    def within(key: str, value: float, low: float, high: float, open_high: bool = True) -> None:
        ok = _finite(value) and low <= value and (value < high if open_high else value <= high)
        if not ok:
            bound = ")" if open_high else "]"
            p.append(f"{key}: got {value}, expected a number in [{low}, {high}{bound}")

    one_of("data.name", c.data.name, DATASETS)
    one_of("data.task", c.data.task, TASKS)
    one_of("data.in_memory", c.data.in_memory, IN_MEMORY)
    if c.data.name in FILE_DATASETS and not c.data.path:
        p.append(f"data.path: required for data.name={c.data.name} (the .{c.data.name} file)")
    at_least("data.n_samples", c.data.n_samples, 20)
    at_most("data.n_samples", c.data.n_samples, MAX_SYNTHETIC_SAMPLES)
    at_least("data.noise", c.data.noise, 0.0)
    within("split.test", c.split.test, 0.0, 1.0)
    within("split.dev", c.split.dev, 0.0, 1.0)
    if not (_finite(c.split.train_fraction) and 0.0 < c.split.train_fraction <= 1.0):
        p.append(f"split.train_fraction: got {c.split.train_fraction}, expected a number in (0, 1]")
    if c.split.k_folds == 1 or c.split.k_folds < 0:
        p.append(f"split.k_folds: got {c.split.k_folds}, expected 0 (off) or at least 2")
    elif c.split.k_folds and not 0 <= c.split.fold < c.split.k_folds:
        p.append(f"split.fold: got {c.split.fold}, expected 0..{c.split.k_folds - 1}")
    if c.split.dev == 0 and not c.split.k_folds:
        p.append("split.dev: got 0, expected a share > 0: early stopping, plateau and "
                 "sweeps need a dev set")

    one_of("model.name", c.model.name, MODELS)
    one_of("model.activation", c.model.activation, ACTIVATIONS)
    if any(h < 1 for h in c.model.hidden):
        p.append(f"model.hidden: got {c.model.hidden}, expected layer sizes >= 1")
    if not c.model.channels or any(ch < 1 for ch in c.model.channels):
        p.append(f"model.channels: got {c.model.channels}, expected channel counts >= 1")
    within("model.dropout", c.model.dropout, 0.0, 1.0)
    if c.model.name == "plugin" and not c.model.plugin:
        p.append("model.plugin: required for model.name=plugin (a .py file defining "
                 "build_model(config, input_shape, output_dim))")
    if c.model.name == "cnn" and not (c.data.name == "digits" and c.data.images):
        p.append("model.name: cnn needs image data; use data.name=digits with data.images=true")

    one_of("optim.name", c.optim.name, OPTIMIZERS)
    above("optim.lr", c.optim.lr, 0.0)
    within("optim.momentum", c.optim.momentum, 0.0, 1.0)
    within("optim.beta1", c.optim.beta1, 0.0, 1.0)
    within("optim.beta2", c.optim.beta2, 0.0, 1.0)
    within("optim.alpha", c.optim.alpha, 0.0, 1.0)
    within("optim.rho", c.optim.rho, 0.0, 1.0)
    above("optim.eps", c.optim.eps, 0.0)
    at_least("optim.weight_decay", c.optim.weight_decay, 0.0)
    at_least("optim.history_size", c.optim.history_size, 1)
    at_least("optim.max_iter", c.optim.max_iter, 1)

    s = c.schedule
    one_of("schedule.name", s.name, SCHEDULES)
    one_of("schedule.mode", s.mode, CYCLIC_MODES)
    at_least("schedule.warmup_steps", s.warmup_steps, 0)
    at_least("schedule.step_size", s.step_size, 1)
    within("schedule.gamma", s.gamma, 0.0, 1.0, open_high=False)
    if s.gamma == 0:
        p.append("schedule.gamma: got 0, expected a number in (0, 1]")
    above("schedule.base_lr", s.base_lr, 0.0)
    above("schedule.max_lr", s.max_lr, 0.0)
    if s.name == "cyclic" and s.base_lr >= c.optim.lr:
        p.append(f"optim.lr: got {c.optim.lr}, expected more than schedule.base_lr "
                 f"({s.base_lr}): the cyclic schedule rises from schedule.base_lr to optim.lr")
    at_least("schedule.step_size_up", s.step_size_up, 1)
    if not 0.0 < s.pct_start < 1.0:
        p.append(f"schedule.pct_start: got {s.pct_start}, expected a number in (0, 1)")
    at_least("schedule.eta_min", s.eta_min, 0.0)
    if not 0.0 < s.factor < 1.0:
        p.append(f"schedule.factor: got {s.factor}, expected a number in (0, 1)")
    at_least("schedule.patience", s.patience, 0)

    t = c.train
    at_least("train.epochs", t.epochs, 1)
    at_least("train.batch_size", t.batch_size, 1)
    at_least("train.seed", t.seed, 0)
    at_most("train.seed", t.seed, MAX_SEED)
    if t.device.split(":")[0] not in DEVICES_PREFIXES:
        p.append(f"train.device: unknown {t.device!r}; expected auto, cpu, cuda, cuda:N or mps")
    one_of("train.precision", t.precision, PRECISIONS)
    at_least("train.threads", t.threads, 0)
    at_least("train.early_stopping", t.early_stopping, 0)
    at_least("train.grad_clip", t.grad_clip, 0.0)
    above("train.divergence_factor", t.divergence_factor, 1.0)
    return p
