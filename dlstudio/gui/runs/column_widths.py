"""Column widths for the runs table from the first screenful of rows.

``QHeaderView.resizeSections(ResizeToContents)`` asks the view for every column's size
hint, which on a tree of 10,000 runs took over half a second here even with a small
resize precision; the first rows' texts measured with the font give the same widths.
"""

from __future__ import annotations

from PySide6.QtCore import Qt
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
