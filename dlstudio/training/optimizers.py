"""Optimizer factory over ``torch.optim``; each optimizer lists its own hyperparameters."""

from __future__ import annotations

from typing import Iterable

import torch

from dlstudio.config import OptimConfig

# The OptimConfig fields each optimizer reads: the form shows only these.
OPTIMIZER_PARAMS: dict[str, tuple[str, ...]] = {
    "gd": ("lr", "weight_decay"),
    "sgd": ("lr", "weight_decay"),
    "momentum": ("lr", "momentum", "weight_decay"),
    "nesterov": ("lr", "momentum", "weight_decay"),
    "rmsprop": ("lr", "alpha", "eps", "weight_decay"),
    "adagrad": ("lr", "eps", "weight_decay"),
    "adadelta": ("lr", "rho", "eps", "weight_decay"),
    "adam": ("lr", "beta1", "beta2", "eps", "weight_decay"),
    "adamw": ("lr", "beta1", "beta2", "eps", "weight_decay"),
    "lbfgs": ("lr", "history_size", "max_iter"),
}

OPTIMIZER_LABELS = {
    "gd": "GD (full batch)", "sgd": "SGD (mini-batch)", "momentum": "SGD + momentum",
    "nesterov": "Nesterov momentum", "rmsprop": "RMSProp", "adagrad": "AdaGrad",
    "adadelta": "AdaDelta", "adam": "Adam", "adamw": "AdamW",
    "lbfgs": "L-BFGS (full batch, line search)",
}

FULL_BATCH = frozenset({"gd", "lbfgs"})


def build_optimizer(params: Iterable[torch.nn.Parameter], cfg: OptimConfig) -> torch.optim.Optimizer:
    """The ``torch.optim`` optimizer named by ``cfg.name`` with only its own settings."""
    name, lr, wd = cfg.name, cfg.lr, cfg.weight_decay
    if name in ("gd", "sgd"):
        return torch.optim.SGD(params, lr=lr, weight_decay=wd)
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr=lr, momentum=cfg.momentum, weight_decay=wd,
                               nesterov=name == "nesterov")
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr=lr, alpha=cfg.alpha, eps=cfg.eps,
                                   weight_decay=wd)
    if name == "adagrad":
        return torch.optim.Adagrad(params, lr=lr, eps=cfg.eps, weight_decay=wd)
    if name == "adadelta":
        return torch.optim.Adadelta(params, lr=lr, rho=cfg.rho, eps=cfg.eps, weight_decay=wd)
    if name in ("adam", "adamw"):
        kind = torch.optim.Adam if name == "adam" else torch.optim.AdamW
        return kind(params, lr=lr, betas=(cfg.beta1, cfg.beta2), eps=cfg.eps, weight_decay=wd)
    if name == "lbfgs":
        return torch.optim.LBFGS(params, lr=lr, history_size=cfg.history_size,
                                 max_iter=cfg.max_iter, line_search_fn="strong_wolfe")
    raise ValueError(f"optim.name: unknown {name!r}")
