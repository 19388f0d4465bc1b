"""Compare's panels in sections, as W&B's workspace: one collapsible section per metric
prefix (``dlstudio.metric_sections``), each a grid of panels, one legend above them all.

The sections scroll; their rows share the height there is, but never get lower than
``MIN_ROW_HEIGHT``. Every panel's x axis is linked to the first one's, across sections.
A collapsed section draws nothing (its curves are not even read). ``export`` writes
the legend and the open sections as one PNG or SVG of the size asked for.
"""

from __future__ import annotations

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QFrame, QScrollArea, QToolButton, QVBoxLayout, QWidget

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)
from dlstudio.gui.compare.metric_panel_grid import INK, MetricPanelGrid, Series
from dlstudio.gui.compare.panel_export import export_sections
from dlstudio.gui.compare.run_curves_plot import run_color

MIN_ROW_HEIGHT = 220
LEGEND_COLUMNS = 2
LEGEND_BRUSH, LEGEND_PEN = (255, 255, 255, 235), "#999999"


class PanelSection(QWidget):
    """A header that opens and closes the section, and the section's grid."""

    toggled = Signal(str, bool)  # name, collapsed now

    def __init__(self, name: str, parent: QWidget | None = None):
        super().__init__(parent)
        self.name = name
        self.header = QToolButton()
        self.header.setCheckable(True)
        self.header.setChecked(True)
        self.header.setAutoRaise(True)
        self.header.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.header.setStyleSheet("font-weight: bold;")
        self.header.setToolTip(f"Show or hide the panels of section {name}")
        self.grid = MetricPanelGrid()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 4)
        layout.setSpacing(0)
        layout.addWidget(self.header, 0, Qt.AlignmentFlag.AlignLeft)
        layout.addWidget(self.grid)
        self.header.toggled.connect(self._on_header_toggled)

    @Slot(bool)
    def _on_header_toggled(self, expanded: bool) -> None:
        self.toggled.emit(self.name, not expanded)

    @property
    def collapsed(self) -> bool:
        return not self.header.isChecked()

    def set_state(self, count: int, collapsed: bool) -> None:
        self.header.blockSignals(True)
        self.header.setChecked(not collapsed)
        self.header.blockSignals(False)
        self.header.setArrowType(Qt.ArrowType.RightArrow if collapsed else Qt.ArrowType.DownArrow)
        self.header.setText(f"{self.name}  ({count} panel{'s' if count != 1 else ''})")
        self.grid.setVisible(not collapsed)


class SectionedPanels(QWidget):
    """``show_sections`` draws the sections; ``plots`` maps every shown key to its plot,
    ``sections`` a section's name to its ``PanelSection``."""

    section_toggled = Signal(str, bool)  # section, collapsed now

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.legend_view = pg.GraphicsLayoutWidget()
        self.legend_view.setBackground("w")
        self.legend: pg.LegendItem | None = None
        self.sections: dict[str, PanelSection] = {}
        self.body = QWidget()
        self.body_layout = QVBoxLayout(self.body)
        self.body_layout.setContentsMargins(0, 0, 0, 0)
        self.body_layout.setSpacing(2)
        self.scroll = QScrollArea()
        self.scroll.setWidgetResizable(True)
        self.scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.scroll.setWidget(self.body)
        self.scroll.viewport().installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.legend_view)
        layout.addWidget(self.scroll, 1)

    @property
    def plots(self) -> dict[str, pg.PlotItem]:
        return {key: plot for section in self.sections.values()
                for key, plot in section.grid.plots.items()}

    def show_sections(self, sections: list[tuple[str, dict[str, list[Series]] | int]],
                      titles: dict[str, str], groups: list[str], draw: str, x_label: str,
                      wall_time: bool, log_y: bool) -> None:
        """Each section as ``(name, {key: series})``, or ``(name, panel count)`` for a
        collapsed one, in order."""
        self._keep_only([name for name, _ in sections])
        first, legend_items = None, {}
        for name, panels in sections:
            section = self.sections[name]
            collapsed = isinstance(panels, int)
            section.set_state(panels if collapsed else len(panels), collapsed)
            named = section.grid.show_panels({} if collapsed else panels, titles, groups,
                                             draw, x_label, wall_time, log_y, first)
            for group, item in named.items():
                legend_items.setdefault(group, item)
            if first is None and section.grid.plots:
                first = next(iter(section.grid.plots.values()))
        self._show_legend(legend_items, groups)
        self._fit_rows()

    def _keep_only(self, names: list[str]) -> None:
        while self.body_layout.count():
            self.body_layout.takeAt(0)
        for name in [n for n in self.sections if n not in names]:
            self.sections.pop(name).deleteLater()
        for name in names:
            if name not in self.sections:
                section = self.sections[name] = PanelSection(name, self.body)
                section.toggled.connect(self.section_toggled)
            self.body_layout.addWidget(self.sections[name])
        self.body_layout.addStretch(1)

    def _show_legend(self, drawn: dict[int, pg.PlotDataItem], groups: list[str]) -> None:
        # Every group is listed, also one whose panels are all collapsed or lack its keys.
        self.legend_view.clear()
        self.legend = pg.LegendItem(brush=pg.mkBrush(*LEGEND_BRUSH), pen=pg.mkPen(LEGEND_PEN),
                                    labelTextColor=INK, colCount=LEGEND_COLUMNS)
        self.legend_view.addItem(self.legend)
        for group, label in enumerate(groups):
            item = drawn.get(group) or pg.PlotDataItem(pen=pg.mkPen(run_color(group)),
                                                       name=label)
            self.legend.addItem(item, item.name())
        if self.legend.layout.preferredSize().width() > self.legend_view.width() - 20:
            self.legend.setColumnCount(1)  # long labels (configs): one per line, uncut
        margins = self.legend_view.ci.layout.getContentsMargins()
        height = self.legend.layout.preferredSize().height() + margins[1] + margins[3]
        self.legend_view.setFixedHeight(int(height) + 2)
        self.legend_view.setVisible(bool(groups))

    def _fit_rows(self) -> None:
        # Rows share the visible height (so a few panels fill the view as one grid
        # did), down to MIN_ROW_HEIGHT, below which the sections scroll instead.
        opened = [s for s in self.sections.values() if not s.collapsed and s.grid.plots]
        rows = sum(s.grid.rows() for s in opened)
        headers = sum(s.header.sizeHint().height() + 6 for s in self.sections.values())
        free = self.scroll.viewport().height() - headers
        row_height = max(MIN_ROW_HEIGHT, free // rows) if rows else MIN_ROW_HEIGHT
        for section in opened:
            section.grid.setFixedHeight(section.grid.rows() * row_height)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.scroll.viewport() and event.type() == QEvent.Type.Resize:
            self._fit_rows()
        return super().eventFilter(watched, event)

    def export(self, path: str | Path, width: int, height: int) -> Path:
        """Write the legend and the open sections as a ``width`` x ``height`` PNG or SVG."""
        parts = [(s.header.text(), s.grid) for s in self.sections.values()
                 if not s.collapsed and s.grid.plots]
        legend = self.legend_view if self.legend_view.isVisibleTo(self) else None
        return export_sections(path, width, height, legend, parts)
