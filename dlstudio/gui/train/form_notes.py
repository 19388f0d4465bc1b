"""What the run form says beside a field whose value training sets or changes.

- AdaDelta: choosing it sets the learning rate to ``default_lr("adadelta")`` (1.0, the
  course's AdaDelta, which has no learning rate: the field is a multiplier of its step)
  and says so under the field; leaving it while that value is still there gives the new
  optimizer its own default.
- One-cycle momentum: the schedule cycles the momentum (or Adam's β₁) itself, so the
  value typed there is not what trains (``momentum_override``); the note says what is.
"""

from __future__ import annotations

from typing import Mapping

from dlstudio.config import RunConfig, default_lr
from dlstudio.gui.common.form_fields import FormField, format_value
from dlstudio.training.schedules import momentum_override

ADADELTA_NOTE = ("AdaDelta has no learning rate in the course: this multiplies its step, "
                 "so it was set to {lr:g} (the course's AdaDelta). Lower it to damp the steps.")
MOMENTUM_NOTE = ("One-cycle sets this: it cycles from {high:g} down to {low:g} while the "
                 "learning rate rises, and back up; the value here is not used.")
MOMENTUM_KEYS = ("optim.momentum", "optim.beta1")


def optimizer_chosen(fields: Mapping[str, FormField], previous: str, chosen: str) -> None:
    """The user picked ``chosen`` (was ``previous``): give it its learning rate."""
    lr = fields["optim.lr"]
    if chosen == "adadelta":
        lr.set_value(format_value(default_lr("adadelta")))
    elif previous == "adadelta" and _same_number(lr.value(), default_lr("adadelta")):
        lr.set_value(format_value(default_lr(chosen)))
    lr.set_note(ADADELTA_NOTE.format(lr=default_lr("adadelta")) if chosen == "adadelta" else "")


def show_momentum_override(fields: Mapping[str, FormField], config: RunConfig | None) -> None:
    """Say under the momentum or β₁ field when one-cycle overrides it (None: form invalid)."""
    override = momentum_override(config) if config is not None else None
    for key in MOMENTUM_KEYS:
        fields[key].set_note(MOMENTUM_NOTE.format(**override)
                             if override and override["key"] == key else "")


def _same_number(text: str, value: float) -> bool:
    try:
        return float(text) == value
    except ValueError:
        return False
