"""The optimizer lab: real ``torch.optim`` optimizers walking a 2-D test surface.

The parameter is one 2-element float64 tensor, so every step of every optimizer is the
library's own update, recorded point by point for the GUI's contour plot. float64 keeps
L-BFGS and Newton converging to the known minima instead of stalling on round-off.
"""

from __future__ import annotations

import inspect
import math
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Mapping

import numpy as np
import torch

from dlstudio.errors import ConfigError
from dlstudio.training.surfaces import Surface, get_surface

DEFAULT_STEPS = 200

# name -> (torch class, fixed keyword arguments, overridable defaults). "gd" pins
# momentum to 0 so it stays plain gradient descent whatever the caller passes; L-BFGS does
# one iteration per recorded step (its history persists across steps in its state); its
# max_eval would default to 5/4 of that, i.e. 1, which leaves the line search no
# evaluations at all and L-BFGS never moves, hence an explicit budget. AdaDelta has no
# learning rate (lr 1 is the course's formula); its first steps are about sqrt(eps) in
# the parameters' units, and torch's eps 1e-6 left it crawling on every surface
# (quadratic: loss 82 -> 44 in 200 steps; with 1.5e-3: 82 -> 0.4).
_TORCH_OPTIMIZERS: dict[str, tuple[type, dict[str, Any], dict[str, Any]]] = {
    "gd": (torch.optim.SGD, {"momentum": 0.0, "nesterov": False}, {}),
    "momentum": (torch.optim.SGD, {"nesterov": False}, {"momentum": 0.9}),
    "nesterov": (torch.optim.SGD, {"nesterov": True}, {"momentum": 0.9}),
    "rmsprop": (torch.optim.RMSprop, {}, {}),
    "adagrad": (torch.optim.Adagrad, {}, {}),
    "adadelta": (torch.optim.Adadelta, {}, {"eps": 1.5e-3}),
    "adam": (torch.optim.Adam, {}, {}),
    "lbfgs": (torch.optim.LBFGS, {"max_iter": 1}, {"line_search_fn": "strong_wolfe",
                                                   "history_size": 10, "max_eval": 25}),
}
OPTIMIZERS = tuple(_TORCH_OPTIMIZERS) + ("newton",)

# Learning rates tuned by hand so that all optimizers side by side from the default start
# make visible progress within DEFAULT_STEPS without diverging. Adaptive methods take
# steps of about lr per coordinate, hence their lr is in plot units; GD-like methods
# multiply the gradient, hence theirs shrinks with the surface's curvature.
_DEFAULT_LR: dict[str, dict[str, float]] = {
    "quadratic": {"gd": 0.07, "momentum": 0.01, "nesterov": 0.02, "rmsprop": 0.1,
                  "adagrad": 2.0, "adam": 0.3},
    "rosenbrock": {"gd": 1e-3, "momentum": 1e-3, "nesterov": 1e-3, "rmsprop": 0.03,
                   "adagrad": 1.0, "adam": 0.1},
    "beale": {"gd": 0.02, "momentum": 3e-3, "nesterov": 3e-3, "rmsprop": 0.1,
              "adagrad": 1.0, "adam": 0.1},
    "saddle": {"gd": 0.05, "momentum": 0.01, "nesterov": 0.01, "rmsprop": 0.03,
               "adagrad": 0.3, "adam": 0.05},
    "himmelblau": {"gd": 0.01, "momentum": 3e-3, "nesterov": 3e-3, "rmsprop": 0.05,
                   "adagrad": 1.0, "adam": 0.1},
}
# Line search / exact curvature choose the step length; AdaDelta has no learning rate.
_ALWAYS_ONE = ("lbfgs", "newton", "adadelta")


