"""The sweep form's method part: search method and its settings, metric and goal, epochs
per trial, budget, workers and seed.

Settings are typed as text and handed to the core as numbers (empty: the core's
default, shown as the placeholder); the core validates them and its messages come back
under the field they name. Only the settings of the chosen method are shown.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QFormLayout, QGridLayout, QHBoxLayout, QLabel, QSpinBox, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.theme import dim
from dlstudio.gui.common.form_fields import CheckField, ChoiceField, FormField, TextField
from dlstudio.gui.sweeps.method_catalog import (MAXIMIZED, METHOD_HELP, METHODS, METRICS,
                                               SETTING_DEFAULTS, SETTINGS, Method)
from dlstudio.gui.sweeps.param_row import parse_number




class SweepMethodForm(QWidget):
    """Method, settings, metric, budget and run options; ``edited`` on every change."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.layout_ = QFormLayout(self)
        self.layout_.setContentsMargins(0, 0, 0, 0)
        self.method = ChoiceField("method", "Method", [(k, m.label) for k, m in METHODS.items()],
                                  "How configurations are chosen")
        self.metric = ChoiceField("metric", "Metric", METRICS, "The dev-set number trials are "
                                  "ranked by (never a test-set number)")
        self.goal = ChoiceField("goal", "Goal", [("minimize", "minimize"),
                                                 ("maximize", "maximize")])
        self.epochs = TextField("epochs", "Epochs per trial", "Each trial trains this many "
                                "epochs (the base config's train.epochs)")
        self.budget_trials = TextField("budget.trials", "Budget: trials",
                                       placeholder="no limit (random/Bayes: 20)")
        self.budget_epochs = TextField(
            "budget.epochs", "Budget: epochs",
            "Hyperband: empty runs one iteration, the course's Hyperband (every bracket "
            "s = s_max … 0 once); a number repeats iterations until that many epochs "
            "are spent (see Finish last bracket)")
        self.workers = QSpinBox(minimum=1, maximum=64)
        self.workers.setToolTip("Trials trained at once (CPU workers share the cores; on "
                                "a machine with several GPUs, one per GPU by default)")
        self.workers_note = dim(QLabel())  # e.g. "one per GPU"
        self.seed = TextField("seed", "Seed", "Same seed, same configurations", "0")
        self.settings: dict[str, dict[str, FormField]] = {}
        self.groups: dict[str, QWidget] = {}
        self._add(self.method)
        self.layout_.addRow("Metric", _pair(self.metric.container, self.goal.container))
        self.goal.connect_changed(self._on_edited)
        self._add(self.epochs)
        self._build_settings()
        for field in (self.budget_trials, self.budget_epochs):
            self._add(field)
        self.layout_.addRow("Workers", _pair(self.workers, self.workers_note, QLabel("Seed"),
                                             self.seed.container))
        self.seed.connect_changed(self._on_edited)
        self.metric.connect_changed(self._on_metric_changed)
        self.method.connect_changed(self._on_method_changed)
        self.workers.valueChanged.connect(self._on_edited)
        self._on_method_changed()

    def _add(self, field: FormField) -> None:
        self.layout_.addRow(field.label, field.container)
        if field is not self.method:
            field.connect_changed(self._on_edited)

    def _build_settings(self) -> None:
        """Each method's settings in a grid of two per line, shown with the method."""
        for group, rows in SETTINGS.items():
            self.settings[group] = {}
            box = QWidget()
            grid = QGridLayout(box)
            grid.setContentsMargins(0, 0, 0, 0)
            grid.setHorizontalSpacing(8)
            for index, (name, label, placeholder, tip) in enumerate(rows):
                if name.startswith("bool:"):
                    name = name[5:]
                    field: FormField = CheckField(name, "", label, tip)
                    field.set_value(SETTING_DEFAULTS[name])
                elif name.startswith("choice:"):
                    name = name[7:]
                    field = ChoiceField(name, label, [(v, v) for v in placeholder.split("|")],
                                        tip)
                else:
                    field = TextField(name, label, tip, placeholder)
                field.connect_changed(self._on_edited)
                self.settings[group][name] = field
                row, column = divmod(index, 2)
                grid.addWidget(field.label, row, 2 * column)
                grid.addWidget(field.container, row, 2 * column + 1)
            grid.setColumnStretch(1, 1)
            grid.setColumnStretch(3, 1)
            self.groups[group] = box
            self.layout_.addRow(box)

    # -- reading and writing ---------------------------------------------------------
    @property
    def choice(self) -> Method:
        return METHODS[self.method.value()]

    def setting_groups(self) -> list[str]:
        key = self.method.value()
        groups = {"bayes_tpe": ["bayes"], "bayes_gp": ["bayes"], "bohb": ["hyperband", "bohb"],
                  "asha_tpe": ["asha"]}
        return groups.get(key, [key])

    def section(self) -> dict[str, Any]:
        """The chosen method's own settings, as the sweep file's section holds them."""
        values: dict[str, Any] = dict(self.choice.fixed)
        for group in self.setting_groups():
            for name, field in self.settings.get(group, {}).items():
                value = field.value()
                if isinstance(value, bool):
                    values[name] = value
                elif value != "":
                    values[name] = parse_number(value)
        return values

    def budget(self) -> dict[str, Any]:
        fields = {"trials": self.budget_trials, "epochs": self.budget_epochs}
        return {kind: parse_number(fields[kind].value()) for kind in self.choice.budget
                if fields[kind].value() != ""}

    def set_values(self, key: str, section: dict[str, Any], metric: str, goal: str,
                   budget: dict[str, Any]) -> None:
        """Show a method (a ``METHODS`` key) with its settings, metric and budget."""
        for field in (self.method, self.metric, self.goal):
            field.combo.blockSignals(True)
        self.method.set_value(key)
        self.metric.set_value(metric)
        self.goal.set_value(goal)
        for field in (self.method, self.metric, self.goal):
            field.combo.blockSignals(False)
        groups = self.setting_groups()
        for group in groups:
            for name, field in self.settings.get(group, {}).items():
                default = SETTING_DEFAULTS.get(name, "")
                field.set_value(section.get(name, default))
        self.budget_trials.set_value(budget.get("trials", ""))
        self.budget_epochs.set_value(budget.get("epochs", ""))
        self._show_fields()

    def set_errors(self, routed: dict[str, list[str]]) -> None:
        """Messages from ``route_problems`` under the method's fields."""
        named = {"metric": self.metric, "budget.trials": self.budget_trials,
                 "budget.epochs": self.budget_epochs, "epochs": self.epochs}
        for group in self.settings:
            for field in self.settings[group].values():
                field.set_error("")
        for group in self.setting_groups():
            for name, field in self.settings.get(group, {}).items():
                named[f"setting:{name}"] = field
        for target, field in named.items():
            field.set_error("\n".join(routed.get(target, [])))

    def set_base_epochs(self, epochs: int) -> None:
        """Show the base config's epochs as the default of the epoch fields."""
        self.epochs.edit.setPlaceholderText(f"{epochs} (base config)")
        for group in ("successive_halving", "hyperband", "asha"):
            self.settings[group]["max_epochs"].edit.setPlaceholderText(f"{epochs}")

    def epochs_value(self) -> Any:
        """Epochs per trial as typed (a number, text the core will refuse, or None)."""
        text = self.epochs.value()
        return None if text == "" or self.choice.brackets else parse_number(text)

    def visible_targets(self) -> set[str]:
        """The targets whose fields are shown now (messages for others go elsewhere)."""
        targets = {"metric"} | {f"budget.{k}" for k in self.choice.budget}
        if not self.choice.brackets:
            targets.add("epochs")
        for group in self.setting_groups():
            targets |= {f"setting:{name}" for name in self.settings.get(group, {})}
        return targets

    # -- slots ---------------------------------------------------------------------
    @Slot()
    def _on_edited(self) -> None:
        self.edited.emit()

    @Slot()
    def _on_method_changed(self) -> None:
        self._show_fields()
        self.edited.emit()

    @Slot()
    def _on_metric_changed(self) -> None:
        self.goal.set_value("maximize" if self.metric.value() in MAXIMIZED else "minimize")
        self.edited.emit()

    def _show_fields(self) -> None:
        groups = self.setting_groups()
        for group, box in self.groups.items():
            self.layout_.setRowVisible(box, group in groups)
        self.layout_.setRowVisible(self.epochs.container, not self.choice.brackets)
        self.layout_.setRowVisible(self.budget_trials.container, "trials" in self.choice.budget)
        self.layout_.setRowVisible(self.budget_epochs.container, "epochs" in self.choice.budget)
        self.budget_epochs.edit.setPlaceholderText(
            "no limit (one Hyperband iteration)" if self.choice.brackets else
            "no limit (trials × epochs per trial)")
        self.method.set_note(METHOD_HELP.get(self.method.value(), ""))


def _pair(*widgets: QWidget) -> QWidget:
    """Widgets side by side on one form line."""
    box = QWidget()
    row = QHBoxLayout(box)
    row.setContentsMargins(0, 0, 0, 0)
    for widget in widgets:
        row.addWidget(widget, 0 if isinstance(widget, QLabel) else 1)
    return box
