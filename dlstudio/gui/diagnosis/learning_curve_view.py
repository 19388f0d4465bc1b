"""The diagnosis panel's learning curve: train the chosen run's config on growing shares
of its train split, then plot train and dev error against the number of samples.

"Train learning curve" calls the core's ``create_learning_curve`` (every member config
checked before a row exists) and hands the runs to the window's ``TrainingController``
queue, so they show in the Queue and train one per device. Without a controller (the
panel built on its own) the button is disabled and says why. The points are the core's
``learning_curve``; ``refresh`` re-reads them after every run end. Any stored group can
be shown again; the one belonging to the chosen run is picked for it.
"""

from __future__ import annotations

import copy
from collections import Counter

from PySide6.QtCore import Qt, Slot
from PySide6.QtWidgets import (QComboBox, QHBoxLayout, QLabel, QPushButton, QStackedWidget,
                               QVBoxLayout, QWidget)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.common.theme import dim
from dlstudio.config import RunConfig
from dlstudio.diagnosis.run_metrics import run_label
from dlstudio.errors import ConfigError
from dlstudio.gui.diagnosis.learning_curve_plot import LearningCurvePlot
from dlstudio.store import Store
from dlstudio.training.run_groups import (LEARNING_CURVE_FRACTIONS, create_learning_curve,
                                          group_kind, groups_of, learning_curve)

KIND = "learning-curve"
SHARES = ", ".join(f"{round(100 * f)} %" for f in LEARNING_CURVE_FRACTIONS)
NO_RUN = "Pick a stored run first: the learning curve trains its config."
EMPTY_TEXT = (f"<b>Would more data help?</b> <i>Train learning curve</i> trains the chosen "
              f"run's config on {SHARES} of its train split ({len(LEARNING_CURVE_FRACTIONS)} "
              "runs through the queue). Dev error still falling as the train set grows "
              "means more data helps; both errors flat and high means it won't.")
STATUS_WORDS = (("running", "training"), ("queued", "queued"), ("failed", "failed"),
                ("diverged", "diverged"), ("stopped", "stopped"), ("interrupted", "interrupted"))


def _study(config: dict) -> dict:
    """A config without what a learning curve varies (the train share) or a label."""
    key = copy.deepcopy(config)
    key.pop("name", None)
    (key.get("split") or {}).pop("train_fraction", None)
    return key


def progress_text(members: list[dict], plotted: int) -> str:
    """``"3 of 5 runs done · 1 training · 1 queued"``."""
    counts = Counter(run["status"] for run in members)
    parts = [f"{counts['finished']} of {len(members)} runs done"]
    parts += [f"{counts[status]} {word}" for status, word in STATUS_WORDS if counts[status]]
    if plotted < counts["finished"]:
        parts.append(f"{counts['finished'] - plotted} finished without train/dev numbers")
    return " · ".join(parts)


