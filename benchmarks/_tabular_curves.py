"""Learning curves of a grid of digits MLPs, trained once and cached: the table that
``sweep_tabular.py`` replays search methods against.

Every configuration of a grid (optimizer x learning rate x hidden width x batch size x
weight decay) of a one-hidden-layer MLP on the digits set is trained once, to R epochs,
with plain torch on one CPU thread, and its dev error after *every* epoch is recorded
(60 % train / 20 % dev, stratified, fixed split). The table is cached under
``benchmarks/.cache/`` (git-ignored) and rebuilt when missing or when its grid changes
(the file name holds R and the grid's shape).
"""

from __future__ import annotations

import itertools
import math
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

CACHE = Path(__file__).resolve().parent / ".cache"
TABLE_VERSION = 1
OPTIMIZERS = ["sgd", "momentum", "adam"]


@dataclass(frozen=True)
class Grid:
    max_epochs: int
    lrs: tuple[float, ...]
    widths: tuple[int, ...]
    batch_sizes: tuple[int, ...]
    weight_decays: tuple[float, ...]

    @property
    def axes(self) -> list[tuple]:
        return [tuple(OPTIMIZERS), self.lrs, self.widths, self.batch_sizes, self.weight_decays]

    def name(self) -> str:
        sizes = "x".join(str(len(a)) for a in self.axes)
        return f"sweep_tabular-v{TABLE_VERSION}-R{self.max_epochs}-{sizes}"


FULL = Grid(27, tuple(float(v) for v in np.logspace(-4, 0, 10)), (16, 64, 256),
            (16, 64, 256), (0.0, 1e-3))
SMOKE = Grid(9, tuple(float(v) for v in np.logspace(-3, 0, 4)), (32, 128), (32, 128), (0.0,))


def train_curve(index: int, config: tuple, max_epochs: int, data: tuple) -> np.ndarray:
    """Dev error after each epoch 1..R of one configuration (one torch thread)."""
    import torch

    name, lr, width, batch, decay = config
    x_train, y_train, x_dev, y_dev = data
    torch.manual_seed(index)
    model = torch.nn.Sequential(torch.nn.Linear(64, width), torch.nn.ReLU(),
                                torch.nn.Linear(width, 10))
    if name == "adam":
        optim = torch.optim.Adam(model.parameters(), lr=lr, weight_decay=decay)
    else:
        optim = torch.optim.SGD(model.parameters(), lr=lr, weight_decay=decay,
                                momentum=0.9 if name == "momentum" else 0.0)
    errors = np.ones(max_epochs)
    generator = torch.Generator().manual_seed(index)
    for epoch in range(max_epochs):
        order = torch.randperm(len(x_train), generator=generator)
        for start in range(0, len(order), batch):
            rows = order[start:start + batch]
            optim.zero_grad()
            loss = torch.nn.functional.cross_entropy(model(x_train[rows]), y_train[rows])
            if not torch.isfinite(loss):
                return errors  # diverged: chance-or-worse from here on
            loss.backward()
            optim.step()
        with torch.no_grad():
            errors[epoch] = (model(x_dev).argmax(1) != y_dev).float().mean().item()
    return errors


def build_table(grid: Grid) -> np.ndarray:
    """Curves of every grid configuration, shape (configs, R), in itertools.product order."""
    import torch
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    torch.set_num_threads(1)
    x, y = load_digits(return_X_y=True)
    x_train, x_rest, y_train, y_rest = train_test_split(x / 16.0, y, train_size=0.6,
                                                        stratify=y, random_state=0)
    x_dev, _, y_dev, _ = train_test_split(x_rest, y_rest, train_size=0.5, stratify=y_rest,
                                          random_state=0)
    data = (torch.tensor(x_train, dtype=torch.float32), torch.tensor(y_train),
            torch.tensor(x_dev, dtype=torch.float32), torch.tensor(y_dev))
    configs = list(itertools.product(*grid.axes))
    started = time.perf_counter()
    rows = []
    for index, config in enumerate(configs):
        rows.append(train_curve(index, config, grid.max_epochs, data))
        if (index + 1) % 50 == 0:
            print(f"  table: {index + 1}/{len(configs)} configurations, "
                  f"{time.perf_counter() - started:.0f} s", file=sys.stderr, flush=True)
    return np.array(rows)


def load_table(grid: Grid) -> np.ndarray:
    path = CACHE / f"{grid.name()}.npy"
    if path.exists():
        return np.load(path)
    print(f"building {path.name} (cached for later runs)", file=sys.stderr, flush=True)
    table = build_table(grid)
    CACHE.mkdir(exist_ok=True)
    np.save(path, table)
    return table


class Table:
    """Lookups of dev error by configuration (dotted dlstudio keys) and epochs."""

    def __init__(self, grid: Grid, curves: np.ndarray):
        self.grid, self.curves = grid, curves
        self.shape = tuple(len(a) for a in grid.axes)
        self.best = float(curves[:, -1].min())
        self.log_lrs = np.log(np.array(grid.lrs))

    def space(self) -> dict[str, Any]:
        g = self.grid
        return {"optim.name": {"values": OPTIMIZERS},
                "optim.lr": {"distribution": "log_uniform_values", "min": min(g.lrs),
                             "max": max(g.lrs)},
                "model.hidden": {"values": [[w] for w in g.widths]},
                "train.batch_size": {"values": list(g.batch_sizes)},
                "optim.weight_decay": {"values": list(g.weight_decays)}}

    def row(self, config: dict[str, Any]) -> int:
        lr = int(np.abs(self.log_lrs - math.log(config["optim.lr"])).argmin())
        index = (OPTIMIZERS.index(config["optim.name"]), lr,
                 self.grid.widths.index(config["model.hidden"][0]),
                 self.grid.batch_sizes.index(config["train.batch_size"]),
                 self.grid.weight_decays.index(config["optim.weight_decay"]))
        return int(np.ravel_multi_index(index, self.shape))

    def error(self, config: dict[str, Any], epochs: int) -> float:
        return float(self.curves[self.row(config), epochs - 1])

    def regret(self, config: dict[str, Any] | None) -> float:
        """Final (R-epoch) dev error of ``config`` minus the best; None: a random pick."""
        if config is None:
            return float(self.curves[:, -1].mean()) - self.best
        return self.error(config, self.grid.max_epochs) - self.best


