"""What a diagnosis says: the verdict in big letters, the gaps, the remedies, the why."""

from __future__ import annotations

import html

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractItemView, QHeaderView, QLabel, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from dlstudio.gui.common.theme import dim_html
from dlstudio.diagnosis import Diagnosis
from dlstudio.gui.diagnosis.gap_chart import GAP_LABELS, GAP_NAMES, GapChart

HEADLINES = {
    "bias": ("High bias", "the model underfits the training set", "#e65100"),
    "variance": ("High variance", "the model does not generalize from train to dev",
                 "#1565c0"),
    "both": ("High bias and high variance", "fix bias first, then variance", "#6a1b9a"),
    "dev_overfitting": ("Dev-set overfitting", "the dev set flatters the model", "#7b1fa2"),
    "none": ("No clear problem", "no gap is large enough to act on", "#2e7d32"),
}
ALSO_WORDS = {"bias": "avoidable bias", "variance": "variance",
              "dev_overfitting": "dev overfitting"}
EMPTY_TEXT = ("<h3>Which problem does your model have?</h3>"
              "<p>Pick a finished run on the left, or type its train, dev and test accuracy. "
              "The gaps human &rarr; train &rarr; dev &rarr; test tell <b>bias</b> (train "
              "far from human level), <b>variance</b> (dev far from train) and <b>dev-set "
              "overfitting</b> (test far from dev) apart, and what to try first.</p>"
              "<p>Set sizes give each gap a confidence interval: a 3-point gap measured on "
              "50 samples may be noise.</p>")


class DiagnosisResultView(QWidget):
    """Verdict, gap chart and table, remedies and explanation of one diagnosis."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.verdict = QLabel(wordWrap=True)
        self.verdict.setTextFormat(Qt.TextFormat.RichText)
        self.chart = GapChart()
        self.chart.setMinimumHeight(190)
        self.chart.setMaximumHeight(260)
        self.table = QTableWidget(3, 4)
        self.table.setHorizontalHeaderLabels(["Gap", "Size", "95 % CI", "Counts?"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + 3 * self.table.verticalHeader().defaultSectionSize() + 4)
        self.remedies = QLabel(wordWrap=True)
        self.remedies.setTextFormat(Qt.TextFormat.RichText)
        self.explanation = QLabel(wordWrap=True)
        self.explanation.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        for widget in (self.verdict, self.chart, self.table, self.remedies, self.explanation):
            layout.addWidget(widget)
        layout.addStretch(1)
        self.show_diagnosis(None)

    def show_diagnosis(self, diagnosis: Diagnosis | None, blocked_by: str = "") -> None:
        """Fill every part from ``diagnosis``; None shows what the panel is for, or
        ``blocked_by``: why the inputs cannot be diagnosed yet."""
        empty = diagnosis is None
        for widget in (self.chart, self.table, self.remedies):
            widget.setVisible(not empty)
        if empty:
            self.verdict.setText(f"<h3 style='color:#c62828'>Cannot diagnose yet</h3>"
                                 f"<p>{html.escape(blocked_by)}</p>" if blocked_by else EMPTY_TEXT)
            self.explanation.setText("")
            return
        title, subtitle, colour = HEADLINES[diagnosis.verdict]
        also = "".join("<br><span style='font-size:12px'>" + dim_html(
            self.verdict, f"Also: {ALSO_WORDS[a]} (after the verdict's problem)") + "</span>"
            for a in diagnosis.also)
        self.verdict.setText(f"<span style='font-size:26px;font-weight:bold;color:{colour}'>"
                             f"{title}</span><br><span style='font-size:14px'>{subtitle}"
                             f"</span>{also}")
        self.chart.show_diagnosis(diagnosis, self._min_gap(diagnosis))
        self._fill_table(diagnosis)
        items = "".join(f"<li>{html.escape(r)}</li>" for r in diagnosis.remedies)
        self.remedies.setText(f"<b>What to try, in order</b><ol>{items}</ol>" if items else
                              "<b>Nothing to fix</b>: collect more data for the dev and test "
                              "sets if you need finer answers.")
        self.explanation.setText(diagnosis.explanation)

    def _fill_table(self, diagnosis: Diagnosis) -> None:
        unit = "" if diagnosis.metric == "regression" else " pts"
        level = f"{diagnosis.thresholds.confidence:.0%}"
        self.table.horizontalHeaderItem(2).setText(f"{level} CI")
        for row, name in enumerate(GAP_NAMES):
            gap = getattr(diagnosis, name)
            if gap is None:
                cells = [GAP_LABELS[name].split("\n")[0], "-", "-", "no test metric"]
            else:
                ci = "-" if gap.low is None else f"{gap.low:+.1f} to {gap.high:+.1f}{unit}"
                cells = [GAP_LABELS[name].split("\n")[0], f"{gap.value:+.2f}{unit}", ci,
                         "yes" if gap.counts else "no"]
            for column, text in enumerate(cells):
                self.table.setItem(row, column, QTableWidgetItem(text))

    @staticmethod
    def _min_gap(diagnosis: Diagnosis) -> float:
        if diagnosis.metric != "regression":
            return diagnosis.thresholds.min_gap
        errors = [e for e in (diagnosis.human_error, diagnosis.train_error,
                              diagnosis.dev_error, diagnosis.test_error) if e is not None]
        return diagnosis.thresholds.min_relative_gap * max(errors)
