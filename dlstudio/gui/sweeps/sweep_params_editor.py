"""The sweep form's parameter list: a ``ParamRow`` per searched setting, add and remove.

``parameters()`` gives the W&B-style ``{dotted key: spec}`` mapping the core validates,
plus the problems only the form can see (a row without a key, a key used twice, text
that cannot be read). ``set_errors`` puts the core's problems under the rows they name.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.theme import dim
from dlstudio.gui.sweeps.param_row import ParamRow, parameter_keys, row_fields

EMPTY_HINT = ("No parameters yet. Press <b>Add parameter</b> and pick a setting to search, "
              "such as <i>optim.lr</i> (a log-scale float range) or <i>model.hidden</i> "
              "(values such as [64], [128, 64]).")


class SweepParamsEditor(QWidget):
    """Rows of parameters; ``edited`` whenever one changes, is added or removed."""

    edited = Signal()

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self._keys = parameter_keys()
        self.rows: list[ParamRow] = []
        self.add_button = QPushButton("Add parameter")
        self.add_button.setToolTip("Search one more RunConfig setting")
        self.hint = QLabel(EMPTY_HINT, wordWrap=True)
        dim(self.hint)
        self.general_error = QLabel(wordWrap=True)
        self.general_error.setStyleSheet("color: #b00020;")
        self.general_error.hide()
        policy = self.general_error.sizePolicy()  # its space stays: see SweepForm
        policy.setRetainSizeWhenHidden(True)
        self.general_error.setSizePolicy(policy)
        self._rows_layout = QVBoxLayout()
        self._rows_layout.setContentsMargins(0, 0, 0, 0)
        self._rows_layout.setSpacing(0)
        top = QHBoxLayout()
        top.addWidget(QLabel("<b>Parameters</b> (RunConfig keys the sweep varies)"), 1)
        top.addWidget(self.add_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.hint)
        layout.addLayout(self._rows_layout)
        layout.addWidget(self.general_error)
        self.add_button.clicked.connect(self._on_add_clicked)

    # -- rows ----------------------------------------------------------------------
    def add_row(self, fields: dict[str, Any] | None = None) -> ParamRow:
        row = ParamRow(self._keys)
        if fields is not None:
            row.set_fields(fields)
        row.edited.connect(self._on_row_edited)
        row.remove_clicked.connect(self._on_remove_clicked)
        self.rows.append(row)
        self._rows_layout.addWidget(row)
        self.hint.setVisible(False)
        return row

    def set_parameters(self, parameters: dict[str, Any]) -> None:
        """Replace the rows with a W&B-style ``{key: spec}`` mapping (already flat)."""
        for row in list(self.rows):
            self._remove(row)
        for key, spec in parameters.items():
            self.add_row(row_fields(key, spec))
        self.edited.emit()

    def parameters(self) -> tuple[dict[str, Any], list[tuple[ParamRow, str]]]:
        """``({key: spec}, [(row, problem), ...])`` for the rows as typed."""
        specs: dict[str, Any] = {}
        problems: list[tuple[ParamRow, str]] = []
        for row in self.rows:
            if not row.name:
                problems.append((row, "choose the setting this row searches"))
                continue
            if row.name in specs:
                problems.append((row, f"{row.name}: already searched in another row"))
                continue
            spec, problem = row.spec()
            specs[row.name] = spec
            if problem:
                problems.append((row, f"{row.name}: {problem}"))
        return specs, problems

    def set_errors(self, by_row: dict[int, list[str]], general: list[str]) -> None:
        """Messages under the rows (by index in ``rows``) and under the list."""
        for index, row in enumerate(self.rows):
            row.set_error("\n".join(by_row.get(index, [])))
        self.general_error.setText("\n".join(general))
        self.general_error.setVisible(bool(general))

    def row_index(self, key: str) -> int | None:
        """The first row searching ``key`` (or whose typed name is ``key``)."""
        for index, row in enumerate(self.rows):
            if row.name == key:
                return index
        return None

    # -- slots ---------------------------------------------------------------------
    @Slot()
    def _on_add_clicked(self) -> None:
        row = self.add_row()
        row.key.setFocus()
        self.edited.emit()

    @Slot()
    def _on_row_edited(self) -> None:
        self.edited.emit()

    @Slot(QWidget)
    def _on_remove_clicked(self, row: QWidget) -> None:
        self._remove(row)  # type: ignore[arg-type]
        self.edited.emit()

    def _remove(self, row: ParamRow) -> None:
        self.rows.remove(row)
        self._rows_layout.removeWidget(row)
        row.hide()
        row.deleteLater()
        self.hint.setVisible(not self.rows)
