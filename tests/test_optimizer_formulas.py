"""torch.optim's steps checked against the course's update formulas, step by step.

Each expected trajectory is computed independently in numpy from the formula as the course
writes it; the optimizers run on a float64 2-element parameter so agreement is to ~1e-12.
Most tests feed a fixed sequence of gradients (the update rule is then all that matters);
the Nesterov look-ahead test needs real gradients, so it uses a quadratic loss.
"""

from __future__ import annotations

import numpy as np
import pytest
import torch

W0 = np.array([1.0, -2.0])
GRADS = np.random.default_rng(0).normal(size=(6, 2)) * np.array([1.0, 5.0])


def torch_path(optimizer_cls, grads=GRADS, lr_per_step=None, **kwargs) -> np.ndarray:
    """Params after each step when ``grads[t]`` is fed as the gradient of step t."""
    param = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    optimizer = optimizer_cls([param], **kwargs)
    path = []
    for t, g in enumerate(grads):
        if lr_per_step is not None:
            optimizer.param_groups[0]["lr"] = lr_per_step[t]
        param.grad = torch.tensor(g, dtype=torch.float64)
        optimizer.step()
        path.append(param.detach().numpy().copy())
    return np.array(path)


def close(a, b):
    np.testing.assert_allclose(a, b, rtol=1e-12, atol=1e-14)


def test_momentum_matches_course_form_with_lr_inside_the_velocity():
    alpha, beta = 0.1, 0.9
    w, v, expected = W0.copy(), np.zeros(2), []
    for g in GRADS:
        v = beta * v + alpha * g  # course: v = beta v + alpha dW
        w = w - v  # W = W - v
        expected.append(w)
    # torch keeps b = beta b + g and steps W -= alpha b. Multiplying its recursion by alpha
    # gives (alpha b) = beta (alpha b) + alpha g: the course's v is alpha * b exactly,
    # provided alpha is the same at every step.
    close(torch_path(torch.optim.SGD, lr=alpha, momentum=beta), expected)


def test_momentum_forms_part_when_the_lr_changes():
    # With a schedule the two forms differ: torch rescales the whole buffer by the new LR,
    # the course's v keeps each past gradient at the LR it was taken with.
    lrs = [0.1, 0.1, 0.05, 0.05, 0.01, 0.01]
    beta, w, v, expected = 0.9, W0.copy(), np.zeros(2), []
    for g, alpha in zip(GRADS, lrs):
        v = beta * v + alpha * g
        w = w - v
        expected.append(w)
    actual = torch_path(torch.optim.SGD, lr_per_step=lrs, lr=0.1, momentum=beta)
    close(actual[:2], expected[:2])
    assert not np.allclose(actual[2:], expected[2:])


def test_momentum_matches_the_exponential_average_form_with_a_scaled_lr():
    # Ng's lecture form averages: v = beta v + (1 - beta) dW, W -= alpha v. It is the form
    # above with alpha * (1 - beta) in place of alpha, so torch needs lr = alpha(1 - beta).
    alpha, beta = 0.1, 0.9
    w, v, expected = W0.copy(), np.zeros(2), []
    for g in GRADS:
        v = beta * v + (1 - beta) * g
        w = w - alpha * v
        expected.append(w)
    close(torch_path(torch.optim.SGD, lr=alpha * (1 - beta), momentum=beta), expected)


def test_nesterov_matches_torch_documented_formula():
    alpha, mu = 0.1, 0.9
    w, b, expected = W0.copy(), np.zeros(2), []
    for g in GRADS:
        b = mu * b + g  # torch docs: b_t = mu b_{t-1} + g_t
        w = w - alpha * (g + mu * b)  # nesterov: W -= lr (g_t + mu b_t)
        expected.append(w)
    close(torch_path(torch.optim.SGD, lr=alpha, momentum=mu, nesterov=True), expected)


