"""The diagnosis panel's inputs: a stored run or typed numbers, human level, set sizes.

Each field has its own message line below it. Parsing problems come from the field;
range problems come from the core's ``diagnose`` (the one authority on what is valid)
and are routed back to the field they name (``"human_level: must be ..."``).
"""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QGridLayout, QGroupBox, QLabel,
                               QVBoxLayout, QWidget)

from dlstudio.gui.common.theme import dim
from dlstudio.diagnosis.run_metrics import RunMetrics
from dlstudio.gui.common.number_field import NumberField

METRIC_CHOICES = {"accuracy": "Accuracy (%)", "error": "Error (%)",
                  "regression": "Regression error (RMSE)"}
VALUE_FIELDS = ("train", "dev", "test", "human_level")
SIZE_FIELDS = ("train_size", "dev_size", "test_size")
TYPED_IN = None  # the run combo's data for "numbers typed in"

_WORDS = {"accuracy": ("accuracy", "%"), "error": ("error", "%"), "regression": ("RMSE", "")}
_SIZE_LABELS = {"train_size": "Train set", "dev_size": "Dev set", "test_size": "Test set"}


def _error_label() -> QLabel:
    label = QLabel(wordWrap=True)
    label.setStyleSheet("color: #c62828; font-size: 11px;")
    label.hide()
    return label