@dataclass
class Trajectory:
    """The path one optimizer took: points, the loss at each, the LR of each step."""

    surface: str
    optimizer: str
    hyper: dict[str, Any]
    points: np.ndarray  # (n + 1, 2): the start, then one row per step taken
    losses: np.ndarray  # (n + 1,): loss at each point
    lrs: np.ndarray  # (n,): learning rate used by each step
    evaluations: int  # loss + gradient evaluations (a line search spends several a step)
    diverged: bool = False  # stopped early: non-finite or left the surface's escape radius
    label: str = field(default="")

    @property
    def steps(self) -> int:
        """Steps actually taken (fewer than asked when it diverged)."""
        return len(self.points) - 1

    @property
    def final_point(self) -> np.ndarray:
        """Where the optimizer ended."""
        return self.points[-1]

    @property
    def final_loss(self) -> float:
        """The loss where the optimizer ended."""
        return float(self.losses[-1])

    def distance_to_minimum(self, surface: str | Surface | None = None) -> float:
        """Distance from the final point to the nearest known minimum."""
        s = get_surface(surface or self.surface)
        nearest = np.asarray(s.nearest_minimum(self.final_point))
        return float(np.hypot(*(self.final_point - nearest)))


def default_lr(surface: str | Surface, optimizer: str) -> float:
    """A learning rate that looks good for ``optimizer`` on ``surface`` without tuning."""
    _check_optimizer(optimizer)
    if optimizer in _ALWAYS_ONE:
        return 1.0
    name = get_surface(surface).name
    return _DEFAULT_LR.get(name, _DEFAULT_LR["quadratic"])[optimizer]


def newton_step(surface: str | Surface, point, damping: float = 1.0) -> np.ndarray:
    """One Newton step, point - damping * H^-1 grad, with the exact autograd Hessian.

    On a quadratic it lands on the stationary point in one step. Newton seeks any
    stationary point, so on the saddle it walks *to* the saddle (the lesson). A singular
    Hessian falls back to its pseudo-inverse.
    """
    s = get_surface(surface)
    p = _as_point(point, "point")
    if not (isinstance(damping, (int, float)) and 0 < damping < math.inf):
        raise ConfigError(f"damping: must be a positive number, got {damping!r}")
    gradient = torch.autograd.functional.jacobian(s, p)
    hessian = torch.autograd.functional.hessian(s, p)
    try:
        delta = torch.linalg.solve(hessian, gradient)
    except RuntimeError:  # torch.linalg.LinAlgError: singular Hessian
        delta = torch.linalg.pinv(hessian) @ gradient
    return (p - damping * delta).numpy()


def run_optimizer(
    surface: str | Surface,
    optimizer_name: str,
    lr: float | None = None,
    steps: int = DEFAULT_STEPS,
    start=None,
    *,
    make_scheduler: Callable[[torch.optim.Optimizer], Any] | None = None,
    **hyper: Any,
) -> Trajectory:
    """Run one optimizer for ``steps`` steps from ``start`` (default: the surface's).

    ``lr`` defaults to ``default_lr``; ``hyper`` goes to the torch optimizer (``momentum``,
    ``alpha``, ``betas``, ``eps`` ...; for ``newton`` nothing: ``lr`` is the damping).
    ``make_scheduler(optimizer)`` may return a torch LR scheduler, stepped after each
    step. Divergence never raises: the trajectory stops and is marked ``diverged``.
    """
    s = get_surface(surface)
    _check_optimizer(optimizer_name)
    lr = default_lr(s, optimizer_name) if lr is None else lr
    _check_run(lr, steps)
    param = _as_point(s.start if start is None else start, "start").requires_grad_(True)
    if optimizer_name == "newton":
        if hyper:
            raise ConfigError(f"newton: takes no hyperparameters besides lr, got {sorted(hyper)}")
        step, get_lr, used = _newton_stepper(s, param, lr), (lambda: lr), {"lr": lr}
    else:
        optimizer, used = _make_optimizer(optimizer_name, param, lr, hyper)
        scheduler = make_scheduler(optimizer) if make_scheduler else None
        step, get_lr = _torch_stepper(s, param, optimizer, scheduler), (
            lambda: float(optimizer.param_groups[0]["lr"]))
    return _walk(s, optimizer_name, used, param, steps, step, get_lr)


