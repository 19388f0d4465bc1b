"""The Sweeps panel: define a sweep, see its plan, run it, watch and resume it.

Left: the form (or a sweep file) and the plan the core computes for it, with Start /
Pause / Stop; a second tab lists the stored sweeps, where an unfinished one resumes.
Right: the sweep being shown (``SweepResultsView``). Sweeps go through the window's run
queue (``TrainingController.enqueue_sweep``), in line with single runs: a sweep starts
when its devices are free and runs on a ``SweepSession`` (its own QThread) that the
controller owns; ``SweepFollower`` follows it (live curves, summaries, its end). The
panel only calls the core: ``create_sweep``, ``SweepRunner`` (through the session), ``cancel_sweep``,
``sweep_summary`` and the store's reads.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QApplication, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.config import RunConfig, load_mapping
from dlstudio.errors import ConfigError
from dlstudio.formatting import count
from dlstudio.gui.common.space_note import space_note
from dlstudio.gui.context import AppContext
from dlstudio.gui.sweeps.sweep_follower import SweepFollower
from dlstudio.gui.sweeps.sweep_list_view import RESUMABLE
from dlstudio.gui.sweeps.sweep_plan_view import PlanInfo
from dlstudio.gui.sweeps.sweep_prompts import (SWEEP_FILTERS, SweepPrompts, sweeps_folder,
                                              write_sweep_file)
from dlstudio.gui.workers.run_queue import SWEEP
from dlstudio.search.estimate import seconds_per_epoch
from dlstudio.training.sweeps.setup import cancel_sweep, create_sweep

SPEED_RUNS = 200  # newest finished runs the time estimate looks at
EXAMPLE = {"optim.lr": {"distribution": "log_uniform_values", "min": 1e-4, "max": 0.1}}


class SweepPanel(SweepFollower):
    """Define, run and watch hyperparameter sweeps."""

    open_run_requested = Signal(int)  # a trial's run to show
    runs_changed = Signal()  # runs were deleted on the app's own connection
    tab_title = "Sweeps"

    def __init__(self, context: AppContext, parent: QWidget | None = None, *, prompts=None,
                 debounce_ms: int = 250):
        super().__init__(context, parent, debounce_ms=debounce_ms)
        self.prompts = prompts or SweepPrompts()
        self._plan: PlanInfo | None = None
        self._connect()
        for session in list(self.controller.sweep_sessions.values()):  # began before us
            self._on_sweep_session_started(session)
        self.form.params_editor.set_parameters(EXAMPLE)
        self.form.validate_now()
        self.refresh()
        app = QApplication.instance()
        if app is not None:
            app.aboutToQuit.connect(self.shutdown)

    def _connect(self) -> None:
        self.form.validated.connect(self._on_form_validated)
        self.form.plan_changed.connect(self._on_plan_changed)
        self.open_button.clicked.connect(self._on_open_clicked)
        self.save_button.clicked.connect(self._on_save_clicked)
        self.start_button.clicked.connect(self._on_start_clicked)
        self.pause_button.clicked.connect(self._on_pause_clicked)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.resume_button.clicked.connect(self._on_resume_clicked)
        self.cancel_button.clicked.connect(self._on_cancel_clicked)
        self.delete_button.clicked.connect(self._on_delete_clicked)
        self.sweep_list.sweep_picked.connect(self._on_sweep_picked)
        self.results.run_open_requested.connect(self._on_run_open_requested)

    # -- public API ----------------------------------------------------------------
    @property
    def is_busy(self) -> bool:
        """True while a sweep runs (or is stopping)."""
        return bool(self.sessions)

    @Slot(object)
    def set_base_config(self, config: RunConfig) -> None:
        """The config trials start from: the Train tab's form config."""
        self.form.set_base_config(config)

    def start_sweep(self) -> int | None:
        """Create the form's sweep and queue it; returns its id (None: problems shown)."""
        if self.form.validate_now():
            return None
        try:
            sweep_id = create_sweep(self.store, self.form.mapping(), seed=self.form.seed(),
                                    workers=self.form.workers())
        except ConfigError as error:
            self.form.show_problems(error.problems)
            self._say("The sweep was not created: " + "; ".join(error.problems), error=True)
            return None
        self._queue(sweep_id)
        return sweep_id

    def resume_sweep(self, sweep_id: int) -> None:
        """Continue a stopped (or killed) sweep where it stopped, through the queue."""
        if sweep_id not in self.sessions:
            self._queue(sweep_id)

    def shutdown(self) -> None:
        """Stop refreshing (the context's controller stops and joins the sweeps)."""
        self._closed = True
        self._refresh_timer.stop()
        self._gpu_timer.stop()

    # -- running -------------------------------------------------------------------
    def _queue(self, sweep_id: int) -> None:
        self.show_sweep(sweep_id)
        controller = self.controller
        try:
            # As many workers as the sweep was created with (the form may show another
            # sweep by now).
            started = controller.enqueue_sweep(sweep_id)
        except ConfigError as error:
            self._say("; ".join(error.problems), error=True)
            return
        if not started:
            self._say(self._waiting_text(sweep_id))
        self._update_buttons()

    def _waiting_text(self, sweep_id: int) -> str:
        controller = self.controller
        position = controller.queue.position((SWEEP, sweep_id))
        if position is None:
            return f"Sweep {sweep_id} is not queued."
        if controller.held:
            return (f"Sweep {sweep_id} is queued; the queue is held: press Start queue on the "
                    "Train tab.")
        return (f"Sweep {sweep_id} is queued (position {position + 1}) and starts when its "
                "device is free; reorder or remove it in the Train tab's queue.")

    # -- buttons -------------------------------------------------------------------
    @Slot()
    def _on_start_clicked(self) -> None:
        self.start_sweep()

    @Slot()
    def _on_pause_clicked(self) -> None:
        if self.session is not None:
            self.set_paused(not self.session.paused)

    @Slot()
    def _on_stop_clicked(self) -> None:
        self.stop_sweep()

    @Slot()
    def _on_resume_clicked(self) -> None:
        sweep_id = self.sweep_list.selected_id()
        if sweep_id is not None:
            self.resume_sweep(sweep_id)

    @Slot()
    def _on_cancel_clicked(self) -> None:
        sweep_id = self.sweep_list.selected_id()
        if sweep_id is None or sweep_id in self.sessions:
            return
        if not self.prompts.confirm(self, "Cancel sweep?", f"Cancel sweep {sweep_id} for "
                                    "good? Its trials and runs are kept, but it can no "
                                    "longer be resumed."):
            return
        self.controller.queue.remove((SWEEP, sweep_id))
        try:
            cancel_sweep(self.store, sweep_id)
        except ConfigError as error:
            self._say("; ".join(error.problems), error=True)
        self.refresh()

    @Slot()
    def _on_delete_clicked(self) -> None:
        sweep_id = self.sweep_list.selected_id()
        if sweep_id is None or sweep_id in self.sessions:
            return
        runs = count(len(self.store.list_runs(sweep_id=sweep_id)), "run")
        name = self.sweep_list.summaries[sweep_id]["name"]
        if not self.prompts.confirm(self, "Delete sweep?", f"Delete sweep {sweep_id} ({name}) "
                                    f"with its trials and {runs}, their curves and "
                                    "checkpoints?\nThis cannot be undone."):
            return
        self.controller.queue.remove((SWEEP, sweep_id))
        try:
            self.store.delete_sweep(sweep_id)
        except ConfigError as error:
            self._say("; ".join(error.problems), error=True)
        else:
            self._say(" ".join(filter(None, [f"Deleted sweep {sweep_id} with {runs}.",
                                             space_note(self.store)])))
            if self.shown_id == sweep_id:
                self.shown_id = None
                self.results_stack.show_content(False)
            self.runs_changed.emit()
        self.refresh()

    @Slot(int)
    def _on_sweep_picked(self, sweep_id: int) -> None:
        if sweep_id != self.shown_id:
            self.show_sweep(sweep_id)
        self._update_buttons()

    @Slot(int)
    def _on_run_open_requested(self, run_id: int) -> None:
        self.open_run_requested.emit(run_id)

    @Slot()
    def _on_open_clicked(self) -> None:
        path = self.prompts.open_path(self, "Open a sweep file", SWEEP_FILTERS,
                                      sweeps_folder())
        if not path:
            return
        try:
            data = load_mapping(path)
        except ConfigError as error:
            self._say("; ".join(error.problems), error=True)
            return
        self.form.load_mapping(data, source=Path(path).name)
        self.list_tabs.setCurrentIndex(0)
        self._say(f"Loaded {Path(path).name}.")

    @Slot()
    def _on_save_clicked(self) -> None:
        name = self.form.name.text().strip() or "sweep"
        path = self.prompts.save_path(self, "Save the sweep as YAML", f"{name}.yaml",
                                      SWEEP_FILTERS)
        if path:
            written = write_sweep_file(path, self.form.mapping())
            self._say(f"Saved {written}; run it without the app: dlstudio sweep {written}")

    @Slot(list)
    def _on_form_validated(self, problems: list) -> None:
        self._update_buttons()

    @Slot(object)
    def _on_plan_changed(self, plan: PlanInfo | None) -> None:
        self._plan = plan
        speed = None
        if plan is not None and not self._closed:
            speed = seconds_per_epoch(self.store.list_runs(status="finished",
                                                           limit=SPEED_RUNS), plan.base)
        self.plan_view.show_plan(plan, speed)
        self._update_buttons()

    def _update_buttons(self) -> None:
        running = self.session is not None  # the sweep shown
        stopping = running and self.session.stopping
        self.start_button.setEnabled(self._plan is not None and not self.form.problems)
        self.start_button.setText("Queue sweep" if self.is_busy else "Start sweep")
        self.pause_button.setEnabled(running and not stopping)
        self.stop_button.setEnabled(running and not stopping)
        selected = self.sweep_list.selected_id()
        status = self.sweep_list.summaries.get(selected, {}).get("status")
        queued = selected is not None and (SWEEP, selected) in self.controller.queue
        idle = selected not in self.sessions and status in RESUMABLE
        self.resume_button.setEnabled(idle and not queued)
        self.cancel_button.setEnabled(idle)
        self.delete_button.setEnabled(selected is not None and selected not in self.sessions
                                      and status != "running")
