"""The runs table on real runs and a real sweep: grouping, the run query with completion,
the column chooser (remembered), CSV export of the table as shown."""

from __future__ import annotations

import csv
import os

import pytest
from PySide6.QtCore import QSettings, Qt

from dlstudio.gui.runs.query_bar import QueryBar
from dlstudio.gui.runs.runs_model import COLUMN_INDEX, GROUP_ROLE, RUN_ID_ROLE
from dlstudio.gui.runs.runs_panel import RunsPanel
from dlstudio.store import Store
from tests.gui.helpers import open_context
from tests.gui.runs.test_runs_panel import FakePrompts
from tests.real_runs import SWEEP_TRIALS, real_db, real_runs_master  # noqa: F401

SHOTS = os.environ.get("DLSTUDIO_SCREENSHOTS")  # a folder: save what the tests show
def make_panel(qtbot, db, settings: QSettings, prompts=None) -> RunsPanel:
    context = open_context(db, settings)
    panel = RunsPanel(context, prompts=prompts or FakePrompts())
    qtbot.addWidget(panel)
    panel.resize(1300, 700)
    return panel


def top_rows(panel: RunsPanel) -> list:
    return [panel.model.index(row, 0) for row in range(panel.model.rowCount())]


def choose_group(panel: RunsPanel, mode: str) -> None:
    combo = panel.view_controls.group_by
    combo.showPopup()  # as a click does: the keys to group by are listed then
    combo.setCurrentIndex(combo.findData(mode))
    combo.hidePopup()


def test_a_sweep_is_one_collapsed_row_with_its_trials_best_first(qtbot, real_db, qt_settings):
    panel = make_panel(qtbot, real_db, qt_settings)
    groups = [index for index in top_rows(panel) if index.data(GROUP_ROLE)]
    assert [index.data(GROUP_ROLE) for index in groups] == ["sweep:1"]
    sweep = groups[0]
    assert sweep.siblingAtColumn(COLUMN_INDEX["Name"]).data() == (
        f"sweep 1 'tiny-random'  ({SWEEP_TRIALS} runs)")
    assert len(top_rows(panel)) == 1 + 6 + 1  # the sweep, six seed runs, the script run
    assert not panel.table.isExpanded(sweep)  # trials hidden until opened
    assert panel.model.rowCount(sweep) == SWEEP_TRIALS
    with Store(real_db) as store:
        best_first = [run["id"] for run in store.list_runs(sweep_id=1, sort_by="best_dev_metric")]
    children = [panel.model.index(row, 0, sweep).data(RUN_ID_ROLE)
                for row in range(SWEEP_TRIALS)]
    assert children == best_first
    assert sweep.siblingAtColumn(COLUMN_INDEX["Best dev"]).data() == panel.model.index(
        0, COLUMN_INDEX["Best dev"], sweep).data()
    panel.table.expand(sweep)
    panel.view_controls.query_bar.edit.setText("tag:seeds-adam or sweep:1")
    qtbot.waitUntil(lambda: panel.model.shown_run_count() == SWEEP_TRIALS + 3)
    sweep = next(index for index in top_rows(panel) if index.data(GROUP_ROLE))
    assert panel.table.isExpanded(sweep)  # stays open when the filter changes
    if SHOTS:
        panel.show()
        qtbot.waitExposed(panel)
        panel.grab().save(os.path.join(SHOTS, "runs_grouped_by_sweep.png"))


def test_selecting_a_group_row_compares_all_its_runs(qtbot, real_db, qt_settings):
    panel = make_panel(qtbot, real_db, qt_settings)
    choose_group(panel, "tag")
    labels = {index.siblingAtColumn(1).data().split("  (")[0]: index for index in top_rows(panel)}
    assert {"seeds-adam", "seeds-sgd", "baseline", "(no tag)"} <= set(labels)
    panel.table.setCurrentIndex(labels["seeds-sgd"])
    assert len(panel.selected_run_ids()) == 3
    with qtbot.waitSignal(panel.compare_requested) as blocker:
        panel.compare_button.click()
    with Store(real_db) as store:
        assert set(blocker.args[0]) == {r["id"] for r in store.list_runs(tag="seeds-sgd")}


