"""The runs table reads configs undecoded (only the shown values, through SQLite) and
decodes a run's config and environment when a row needs them: the cells, tooltips,
"Run again", grouping and key columns still see every run's real config, nested or
free-form."""

from __future__ import annotations

from PySide6.QtCore import Qt

import dlstudio
from dlstudio.config import RunConfig
from dlstudio.gui.runs.runs_model import COLUMN_INDEX
from dlstudio.store import Store
from tests.gui.runs.test_runs_panel import cell, make_panel, select, shown_ids


def script_run(db_path, config: dict, name: str) -> int:
    with dlstudio.start_run(config=config, name=name, db=db_path) as run:
        run.log({"loss": 0.5}, step=1)
    return run.id


def test_free_form_configs_show_in_the_standard_columns(qtbot, db_path, app_context):
    flat = script_run(db_path, {"optim.lr": 0.01, "optim.name": "adam",
                                "model": {"name": "resnet"}}, "flat keys")
    text_model = script_run(db_path, {"lr": 3e-4, "model": "my-resnet"}, "text model")
    twice = script_run(db_path, {"optim": {"lr": 0.2}, "optim.lr": 0.3}, "spelled twice")
    panel = make_panel(qtbot, app_context)
    row = shown_ids(panel).index
    assert [cell(panel, row(flat), h) for h in ("Model", "Optimizer", "LR")] == [
        "resnet", "adam", "0.01"]
    assert [cell(panel, row(text_model), h) for h in ("Model", "Optimizer", "LR")] == [
        "", "", ""]
    assert cell(panel, row(twice), "LR") == "0.3"  # as a config:optim.lr column reads it
    panel.search.setText("resnet")
    assert shown_ids(panel) == [flat]
    panel.search.clear()
    panel.table.sortByColumn(COLUMN_INDEX["LR"], Qt.SortOrder.DescendingOrder)
    assert shown_ids(panel) == [twice, flat, text_model]


def test_a_rows_whole_run_is_read_when_the_row_needs_it(qtbot, db_path, app_context):
    script = script_run(db_path, {"lr": 1e-3}, "a script")
    with Store(db_path) as store:
        trained = store.create_run(RunConfig.from_dict({
            "optim": {"name": "sgd", "lr": 0.1, "momentum": 0.5}}).to_dict(), name="sgd")
        other = store.create_run(RunConfig.from_dict({
            "optim": {"name": "adam", "lr": 0.002}}).to_dict(), name="adam")
        for run_id in (trained, other):
            store.end_run(run_id, "finished", {"best_dev_metric": 0.9})
        expected = store.get_run(trained)["config"]
    panel = make_panel(qtbot, app_context)
    tip = panel.model.index(shown_ids(panel).index(script), 0).data(
        Qt.ItemDataRole.ToolTipRole)
    assert "Versions: python " in tip and "host " in tip  # its environment, decoded
    select(panel, [trained])
    with qtbot.waitSignal(panel.run_again_requested, timeout=1000) as again:
        panel.run_again_button.click()
    assert again.args[0] == expected
    assert not panel.run_again_button.isHidden()
    select(panel, [script])
    assert panel.run_again_button.isHidden()  # a script's run: nothing to train again

    combo = panel.view_controls.group_by
    combo.showPopup()  # as a click does: the keys to group by are listed then
    combo.setCurrentIndex(combo.findData("config:optim.name"))
    combo.hidePopup()
    labels = sorted(panel.model.index(row, 1).data() for row in range(panel.model.rowCount()))
    assert labels == ["optim.name = (not set)  (1 run)", "optim.name = adam  (1 run)",
                      "optim.name = sgd  (1 run)"]
    panel.model.set_key_columns(["config:optim.momentum"])
    momentum = len(panel.model.columns) - 1
    combo.setCurrentIndex(combo.findData("none"))
    assert {panel.model.index(row, 0).data(): panel.model.index(row, momentum).data()
            for row in range(panel.model.rowCount())} == {
        str(trained): "0.5", str(other): "0.9", str(script): ""}
