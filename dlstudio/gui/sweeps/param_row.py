"""One parameter of the sweep form: a dotted RunConfig key and what values it may take.

``ParamRow`` holds the inputs as typed; ``row_spec`` turns them into the W&B-style
mapping that the core's ``parse_sweep`` reads (``{values: [...]}``, ``{value: x}`` or
``{distribution: ..., min, max, q}``), and ``row_fields`` reads such a mapping back.
Validation is the core's: this module only converts text, and says so when text cannot
be read at all.
"""

from __future__ import annotations

import math
from typing import Any

import yaml
from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (QCheckBox, QComboBox, QCompleter, QHBoxLayout, QLabel,
                               QLineEdit, QStackedWidget, QToolButton, QVBoxLayout, QWidget)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio import config as run_config
from dlstudio import formatting
from dlstudio.gui.common.form_fields import ERROR_STYLE, format_value

KINDS = {"categorical": "values", "float": "float range", "int": "int range",
         "fixed": "fixed value"}
CHOICES = {"data.name": run_config.DATASETS, "model.name": run_config.MODELS,
           "model.activation": run_config.ACTIVATIONS, "optim.name": run_config.OPTIMIZERS,
           "schedule.name": run_config.SCHEDULES, "schedule.mode": run_config.CYCLIC_MODES,
           "train.precision": run_config.PRECISIONS}
WARNING_STYLE = "color: #8a5300;"
ONE_VALUE_WARNING = ("Only one value: {key} is not searched (every trial uses {value}). "
                     "Add values separated by commas, or make it a fixed value.")
EXTRA_KEYS = ("condition", "points")  # kept as loaded; the form does not edit them


def parameter_keys() -> list[str]:
    """Every RunConfig dotted key a sweep may search."""
    return [key for key in run_config.RunConfig().flat() if key != "name"]


# -- text <-> mapping (no widgets) -----------------------------------------------------
def parse_number(text: str) -> Any:
    """``"1e-5"`` -> 1e-05, ``"16"`` -> 16; other text is returned as typed (the core
    then says what it expected)."""
    text = text.strip()
    number = formatting.parse_number(text)
    return text if number is None else number


def parse_values(text: str) -> tuple[list[Any] | None, str]:
    """``"adam, sgd"`` -> ["adam", "sgd"]; ``"[64], [128, 64]"`` -> [[64], [128, 64]]."""
    if not text.strip():
        return [], ""
    try:
        values = yaml.safe_load(f"[{text}]")
    except yaml.YAMLError:
        return None, "cannot read the values; separate them with commas, e.g. adam, sgd " \
                     "or [64], [128, 64]"
    return [parse_number(v) if isinstance(v, str) else v for v in values], ""


def row_spec(fields: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The W&B-style mapping for a row's ``fields`` (kind, low, high, values, log, step,
    extra), and a problem when its text cannot be read."""
    kind, extra = fields["kind"], dict(fields.get("extra") or {})
    if kind in ("categorical", "fixed"):
        values, problem = parse_values(fields["values"])
        if values is None:
            return extra, problem
        if kind == "fixed":
            return {"value": values[0] if len(values) == 1 else values, **extra}, ""
        return {"values": values, **extra}, ""
    spec = {"min": parse_number(fields["low"]), "max": parse_number(fields["high"])}
    step = fields["step"].strip()
    if kind == "int":
        spec["distribution"] = "int_log_uniform_values" if fields["log"] else "int_uniform"
        if step:
            spec["q"] = parse_number(step)
    else:
        spec["distribution"] = ("q_" if step else "") + \
            ("log_uniform_values" if fields["log"] else "uniform")
        if step:
            spec["q"] = parse_number(step)
    return {**spec, **extra}, ""


def row_fields(key: str, spec: Any) -> dict[str, Any]:
    """A row's fields from a W&B-style mapping, as well as its shape allows."""
    fields = {"key": key, "kind": "categorical", "low": "", "high": "", "values": "",
              "log": False, "step": "", "extra": {}}
    if not isinstance(spec, dict):
        fields["values"] = _text(spec)
        return fields
    fields["extra"] = {k: spec[k] for k in EXTRA_KEYS if k in spec}
    if "values" in spec:
        fields["values"] = ", ".join(_text(v) for v in spec["values"] or [])
    elif "value" in spec:
        fields.update(kind="fixed", values=_text(spec["value"]))
    else:
        dist = str(spec.get("distribution", ""))
        low, high = spec.get("min", ""), spec.get("max", "")
        if dist in ("log_uniform", "q_log_uniform") and _is_number(low) and _is_number(high):
            low, high = math.exp(low), math.exp(high)  # W&B: exponents of e
        ints = dist.startswith("int") or (not dist and all(isinstance(v, int)
                                                           for v in (low, high)))
        fields.update(kind="int" if ints else "float", low=_text(low), high=_text(high),
                      log="log" in dist, step=_text(spec.get("q", "")))
    return fields


