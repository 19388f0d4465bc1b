"""The new-run form: every setting of a ``RunConfig``, checked as you type.

Validation is the core's: the form collects the raw values of the fields that are shown
(the others keep the last loaded config's values), calls ``RunConfig.from_dict`` and puts
each problem under the field its dotted key names. Run and Queue stay disabled while
any problem remains. Dataset summary and LR preview come from a background thread.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from dlstudio.config import RunConfig, flatten
from dlstudio.errors import ConfigError
from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 emit() refcount fix)
from dlstudio.gui.train.dataset_preview import DatasetPreview
from dlstudio.gui.train.form_catalog import build_sections
from dlstudio.gui.train import form_notes
from dlstudio.gui.common.form_fields import ERROR_STYLE, FormField
from dlstudio.gui.train.form_previewer import FormPreviewer
from dlstudio.gui.train.run_name_field import RunNameField
from dlstudio.gui.train.schedule_preview_plot import SchedulePreviewPlot


class RunForm(QWidget):
    """Fill in a run; ``run_requested`` / ``queue_requested`` carry a validated ``RunConfig``."""

    run_requested = Signal(object)
    queue_requested = Signal(object)
    validated = Signal(list)  # the problems now shown (empty: valid)
    preview_updated = Signal(dict)

    def __init__(self, devices: list[tuple[str, str]] | None = None,
                 parent: QWidget | None = None, chooser=None, debounce_ms: int = 250):
        super().__init__(parent)
        if devices is None:
            from dlstudio.training.device import available_devices

            devices = available_devices()
        self._base: dict[str, Any] = RunConfig().flat()
        self._problems: list[str] = []
        self._preview_problems: list[str] = []
        self._blocked_reason = ""
        self._loaded_name = ""  # the name of the config loaded last, while the user keeps it
        self._loading = False
        self.sections = build_sections(devices, chooser)
        self.fields: dict[str, FormField] = {f.key: f for _, rows in self.sections for f, _ in rows}
        self._rules = {f.key: rule for _, rows in self.sections for f, rule in rows}
        self._layouts: dict[str, QFormLayout] = {}
        self.name_field = RunNameField()
        self.dataset_preview = DatasetPreview()
        self.schedule_preview = SchedulePreviewPlot()
        self.general_errors = QLabel("")
        self.general_errors.setStyleSheet(ERROR_STYLE)
        self.general_errors.setWordWrap(True)
        self.hint = QLabel("")
        self.hint.setWordWrap(True)
        self.run_button = QPushButton("Run")
        self.run_button.setToolTip("Train now, on this machine")
        self.run_button.setDefault(True)
        self.queue_button = QPushButton("Queue")
        self.queue_button.setToolTip("Add to the run queue: runs train one after another")
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self.previewer = FormPreviewer(self)
        self._build()
        self._connect()
        self.set_config(RunConfig())

    # -- layout --------------------------------------------------------------------
    def _build(self) -> None:
        inner = QWidget()
        column = QVBoxLayout(inner)
        for title, rows in self.sections:
            box = QGroupBox(title)
            form = QFormLayout(box)
            for field, _ in rows:
                form.addRow(field.label, field.container)
            self._layouts.update({field.key: form for field, _ in rows})
            if title == "Data":
                form.addRow(self.dataset_preview)
            elif title == "Learning-rate schedule":
                form.addRow(self.schedule_preview)
            column.addWidget(box)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(inner)
        scroll.setWidgetResizable(True)
        scroll.setMinimumWidth(360)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.queue_button)
        buttons.addWidget(self.run_button)
        name_row = QFormLayout()
        name_row.addRow(self.name_field.label, self.name_field.container)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(scroll, 1)
        layout.addLayout(name_row)
        layout.addWidget(self.general_errors)
        layout.addWidget(self.hint)
        layout.addLayout(buttons)

    def _connect(self) -> None:
        for field in self.fields.values():
            field.connect_changed(self._on_setting_changed)
        self.name_field.connect_changed(self._on_field_changed)
        self._optimizer = self.fields["optim.name"].value()
        self.fields["optim.name"].connect_changed(self._on_optimizer_changed)
        self._timer.timeout.connect(self._on_validate_timer)
        self.run_button.clicked.connect(self._on_run_clicked)
        self.queue_button.clicked.connect(self._on_queue_clicked)
        self.previewer.preview_updated.connect(self._on_preview_updated)

    # -- values --------------------------------------------------------------------
    def visible_keys(self) -> list[str]:
        current = {key: field.value() for key, field in self.fields.items()}
        return [key for key, rule in self._rules.items() if rule(current)]

    def values(self) -> dict[str, Any]:
        """Flat config values: shown fields as typed, the rest from the last loaded config."""
        flat = dict(self._base)
        flat.update({key: self.fields[key].value() for key in self.visible_keys()})
        flat["name"] = self.name_field.value()
        return flat

    def config(self) -> RunConfig:
        """The validated config; raises ``ConfigError`` (and shows its problems)."""
        try:
            config = RunConfig.from_dict(self.values())
        except ConfigError as error:
            self._show_problems(error.problems)
            raise
        return config

    def set_config(self, config: RunConfig | dict[str, Any]) -> None:
        """Load a full ``RunConfig``, or a dict (nested or dotted) over the current values."""
        named = isinstance(config, RunConfig) or "name" in flatten(config)
        if isinstance(config, RunConfig):
            flat = config.flat()
        else:
            flat = {**self.values(), **flatten(config)}
        defaults = RunConfig().flat()
        # Keys this version does not know (a config saved by another one) are dropped.
        self._base = {key: flat.get(key, default) for key, default in defaults.items()}
        self._loading = True
        for key, field in self.fields.items():
            field.set_value(self._base.get(key))
        self._loading = False
        self._optimizer = self.fields["optim.name"].value()
        self.name_field.set_value(self._base.get("name", ""))
        if named:
            self._loaded_name = self.name_field.value()
        self.validate_now()

    # -- validation ----------------------------------------------------------------
    def validate_now(self) -> list[str]:
        """Validate at once (the form otherwise waits for typing to pause)."""
        self._timer.stop()
        self._update_visibility()
        try:
            config = RunConfig.from_dict(self.values())
            problems: list[str] = []
        except ConfigError as error:
            config, problems = None, list(error.problems)
        form_notes.show_momentum_override(self.fields, config)
        self._preview_problems = []
        self._show_problems(problems)
        if problems:
            self.schedule_preview.clear("Fix the fields marked in red to see the "
                                        "learning-rate preview.")
        else:
            self.schedule_preview.caption.setText("Computing the learning-rate preview…")
            self.previewer.request(self.values())
        return problems

    def show_problems(self, problems: list[str]) -> None:
        """Show problems found later (e.g. by ``create_run``'s deep checks)."""
        self._preview_problems = list(problems)
        self._show_problems(self._problems)

    def _show_problems(self, problems: list[str]) -> None:
        self._problems = list(problems)
        shown = set(self.visible_keys())
        by_key: dict[str, list[str]] = {}
        general = []
        for problem in [*self._problems, *self._preview_problems]:
            key, _, message = problem.partition(":")
            if key in shown:
                by_key.setdefault(key, []).append(message.strip())
            else:
                general.append(problem)
        for key, field in self.fields.items():
            field.set_error("\n".join(by_key.get(key, [])))
        self.general_errors.setText("\n".join(general))
        self.general_errors.setVisible(bool(general))
        self._update_buttons()
        self.validated.emit(self.problems)

    @property
    def problems(self) -> list[str]:
        return [*self._problems, *self._preview_problems]

    def set_blocked(self, reason: str) -> None:
        """Keep Run disabled for ``reason`` (e.g. the device is busy); "" unblocks."""
        self._blocked_reason = reason
        self._update_buttons()

    def _update_buttons(self) -> None:
        valid = not self.problems
        self.queue_button.setEnabled(valid)
        self.run_button.setEnabled(valid and not self._blocked_reason)
        hint = self._blocked_reason if valid else "Fix the fields marked in red to run."
        self.hint.setText(hint)
        self.hint.setVisible(bool(hint))

    def _update_visibility(self) -> None:
        shown = set(self.visible_keys())
        for key, field in self.fields.items():
            self._layouts[key].setRowVisible(field.container, key in shown)

    # -- slots ---------------------------------------------------------------------
    @Slot()
    def _on_field_changed(self) -> None:
        self._update_visibility()
        self.name_field.follow(self.values())
        self._timer.start()

    @Slot()
    def _on_setting_changed(self) -> None:
        # A loaded run's name describes that run's settings: once one changes, the new
        # run is named automatically (a digits CNN was saved as "moons onecycle"),
        # unless the user typed a name of their own.
        if not self._loading:
            if self._loaded_name and self.name_field.value() == self._loaded_name:
                self.name_field.set_value("")
            self._loaded_name = ""
        self._on_field_changed()

    @Slot()
    def _on_optimizer_changed(self) -> None:
        chosen = self.fields["optim.name"].value()
        if not self._loading:  # a loaded config keeps its own learning rate
            form_notes.optimizer_chosen(self.fields, self._optimizer, chosen)
        self._optimizer = chosen

    @Slot()
    def _on_validate_timer(self) -> None:
        self.validate_now()

    @Slot(dict)
    def _on_preview_updated(self, result: dict) -> None:
        self._preview_problems = list(result.get("problems", []))
        if "dataset" in result:
            self.dataset_preview.show_info(result["dataset"])
            self.schedule_preview.show_preview(result)
        else:
            self.dataset_preview.show_message("No preview: see the problems marked in red.")
            self.schedule_preview.clear("The learning-rate preview appears when the form is valid.")
        self._show_problems(self._problems)
        self.preview_updated.emit(result)

    @Slot()
    def _on_run_clicked(self) -> None:
        self._emit_if_valid(self.run_requested)

    @Slot()
    def _on_queue_clicked(self) -> None:
        self._emit_if_valid(self.queue_requested)

    def _emit_if_valid(self, signal) -> None:
        try:
            config = self.config()
        except ConfigError:
            return
        signal.emit(config)

    def shutdown(self) -> None:
        """Stop the preview thread (called when the window closes)."""
        self._timer.stop()
        self.previewer.shutdown()