class LearningCurveView(QWidget):
    """Group picker, Train button, progress line and the plot."""

    def __init__(self, store: Store, controller, parent: QWidget | None = None):
        super().__init__(parent)
        self.store = store
        self.controller = controller  # a TrainingController: its queue trains the runs
        self.run: dict | None = None  # the diagnosis panel's chosen run
        self.curve: dict | None = None  # learning_curve() of the group shown
        self.groups: dict[str, list[dict]] = {}
        self._target: tuple[float | None, bool] = (None, False)
        self.group_choice = QComboBox()
        self.group_choice.setMinimumContentsLength(18)
        self.group_choice.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.train_button = QPushButton("Train learning curve")
        self.progress = QLabel()
        self.message = QLabel(wordWrap=True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.message.hide()
        self.plot = LearningCurvePlot()
        self.plot.setMinimumHeight(170)
        self.empty = QLabel(EMPTY_TEXT, wordWrap=True)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        dim(self.empty)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.empty)
        self.stack.addWidget(self.plot)
        self._build()
        self.group_choice.currentIndexChanged.connect(self._on_group_chosen)
        self.train_button.clicked.connect(self._on_train_clicked)
        self.refresh()
        self._update_button()

    def _build(self) -> None:
        choice = QHBoxLayout()
        choice.addWidget(QLabel("<b>Learning curve</b>"))
        choice.addWidget(self.group_choice, 1)
        status = QHBoxLayout()
        status.addWidget(self.progress, 1)
        status.addWidget(self.train_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(choice)
        layout.addLayout(status)
        layout.addWidget(self.message)
        layout.addWidget(self.stack, 1)

    # -- public API ----------------------------------------------------------------
    def set_run(self, run: dict | None) -> None:
        """The run the panel diagnoses (None: typed-in numbers, the curve shown stays):
        shows its group, or none (the empty state) when it has none."""
        self.run = run
        self._show_message("")
        self._update_button()
        if run is not None:
            self._choose(self._group_for(run))

    def set_target(self, error: float | None, regression: bool = False) -> None:
        """The diagnosis's human-level error (percent, or RMSE when ``regression``),
        drawn as the target line when the curve shown is in the same unit."""
        self._target = (error, regression)
        self._apply_target()

    @Slot()
    def refresh(self) -> None:
        """Re-read the stored groups and the points of the one shown."""
        store = self.store
        self.groups = groups_of(store.list_runs(), KIND)
        chosen = self.tag()
        self.group_choice.blockSignals(True)
        self.group_choice.clear()
        for tag, members in self.groups.items():
            self.group_choice.addItem(self._group_text(tag, members), tag)
            self.group_choice.setItemData(self.group_choice.count() - 1,
                                          f"{tag}: {members[0].get('name', '')} and "
                                          f"{len(members) - 1} more", Qt.ItemDataRole.ToolTipRole)
        self.group_choice.setCurrentIndex(self.group_choice.findData(chosen))
        self.group_choice.setPlaceholderText("Pick a stored learning curve" if self.groups
                                             else "None stored yet")
        self.group_choice.blockSignals(False)
        self._show_group()

    def tag(self) -> str | None:
        """The group shown, or None."""
        return self.group_choice.currentData()

    # -- slots ---------------------------------------------------------------------
    @Slot(int)
    def _on_group_chosen(self, _index: int) -> None:
        self._show_message("")
        self._show_group()

    @Slot()
    def _on_train_clicked(self) -> None:
        if self.run is None:
            return
        label = run_label(self.run)
        try:
            config = RunConfig.from_dict(self.run.get("config") or {})
            store = self.store
            tag, run_ids = create_learning_curve(store, config)
        except ConfigError as error:
            self._show_message(f"Cannot train a learning curve from {label}: its config no "
                               f"longer works here. {' '.join(error.problems)}", error=True)
            return
        try:
            self.controller.enqueue_created(run_ids)
            problem = ""
        except ConfigError as error:
            problem = " ".join(error.problems)
        self.refresh()
        self._choose(tag)  # after refresh: choosing a group clears the message line
        if problem:
            self._show_message(f"Runs {run_ids[0]}-{run_ids[-1]} ({tag}) were created but "
                               f"could not be queued: {problem}", error=True)
        else:
            self._show_message(f"{len(run_ids)} runs queued as {tag}: see the queue on the "
                               "Train tab. The curve grows as they finish.")

    # -- helpers -------------------------------------------------------------------
    def _show_group(self) -> None:
        tag = self.tag()
        if tag is None:
            self.curve = None
            self.progress.setText("")
            self.stack.setCurrentWidget(self.empty)
            return
        store = self.store
        self.curve = learning_curve(store, tag)
        points = self.curve["points"]
        self.progress.setText(progress_text(self.groups[tag], len(points)))
        self.plot.show_points(points, self.curve["metric_name"])
        self._apply_target()
        self.stack.setCurrentWidget(self.plot)

    def _apply_target(self) -> None:
        error, regression = self._target
        metric = (self.curve or {}).get("metric_name")
        same_unit = metric is not None and (metric == "rmse") == regression
        self.plot.set_target(error if same_unit else None)

    def _choose(self, tag: str | None) -> None:
        index = -1 if tag is None else self.group_choice.findData(tag)
        if index != self.group_choice.currentIndex():
            self.group_choice.setCurrentIndex(index)

    def _group_for(self, run: dict | None) -> str | None:
        """The run's own group, else the newest group trained from the same config."""
        if run is None:
            return None
        own = [t for t in run.get("tags") or [] if group_kind(t) == KIND and t in self.groups]
        if own:
            return own[0]
        study = _study(run.get("config") or {})
        return next((tag for tag, members in self.groups.items()
                     if _study(members[0].get("config") or {}) == study), None)

    def _update_button(self) -> None:
        reason = NO_RUN if self.run is None else ""
        self.train_button.setEnabled(not reason)
        self.train_button.setToolTip(reason or (
            f"Train {run_label(self.run)}'s config on {SHARES} of its train split: "
            f"{len(LEARNING_CURVE_FRACTIONS)} runs through the queue"))

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet("color: #c62828;" if error else "color: #1b5e20;")
        self.message.setVisible(bool(text))

    @staticmethod
    def _group_text(tag: str, members: list[dict]) -> str:
        name = members[0].get("name") or ""
        base = name.rsplit(" learning curve", 1)[0] if " learning curve" in name else name
        return f"{tag}: {base}" if base else tag