def suggested_fields(key: str, default: Any) -> dict[str, Any]:
    """A starting point for a newly chosen key, from its default value."""
    fields = {"key": key, "kind": "categorical", "low": "", "high": "", "values": "",
              "log": False, "step": "", "extra": {}}
    if isinstance(default, bool):
        fields["values"] = "true, false"
    elif isinstance(default, (str, list)):
        fields["values"] = _text(default)
    elif isinstance(default, int):
        fields.update(kind="int", low=_text(max(1, default // 2)),
                      high=_text(max(2, default * 2)))
    elif isinstance(default, float) and default > 0:
        fields.update(kind="float", low=_text(default / 10), high=_text(default * 10),
                      log=True)
    elif isinstance(default, float):
        fields.update(kind="float", low="0", high="0.5")
    return fields


def _text(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_text(v) for v in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return format_value(value)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


# -- the widget ----------------------------------------------------------------------
class ParamRow(QWidget):
    """Inputs for one parameter; ``edited`` on any change, ``remove_clicked`` for ✕."""

    edited = Signal()
    remove_clicked = Signal(QWidget)

    def __init__(self, keys: list[str], parent: QWidget | None = None):
        super().__init__(parent)
        self._defaults = run_config.RunConfig().flat()
        self._extra: dict[str, Any] = {}
        self.key = QComboBox(editable=True)
        self.key.addItems(keys)
        self.key.setCurrentIndex(-1)
        self.key.lineEdit().setPlaceholderText("choose a setting, e.g. optim.lr")
        self.key.completer().setCompletionMode(QCompleter.CompletionMode.PopupCompletion)
        self.kind = QComboBox()
        for kind, label in KINDS.items():
            self.kind.addItem(label, kind)
        self.low, self.high = QLineEdit(placeholderText="min"), QLineEdit(placeholderText="max")
        self.values = QLineEdit(placeholderText="comma-separated, e.g. adam, sgd")
        self.log = QCheckBox("log")
        self.log.setToolTip("Draw on a log scale (min must be > 0): for learning rates, "
                            "weight decay and other scale-like settings")
        self.step = QLineEdit(placeholderText="step")
        self.step.setToolTip("Optional step: int ranges default to 1; a float range with "
                             "a step only takes values min + k·step")
        self.remove = QToolButton(text="✕")
        self.remove.setToolTip("Remove this parameter")
        self.error = QLabel(wordWrap=True)
        self.error.setStyleSheet(ERROR_STYLE)
        self.error.hide()
        self.warning = QLabel(wordWrap=True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.hide()
        self._layout()
        for edit in (self.low, self.high, self.values, self.step):
            edit.textEdited.connect(self._on_edited)
        self.log.toggled.connect(self._on_edited)
        self.kind.currentIndexChanged.connect(self._on_kind_changed)
        self.key.currentTextChanged.connect(self._on_key_changed)
        self.remove.clicked.connect(self._on_remove_clicked)
        self._on_kind_changed()

    def _layout(self) -> None:
        first = QHBoxLayout()
        first.addWidget(self.key, 3)
        first.addWidget(self.kind, 2)
        first.addWidget(self.remove)
        range_page = QWidget()
        range_row = QHBoxLayout(range_page)
        range_row.setContentsMargins(0, 0, 0, 0)
        for label, edit in (("min", self.low), ("max", self.high)):
            range_row.addWidget(QLabel(label))
            range_row.addWidget(edit, 1)
        range_row.addWidget(self.log)
        range_row.addWidget(QLabel("step"))
        range_row.addWidget(self.step)
        self.step.setMaximumWidth(60)
        self.inputs = QStackedWidget()
        self.inputs.addWidget(range_page)
        self.inputs.addWidget(self.values)
        self.inputs.setFixedHeight(range_page.sizeHint().height())
        column = QVBoxLayout(self)
        column.setContentsMargins(0, 2, 0, 6)
        column.setSpacing(2)
        column.addLayout(first)
        column.addWidget(self.inputs)
        column.addWidget(self.error)
        column.addWidget(self.warning)

    # -- values ------------------------------------------------------------------------
    @property
    def name(self) -> str:
        return self.key.currentText().strip()

    def fields(self) -> dict[str, Any]:
        return {"key": self.name, "kind": self.kind.currentData(), "low": self.low.text(),
                "high": self.high.text(), "values": self.values.text(),
                "log": self.log.isChecked(), "step": self.step.text(), "extra": self._extra}

    def set_fields(self, fields: dict[str, Any]) -> None:
        for widget in (self.key, self.kind, self.log):
            widget.blockSignals(True)
        self.key.setCurrentText(fields["key"])
        self.kind.setCurrentIndex(list(KINDS).index(fields["kind"]))
        self.low.setText(fields["low"])
        self.high.setText(fields["high"])
        self.values.setText(fields["values"])
        self.log.setChecked(fields["log"])
        self.step.setText(fields["step"])
        self._extra = dict(fields.get("extra") or {})
        for widget in (self.key, self.kind, self.log):
            widget.blockSignals(False)
        self._show_inputs()
        self._update_warning()

    def spec(self) -> tuple[dict[str, Any], str]:
        return row_spec(self.fields())

    def set_error(self, message: str) -> None:
        self.error.setText(message)
        self.error.setVisible(bool(message))

    # -- slots ---------------------------------------------------------------------
    def _update_warning(self) -> None:
        text = ""
        if self.kind.currentData() == "categorical":
            values, _ = parse_values(self.values.text())
            if values is not None and len(values) == 1:
                text = ONE_VALUE_WARNING.format(key=self.name or "this setting",
                                                value=_text(values[0]))
        self.warning.setText(text)
        self.warning.setVisible(bool(text))

    @Slot()
    def _on_edited(self) -> None:
        self._update_warning()
        self.edited.emit()

    @Slot()
    def _on_kind_changed(self) -> None:
        self._show_inputs()
        self._update_warning()
        self.edited.emit()

    @Slot(str)
    def _on_key_changed(self, key: str) -> None:
        key = key.strip()
        blank = not any(e.text() for e in (self.low, self.high, self.values))
        if blank and key in self._defaults:
            self.set_fields(suggested_fields(key, self._defaults[key]))
        choices = CHOICES.get(key)
        self.values.setToolTip(f"Allowed: {', '.join(choices)}" if choices else "")
        self._update_warning()
        self.edited.emit()

    @Slot()
    def _on_remove_clicked(self) -> None:
        self.remove_clicked.emit(self)

    def _show_inputs(self) -> None:
        ranged = self.kind.currentData() in ("float", "int")
        self.inputs.setCurrentIndex(0 if ranged else 1)
        placeholder = "one value, e.g. 0.1 or [64, 32]" if self.kind.currentData() == "fixed" \
            else "comma-separated, e.g. adam, sgd"
        self.values.setPlaceholderText(placeholder)
