"""Progress, controls, resource use and the outcome of the run shown in the live view."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (QHBoxLayout, QLabel, QProgressBar, QPushButton, QVBoxLayout,
                               QWidget)

from dlstudio.formatting import format_metric
from dlstudio.gui.common.text_line import TextLine

RESOURCE_LABELS = (("sys.cpu_percent", "CPU {:.0f} %"), ("sys.ram_mb", "RAM {:,.0f} MB"),
                   ("sys.gpu_mem_mb", "GPU memory {:,.0f} MB"), ("sys.gpu_util", "GPU {:.0f} %"))
STATUS_STYLES = {
    "finished": "background:#e6f4ea; color:#1e4620;",
    "stopped": "background:#fff4e5; color:#663c00;",
    "diverged": "background:#fdecea; color:#611a15;",
    "failed": "background:#fdecea; color:#611a15;",
}


def format_duration(seconds: float) -> str:
    """``4.2 s`` under a minute, else ``12:05`` or ``1:02:05``."""
    if seconds < 59.95:
        return f"{seconds:.1f} s"
    seconds = int(round(seconds))
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def describe_outcome(ended: dict[str, Any]) -> str:
    """One or two sentences a user can act on."""
    status, summary = ended.get("status", "?"), ended.get("summary", {}) or {}
    metric = summary.get("metric_name", "accuracy")
    if status == "failed":
        return (f"Failed: {ended.get('error') or 'unknown error'}\n"
                "The run is marked failed and its traceback is stored with it (Runs tab).")
    if status == "diverged":
        return (f"Diverged at step {summary.get('steps', '?')}: the loss became too large "
                "or not a number. Try a lower learning rate, gradient clipping or warmup.")
    parts = []
    if "dev_metric" in summary:
        parts.append(f"dev {metric} {format_metric(metric, summary['dev_metric'], missing='n/a')}")
    if summary.get("best_dev_metric") is not None:
        parts.append(f"best {format_metric(metric, summary['best_dev_metric'], missing='n/a')} "
                     f"at epoch {summary.get('best_epoch')}")
    if "test_metric" in summary:
        parts.append(f"test {format_metric(metric, summary['test_metric'], missing='n/a')}")
    took = f" in {format_duration(summary['duration'])}" if "duration" in summary else ""
    head = {"finished": f"Finished{took}.",
            "stopped": f"Stopped after {summary.get('epochs_done', 0)} epochs{took}; "
                       "its data and last checkpoint are kept."}.get(status, f"{status.capitalize()}.")
    return head + ("  " + " · ".join(parts) if parts else "")


class RunProgressView(QWidget):
    """Title, progress bar with epoch/step/time left, Pause/Resume, Stop, resources, outcome."""

    stop_clicked = Signal()
    pause_toggled = Signal(bool)  # True: pause

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.title = QLabel("")
        self.title.setStyleSheet("font-weight: bold; font-size: 13pt;")
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(14)
        self.details = TextLine("")
        self.resources = TextLine("", alignment=Qt.AlignmentFlag.AlignRight)
        self.resources.setToolTip("This process's CPU and memory use, sampled every 2 s "
                                  "while the run trains (also stored with the run).")
        self.outcome = QLabel("")
        self.outcome.setWordWrap(True)
        # Its space is kept while a run trains: hiding it at each start and showing it at
        # each end resized the plots below, and a resized plot repaints in full.
        policy = self.outcome.sizePolicy()
        policy.setRetainSizeWhenHidden(True)
        self.outcome.setSizePolicy(policy)
        self.outcome.hide()
        self.pause_button = QPushButton("Pause")
        self.pause_button.setCheckable(True)
        self.pause_button.setToolTip("Pause between two steps; Resume continues the same run.")
        self.stop_button = QPushButton("Stop")
        self.stop_button.setToolTip("Stop after the current step; the run keeps its data "
                                    "and last checkpoint.")
        self._build()
        self.pause_button.toggled.connect(self._on_pause_toggled)
        self.stop_button.clicked.connect(self._on_stop_clicked)
        self.set_active(False)

    def _build(self) -> None:
        top = self.top_row = QHBoxLayout()
        top.addWidget(self.title, 1)
        top.addWidget(self.pause_button)
        top.addWidget(self.stop_button)
        info = QHBoxLayout()
        info.addWidget(self.details, 1)
        info.addWidget(self.resources)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.bar)
        layout.addLayout(info)
        layout.addWidget(self.outcome)

    def add_beside_title(self, widget: QWidget) -> None:
        """Put ``widget`` between the title and Pause/Stop: on their row, a widget that
        appears (the run selector, once a second run starts) never moves the buttons."""
        self.top_row.insertWidget(1, widget)

    # -- updates -------------------------------------------------------------------
    def set_active(self, active: bool, paused: bool = False) -> None:
        """Enable the controls while the shown run trains."""
        self.pause_button.setEnabled(active)
        self.stop_button.setEnabled(active)
        if not active:  # a stopped (or finished) run is no longer "Stopping…"
            self.reset_stop_button()
        self.pause_button.blockSignals(True)
        self.pause_button.setChecked(active and paused)
        self.pause_button.setText("Resume" if active and paused else "Pause")
        self.pause_button.blockSignals(False)

    def show_progress(self, progress: dict[str, Any], paused: bool = False,
                      running: bool = True) -> None:
        total, step = progress["total_steps"], progress["step"]
        self.bar.setRange(0, max(total, 1))
        self.bar.setValue(min(step, total) if total else 0)
        text = [f"Epoch {progress['epoch']} of {progress['epochs']}" if progress["epochs"] else "",
                f"step {step:,} of {total:,}" if total else f"step {step:,}",
                f"{format_duration(progress['elapsed'])} " + ("elapsed" if running else "in all")]
        if paused:
            text.append("paused")
        elif running and progress["left"] is not None:
            text.append(f"about {format_duration(progress['left'])} left")
        self.details.setText(" · ".join(part for part in text if part))

    def show_resources(self, sample: dict[str, float]) -> None:
        parts = [label.format(sample[key]) for key, label in RESOURCE_LABELS if key in sample]
        self.resources.setText("   ".join(parts))

    def show_outcome(self, ended: dict[str, Any] | None) -> None:
        if not ended:
            self.outcome.hide()
            return
        self.outcome.setText(describe_outcome(ended))
        style = STATUS_STYLES.get(ended.get("status"), "")
        self.outcome.setStyleSheet(f"QLabel {{ {style} padding: 6px; border-radius: 4px; }}")
        self.outcome.show()

    # -- buttons -------------------------------------------------------------------
    @Slot(bool)
    def _on_pause_toggled(self, paused: bool) -> None:
        self.pause_button.setText("Resume" if paused else "Pause")
        self.pause_toggled.emit(paused)

    @Slot()
    def _on_stop_clicked(self) -> None:
        self.stop_button.setEnabled(False)
        self.stop_button.setText("Stopping…")
        self.stop_clicked.emit()

    def reset_stop_button(self) -> None:
        self.stop_button.setText("Stop")