class DiagnosisInputsForm(QGroupBox):
    """Pick a run or type train / dev / test numbers; ``inputs_edited`` on every change."""

    inputs_edited = Signal()
    run_picked = Signal(object)  # a run id, or None for typed-in numbers
    group_mean_toggled = Signal(bool)  # "use the mean of the CV folds" switched

    def __init__(self, parent: QWidget | None = None):
        super().__init__("What to diagnose", parent)
        self.run_combo = QComboBox()
        self.run_combo.addItem("Numbers typed in below", TYPED_IN)
        self.run_error = _error_label()
        self.group_mean = QCheckBox()  # "Mean of 5 folds of cv-12", for a CV fold only
        self.group_mean.setChecked(True)
        self.group_mean.setToolTip("The run is one fold of a cross-validation group: "
                                   "diagnose the folds' mean train, dev and test numbers "
                                   "(steadier than one fold's), or this fold alone")
        self.group_mean.hide()
        self.group_note = QLabel(wordWrap=True)
        dim(self.group_note).setStyleSheet("font-size: 11px;")
        self.group_note.hide()
        self.metric_combo = QComboBox()
        for key, text in METRIC_CHOICES.items():
            self.metric_combo.addItem(text, key)
        self.fields: dict[str, NumberField] = {}
        self.errors: dict[str, QLabel] = {}
        self.names: dict[str, QLabel] = {}
        self.units: dict[str, QLabel] = {}
        grid = QGridLayout()
        grid.setColumnStretch(1, 1)
        grid.addWidget(QLabel("Run"), 0, 0)
        grid.addWidget(self.run_combo, 0, 1, 1, 2)
        grid.addWidget(self.run_error, 1, 0, 1, 3)
        grid.addWidget(self.group_mean, 2, 0, 1, 3)
        grid.addWidget(self.group_note, 3, 0, 1, 3)
        grid.addWidget(QLabel("Metric"), 4, 0)
        grid.addWidget(self.metric_combo, 4, 1, 1, 2)
        row = 5
        for name in VALUE_FIELDS + SIZE_FIELDS:
            optional = name not in ("train", "dev")
            self.fields[name] = NumberField(optional=optional)
            self.fields[name].setMinimumWidth(90)
            self.names[name] = QLabel()
            self.units[name] = QLabel("samples" if name in SIZE_FIELDS else "%")
            self.errors[name] = _error_label()
            grid.addWidget(self.names[name], row, 0)
            grid.addWidget(self.fields[name], row, 1)
            grid.addWidget(self.units[name], row, 2)
            grid.addWidget(self.errors[name], row + 1, 0, 1, 3)
            row += 2
        for name in SIZE_FIELDS:
            self.names[name].setText(_SIZE_LABELS[name])
            self.fields[name].setPlaceholderText("optional: gives CIs")
        self.fields["test"].setPlaceholderText("optional")
        self.general_error = _error_label()
        layout = QVBoxLayout(self)
        layout.addLayout(grid)
        layout.addWidget(self.general_error)
        self._relabel()
        self.run_combo.currentIndexChanged.connect(self._on_run_combo_changed)
        self.metric_combo.currentIndexChanged.connect(self._on_metric_changed)
        self.group_mean.toggled.connect(self.group_mean_toggled)
        for field in self.fields.values():
            field.value_changed.connect(self._on_field_edited)

    # -- runs ----------------------------------------------------------------------
    def set_runs(self, runs: list[tuple[int, str]]) -> None:
        """The runs offered (id, label); keeps the current choice when still there."""
        current, current_label = self.run_id(), self.run_combo.currentText()
        self.run_combo.blockSignals(True)
        while self.run_combo.count() > 1:
            self.run_combo.removeItem(1)
        for run_id, label in runs:
            self.run_combo.addItem(label, run_id)
        self.run_combo.blockSignals(False)
        self.select_run(current, None if current is TYPED_IN else current_label)

    def select_run(self, run_id: int | None, label: str | None) -> None:
        """Show ``run_id`` as chosen (added with ``label`` when not listed); no signal."""
        index = self.run_combo.findData(run_id)
        if index < 0 and label is not None:
            self.run_combo.addItem(label, run_id)
            index = self.run_combo.count() - 1
        self.run_combo.blockSignals(True)
        self.run_combo.setCurrentIndex(max(index, 0))
        self.run_combo.blockSignals(False)
        self._set_typed_in(self.run_id() is TYPED_IN)

    def run_id(self) -> int | None:
        return self.run_combo.currentData()

    def show_run_error(self, text: str) -> None:
        self.run_error.setText(text)
        self.run_error.setVisible(bool(text))

    def show_group(self, text: str, note: str = "") -> None:
        """Offer the CV group's mean (``text``: "Mean of 5 folds of cv-12"; "" hides it)
        and say what it covers (``note``); the check box keeps the user's choice."""
        self.group_mean.setText(text)
        self.group_mean.setVisible(bool(text))
        self.group_note.setText(note)
        self.group_note.setVisible(bool(text and note))

    def use_group_mean(self) -> bool:
        return self.group_mean.isChecked()

    def fill_from_run(self, metrics: RunMetrics, human_level: float | None) -> None:
        """The run's numbers in the fields (read-only) and a default human level."""
        self._set_metric(metrics.metric)
        values = {"train": metrics.train, "dev": metrics.dev, "test": metrics.test,
                  "human_level": human_level, "train_size": metrics.train_size,
                  "dev_size": metrics.dev_size, "test_size": metrics.test_size}
        for name, value in values.items():
            self._set_quietly(name, value)
        self._set_typed_in(False)

    # -- values --------------------------------------------------------------------
    def metric_kind(self) -> str:
        return self.metric_combo.currentData()

    def values(self) -> dict:
        """``diagnose``'s keyword arguments as typed (None where empty or unreadable)."""
        values = {name: self.fields[name].value() for name in VALUE_FIELDS}
        for name in SIZE_FIELDS:
            size = self.fields[name].value()
            values[name] = int(size) if size is not None and float(size).is_integer() else size
        values["metric"] = self.metric_kind()
        return values

    def parse_problems(self) -> dict[str, str]:
        """Fields whose text is there but not a number (empty fields are not counted)."""
        return {name: field.problem for name, field in self.fields.items()
                if field.problem and field.text().strip()}

    def is_incomplete(self) -> bool:
        """Train or dev still empty: nothing to diagnose yet."""
        return any(not self.fields[name].text().strip() for name in ("train", "dev"))

    def show_problems(self, problems: list[str]) -> None:
        """Route ``"name: message"`` lines to the field they name; the rest below."""
        by_field = dict(self.parse_problems())
        general = []
        for problem in problems:
            name, _, message = problem.partition(":")
            if name in self.fields and name not in by_field:
                by_field[name] = message.strip()
            elif name not in self.fields:
                general.append(problem)
        for name, label in self.errors.items():
            label.setText(by_field.get(name, ""))
            label.setVisible(name in by_field)
            self.fields[name].mark_bad(name in by_field)
        self.general_error.setText("\n".join(general))
        self.general_error.setVisible(bool(general))

    # -- slots ---------------------------------------------------------------------
    @Slot(int)
    def _on_run_combo_changed(self, _index: int) -> None:
        self.show_run_error("")
        self._set_typed_in(self.run_id() is TYPED_IN)
        self.run_picked.emit(self.run_id())

    @Slot(int)
    def _on_metric_changed(self, _index: int) -> None:
        self._relabel()
        self.inputs_edited.emit()

    @Slot()
    def _on_field_edited(self) -> None:
        self.inputs_edited.emit()

    # -- helpers -------------------------------------------------------------------
    def _relabel(self) -> None:
        word, unit = _WORDS[self.metric_kind()]
        for name in ("train", "dev", "test"):
            self.names[name].setText(f"{name.capitalize()} {word}")
            self.units[name].setText(unit)
        self.names["human_level"].setText(f"Human-level {word}")
        self.units["human_level"].setText(unit)
        default = {"accuracy": "100", "error": "0", "regression": "0"}[self.metric_kind()]
        self.fields["human_level"].setPlaceholderText(f"empty: {default}")

    def _set_metric(self, metric: str) -> None:
        self.metric_combo.blockSignals(True)
        self.metric_combo.setCurrentIndex(self.metric_combo.findData(metric))
        self.metric_combo.blockSignals(False)
        self._relabel()

    def _set_quietly(self, name: str, value) -> None:
        self.fields[name].set_value(value, announce=False)

    def _set_typed_in(self, typed_in: bool) -> None:
        """A run's own numbers are read-only; human level stays editable."""
        for name in ("train", "dev", "test") + SIZE_FIELDS:
            self.fields[name].setReadOnly(not typed_in)
        self.metric_combo.setEnabled(typed_in)
        tip = "" if typed_in else "From the run; choose 'Numbers typed in' to edit"
        for name in ("train", "dev", "test") + SIZE_FIELDS:
            self.fields[name].setToolTip(tip)
