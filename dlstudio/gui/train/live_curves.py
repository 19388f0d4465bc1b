"""What the live view plots: one ``CurveSpec`` per curve, in which plot, in which colour."""

from __future__ import annotations

from dataclasses import dataclass

TRAIN_COLOR = (31, 119, 180)
DEV_COLOR = (255, 127, 14)
LR_COLOR = (44, 160, 44)
MOMENTUM_COLOR = (148, 103, 189)


@dataclass(frozen=True)
class CurveSpec:
    plot: str  # "loss" | "metric" | "lr" | "momentum"
    key: str  # the RunTrace series
    name: str
    color: tuple[int, int, int]
    per_epoch: bool = False


CURVES = (
    CurveSpec("loss", "loss", "train loss (per step)", TRAIN_COLOR),
    CurveSpec("loss", "dev_loss", "dev loss (per epoch)", DEV_COLOR, per_epoch=True),
    CurveSpec("metric", "train_metric", "train", TRAIN_COLOR, per_epoch=True),
    CurveSpec("metric", "dev_metric", "dev", DEV_COLOR, per_epoch=True),
    CurveSpec("lr", "lr", "learning rate", LR_COLOR),
    CurveSpec("momentum", "momentum", "momentum", MOMENTUM_COLOR),
)
SINGLE_CURVE_PLOTS = ("lr", "momentum")  # their title names the curve: no legend
PLOT_TITLES = {"loss": ("Loss", "Loss"), "metric": ("Accuracy", "Accuracy (%)"),
               "lr": ("Learning rate", "LR"), "momentum": ("Momentum / β₁", "β₁ / momentum")}
