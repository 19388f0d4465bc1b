"""What the run form shows: its sections, fields (labels with units) and when each is shown.

Which optimizer and schedule settings appear comes from the core's
``OPTIMIZER_PARAMS`` / ``SCHEDULE_PARAMS``; nothing here knows what a setting does.
"""

from __future__ import annotations

from typing import Callable

from dlstudio.config import (ACTIVATIONS, CYCLIC_MODES, FILE_DATASETS, MODELS, PRECISIONS,
                             SYNTHETIC_DATASETS, TASKS)
from dlstudio.gui.common.form_fields import CheckField, ChoiceField, FileField, FormField, TextField
from dlstudio.training.optimizers import FULL_BATCH, OPTIMIZER_LABELS, OPTIMIZER_PARAMS
from dlstudio.training.schedules import SCHEDULE_LABELS, SCHEDULE_PARAMS

Values = dict  # flat {"optim.name": "adam", ...} of the choices made so far
Rule = Callable[[Values], bool]

MODEL_LABELS = {"linear": "Linear (no hidden layer)", "mlp": "MLP (fully connected)",
                "cnn": "CNN (digits as 8×8 images)", "plugin": "Your model (.py plugin)"}

OPTIM_FIELDS = {
    "lr": ("Learning rate", "Step size, e.g. 0.001 for Adam, 0.1 for SGD; the peak of the "
                            "cyclic and one-cycle schedules; AdaDelta: 1 (it has none)"),
    "momentum": ("Momentum (0–1)", "Share of the previous update kept, e.g. 0.9"),
    "beta1": ("β₁ (0–1)", "Decay of the gradient average, e.g. 0.9"),
    "beta2": ("β₂ (0–1)", "Decay of the squared-gradient average, e.g. 0.999"),
    "alpha": ("α smoothing (0–1)", "RMSProp's squared-gradient decay, e.g. 0.99"),
    "rho": ("ρ (0–1)", "AdaDelta's decay, e.g. 0.9"),
    "eps": ("ε", "Added to the denominator for stability, e.g. 1e-8"),
    "weight_decay": ("Weight decay (L2)", "0 = off"),
    "history_size": ("History size (steps)", "L-BFGS: updates kept"),
    "max_iter": ("Iterations per step", "L-BFGS: inner iterations"),
}
SCHEDULE_FIELDS = {
    "step_size": ("Step size (epochs)", "Epochs between two decays"),
    "gamma": ("γ decay factor (0–1]", "Multiplies the LR at each decay"),
    "base_lr": ("Lowest LR", "Cyclic: lower bound"),
    "step_size_up": ("Half cycle (steps)", "Cyclic: optimizer steps from low to high"),
    "mode": ("Cyclic mode", "triangular2 halves the range each cycle; exp_range decays it by γ"),
    "pct_start": ("Warm share (0–1)", "One-cycle: share of the steps spent rising"),
    "eta_min": ("Final LR", "Cosine: LR reached at the end"),
    "factor": ("Factor (0–1)", "Plateau: multiplies the LR when the dev loss stalls"),
    "patience": ("Patience (epochs)", "Plateau: epochs without improvement before a cut"),
}


def _dataset_choices() -> list[tuple[str, str]]:
    from dlstudio.config import DATASETS

    labels = {"csv": "CSV file…", "npz": "NPZ file (X, y)…"}
    return [(name, labels.get(name, name.replace("_", " "))) for name in DATASETS]


def _when(key: str, *allowed: str) -> Rule:
    return lambda values: values.get(key) in allowed


def _optim_uses(param: str) -> Rule:
    return lambda values: param in OPTIMIZER_PARAMS.get(values.get("optim.name"), ())


def _schedule_uses(param: str) -> Rule:
    return lambda values: param in SCHEDULE_PARAMS.get(values.get("schedule.name"), ())


def _schedule_field(name: str, label: str, tip: str) -> FormField:
    if name == "mode":
        return ChoiceField("schedule.mode", label, [(m, m) for m in CYCLIC_MODES], tip)
    return TextField(f"schedule.{name}", label, tip)


def _always(values: Values) -> bool:
    return True


