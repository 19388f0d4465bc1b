"""What a sweep will run before it starts: its size, bracket table, epochs and time.

``PlanInfo`` is what the form hands over once the core has accepted the sweep: the
strategy's ``describe()``, its ``SweepCost`` (grid size, or the successive-halving /
Hyperband bracket table: brackets x rungs of configurations x epochs) and the base
config. The time estimate is the core's arithmetic (``dlstudio.search.estimate``) on the
training speed of past runs, which the panel reads from the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.search.brackets import bracket_budget, bracket_cost
from dlstudio.search.estimate import SweepCost, format_seconds

EMPTY_TEXT = "The plan appears here once the sweep's settings are valid."


@dataclass(frozen=True)
class PlanInfo:
    """A valid sweep's plan, as the form computed it with the core."""

    description: str
    cost: SweepCost
    method: str
    settings: dict[str, Any] = field(default_factory=dict)
    base: dict[str, Any] = field(default_factory=dict)  # the full nested base RunConfig


class SweepPlanView(QWidget):
    """The plan: a summary line, the bracket table when there is one, the estimate."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.summary = QLabel(EMPTY_TEXT, wordWrap=True)
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.table = QTableWidget()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.setToolTip("Each cell: configurations × epochs they have trained by the "
                              "end of that rung. The best 1/η of a rung go on to the next.")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setDefaultSectionSize(24)
        self.total = QLabel(wordWrap=True)
        self.estimate = QLabel(wordWrap=True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.summary, self.table, self.total, self.estimate):
            layout.addWidget(widget)
        layout.addStretch(1)  # the lines stay together at the top of the Plan box
        self.plan: PlanInfo | None = None
        self.show_plan(None)

    def show_plan(self, plan: PlanInfo | None, speed: tuple[float, int] | None = None) -> None:
        """Show ``plan`` (None: nothing valid yet) with ``speed`` = (seconds per epoch,
        runs it was measured on) from ``estimate.seconds_per_epoch``."""
        self.plan = plan
        if plan is None:
            self.summary.setText(EMPTY_TEXT)
            for widget in (self.table, self.total, self.estimate):
                widget.hide()
            return
        self.summary.setText(f"<b>{plan.description}</b>")
        self._show_table(plan.cost)
        self.total.setText(self._total_text(plan))
        self.total.show()
        self.estimate.setText(self._estimate_text(plan, speed))
        self.estimate.show()

    def table_cells(self) -> list[list[str]]:
        """The bracket table as shown: one list of cell texts per bracket."""
        return [[self.table.item(r, c).text() for c in range(self.table.columnCount())
                 if self.table.item(r, c) is not None] for r in range(self.table.rowCount())]

    # -- helpers -------------------------------------------------------------------
    def _show_table(self, cost: SweepCost) -> None:
        plan = cost.plan
        if plan is None:
            self.table.hide()
            return
        rungs = max(len(rungs) for rungs in plan.brackets)
        self.table.clear()
        self.table.setRowCount(len(plan.brackets))
        self.table.setColumnCount(rungs + 1)
        self.table.setHorizontalHeaderLabels([f"Rung {i}" for i in range(rungs)] + ["Epochs"])
        self.table.setVerticalHeaderLabels([f"Bracket {b}" for b in range(len(plan.brackets))])
        for b, bracket in enumerate(plan.brackets):
            for r, (n, epochs) in enumerate(bracket):
                self._set_cell(b, r, f"{n} × {epochs}")
            self._set_cell(b, rungs, str(bracket_cost(bracket, plan.resume)))
        height = self.table.horizontalHeader().height() + 4
        height += sum(self.table.rowHeight(r) for r in range(min(len(plan.brackets), 4)))
        self.table.setFixedHeight(height)
        self.table.show()

    def _set_cell(self, row: int, column: int, text: str) -> None:
        item = QTableWidgetItem(text)
        item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
        self.table.setItem(row, column, item)

    @staticmethod
    def _total_text(plan: PlanInfo) -> str:
        cost = plan.cost
        if cost.plan is not None:
            how = "survivors resume" if cost.plan.resume else "survivors retrain from scratch"
            return (f"Total <b>{cost.epochs} epochs</b> in {cost.trials} trials of "
                    f"{cost.plan.n_configs} configurations ({how}); less if trials fail."
                    + _course_budget(plan))
        size = f"Grid of {cost.grid_size} configurations. " if cost.grid_size else ""
        if cost.epochs is None:
            trials = "an open number of" if cost.trials is None else str(cost.trials)
            return f"{size}{trials} trials; epochs as sampled (train.epochs is searched)."
        if cost.trials is None:  # ASHA: the budget is fixed, the promotions are not
            return (f"Total: at most <b>{cost.epochs} epochs</b>; as many trials as that "
                    "buys, promoted as their results come in.")
        at_most = "at most " if cost.upper_bound else ""
        per = cost.epochs // cost.trials if cost.trials else 0
        return (f"{size}Total: {at_most}<b>{cost.epochs} epochs</b> "
                f"({at_most}{cost.trials} trials × {per} epochs).")

    @staticmethod
    def _estimate_text(plan: PlanInfo, speed: tuple[float, int] | None) -> str:
        data, model = plan.base["data"]["name"], plan.base["model"]["name"]
        if speed is None:
            return (f"No time estimate yet: train one run on {data} with model {model} "
                    "(Train tab) and the plan will say how long this takes.")
        if plan.cost.epochs is None:
            return f"About {format_seconds(speed[0])} per epoch on this machine."
        runs = "run" if speed[1] == 1 else f"{speed[1]} runs"
        return (f"About <b>{format_seconds(plan.cost.epochs * speed[0])}</b> of training "
                f"with one worker ({speed[0]:.2g} s per epoch, measured on the last {runs} "
                f"on {data} with model {model}).")


def _course_budget(plan: PlanInfo) -> str:
    """Hyperband's budget per bracket as the course writes it, beside the totals."""
    if plan.method not in ("hyperband", "bohb") or "max_epochs" not in plan.settings:
        return ""
    top, eta = int(plan.settings["max_epochs"]), int(plan.settings.get("eta", 3))
    budget = bracket_budget(top, eta, int(plan.settings.get("min_epochs", 1)))
    return (f"<br>Course budget per bracket: B = (s<sub>max</sub>+1)·R = <b>{budget} "
            f"epochs</b> (R={top}, η={eta}); a bracket retrained from scratch costs at "
            "most B, one whose survivors resume less.")