def compare(
    surface: str | Surface,
    optimizers: Mapping[str, Mapping[str, Any]] | Iterable[str] | None = None,
    steps: int = DEFAULT_STEPS,
    start=None,
) -> dict[str, Trajectory]:
    """Run several optimizers from one start point; returns {label: Trajectory}.

    ``optimizers`` maps a label to hyperparameters (``lr`` included); the label is the
    optimizer's name unless the hyperparameters name one with ``optimizer`` - so two Adams
    with different LRs can run side by side. A plain list of names, or None for all.
    """
    if optimizers is None:
        optimizers = OPTIMIZERS
    if not isinstance(optimizers, Mapping):
        optimizers = {name: {} for name in optimizers}
    results = {}
    for label, hyper in optimizers.items():
        hyper = dict(hyper)
        name = hyper.pop("optimizer", label)
        lr = hyper.pop("lr", None)
        trajectory = run_optimizer(surface, name, lr, steps, start, **hyper)
        trajectory.label = label
        results[label] = trajectory
    return results


def _walk(s, name, used, param, steps, step, get_lr) -> Trajectory:
    with torch.no_grad():
        points, losses = [param.detach().clone()], [float(s(param))]
    lrs, evaluations, diverged = [], 0, False
    for _ in range(steps):
        lrs.append(get_lr())
        evaluations += step()
        with torch.no_grad():
            point = param.detach().clone()
            loss = float(s(point))
        if not (torch.isfinite(point).all() and math.isfinite(loss)):
            lrs.pop()  # the step that blew up leaves no point, so no LR either
            diverged = True
            break
        points.append(point)
        losses.append(loss)
        if float(point.norm()) > s.escape_radius():
            diverged = True
            break
    return Trajectory(
        surface=s.name, optimizer=name, hyper=used, points=torch.stack(points).numpy(),
        losses=np.asarray(losses), lrs=np.asarray(lrs, float), evaluations=evaluations,
        diverged=diverged, label=name,
    )


def _torch_stepper(s, param, optimizer, scheduler) -> Callable[[], int]:
    count = [0]

    def closure():
        count[0] += 1
        optimizer.zero_grad()
        loss = s(param)
        loss.backward()
        return loss

    def step() -> int:
        before = count[0]
        optimizer.step(closure)
        if scheduler is not None:
            scheduler.step()
        return count[0] - before

    return step


def _newton_stepper(s, param, damping) -> Callable[[], int]:
    def step() -> int:
        new = newton_step(s, param.detach(), damping)
        with torch.no_grad():
            param.copy_(torch.from_numpy(new))
        return 1

    return step


def _make_optimizer(name, param, lr, hyper):
    cls, fixed, defaults = _TORCH_OPTIMIZERS[name]
    accepted = set(inspect.signature(cls).parameters) - {"params", "lr"}
    unknown = sorted(set(hyper) - accepted)
    pinned = sorted(set(hyper) & set(fixed))
    if unknown or pinned:
        problems = [f"{name}.{k}: not a hyperparameter of {cls.__name__}; allowed: "
                    f"{', '.join(sorted(accepted - set(fixed)))}" for k in unknown]
        problems += [f"{name}.{k}: fixed to {fixed[k]!r} for {name}" for k in pinned]
        raise ConfigError(problems)
    used = {"lr": lr, **defaults, **hyper}
    try:
        return cls([param], **used, **fixed), used
    except (ValueError, TypeError) as error:  # torch: "Invalid momentum value: -1"
        raise ConfigError(f"{name}: {error}") from None


def _check_optimizer(name: str) -> None:
    if name not in OPTIMIZERS:
        raise ConfigError(f"optimizer: must be one of {', '.join(OPTIMIZERS)}, got {name!r}")


def _check_run(lr, steps) -> None:
    problems = []
    if isinstance(lr, bool) or not isinstance(lr, (int, float)) or not (0 < lr < math.inf):
        problems.append(f"lr: must be a positive number, got {lr!r}")
    if isinstance(steps, bool) or not isinstance(steps, int) or steps < 0:
        problems.append(f"steps: must be a whole number >= 0, got {steps!r}")
    if problems:
        raise ConfigError(problems)


def _as_point(point, name: str) -> torch.Tensor:
    try:
        values = [float(v) for v in (point.tolist() if hasattr(point, "tolist") else point)]
    except (TypeError, ValueError):
        values = []
    if len(values) != 2 or not all(math.isfinite(v) for v in values):
        raise ConfigError(f"{name}: must be two finite numbers (x, y), got {point!r}")
    return torch.tensor(values, dtype=torch.float64)
