"""How the optimizer lab shows each optimizer: a display name and a fixed colour."""

from __future__ import annotations

OPTIMIZER_NAMES = {
    "gd": "GD", "momentum": "Momentum", "nesterov": "Nesterov", "rmsprop": "RMSProp",
    "adagrad": "AdaGrad", "adadelta": "AdaDelta", "adam": "Adam", "lbfgs": "L-BFGS",
    "newton": "Newton",
}

# Distinct on the pale contour map and for the common colour-vision deficiencies as far
# as nine colours allow (Tableau 10 without its grey).
OPTIMIZER_COLORS = {
    "gd": (31, 119, 180), "momentum": (255, 127, 14), "nesterov": (44, 160, 44),
    "rmsprop": (214, 39, 40), "adagrad": (148, 103, 189), "adadelta": (140, 86, 75),
    "adam": (227, 119, 194), "lbfgs": (23, 190, 207), "newton": (30, 30, 30),
}

OPTIMIZER_TIPS = {
    "gd": "Plain gradient descent: step = -lr x gradient",
    "momentum": "SGD with momentum 0.9: a running average of gradients",
    "nesterov": "Nesterov momentum 0.9: the gradient is taken after the momentum step",
    "rmsprop": "Divides each coordinate's step by a running RMS of its gradients",
    "adagrad": "Divides by the root of all squared gradients so far: steps only shrink",
    "adadelta": "AdaGrad with a decaying window and a step in the parameters' own units",
    "adam": "Momentum + RMSProp with bias correction",
    "lbfgs": "Quasi-Newton with a line search (torch.optim.LBFGS); lr scales the step",
    "newton": "Exact Hessian: step = -lr x H^-1 gradient (lr is the damping, 1 = full step)",
}
