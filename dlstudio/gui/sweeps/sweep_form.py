"""The sweep form: name, base config, method and settings, parameters; checked as you type.

The form builds the W&B-shaped sweep mapping (what a sweep file holds) and hands it to
the core: ``read_sweep`` validates it and ``strategy_from_sweep`` builds the strategy
whose plan is shown. Every problem goes under the field it names (``route_problems``);
``validated`` carries the problems (empty: Start may go) and ``plan_changed`` the
strategy's plan, or None while the form is invalid.
"""

from __future__ import annotations

import copy
from typing import Any

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import QFormLayout, QGroupBox, QLabel, QLineEdit, QVBoxLayout, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.theme import dim_html
from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.gui.common.form_fields import ERROR_STYLE
from dlstudio.gui.sweeps.executor_fields import ExecutorFields
from dlstudio.gui.sweeps.form_io import describe_base, fill_values, nested_diff
from dlstudio.gui.sweeps.sweep_method_form import SweepMethodForm
from dlstudio.gui.sweeps.sweep_params_editor import SweepParamsEditor
from dlstudio.gui.sweeps.sweep_plan_view import PlanInfo
from dlstudio.gui.sweeps.problems import route_problems
from dlstudio.search import strategy_from_sweep
from dlstudio.search.estimate import sweep_cost
from dlstudio.search.executor_spec import EXECUTOR_KEY
from dlstudio.training.sweeps.jobs import default_workers, gpu_share, spread_gpus
from dlstudio.training.sweeps.setup import read_sweep


