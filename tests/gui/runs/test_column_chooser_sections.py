"""The runs table's summary columns are listed by section, as Compare lists metrics."""

from __future__ import annotations

from PySide6.QtWidgets import QWidgetAction

import dlstudio
from tests.gui.runs.test_runs_grouping import make_panel
from tests.real_runs import real_db, real_runs_master  # noqa: F401


def test_summary_values_are_listed_under_their_sections(qtbot, real_db, qt_settings):
    with dlstudio.start_run({"lr": 0.1}, name="api script", db=real_db) as run:
        run.log({"train/loss": 1.0}, step=0)
        run.summary["test/accuracy"] = 0.93
        run.summary["test/loss"] = 0.21
        run.summary["sys.gpu_util"] = 55.0
    panel = make_panel(qtbot, real_db, qt_settings)
    menu = panel.view_controls.columns_button.build_menu()
    submenus = {action.text(): action.menu() for action in menu.actions() if action.menu()}
    entries = [action.defaultWidget().text() if isinstance(action, QWidgetAction)
               else action.text() for action in submenus["Summary values"].actions()]
    headers = [text for text in entries if "  (" in text]
    assert headers[0].startswith("Charts") and headers[1:] == ["test  (2)", "System  (1)"]
    test = entries.index("test  (2)")
    assert entries[test + 1:test + 3] == ["test/accuracy", "test/loss"]
    assert entries[entries.index("System  (1)") + 1] == "sys.gpu_util"
    config = [a.text() for a in submenus["Config keys"].actions()]
    assert "optim.lr" in config and not any("  (" in text for text in config)
    accuracy = next(a for a in submenus["Summary values"].actions()
                    if a.text() == "test/accuracy")
    accuracy.trigger()
    assert [c.header for c in panel.model.columns][-1] == "test/accuracy"
