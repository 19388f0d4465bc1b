"""The runs table sizes its columns to the runs it shows as they come in, until the
user sizes a column by hand."""

from __future__ import annotations

from PySide6.QtCore import QPoint, Qt

from dlstudio.gui.runs.runs_model import COLUMN_INDEX
from dlstudio.store import Store
from tests.gui.runs.test_runs_panel import add_run, make_panel

LR = COLUMN_INDEX["LR"]


def lr_text_width(panel, row: int) -> int:
    index = panel.model.index(row, LR)
    return panel.table.fontMetrics().horizontalAdvance(index.data())


def test_columns_grow_to_new_runs_until_the_user_sizes_one(qtbot, app_context, db_path):
    with Store(db_path) as store:
        add_run(store, lr=0.01, name="first")
    panel = make_panel(qtbot, app_context)
    panel.resize(1200, 600)
    header = panel.table.header()
    first = header.sectionSize(LR)
    with Store(db_path) as store:  # a sweep's learning rates print longer than 0.01
        add_run(store, lr=0.000177893, name="trial")
    panel.refresh()
    assert header.sectionSize(LR) > first
    assert header.sectionSize(LR) >= lr_text_width(panel, 0)
    # The user drags the right edge of the LR column's header to make it narrow.
    edge = header.sectionViewportPosition(LR) + header.sectionSize(LR) - 1
    middle = header.height() // 2
    qtbot.mousePress(header.viewport(), Qt.MouseButton.LeftButton, pos=QPoint(edge, middle))
    qtbot.mouseMove(header.viewport(), QPoint(edge - 40, middle))
    qtbot.mouseRelease(header.viewport(), Qt.MouseButton.LeftButton,
                       pos=QPoint(edge - 40, middle))
    chosen = header.sectionSize(LR)
    assert chosen < lr_text_width(panel, 0)
    with Store(db_path) as store:
        add_run(store, lr=0.000123456789, name="another")
    panel.refresh()
    assert header.sectionSize(LR) == chosen  # the user's width stays
