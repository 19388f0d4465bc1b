"""The tabs beyond Train / Runs / Compare: sweeps, LR finder, diagnosis, optimizer lab.

``StudyPanels`` adds them to the main window and wires them to the form and the runs
table: the sweep and the LR finder start from what the form holds, "Use this LR" fills
the form, a trial opens in the live view, and every panel's worker is stopped and
joined when the window closes.

Each panel is built the first time its tab is opened, so the window opens as fast as
the Train tab alone needs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Slot
from PySide6.QtWidgets import QVBoxLayout, QWidget

from dlstudio.config import RunConfig
from dlstudio.errors import ConfigError
from dlstudio.gui.optional_panels import load_panel

if TYPE_CHECKING:
    from dlstudio.gui.main_window import MainWindow

PANELS = (
    ("sweeps", "dlstudio.gui.sweep_panel", "SweepPanel", "Sweeps"),
    ("lr_finder", "dlstudio.gui.lr_finder_panel", "LRFinderPanel", "LR finder"),
    ("diagnosis", "dlstudio.gui.diagnosis_panel", "DiagnosisPanel", "Diagnosis"),
    ("optimizer_lab", "dlstudio.gui.optimizer_lab_panel", "OptimizerLabPanel", "Optimizer lab"),
)


class StudyPanels(QObject):
    """Owns the study tabs of one ``MainWindow``."""

    def __init__(self, window: MainWindow):
        super().__init__(window)
        self.window = window
        self.panels: dict[str, QWidget] = {}  # built so far
        self.holders: dict[str, QWidget] = {}
        for key, _module, _class_name, title in PANELS:
            holder = QWidget(window)
            QVBoxLayout(holder).setContentsMargins(0, 0, 0, 0)
            self.holders[key] = holder
            window.add_panel(holder, title)
        window.tabs.currentChanged.connect(self._on_tab_changed)
        window.run_finished.connect(self._on_run_finished)

    def panel(self, key: str) -> QWidget:
        """The panel behind tab ``key``, built on first use."""
        if key not in self.panels:
            _, module, class_name, _ = next(p for p in PANELS if p[0] == key)
            panel = load_panel(module, class_name, self.window.db_path, self.holders[key])
            self.holders[key].layout().addWidget(panel)
            self.panels[key] = panel
            self._wire(key, panel)
        return self.panels[key]

    def _wire(self, key: str, panel: QWidget) -> None:
        attach = getattr(panel, "attach_controller", None)
        if attach is not None:  # panels whose jobs go through the window's run queue
            attach(self.window.controller)
        handlers = {
            "sweeps": {"open_run_requested": self.window._on_open_run_requested,
                       "sweep_updated": self._on_runs_changed,
                       "sweep_finished": self._on_sweep_finished},
            "lr_finder": {"lr_chosen": self._on_lr_chosen},
        }.get(key, {})
        for name, handler in handlers.items():
            signal = getattr(panel, name, None)
            if signal is not None:
                signal.connect(handler)

    def _form_config(self) -> RunConfig | None:
        try:
            return RunConfig.from_dict(self.window.form.values())
        except ConfigError:
            return None  # the form marks its own problems; panels keep their last config

    @Slot(int)
    def _on_tab_changed(self, index: int) -> None:
        holder = self.window.tabs.widget(index)
        key = next((k for k, h in self.holders.items() if h is holder), None)
        if key is None:
            return
        panel = self.panel(key)
        config = self._form_config()
        if config is None:
            return
        if key == "sweeps" and hasattr(panel, "set_base_config"):
            panel.set_base_config(config)
        elif key == "lr_finder" and hasattr(panel, "set_config"):
            panel.set_config(config)

    @Slot(float, bool)
    def _on_lr_chosen(self, lr: float, for_onecycle: bool) -> None:
        if for_onecycle:
            self.window.form.set_config({"schedule.name": "onecycle", "optim.lr": lr})
            what = f"one-cycle max LR {lr:.3g}"
        else:
            self.window.form.set_config({"optim.lr": lr})
            what = f"LR {lr:.3g}"
        self.window.tabs.setCurrentIndex(0)
        self.window.status.showMessage(f"The form now uses {what}.", 8000)

    @Slot(int)
    def _on_runs_changed(self, _sweep_id: int) -> None:
        self.window._refresh_runs()

    @Slot(int, str)
    def _on_sweep_finished(self, sweep_id: int, status: str) -> None:
        self.window._refresh_runs()
        self.window.status.showMessage(f"Sweep #{sweep_id} {status}.", 10000)

    @Slot(int, dict)
    def _on_run_finished(self, _run_id: int, _ended: dict) -> None:
        refresh = getattr(self.panels.get("diagnosis"), "refresh_runs", None)
        if refresh is not None:
            refresh()

    def shutdown(self) -> None:
        """Stop and join every built panel's worker thread."""
        for panel in self.panels.values():
            close = getattr(panel, "shutdown", None)
            if close is not None:
                close()
