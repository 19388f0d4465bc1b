"""The diagnosis panel: bias, variance or dev-set overfitting, and what to do about it.

Inputs come from a finished or stopped run in the store (``set_run`` or the run list; the latest
finished run when the panel opens) or are typed in. A fold of a cross-validation group
is diagnosed on the mean of the group's finished folds (the core's
``fold_mean_metrics``), unless the user unticks it. Every edit re-runs the core's
``diagnose``; its problems appear next to the field they name. Beside the verdict: the
run's train and dev curves, its learning curve, and a dev-set size helper.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import QGroupBox, QScrollArea, QSplitter, QVBoxLayout, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.panel import Panel
from dlstudio.gui.context import AppContext
from dlstudio.diagnosis import Diagnosis, diagnose
from dlstudio.diagnosis.cv_metrics import fold_mean_metrics
from dlstudio.diagnosis.run_metrics import DIAGNOSABLE, RunMetrics, run_label, run_metrics
from dlstudio.errors import ConfigError
from dlstudio.gui.diagnosis.run_curves_view import RunCurvesView
from dlstudio.gui.diagnosis.dev_set_size_helper import DevSetSizeHelper
from dlstudio.gui.diagnosis.diagnosis_inputs_form import TYPED_IN, DiagnosisInputsForm
from dlstudio.gui.diagnosis.learning_curve_view import LearningCurveView
from dlstudio.gui.diagnosis.diagnosis_result_view import DiagnosisResultView
from dlstudio.training.run_groups import group_kind

CURVE_KEYS = ("train_metric", "dev_metric", "train_loss", "dev_loss")
FIX_FIELDS = "Fix the input marked in red on the left."


def default_human_level(dataset: str, metric: str) -> float | None:
    """The per-dataset human-level accuracy (percent); 100 for accuracy when unknown."""
    if metric != "accuracy":
        return None  # an error's default, 0, is diagnose's own
    try:
        from dlstudio.data import HUMAN_LEVEL
    except ImportError:
        return 100.0
    level = HUMAN_LEVEL.get(dataset)
    return 100.0 if level is None else float(level)


def _scrolled(widget: QWidget, width: int | None = None) -> QScrollArea:
    area = QScrollArea()
    if width is not None:  # a fixed column: wrap, never scroll sideways
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setMinimumWidth(width)
    area.setWidget(widget)
    area.setWidgetResizable(True)
    area.setFrameShape(QScrollArea.Shape.NoFrame)
    return area


class DiagnosisPanel(Panel):
    """Diagnose a run (or typed numbers): verdict, gaps with CIs, remedies, curves."""

    diagnosed = Signal(dict)  # Diagnosis.to_dict() after every successful diagnosis

    tab_title = "Diagnosis"

    def __init__(self, context: AppContext, parent: QWidget | None = None):
        super().__init__(context, parent)
        self.diagnosis: Diagnosis | None = None
        self._run_problem = ""
        self._user_chose = False  # until then, the newest finished run is shown
        self._group: tuple[str, int] | None = None  # CV group shown, its finished folds
        self.inputs = DiagnosisInputsForm()
        self.dev_size = DevSetSizeHelper()
        self.result = DiagnosisResultView()
        self.curves = RunCurvesView()
        self.evidence_box = QGroupBox("More evidence")  # filled by add_evidence_widget
        QVBoxLayout(self.evidence_box)
        self.evidence_box.hide()
        self.learning = LearningCurveView(context.store, context.controller)
        self._build()
        self.add_evidence_widget(self.learning)
        self.inputs.run_picked.connect(self._on_run_picked)
        self.inputs.inputs_edited.connect(self._on_user_edited)
        self.inputs.group_mean_toggled.connect(self._on_group_mean_toggled)
        self._on_inputs_edited()
        self.refresh_runs()

    def _build(self) -> None:
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(0, 0, 6, 0)
        column.addWidget(self.inputs)
        column.addWidget(self.dev_size)
        column.addStretch(1)
        # A splitter, not a layout: the learning curve's controls would otherwise squeeze
        # the run's curves to a sliver on a 800-pixel-high screen.
        right = QSplitter(Qt.Orientation.Vertical)
        right.setChildrenCollapsible(False)
        self.curves.setMinimumHeight(220)
        right.addWidget(self.curves)
        right.addWidget(self.evidence_box)
        right.setSizes([360, 400])
        splitter = QSplitter(Qt.Orientation.Horizontal, self)
        for widget in (_scrolled(left, 370), _scrolled(self.result), right):
            splitter.addWidget(widget)
        splitter.setStretchFactor(1, 1)
        # The verdict column needs ~430 px for its gap table; the side columns give way.
        splitter.setSizes([330, 440, 330])
        layout = QVBoxLayout(self)
        layout.addWidget(splitter)

    # -- public API ----------------------------------------------------------------
    @Slot(int)
    def set_run(self, run_id: int) -> None:
        """Diagnose stored run ``run_id``; an unusable run says why under the run list."""
        try:
            store = self.context.store
            run = store.get_run(run_id)
            curves = {key: store.read_curve(run_id, key) for key in CURVE_KEYS}
            tag = next((t for t in run.get("tags") or [] if group_kind(t) == "cv"), None)
            folds = store.list_runs(tag=tag) if tag else []
        except ConfigError as error:
            self.learning.set_run(None)
            self._refuse_run(run_id, f"run {run_id}", "\n".join(error.problems))
            return
        self.learning.set_run(run)
        summary = run.get("summary") or {}
        metric = "accuracy" if summary.get("metric_name", "accuracy") == "accuracy" else "rmse"
        self.curves.show_curves(curves, "accuracy" if metric == "accuracy" else "regression",
                                summary.get("best_epoch"))
        try:
            metrics = self._group_metrics(run, tag, folds)
        except ConfigError as error:
            self._refuse_run(run_id, f"#{run_id} {run.get('name', '')} ({run.get('status')})",
                             "\n".join(error.problems))
            return
        self._run_problem = ""
        self.inputs.select_run(run_id, f"#{run_id} {run.get('name', '')}")
        self.inputs.show_run_error("")
        self.inputs.fill_from_run(metrics, default_human_level(metrics.dataset, metrics.metric))
        self._on_inputs_edited()

    def refresh_runs(self) -> None:
        """Re-read the finished and stopped runs offered in the run list and the learning curves;
        until the user chose, show the newest finished run."""
        runs = self.context.store.list_runs(status=DIAGNOSABLE)
        self.inputs.set_runs([(run["id"], self._run_text(run)) for run in runs])
        self.learning.refresh()
        if runs and not self._user_chose and self.inputs.run_id() is TYPED_IN:
            latest = max(runs, key=lambda run: (run.get("ended") or 0, run["id"]))
            self.set_run(latest["id"])
        elif self._group is not None and self.inputs.run_id() is not TYPED_IN:
            tag, finished = self._group
            if sum(tag in (run.get("tags") or []) and run["status"] == "finished"
                   for run in runs) != finished:
                self._show_again_keeping_human_level()

    def _show_again_keeping_human_level(self) -> None:
        """More folds finished: the mean changed. The human level may be the user's."""
        human_level = self.inputs.fields["human_level"].text()
        self.set_run(int(self.inputs.run_id()))
        self.inputs.fields["human_level"].setText(human_level)

    def showEvent(self, event) -> None:  # noqa: N802  (Qt's name)
        """Runs finish while the tab is hidden: list them again when it shows."""
        self.refresh_runs()
        super().showEvent(event)

    def add_evidence_widget(self, widget: QWidget) -> None:
        """A place for more evidence (learning curve, cross-validation), under the curves."""
        self.evidence_box.layout().addWidget(widget)
        self.evidence_box.show()

    # -- slots ---------------------------------------------------------------------
    @Slot(object)
    def _on_run_picked(self, run_id: int | None) -> None:
        self._user_chose = True
        if run_id is TYPED_IN:
            self._run_problem = ""
            self.curves.show_curves(None)
            self.inputs.show_group("")
            self.learning.set_run(None)
            self._on_inputs_edited()
        else:
            self.set_run(int(run_id))

    @Slot()
    def _on_user_edited(self) -> None:
        self._user_chose = True
        self._on_inputs_edited()

    @Slot(bool)
    def _on_group_mean_toggled(self, _checked: bool) -> None:
        if self.inputs.run_id() is not TYPED_IN:
            self.set_run(int(self.inputs.run_id()))

    @Slot()
    def _on_inputs_edited(self) -> None:
        self.diagnosis = None
        if self._run_problem:
            self._show(None, blocked_by="Pick a finished run, or type the numbers in.")
            return
        values = self.inputs.values()
        if self.inputs.parse_problems() or self.inputs.is_incomplete():
            self.inputs.show_problems([])
            self._show(None, blocked_by=FIX_FIELDS if self.inputs.parse_problems() else "")
            return
        try:
            self.diagnosis = diagnose(**values)
        except ConfigError as error:
            self.inputs.show_problems(error.problems)
            self._show(None, blocked_by=FIX_FIELDS)
            return
        self.inputs.show_problems([])
        self._show(self.diagnosis, values)
        self.diagnosed.emit(self.diagnosis.to_dict())

    # -- helpers -------------------------------------------------------------------
    def _group_metrics(self, run: dict, tag: str | None, folds: list[dict]) -> RunMetrics:
        """The run's own numbers, or its CV group's mean (saying so beside the run)."""
        metrics = run_metrics(run)
        self._group = None
        if tag is None:
            self.inputs.show_group("")
            return metrics
        finished = sum(fold["status"] == "finished" for fold in folds)
        self._group = (tag, finished)
        waiting = len(folds) - finished
        title = (f"Mean of {finished} of {len(folds)} folds ({tag})" if waiting
                 else f"Mean of {len(folds)} folds ({tag})")
        note = f"This fold alone; tick to diagnose the mean of the folds of {tag}."
        if self.inputs.use_group_mean():
            try:
                metrics = fold_mean_metrics(tag, folds)
                note = (f"Train, dev and test are means over {finished} folds"
                        + (f"; {waiting} not finished yet" if waiting else "")
                        + ". Set sizes are one fold's.")
            except ConfigError as error:  # one bad fold: say which, diagnose this one
                note = f"No mean: {' '.join(error.problems)} Showing this fold alone."
        self.inputs.show_group(title, note)
        return metrics

    def _show(self, diagnosis: Diagnosis | None, values: dict[str, Any] | None = None,
              blocked_by: str = "") -> None:
        self.result.show_diagnosis(diagnosis, blocked_by)
        if diagnosis is None:
            self.learning.set_target(None)
        else:
            self.learning.set_target(diagnosis.human_error, diagnosis.metric == "regression")
        if diagnosis is None or diagnosis.metric == "regression":
            self.dev_size.set_dev_context(None, None)
        else:
            self.dev_size.set_dev_context(values.get("dev_size"), diagnosis.dev_error)

    def _refuse_run(self, run_id: int, label: str, message: str) -> None:
        self._run_problem = message
        self._group = None
        self.inputs.show_group("")
        self.inputs.select_run(run_id, label)
        self.inputs.show_run_error(message)
        for name in ("train", "dev", "test", "train_size", "dev_size", "test_size"):
            self.inputs.fields[name].set_value(None, announce=False)
        self._on_inputs_edited()

    @staticmethod
    def _run_text(run: dict) -> str:
        summary = run.get("summary") or {}
        dev = summary.get("dev_metric")
        if isinstance(dev, (int, float)):
            shown = f"dev {100 * dev:.1f} %" if summary.get("metric_name", "accuracy") == \
                "accuracy" else f"dev RMSE {dev:.3g}"
            return f"{run_label(run)}{_stopped(run)} - {shown}"
        return run_label(run) + _stopped(run)


def _stopped(run: dict) -> str:
    return " (stopped)" if run.get("status") == "stopped" else ""
