"""Column widths for the runs table from the first screenful of rows.

``QHeaderView.resizeSections(ResizeToContents)`` asks the view for every column's size
hint, which on a tree of 10,000 runs took over half a second here even with a small
resize precision; the first rows' texts measured with the font give the same widths.
They are measured again as runs come in (a sweep's learning rates are longer than the
first run's) until the user sizes a column by hand (``ColumnSizing``).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Slot
from PySide6.QtGui import QFont, QFontMetrics
from PySide6.QtWidgets import QTreeView

from dlstudio.gui import qt_compat  # noqa: F401  (PySide6 6.12 refcount fix)

SAMPLE_ROWS = 60
PADDING = 18  # cell margins and the sort arrow


def fit_columns(view: QTreeView, sample_rows: int = SAMPLE_ROWS) -> None:
    """Size each column to its header and its widest text among the first rows."""
    model, header = view.model(), view.header()
    metrics = view.fontMetrics()
    rows = min(model.rowCount(), sample_rows)
    for column in range(model.columnCount()):
        title = model.headerData(column, Qt.Orientation.Horizontal) or ""
        widest = metrics.horizontalAdvance(str(title)) + PADDING
        for row in range(rows):
            index = model.index(row, column)
            text = index.data()
            if text:
                font = index.data(Qt.ItemDataRole.FontRole)  # a group row is bold
                width = (QFontMetrics(font) if isinstance(font, QFont) else metrics
                         ).horizontalAdvance(str(text))
                widest = max(widest, width + PADDING + (view.indentation() if column == 0
                                                        else 0))
        header.resizeSection(column, widest)


class ColumnSizing(QObject):
    """Whether the user has sized a column of ``view`` by hand: dragged a column's edge
    or double-clicked it. Widths set by the program, or by the view stretching its
    last column, do not count."""

    def __init__(self, view: QTreeView):
        super().__init__(view)
        self.by_user = False
        self._dragging = False
        header = view.header()
        header.viewport().installEventFilter(self)
        header.sectionResized.connect(self._on_section_resized)
        header.sectionHandleDoubleClicked.connect(self._on_handle_double_clicked)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Type.MouseButtonPress:
            self._dragging = True
        elif event.type() == QEvent.Type.MouseButtonRelease:
            self._dragging = False
        return False

    @Slot(int, int, int)
    def _on_section_resized(self, _section: int, _old: int, _new: int) -> None:
        if self._dragging:
            self.by_user = True

    @Slot(int)
    def _on_handle_double_clicked(self, _section: int) -> None:
        self.by_user = True
