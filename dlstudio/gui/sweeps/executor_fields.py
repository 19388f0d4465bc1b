"""The sweep form's executor part: where the trials train (this machine's threads, or Ray).

Its rows go into the method part's form layout (one label column). Offered only when
Ray is installed (``executor_kinds()``); without it no row is placed and a sweep file's
``executor`` section passes through untouched, so starting it says how to install Ray.
Values are typed as text and handed to the core as the sweep file's ``executor``
mapping; ``ExecutorSpec.parse`` validates them and its messages come back under the
field they name (``set_errors``).
"""

from __future__ import annotations

import copy
from typing import Any, Sequence

from PySide6.QtCore import QObject, Signal, Slot
from PySide6.QtWidgets import QFormLayout

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.form_fields import ChoiceField, FormField, TextField
from dlstudio.gui.sweeps.param_row import parse_number
from dlstudio.search.executor_spec import EXECUTOR_KEY
from dlstudio.training.sweeps.executors import executor_kinds

KIND_LABELS = {"local": "Local threads", "ray": "Ray"}
HELP = {"local": "Trials train in worker threads of this app, on this machine's devices.",
        "ray": "Each trial is a Ray task with the CPUs and GPUs asked, on a Ray cluster "
               "(empty address: a Ray instance started on this machine)."}
RAY_FIELDS = ("address", "gpus_per_trial", "cpus_per_trial", "checkpoints")


class ExecutorFields(QObject):
    """Executor choice and Ray's settings (``place`` puts them in a form layout);
    ``edited`` on every change."""

    edited = Signal()

    def __init__(self, kinds: Sequence[str] | None = None, parent: QObject | None = None):
        super().__init__(parent)
        self.kinds = tuple(executor_kinds() if kinds is None else kinds)
        self.offered = "ray" in self.kinds
        self._passed: Any = None  # the file's section, kept as written while not offered
        self.kind = ChoiceField("kind", "Executor", [(k, KIND_LABELS[k]) for k in self.kinds],
                                "Where the trials train")
        self.fields: dict[str, FormField] = {
            "address": TextField("address", "Ray address", "The cluster's address: auto for "
                                 "the one `ray start --head` began on this machine, or "
                                 "host:port", "empty: start a local Ray instance"),
            "gpus_per_trial": TextField("gpus_per_trial", "GPUs per trial",
                                        "GPUs Ray gives each trial (fractions share one)", "0"),
            "cpus_per_trial": TextField("cpus_per_trial", "CPUs per trial",
                                        "CPUs Ray gives each trial (its torch threads)", "1"),
            "checkpoints": TextField("checkpoints", "Checkpoints", "A folder every node can "
                                     "read and write, so a promoted trial resumes on any "
                                     "node", "beside the database (one machine)"),
        }
        self.layout_: QFormLayout | None = None
        for field in (self.kind, *self.fields.values()):
            field.connect_changed(self._on_edited)
        for field in self.fields.values():
            field.edit.editingFinished.connect(self._show_fields)
        self.kind.connect_changed(self._show_fields)

    def place(self, layout: QFormLayout) -> None:
        """Add the rows to ``layout`` (none when Ray is not installed)."""
        if not self.offered:
            return
        for field in (self.kind, *self.fields.values()):
            layout.addRow(field.label, field.container)
        self.layout_ = layout
        self._show_fields()

    # -- reading and writing ---------------------------------------------------------
    def section(self) -> Any:
        """The sweep file's ``executor`` section (None: local threads, the default)."""
        if not self.offered:
            return copy.deepcopy(self._passed)
        # Local threads take the Ray fields a file gave them too: the core then says
        # they need kind ray, under the choice, instead of the form dropping them.
        values: dict[str, Any] = {"kind": self.kind.value()}
        for name in RAY_FIELDS:
            text = self.fields[name].value()
            if text:
                values[name] = text if name in ("address", "checkpoints") else \
                    parse_number(text)
        return None if values == {"kind": "local"} else values

    def set_section(self, raw: Any) -> None:
        """Show a sweep file's ``executor`` section (None: local threads)."""
        self._passed = copy.deepcopy(raw)
        if not self.offered:
            return
        values = raw if isinstance(raw, dict) else {}
        self.kind.combo.blockSignals(True)
        self.kind.set_value(values.get("kind", "local"))
        self.kind.combo.blockSignals(False)
        for name, field in self.fields.items():
            field.edit.blockSignals(True)
            field.set_value(values.get(name, ""))
            field.edit.blockSignals(False)
        self._show_fields()

    def targets(self) -> set[str]:
        """The problem targets shown under a field now (``executor.<key>``)."""
        if not self.offered:
            return set()
        shown = [n for n in RAY_FIELDS if self._field_shown(n)]
        return {f"{EXECUTOR_KEY}.kind"} | {f"{EXECUTOR_KEY}.{n}" for n in shown}

    def set_errors(self, routed: dict[str, list[str]]) -> None:
        """Messages from ``route_problems`` under the executor's fields."""
        for name, field in {"kind": self.kind, **self.fields}.items():
            field.set_error("\n".join(routed.get(f"{EXECUTOR_KEY}.{name}", [])))

    # -- slots ---------------------------------------------------------------------
    @Slot()
    def _on_edited(self) -> None:
        self.edited.emit()

    @Slot()
    def _show_fields(self) -> None:
        if self.layout_ is None:
            return
        for name, field in self.fields.items():
            self.layout_.setRowVisible(field.container, self._field_shown(name))
        self.kind.set_note(HELP.get(self.kind.value(), ""))

    def _field_shown(self, name: str) -> bool:
        """Ray's fields with Ray; with local threads only those that hold a value."""
        return self.kind.value() == "ray" or bool(self.fields[name].value())