def build_sections(devices: list[tuple[str, str]], chooser=None) -> list[tuple[str, list[tuple[FormField, Rule]]]]:
    """The form's sections: ``[(title, [(field, shown_when), ...]), ...]``."""
    data = [
        (ChoiceField("data.name", "Dataset", _dataset_choices()), _always),
        (FileField("data.path", "File", "Data files (*.csv *.npz);;All files (*)",
                   "A CSV with a header row, or an NPZ holding arrays X and y",
                   chooser=chooser), _when("data.name", *FILE_DATASETS)),
        (TextField("data.target", "Target column", "The column to predict",
                   placeholder="the last column"), _when("data.name", "csv")),
        (ChoiceField("data.task", "Task", [(t, t) for t in TASKS],
                     "auto: classes if the target looks categorical"),
         _when("data.name", *FILE_DATASETS)),
        (TextField("data.n_samples", "Samples", "How many points to generate"),
         _when("data.name", *SYNTHETIC_DATASETS)),
        (TextField("data.noise", "Noise (std)", "Gaussian noise added to the points"),
         _when("data.name", *SYNTHETIC_DATASETS)),
        (CheckField("data.images", "Images", "keep 8×8 images (needed by the CNN)"),
         _when("data.name", "digits")),
        (TextField("split.test", "Test share (0–1)", "Held out, evaluated once at the end"),
         _always),
        (TextField("split.dev", "Dev share (0–1)", "Share of what is left after the test "
                   "share; used for early stopping and model choice"), _always),
    ]
    model = [
        (ChoiceField("model.name", "Model", [(m, MODEL_LABELS.get(m, m)) for m in MODELS]),
         _always),
        (TextField("model.hidden", "Hidden layers (units)", "Sizes of the hidden layers",
                   placeholder="e.g. 64, 32"), _when("model.name", "mlp")),
        (TextField("model.channels", "Conv channels", "Channels of each conv layer",
                   placeholder="e.g. 16, 32"), _when("model.name", "cnn")),
        (ChoiceField("model.activation", "Activation", [(a, a) for a in ACTIVATIONS]),
         _when("model.name", "mlp", "cnn")),
        (TextField("model.dropout", "Dropout (0–1)", "0 = off"), _when("model.name", "mlp", "cnn")),
        (CheckField("model.batch_norm", "Batch norm", "after each hidden layer"),
         _when("model.name", "mlp", "cnn")),
        (FileField("model.plugin", "Plugin file", "Python files (*.py)",
                   "A .py file defining build_model(config, input_shape, output_dim)",
                   chooser=chooser), _when("model.name", "plugin")),
    ]
    optim = [(ChoiceField("optim.name", "Optimizer", list(OPTIMIZER_LABELS.items())), _always)]
    optim += [(TextField(f"optim.{name}", label, tip), _optim_uses(name))
              for name, (label, tip) in OPTIM_FIELDS.items()]
    schedule = [(ChoiceField("schedule.name", "LR schedule", list(SCHEDULE_LABELS.items())),
                 _always),
                (TextField("schedule.warmup_steps", "Warmup (steps)",
                           "Linear warmup from 0 over this many steps; 0 = off"), _always)]
    schedule += [(_schedule_field(name, label, tip), _schedule_uses(name))
                 for name, (label, tip) in SCHEDULE_FIELDS.items()]
    train = [
        (TextField("train.epochs", "Epochs", "Passes over the training split"), _always),
        (TextField("train.batch_size", "Batch size (samples)", "Samples per optimizer step"),
         lambda values: values.get("optim.name") not in FULL_BATCH),
        (TextField("train.seed", "Seed", "Same seed, same split and initial weights"), _always),
        (ChoiceField("train.device", "Device", [("auto", f"auto ({devices[0][1]})"), *devices]),
         _always),
        (ChoiceField("train.precision", "Precision", [(p, p) for p in PRECISIONS],
                     "Mixed precision applies on CUDA GPUs only"),
         lambda values: any(d.startswith("cuda") for d, _ in devices)),
        (TextField("train.early_stopping", "Early stopping (epochs)",
                   "Stop after this many epochs without a better dev score; 0 = off"), _always),
        (TextField("train.grad_clip", "Gradient clip (norm)", "Max gradient norm; 0 = off"),
         _always),
    ]
    return [("Data", data), ("Model", model), ("Optimizer", optim), ("Learning-rate schedule",
            schedule), ("Training", train)]
