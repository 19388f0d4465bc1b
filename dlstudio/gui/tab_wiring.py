"""How the tabs ask each other for things: every connection between them, in one place.

A tab only emits its own signals ("open run 12", "compare these runs", "use this LR");
``TabWiring`` connects each, when its panel is built, to a public slot of the tab
that acts on it, and brings that tab to the front. No tab reaches into another.

Writes of other connections reach the Runs tab through ``DatabaseWatcher.changed``,
which it follows itself; when a run or sweep of this app ends, the watcher is asked to
look at once rather than at its next poll. ``runs_changed`` (writes on the app's own
connection, which the watcher cannot see) refreshes it directly.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QStatusBar

from dlstudio.gui.common.panel import Panel
from dlstudio.gui.panel_tabs import PanelTabs
from dlstudio.gui.workers.db_watcher import DatabaseWatcher
from dlstudio.gui.workers.training_controller import TrainingController


class TabWiring(QObject):
    """Connects the panels of ``tabs`` as they are built."""

    def __init__(self, tabs: PanelTabs, controller: TrainingController, status: QStatusBar,
                 watcher: DatabaseWatcher):
        super().__init__(tabs)
        self.tabs = tabs
        self.watcher = watcher
        self.controller = controller
        self.status = status
        tabs.panel_built.connect(self._on_panel_built)
        tabs.panel_shown.connect(self._on_panel_shown)
        controller.run_finished.connect(self._on_run_finished)

    @property
    def train(self):
        return self.tabs.panels["train"]

    def _built(self, key: str) -> Panel | None:
        return self.tabs.panels.get(key)

    # -- connections -------------------------------------------------------------------
    @Slot(str, object)
    def _on_panel_built(self, key: str, panel: Panel) -> None:
        panel.status_message.connect(self.status.showMessage)
        if key == "train":
            panel.runs_changed.connect(self._refresh_runs)
            panel.compare_requested.connect(self._on_compare_requested)
        elif key == "runs":
            panel.run_again_requested.connect(self._on_run_again_requested)
            panel.compare_requested.connect(self._on_compare_requested)
            panel.open_run_requested.connect(self._on_open_run_requested)
            panel.resume_requested.connect(self._on_resume_requested)
        elif key == "sweeps":
            panel.runs_changed.connect(self._refresh_runs)
            panel.open_run_requested.connect(self._on_open_run_requested)
            panel.sweep_finished.connect(self._on_sweep_finished)
        elif key == "lr_finder":
            panel.lr_chosen.connect(self._on_lr_chosen)

    @Slot(str, object)
    def _on_panel_shown(self, key: str, panel: Panel) -> None:
        if key not in ("sweeps", "lr_finder"):
            return
        config = self.train.form_config()
        if config is None:
            return  # the form marks its own problems; the panel keeps its last config
        if key == "sweeps":
            panel.set_base_config(config)
        else:
            panel.set_config(config)

    # -- the slots ---------------------------------------------------------------------
    @Slot()
    def _refresh_runs(self, *_args) -> None:
        runs = self._built("runs")
        if runs is not None:
            runs.refresh()

    @Slot(int, dict)
    def _on_run_finished(self, _run_id: int, _ended: dict) -> None:
        if self.controller.closing:  # the window closes: its store is about to
            return
        self.watcher.check()  # the Runs tab refreshes once, through the watcher
        diagnosis = self._built("diagnosis")
        if diagnosis is not None:
            diagnosis.refresh_runs()

    @Slot(dict)
    def _on_run_again_requested(self, config: dict) -> None:
        self.train.load_config(config)
        self.tabs.show_panel("train")
        self.status.showMessage("The form holds that run's settings: change them and press "
                                "Run.", 8000)

    @Slot(list)
    def _on_compare_requested(self, run_ids: list) -> None:
        self.tabs.show_panel("compare").set_runs(list(run_ids))

    @Slot(int)
    def _on_open_run_requested(self, run_id: int) -> None:
        self.train.open_run(run_id)
        self.tabs.show_panel("train")

    @Slot(int)
    def _on_resume_requested(self, run_id: int) -> None:
        if self.train.resume(run_id):
            self.tabs.show_panel("train")  # watch it train

    @Slot(int, str)
    def _on_sweep_finished(self, sweep_id: int, status: str) -> None:
        self.watcher.check()
        self.status.showMessage(f"Sweep #{sweep_id} {status}.", 10000)

    @Slot(float, bool)
    def _on_lr_chosen(self, lr: float, for_onecycle: bool) -> None:
        if for_onecycle:
            self.train.load_config({"schedule.name": "onecycle", "optim.lr": lr})
            what = f"one-cycle max LR {lr:.3g}"
        else:
            self.train.load_config({"optim.lr": lr})
            what = f"LR {lr:.3g}"
        self.tabs.show_panel("train")
        self.status.showMessage(f"The form now uses {what}.", 8000)