class SweepForm(QWidget):
    """Define a sweep; ``mapping()`` is the sweep file it describes."""

    validated = Signal(list)  # the problems shown (empty: valid)
    plan_changed = Signal(object)  # PlanInfo, or None while invalid

    def __init__(self, parent: QWidget | None = None, debounce_ms: int = 250):
        super().__init__(parent)
        self.base = RunConfig()
        self.base_source = "defaults: digits, MLP"
        self._extra: dict[str, Any] = {}  # file keys the form does not edit (final_seeds)
        self._problems: list[str] = []
        self._workers_chosen = False  # by the user: the default no longer moves them
        self.name = QLineEdit(placeholderText="optional, e.g. lr-and-width")
        self.base_label = QLabel(wordWrap=True)
        self.base_error = QLabel(wordWrap=True, styleSheet=ERROR_STYLE)
        self.method_form = SweepMethodForm()
        self.executor_fields = ExecutorFields(parent=self)
        self.params_editor = SweepParamsEditor()
        self.general_error = QLabel(wordWrap=True, styleSheet=ERROR_STYLE)
        self._timer = QTimer(self, singleShot=True, interval=debounce_ms)
        self._build()
        self._timer.timeout.connect(self._on_timer)
        self.name.textEdited.connect(self._on_edited)
        self.method_form.edited.connect(self._on_edited)
        self.executor_fields.edited.connect(self._on_edited)
        self.executor_fields.kind.connect_changed(self._show_workers)
        for choice in (self.method_form.method, self.executor_fields.kind):
            choice.connect_changed(self._release_height)  # rows come and go on purpose
        self.method_form.workers.valueChanged.connect(self._on_workers_chosen)
        self.params_editor.edited.connect(self._on_edited)
        self._show_base()

    def _build(self) -> None:
        sweep_box = QGroupBox("Sweep")
        top = QFormLayout()
        top.setContentsMargins(0, 0, 0, 0)
        top.addRow("Name", self.name)
        top.addRow("Base config", self.base_label)
        column = QVBoxLayout(sweep_box)
        column.addLayout(top)
        column.addWidget(self.base_error)
        column.addWidget(self.method_form)
        self.executor_fields.place(self.method_form.layout_)  # one label column
        params_box = QGroupBox()
        params_column = QVBoxLayout(params_box)
        params_column.addWidget(self.params_editor)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(sweep_box)
        layout.addWidget(params_box)
        layout.addWidget(self.general_error)
        layout.addStretch(1)
        # The last line of the form keeps its place when its problem is fixed: shrinking
        # the form moved every field of a form scrolled to its end, from under the mouse.
        policy = self.general_error.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.general_error.setSizePolicy(policy)
        self.base_error.hide()
        self.general_error.hide()

    # -- public API ----------------------------------------------------------------
    def set_base_config(self, config: RunConfig, source: str = "the Train tab's form") -> None:
        """The config every trial starts from (the parameters override its keys)."""
        self.base = copy.deepcopy(config)
        self.base_source = source
        self._show_base()
        self._on_edited()

    def mapping(self) -> dict[str, Any]:
        """The sweep as a W&B-shaped mapping (what a sweep file holds)."""
        parameters, _ = self.params_editor.parameters()
        return self._mapping(parameters)

    def load_mapping(self, data: dict[str, Any], source: str = "a sweep file") -> None:
        """Fill the form from a sweep mapping; what it cannot show stays as it was."""
        values = fill_values(data)
        self._release_height()
        if values["base"] is not None:
            self.base, self.base_source = values["base"], source
        self._extra = values["extra"]
        self.name.setText(values["name"])
        self.method_form.set_values(values["method"], values["section"], values["metric"],
                                    values["goal"], values["budget"])
        self.method_form.epochs.set_value("")
        self.executor_fields.set_section(values["executor"])
        self.params_editor.set_parameters(values["parameters"])
        self._show_base()
        self.validate_now()

    def validate_now(self) -> list[str]:
        """Check the form at once (instead of after the typing pause); returns problems."""
        self._timer.stop()
        parameters, row_problems = self.params_editor.parameters()
        plan = None
        try:
            spec, _ = read_sweep(self._mapping(parameters))
            strategy = strategy_from_sweep(spec, seed=self.seed())
            plan = PlanInfo(strategy.describe(), sweep_cost(strategy), spec.method,
                            spec.settings, RunConfig.from_dict(spec.base).to_dict())
            problems: list[str] = []
        except ConfigError as error:
            problems = list(error.problems)
        except ValueError as error:
            problems = [str(error)]
        self._show_problems(problems, row_problems)
        self._problems = problems + [message for _, message in row_problems]
        if row_problems:
            plan = None
        self.validated.emit(list(self._problems))
        self.plan_changed.emit(plan)
        return list(self._problems)

    def show_problems(self, problems: list[str]) -> None:
        """Show problems found later (by ``create_sweep``'s deeper checks)."""
        _, row_problems = self.params_editor.parameters()
        self._show_problems(problems, row_problems)
        self._problems = list(problems)
        self.validated.emit(list(self._problems))

    @property
    def problems(self) -> list[str]:
        return list(self._problems)

    def seed(self) -> int:
        text = self.method_form.seed.value()
        return int(text) if text.isdigit() else 0

    def workers(self) -> int:
        return self.method_form.workers.value()

    # -- helpers -------------------------------------------------------------------
    def _mapping(self, parameters: dict[str, Any]) -> dict[str, Any]:
        choice = self.method_form.choice
        base = nested_diff(self.base)
        epochs = self.method_form.epochs_value()
        if epochs is not None:
            base.setdefault("train", {})["epochs"] = epochs
        data: dict[str, Any] = {}
        if self.name.text().strip():
            data["name"] = self.name.text().strip()
        data["method"] = choice.method
        data["metric"] = {"name": self.method_form.metric.value(),
                          "goal": self.method_form.goal.value()}
        section = self.method_form.section()
        if section:
            data[choice.method] = section
        budget = self.method_form.budget()
        if budget:
            data["budget"] = budget
        data["parameters"] = parameters
        data["base"] = base
        executor = self.executor_fields.section()
        if executor is not None:
            data[EXECUTOR_KEY] = executor
        data.update(copy.deepcopy(self._extra))
        return data

    def _show_problems(self, problems: list[str], row_problems: list) -> None:
        # A fixed problem's line goes; the form keeps the height it had (its stretch
        # takes the difference): scrolled to its end, a shrinking form moved every
        # field from under the mouse.
        self.setMinimumHeight(max(self.minimumHeight(), self.sizeHint().height()))
        keys = [row.name for row in self.params_editor.rows]
        routed = route_problems(problems, keys, self.method_form.choice.method)
        by_row: dict[int, list[str]] = {}
        for target in [t for t in routed if t.startswith("param:")]:
            index = self.params_editor.row_index(target[6:])
            by_row.setdefault(index if index is not None else -1, []).extend(routed[target])
        for row, message in row_problems:
            by_row.setdefault(self.params_editor.rows.index(row), []).append(message)
        visible = self.method_form.visible_targets() | self.executor_fields.targets()
        general = by_row.pop(-1, []) + routed.get("general", []) + [
            m for target, messages in routed.items() if not target.startswith("param:")
            and target not in visible and target not in ("general", "base") for m in messages]
        self.params_editor.set_errors(by_row, [])
        self.method_form.set_errors(routed)
        self.executor_fields.set_errors(routed)
        self.base_error.setText("\n".join(routed.get("base", [])))
        self.base_error.setVisible("base" in routed)
        self.general_error.setText("\n".join(general))
        self.general_error.setVisible(bool(general))

    def _show_base(self) -> None:
        self.base_label.setText(f"{describe_base(self.base)}<br>"
                                + dim_html(self.base_label, f"from {self.base_source}"))
        self.method_form.set_base_epochs(self.base.train.epochs)
        self._show_workers()

    @Slot()
    def _show_workers(self) -> None:
        """The default workers (one per GPU on a machine with several) until the user
        picks a number, and how they sit on the GPUs."""
        spin = self.method_form.workers
        kind = self.executor_fields.section() or {}
        local = not isinstance(kind, dict) or kind.get("kind", "local") == "local"
        if not self._workers_chosen:
            spin.blockSignals(True)  # not the user's choice
            spin.setValue(default_workers(self.base, "local" if local else "ray"))
            spin.blockSignals(False)
        share = gpu_share(spin.value(), spread_gpus(self.base)) if local else ""
        self.method_form.workers_note.setText(share)
        self.method_form.workers_note.setVisible(bool(share))

    @Slot()
    def _release_height(self) -> None:
        """Let the form shrink to its rows (``_show_problems`` keeps its height)."""
        self.setMinimumHeight(0)

    @Slot()
    def _on_workers_chosen(self) -> None:
        self._workers_chosen = True
        self._show_workers()

    @Slot()
    def _on_edited(self) -> None:
        self._timer.start()

    @Slot()
    def _on_timer(self) -> None:
        self.validate_now()
