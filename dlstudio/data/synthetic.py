"""Generated 2-D classification sets for seeing decision boundaries: moons, circles, spirals.

The data depends on ``n_samples`` and ``noise`` only, never on the run's seed: a seed
sweep then varies the split and the initial weights on one fixed dataset, and the same
config always shows the same points.
"""

from __future__ import annotations

import numpy as np

from dlstudio.data.dataset import Dataset
from dlstudio.errors import ConfigError

DATA_SEED = 20240601
MIN_SAMPLES = 20  # the same floor RunConfig checks
SPIRAL_ARMS = 3
SPIRAL_TURNS = 1.0  # full turns each arm makes from the centre to its outer end
SPIRAL_RADIUS = 3.0
CIRCLES_FACTOR = 0.5  # inner radius / outer radius


def make_synthetic(name: str, n_samples: int, noise: float) -> Dataset:
    """``moons``, ``circles`` or ``spirals`` with ``n_samples`` points and ``noise``."""
    if n_samples < MIN_SAMPLES:
        raise ConfigError(f"data.n_samples: got {n_samples}, expected a number >= {MIN_SAMPLES}")
    if not noise >= 0:
        raise ConfigError(f"data.noise: got {noise}, expected a number >= 0")
    from sklearn.datasets import make_circles, make_moons  # slow import: only when needed

    if name == "moons":
        X, y = make_moons(n_samples, noise=noise, random_state=DATA_SEED)
    elif name == "circles":
        X, y = make_circles(n_samples, noise=noise, factor=CIRCLES_FACTOR,
                            random_state=DATA_SEED)
    elif name == "spirals":
        X, y = make_spirals(n_samples, noise, SPIRAL_ARMS, DATA_SEED)
    else:
        raise ConfigError(f"data.name: unknown synthetic set {name!r}; expected moons, "
                          "circles or spirals")
    classes = [str(label) for label in range(int(y.max()) + 1)]
    return Dataset(name, X.astype(np.float32), y.astype(np.int64), "classification",
                   ["x1", "x2"], classes)


def make_spirals(n_samples: int, noise: float, arms: int = SPIRAL_ARMS,
                 seed: int = DATA_SEED) -> tuple[np.ndarray, np.ndarray]:
    """``arms`` interleaved spirals, one class each, with Gaussian ``noise`` on x1 and x2.

    Arm ``k`` starts at angle ``2*pi*k/arms`` and winds outwards to ``SPIRAL_RADIUS``;
    points are spread evenly along the radius so every stretch of each arm is there.
    ``noise`` is the standard deviation of the noise on each coordinate, as in
    ``make_moons``, and the spirals are about as wide as the moons, so one noise value
    means roughly the same difficulty on every generated set.
    """
    rng = np.random.default_rng(seed)
    sizes = [n_samples // arms + (k < n_samples % arms) for k in range(arms)]
    X = np.empty((n_samples, 2))
    y = np.empty(n_samples, dtype=np.int64)
    start = 0
    for arm, size in enumerate(sizes):
        position = np.linspace(0.05, 1.0, size)  # 0 centre .. 1 outer end of the arm
        angle = 2 * np.pi * (arm / arms + SPIRAL_TURNS * position)
        rows = slice(start, start + size)
        X[rows, 0] = SPIRAL_RADIUS * position * np.cos(angle)
        X[rows, 1] = SPIRAL_RADIUS * position * np.sin(angle)
        y[rows] = arm
        start += size
    return X + noise * rng.standard_normal(X.shape), y
