"""A user's model plugin: a ``.py`` file that defines

- ``build_model(config, input_shape, output_dim) -> torch.nn.Module`` (required). Image
  data reaches the model as (N, C, H, W) batches, ``input_shape`` being (C, H, W); other
  data as (N, features) rows.
- ``loss(outputs, targets) -> tensor`` (optional): replaces the built-in cross-entropy /
  mean squared error. ``targets`` are class indices, or for regression the target
  standardized on the train split.
- ``metrics(outputs, targets) -> dict`` (optional): extra numbers computed on the dev
  split each epoch (stored as ``dev_<name>``) and on every split at the end (summary
  ``train_<name>``, ``dev_<name>``, ``test_<name>``).

``examples/plugin_model.py`` shows all three.
"""

from __future__ import annotations

import importlib.util
import math
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any, Callable

import torch
from torch import nn

from dlstudio.errors import ConfigError

KEY = "model.plugin"


@dataclass(frozen=True)
class PluginHooks:
    """The optional functions of a plugin (None: the trainer's own)."""

    loss: Callable[[torch.Tensor, torch.Tensor], torch.Tensor] | None = None
    metrics: Callable[[torch.Tensor, torch.Tensor], dict[str, Any]] | None = None


# Imported plugin modules by (path, modification time, size): a plugin's top-level
# code runs once per process and version of the file, not once per model built (the
# config check, the trainer and the hooks each need it).
_MODULES: dict[tuple[str, int, int], ModuleType] = {}


def load_module(path: Path) -> ModuleType:
    """Import the plugin file; ``ConfigError`` names the file and what went wrong."""
    if not path.is_file():
        raise ConfigError(f"{KEY}: file {path} not found")
    stat = path.stat()
    cache_key = (str(path.resolve()), stat.st_mtime_ns, stat.st_size)
    if cache_key in _MODULES:
        return _MODULES[cache_key]
    spec = importlib.util.spec_from_file_location(f"dlstudio_plugin_{path.stem}", path)
    if spec is None or spec.loader is None:
        raise ConfigError(f"{KEY}: {path} is not a Python file")
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # a syntax error, an exception, even sys.exit()
        raise ConfigError(f"{KEY}: importing {path} {_raised(exc)}") from exc
    _MODULES[cache_key] = module
    return module


def _raised(exc: BaseException) -> str:
    if isinstance(exc, SystemExit):
        return f"called sys.exit({exc.code!r}); a plugin must return a model, not exit"
    return f"raised {type(exc).__name__}: {exc}"


def build_plugin_model(path: Path, config: dict[str, Any], input_shape: tuple[int, ...],
                       output_dim: int) -> nn.Module:
    """Call the plugin's ``build_model``; image rows are handed to it as (N, C, H, W)."""
    module = load_module(path)
    builder = getattr(module, "build_model", None)
    if not callable(builder):
        raise ConfigError(f"{KEY}: {path} defines no build_model(config, input_shape, output_dim)")
    try:
        model = builder(config, tuple(input_shape), output_dim)
    except KeyboardInterrupt:
        raise
    except BaseException as exc:  # the user's code may raise anything, even SystemExit
        raise ConfigError(f"{KEY}: build_model in {path} {_raised(exc)}") from exc
    if not isinstance(model, nn.Module):
        raise ConfigError(f"{KEY}: build_model in {path} returned {type(model).__name__}, "
                          "expected a torch.nn.Module")
    if len(input_shape) == 3:
        # The trainer holds images as flat rows; a hook (not a wrapper module) restores
        # (N, C, H, W) so the plugin's state_dict keys stay its own.
        model.register_forward_pre_hook(_ImageBatches(tuple(input_shape)))
    return model


def plugin_hooks(path: Path) -> PluginHooks:
    """The plugin's optional ``loss`` and ``metrics``; ``ConfigError`` if not callable."""
    module = load_module(path)
    found = {}
    for name in ("loss", "metrics"):
        hook = getattr(module, name, None)
        if hook is not None and not callable(hook):
            raise ConfigError(f"{KEY}: {name} in {path} is a {type(hook).__name__}, expected "
                              f"a function {name}(outputs, targets)")
        found[name] = hook
    return PluginHooks(**found)


def metric_values(hooks: PluginHooks, outputs: torch.Tensor, targets: torch.Tensor,
                  path: str) -> dict[str, float]:
    """Call the plugin's ``metrics``; each value must be one number (tensor or float)."""
    if hooks.metrics is None:
        return {}
    try:
        values = hooks.metrics(outputs, targets)
    except Exception as exc:
        raise ConfigError(f"{KEY}: metrics in {path} raised {type(exc).__name__}: {exc}") from exc
    if not isinstance(values, dict):
        raise ConfigError(f"{KEY}: metrics in {path} returned {type(values).__name__}, "
                          "expected a dict of name -> number")
    out = {}
    for name, value in values.items():
        try:
            out[str(name)] = float(value)
        except (TypeError, ValueError):
            raise ConfigError(f"{KEY}: metrics in {path}: {name!r} is {value!r}, expected "
                              "one number") from None
    return {name: value if math.isfinite(value) else math.nan for name, value in out.items()}


class _ImageBatches:
    def __init__(self, shape: tuple[int, int, int]):
        self.shape = shape

    def __call__(self, module: nn.Module, args: tuple) -> tuple:
        x, *rest = args
        if x.dim() == 2:
            x = x.reshape(x.shape[0], *self.shape)
        return (x, *rest)
