"""2-D test surfaces for the optimizer lab.

Each surface is one polynomial written with plain operators, so the same expression
evaluates torch tensors (differentiable, for the optimizers) and numpy arrays (for
contour grids) and the two can never drift apart. Each carries a default start point,
a plot range and its known minima.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np
import torch

from dlstudio.errors import ConfigError

# Condition number of the quadratic: large enough that plain GD zig-zags across the
# valley and momentum visibly helps, small enough that both get there in ~100 steps.
QUADRATIC_CONDITION = 25.0


@dataclass(frozen=True)
class Surface:
    """A 2-D loss f(x, y) with where to start, what to plot and where the minima are."""

    name: str
    title: str
    formula: str
    expression: Callable  # f(x, y) on torch tensors or numpy arrays alike
    start: tuple[float, float]
    x_range: tuple[float, float]
    y_range: tuple[float, float]
    minima: tuple[tuple[float, float], ...]  # global minima (several for Himmelblau)
    min_value: float
    log_contours: bool = False  # steep walls: contour a log of the loss

    def __call__(self, point: torch.Tensor) -> torch.Tensor:
        """The loss at a 2-element tensor, differentiable."""
        return self.expression(point[0], point[1])

    def numpy(self, x: np.ndarray, y: np.ndarray) -> np.ndarray:
        """The loss on numpy arrays of any (matching) shape."""
        return np.asarray(self.expression(np.asarray(x, float), np.asarray(y, float)), float)

    def grid(self, resolution: int = 200) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(X, Y, Z) meshes over the plot range, for a contour plot."""
        if resolution < 2:
            raise ConfigError(f"resolution: must be >= 2 points, got {resolution!r}")
        xs = np.linspace(*self.x_range, resolution)
        ys = np.linspace(*self.y_range, resolution)
        x, y = np.meshgrid(xs, ys)
        return x, y, self.numpy(x, y)

    def escape_radius(self) -> float:
        """Beyond this distance from the origin a trajectory is called diverged."""
        return 100.0 * max(abs(v) for v in self.x_range + self.y_range)

    def nearest_minimum(self, point) -> tuple[float, float]:
        """The known minimum closest to ``point``."""
        p = np.asarray(point, float)
        return min(self.minima, key=lambda m: float(np.hypot(*(p - np.asarray(m)))))


def _quadratic(x, y):
    return 0.5 * (x**2 + QUADRATIC_CONDITION * y**2)


def _rosenbrock(x, y):
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


def _beale(x, y):
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


def _saddle(x, y):
    # x^2 - y^2 alone is unbounded below; the quartic adds two minima at y = +-1 so the
    # escape from the saddle at the origin has somewhere to go.
    return x**2 - 2 * y**2 + y**4


def _himmelblau(x, y):
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


SURFACES: dict[str, Surface] = {
    s.name: s
    for s in (
        Surface("quadratic", "Ill-conditioned quadratic",
                f"0.5 (x^2 + {QUADRATIC_CONDITION:g} y^2)", _quadratic,
                start=(-8.0, 2.0), x_range=(-10.0, 10.0), y_range=(-4.0, 4.0),
                minima=((0.0, 0.0),), min_value=0.0),
        Surface("rosenbrock", "Rosenbrock", "(1 - x)^2 + 100 (y - x^2)^2", _rosenbrock,
                start=(-1.5, 2.0), x_range=(-2.0, 2.0), y_range=(-1.0, 3.0),
                minima=((1.0, 1.0),), min_value=0.0, log_contours=True),
        Surface("beale", "Beale",
                "(1.5 - x + xy)^2 + (2.25 - x + xy^2)^2 + (2.625 - x + xy^3)^2", _beale,
                start=(1.0, 1.5), x_range=(-4.5, 4.5), y_range=(-4.5, 4.5),
                minima=((3.0, 0.5),), min_value=0.0, log_contours=True),
        Surface("saddle", "Saddle", "x^2 - 2 y^2 + y^4", _saddle,
                start=(-1.5, 1e-3), x_range=(-2.0, 2.0), y_range=(-2.0, 2.0),
                minima=((0.0, 1.0), (0.0, -1.0)), min_value=-1.0),
        Surface("himmelblau", "Himmelblau", "(x^2 + y - 11)^2 + (x + y^2 - 7)^2",
                _himmelblau,
                start=(0.0, -4.0), x_range=(-5.0, 5.0), y_range=(-5.0, 5.0),
                minima=((3.0, 2.0), (-2.805118, 3.131312), (-3.779310, -3.283186),
                        (3.584428, -1.848126)),
                min_value=0.0),
    )
}


def get_surface(surface: str | Surface) -> Surface:
    """A surface by name (or the surface itself); ``ConfigError`` for an unknown name."""
    if isinstance(surface, Surface):
        return surface
    if surface not in SURFACES:
        raise ConfigError(f"surface: must be one of {', '.join(SURFACES)}, got {surface!r}")
    return SURFACES[surface]
