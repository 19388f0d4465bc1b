"""The optimizer lab: surfaces, real torch optimizers on them, Newton, divergence."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from dlstudio.errors import ConfigError
from dlstudio.training.optimizer_lab import (
    OPTIMIZERS,
    compare,
    default_lr,
    newton_step,
    run_optimizer,
)
from dlstudio.training.surfaces import SURFACES, get_surface

FIRST_ORDER = [o for o in OPTIMIZERS if o not in ("lbfgs", "newton")]


@pytest.mark.parametrize("name", SURFACES)
def test_surface_torch_and_numpy_agree_and_minima_are_flat(name):
    surface = SURFACES[name]
    x, y, z = surface.grid(resolution=7)
    assert z.shape == (7, 7) and np.isfinite(z).all()
    point = torch.tensor([x[3, 2], y[3, 2]], dtype=torch.float64)
    assert float(surface(point)) == pytest.approx(z[3, 2])
    for minimum in surface.minima:
        p = torch.tensor(minimum, dtype=torch.float64, requires_grad=True)
        surface(p).backward()
        assert float(surface(p.detach())) == pytest.approx(surface.min_value, abs=1e-9)
        assert p.grad.abs().max() < 1e-4
    lo_x, hi_x = surface.x_range
    lo_y, hi_y = surface.y_range
    assert lo_x <= surface.start[0] <= hi_x and lo_y <= surface.start[1] <= hi_y


def test_quadratic_is_ill_conditioned():
    hessian = torch.autograd.functional.hessian(
        SURFACES["quadratic"], torch.zeros(2, dtype=torch.float64))
    eigenvalues = torch.linalg.eigvalsh(hessian)
    assert 20 <= float(eigenvalues.max() / eigenvalues.min()) <= 50


@pytest.mark.parametrize("surface", SURFACES)
@pytest.mark.parametrize("optimizer", OPTIMIZERS)
def test_every_optimizer_lowers_the_loss_from_the_default_start(surface, optimizer):
    trajectory = run_optimizer(surface, optimizer, steps=100)
    assert not trajectory.diverged
    assert trajectory.points.shape == (101, 2)
    assert trajectory.losses.shape == (101,) and trajectory.lrs.shape == (100,)
    assert np.allclose(trajectory.points[0], SURFACES[surface].start)
    assert trajectory.final_loss < trajectory.losses[0]
    assert trajectory.lrs[0] == default_lr(surface, optimizer)


@pytest.mark.parametrize("optimizer", FIRST_ORDER + ["lbfgs"])
def test_quadratic_is_solved_by_every_method(optimizer):
    trajectory = run_optimizer("quadratic", optimizer)
    # Adadelta warms up slowly by design; the rest land on the minimum.
    assert trajectory.distance_to_minimum() < (0.5 if optimizer == "adadelta" else 1e-2)


def test_saddle_stalls_first_order_methods_started_on_its_ridge():
    # On y = 0 the y-gradient is exactly 0: gradient methods slide into the saddle point
    # and stay, however clever their step. The default start sits just off the ridge,
    # and every one of them escapes to a true minimum.
    for optimizer in FIRST_ORDER:
        stuck = run_optimizer("saddle", optimizer, start=(-1.5, 0.0))
        assert stuck.points[:, 1].max() == 0.0 and stuck.final_loss > -0.01
        escaped = run_optimizer("saddle", optimizer)
        assert escaped.final_loss < -0.9


def test_adaptive_methods_leave_the_saddle_sooner_than_gradient_descent():
    def steps_to_escape(optimizer):
        y = run_optimizer("saddle", optimizer).points[:, 1]
        return int(np.argmax(np.abs(y) > 0.5))

    assert steps_to_escape("adam") < steps_to_escape("gd")
    assert steps_to_escape("rmsprop") < steps_to_escape("gd")


def test_newton_step_reaches_the_quadratic_minimum_in_one_step():
    for start in [(-8.0, 2.0), (3.0, -1.0), (0.5, 4.0)]:
        np.testing.assert_allclose(newton_step("quadratic", start), [0.0, 0.0], atol=1e-12)


def test_newton_seeks_any_stationary_point_even_the_saddle():
    trajectory = run_optimizer("saddle", "newton", steps=10)
    np.testing.assert_allclose(trajectory.final_point, [0.0, 0.0], atol=1e-8)


def test_lbfgs_reaches_rosenbrock_minimum():
    trajectory = run_optimizer("rosenbrock", "lbfgs", steps=100)
    assert trajectory.distance_to_minimum() < 1e-3
    assert trajectory.final_loss < 1e-6
    assert trajectory.evaluations > trajectory.steps  # the line search spends extra calls


@pytest.mark.parametrize("optimizer", ["gd", "momentum", "adam", "newton"])
def test_huge_lr_is_flagged_not_raised(optimizer):
    trajectory = run_optimizer("beale", optimizer, lr=1e6, steps=50)
    assert trajectory.diverged
    assert trajectory.steps < 50
    assert np.isfinite(trajectory.points).all()
    assert len(trajectory.lrs) == trajectory.steps


def test_lbfgs_line_search_survives_a_huge_lr():
    assert not run_optimizer("quadratic", "lbfgs", lr=1e6, steps=30).diverged


def test_hyperparameters_reach_torch_and_scheduler_shows_in_lrs():
    plain = run_optimizer("quadratic", "momentum", steps=20)
    heavy = run_optimizer("quadratic", "momentum", steps=20, momentum=0.5)
    assert heavy.hyper["momentum"] == 0.5
    assert not np.allclose(plain.points, heavy.points)
    decayed = run_optimizer("quadratic", "gd", lr=0.05, steps=5,
                            make_scheduler=lambda o: torch.optim.lr_scheduler.StepLR(o, 2, 0.1))
    np.testing.assert_allclose(decayed.lrs, [0.05, 0.05, 0.005, 0.005, 0.0005])


def test_compare_runs_labelled_optimizers_from_one_start():
    runs = compare("himmelblau", {"adam": {}, "slow adam": {"optimizer": "adam", "lr": 0.01},
                                  "gd": {"lr": 0.005}}, steps=30, start=(1.0, 1.0))
    assert list(runs) == ["adam", "slow adam", "gd"]
    assert all(np.allclose(t.points[0], [1.0, 1.0]) for t in runs.values())
    assert runs["slow adam"].optimizer == "adam" and runs["slow adam"].hyper["lr"] == 0.01
    assert runs["gd"].lrs[0] == 0.005
    assert set(compare("quadratic", steps=2)) == set(OPTIMIZERS)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: run_optimizer("moon", "adam"), "surface"),
        (lambda: run_optimizer("beale", "adamax"), "optimizer"),
        (lambda: run_optimizer("beale", "adam", lr=-1), "lr"),
        (lambda: run_optimizer("beale", "adam", steps=-1), "steps"),
        (lambda: run_optimizer("beale", "adam", start=(1.0,)), "start"),
        (lambda: run_optimizer("beale", "adam", start=(1.0, float("nan"))), "start"),
        (lambda: run_optimizer("beale", "adam", beta=0.9), "adam.beta"),
        (lambda: run_optimizer("beale", "gd", momentum=0.9), "gd.momentum"),
        (lambda: run_optimizer("beale", "momentum", momentum=-1), "momentum"),
        (lambda: run_optimizer("beale", "newton", momentum=0.9), "newton"),
        (lambda: newton_step("beale", (1.0, 1.0), damping=0), "damping"),
        (lambda: get_surface("beale").grid(resolution=1), "resolution"),
    ],
)
def test_bad_input_names_the_field(call, field):
    with pytest.raises(ConfigError) as raised:
        call()
    assert str(raised.value).startswith(f"{field}:")