def test_group_by_a_config_key_is_remembered(qtbot, real_db, qt_settings):
    panel = make_panel(qtbot, real_db, qt_settings)
    choose_group(panel, "config:optim.name")
    labels = sorted(index.siblingAtColumn(1).data() for index in top_rows(panel))
    assert labels == ["optim.name = (not set)  (1 run)", "optim.name = adam  (" +
                      f"{labels[1].split('(')[1]}", labels[2]]
    assert sum(panel.model.rowCount(index) for index in top_rows(panel)) == SWEEP_TRIALS + 7
    again = make_panel(qtbot, real_db, qt_settings)
    assert again.view_controls.group_by.currentData() == "config:optim.name"
    choose_group(again, "none")
    assert len(top_rows(again)) == SWEEP_TRIALS + 7


def test_query_filters_names_errors_and_completes_keys(qtbot, real_db, qt_settings):
    panel = make_panel(qtbot, real_db, qt_settings)
    bar = panel.view_controls.query_bar
    bar.edit.setText("optim.name = adam and best_dev_metric > 0.5 and tag:seeds-adam")
    qtbot.waitUntil(lambda: panel.model.shown_run_count() == 3)
    assert "3 of 17 runs" in panel.count_label.text()
    bar.edit.setText("optim.name = = adam")
    qtbot.waitUntil(lambda: bar.message.isVisibleTo(panel))
    assert bar.message.text() == ("Query not applied: query, position 14: expected a value "
                                  "after 'optim.name =', got '='")
    assert panel.model.shown_run_count() == 3  # the last good query still applies
    panel.search.setText("sgd")  # the plain-text filter works alongside: none of the 3
    qtbot.waitUntil(lambda: panel.model.shown_run_count() == 0)
    assert panel.pages.currentWidget() is panel.empty_label
    panel.search.clear()
    bar.edit.clear()
    qtbot.waitUntil(lambda: panel.model.shown_run_count() == SWEEP_TRIALS + 7)
    assert not bar.message.isVisibleTo(panel)
    bar.edit.setFocus()
    qtbot.keyClicks(bar.edit, "lr < 0.001 and optim.n")
    completer = bar.completer
    # Only the word under the cursor is completed; the text before it stays.
    assert completer.currentCompletion() == "lr < 0.001 and optim.name"
    keys = bar.keys_model.stringList()
    assert {"tag:seeds-adam", "sweep:1", "best_dev_metric", "model", "status"} <= set(keys)


def test_chosen_columns_are_remembered_and_exported_as_shown(qtbot, real_db, qt_settings,
                                                             tmp_path):
    prompts = FakePrompts()
    panel = make_panel(qtbot, real_db, qt_settings, prompts)
    menu = panel.view_controls.columns_button.build_menu()
    submenus = {action.text(): action.menu() for action in menu.actions() if action.menu()}
    momentum = next(a for a in submenus["Config keys"].actions() if a.text() == "optim.lr")
    test_loss = next(a for a in submenus["Summary values"].actions() if a.text() == "test_loss")
    dataset = next(a for a in menu.actions() if a.text() == "Dataset")
    momentum.trigger()
    test_loss.trigger()
    dataset.trigger()  # hide
    headers = [c.header for c in panel.model.columns]
    assert headers[-2:] == ["optim.lr", "test_loss"]
    assert panel.table.isColumnHidden(COLUMN_INDEX["Dataset"])
    again = make_panel(qtbot, real_db, qt_settings, prompts)
    assert [c.header for c in again.model.columns][-2:] == ["optim.lr", "test_loss"]
    assert again.table.isColumnHidden(COLUMN_INDEX["Dataset"])
    again.view_controls.query_bar.edit.setText("tag:seeds-sgd")
    qtbot.waitUntil(lambda: again.model.shown_run_count() == 3)
    prompts.answer_text = str(tmp_path / "runs.csv")
    again.view_controls.export_button.click()
    rows = list(csv.reader(open(tmp_path / "runs.csv", encoding="utf-8")))
    assert rows[0][:3] == ["Group", "ID", "Name"] and "Dataset" not in rows[0]
    assert rows[0][-2:] == ["optim.lr", "test_loss"]
    assert [row[rows[0].index("optim.lr")] for row in rows[1:]] == ["0.05"] * 3
    assert len(rows) == 1 + 3