def test_nesterov_is_the_course_look_ahead_form_seen_from_the_look_ahead_point():
    # Course (Sutskever) form: v = mu v - alpha grad L(W + mu v); W = W + v.
    # Put W~ = W + mu v (the look-ahead point). Then
    #   W~' = W~ + mu^2 v - (1 + mu) alpha grad L(W~),
    # and with v = -alpha b this is torch's W~' = W~ - alpha (g + mu b), b = mu b + g,
    # where g = grad L(W~). So torch's parameter *is* the course's look-ahead point.
    a_matrix = np.array([[3.0, 1.0], [1.0, 8.0]])
    b_vector = np.array([1.0, -1.0])

    def grad(w):
        return a_matrix @ w + b_vector

    alpha, mu = 0.05, 0.9
    w, v, look_ahead = W0.copy(), np.zeros(2), []
    for _ in range(8):
        v = mu * v - alpha * grad(w + mu * v)
        w = w + v
        look_ahead.append(w + mu * v)

    param = torch.tensor(W0, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([param], lr=alpha, momentum=mu, nesterov=True)
    a_t, b_t = torch.tensor(a_matrix), torch.tensor(b_vector)
    path = []
    for _ in range(8):
        optimizer.zero_grad()
        (0.5 * param @ a_t @ param + b_t @ param).backward()
        optimizer.step()
        path.append(param.detach().numpy().copy())
    close(np.array(path), look_ahead)


def test_rmsprop_matches_course_formula():
    alpha, beta, eps = 0.01, 0.9, 1e-2  # a large eps, so its placement matters
    w, s, expected = W0.copy(), np.zeros(2), []
    for g in GRADS:
        s = beta * s + (1 - beta) * g**2
        w = w - alpha * g / (np.sqrt(s) + eps)  # eps outside the root
        expected.append(w)
    close(torch_path(torch.optim.RMSprop, lr=alpha, alpha=beta, eps=eps), expected)


def test_adagrad_matches_course_formula():
    alpha, eps = 0.5, 1e-2
    w, total, expected = W0.copy(), np.zeros(2), []
    for g in GRADS:
        total = total + g**2  # sum of all squared gradients so far
        w = w - alpha * g / (np.sqrt(total) + eps)
        expected.append(w)
    close(torch_path(torch.optim.Adagrad, lr=alpha, eps=eps), expected)


def adam_course(alpha, beta1, beta2, eps, eps_inside_root=False):
    w, m, v, expected = W0.copy(), np.zeros(2), np.zeros(2), []
    for t, g in enumerate(GRADS, start=1):
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g**2
        m_hat = m / (1 - beta1**t)  # bias correction: early averages are pulled to 0
        v_hat = v / (1 - beta2**t)
        root = np.sqrt(v_hat + eps) if eps_inside_root else np.sqrt(v_hat) + eps
        w = w - alpha * m_hat / root
        expected.append(w)
    return np.array(expected)


@pytest.mark.parametrize("betas", [(0.9, 0.999), (0.5, 0.8)])
def test_adam_matches_course_formula_with_bias_correction(betas):
    alpha, eps = 0.1, 1e-3
    expected = adam_course(alpha, *betas, eps)
    actual = torch_path(torch.optim.Adam, lr=alpha, betas=betas, eps=eps)
    close(actual, expected)
    # The test can tell formulas apart: eps under the root would be another optimizer.
    assert not np.allclose(actual, adam_course(alpha, *betas, eps, eps_inside_root=True))


def test_adam_first_step_moves_each_coordinate_by_about_lr():
    # What bias correction buys: m_1 = (1 - beta1) g alone would be 10x too small at
    # step 1; corrected, m_hat / sqrt(v_hat) = g / |g|, a step of lr whatever the scale.
    first = torch_path(torch.optim.Adam, grads=GRADS[:1], lr=0.1, eps=1e-12)[0]
    np.testing.assert_allclose(np.abs(first - W0), [0.1, 0.1], rtol=1e-9)
