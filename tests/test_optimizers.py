"""The optimizer factory builds torch.optim optimizers with their own settings."""

from __future__ import annotations

import pytest
import torch

from dlstudio.config import OPTIMIZERS, RunConfig
from dlstudio.training.optimizers import OPTIMIZER_PARAMS, build_optimizer

EXPECTED = {
    "gd": (torch.optim.SGD, {"momentum": 0}), "sgd": (torch.optim.SGD, {"momentum": 0}),
    "momentum": (torch.optim.SGD, {"momentum": 0.8, "nesterov": False}),
    "nesterov": (torch.optim.SGD, {"momentum": 0.8, "nesterov": True}),
    "rmsprop": (torch.optim.RMSprop, {"alpha": 0.95}),
    "adagrad": (torch.optim.Adagrad, {}), "adadelta": (torch.optim.Adadelta, {"rho": 0.85}),
    "adam": (torch.optim.Adam, {"betas": (0.85, 0.99)}),
    "adamw": (torch.optim.AdamW, {"betas": (0.85, 0.99)}),
    "lbfgs": (torch.optim.LBFGS, {"history_size": 7, "line_search_fn": "strong_wolfe"}),
}


@pytest.mark.parametrize("name", OPTIMIZERS)
def test_each_optimizer_gets_its_settings(name):
    config = RunConfig.from_dict({}, [f"optim.name={name}", "optim.lr=0.05", "optim.momentum=0.8",
                                      "optim.alpha=0.95", "optim.rho=0.85", "optim.beta1=0.85",
                                      "optim.beta2=0.99", "optim.history_size=7"])
    optimizer = build_optimizer([torch.nn.Parameter(torch.zeros(2))], config.optim)
    kind, settings = EXPECTED[name]
    assert type(optimizer) is kind
    assert optimizer.defaults["lr"] == 0.05
    for key, value in settings.items():
        assert optimizer.defaults[key] == value


def test_param_lists_name_real_fields():
    assert set(OPTIMIZER_PARAMS) == set(OPTIMIZERS)
    for params in OPTIMIZER_PARAMS.values():
        assert "lr" in params
        for param in params:
            assert hasattr(RunConfig().optim, param)