@pytest.mark.parametrize("mode", ["none", "sweep", "tag", "config:optim.name"])
def test_sorting_keeps_groups_best_first(qtbot, real_db, qt_settings, mode):
    panel = make_panel(qtbot, real_db, qt_settings)
    choose_group(panel, mode)
    panel.table.sortByColumn(COLUMN_INDEX["LR"], Qt.SortOrder.AscendingOrder)
    for index in top_rows(panel):
        scores = [panel.model.index(row, COLUMN_INDEX["Best dev"], index).data(
            Qt.ItemDataRole.UserRole + 1) for row in range(panel.model.rowCount(index))]
        assert scores == sorted(scores, reverse=True)


def test_a_word_with_no_completion_completes_to_nothing(qtbot):
    bar = QueryBar()  # no keys offered: a fresh database
    qtbot.addWidget(bar)
    qtbot.keyClicks(bar.edit, "zz")
    assert bar.completer.currentCompletion() == ""
    assert bar.text() == "zz"


def test_keys_offered_follow_the_runs_read_at_each_refresh(qtbot, real_db, qt_settings):
    panel = make_panel(qtbot, real_db, qt_settings)
    combo, bar = panel.view_controls.group_by, panel.view_controls.query_bar
    combo.showPopup()
    assert combo.findData("config:optim.name") >= 0
    assert combo.findData("config:loss.kind") < 0
    combo.hidePopup()
    with Store(real_db) as store:  # another writer's runs, with a key no run had
        for kind in ("huber", "mse"):
            run_id = store.create_run({"loss": {"kind": kind}}, name=f"script {kind}")
            store.end_run(run_id, "finished", {"best_dev_metric": 0.5, "script/score": 1.0})
    panel.refresh()
    combo.showPopup()  # listed when the box is next opened
    assert combo.findData("config:loss.kind") >= 0
    combo.hidePopup()
    qtbot.keyClicks(bar.edit, "script/")  # and completed when the query box is next used
    assert "script/score" in bar.keys_model.stringList()
    assert bar.completer.currentCompletion() == "script/score"


def test_keys_to_group_by_are_there_when_the_box_gets_the_keyboard(qtbot, real_db,
                                                                   qt_settings):
    panel = make_panel(qtbot, real_db, qt_settings)
    panel.show()
    qtbot.waitExposed(panel)
    combo = panel.view_controls.group_by
    combo.setFocus(Qt.FocusReason.TabFocusReason)  # as Tab reaches it
    qtbot.waitUntil(combo.hasFocus)
    wanted = combo.findData("config:optim.name")
    assert wanted > combo.currentIndex() >= 0
    for _ in range(wanted - combo.currentIndex()):
        qtbot.keyClick(combo, Qt.Key.Key_Down)
    assert panel.model.group_mode == "config:optim.name"


def test_a_group_box_with_nothing_chosen_keeps_the_grouping(qtbot, real_db, qt_settings):
    # setCurrentIndex(-1) (no item) once crashed the slot and left the model half reset.
    panel = make_panel(qtbot, real_db, qt_settings)
    choose_group(panel, "tag")
    panel.view_controls.group_by.setCurrentIndex(-1)
    assert panel.model.group_mode == "tag"
    assert qt_settings.value("runs/group_by") == "tag"
    assert panel.model.shown_run_count() == panel.model.run_count()
