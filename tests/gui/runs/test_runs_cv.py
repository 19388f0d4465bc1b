"""Cross-validation groups in the runs table: the group's mean ± sd on every fold's row,
sortable and filterable like any column."""

from __future__ import annotations

from PySide6.QtCore import Qt

from tests.gui.runs.test_runs_panel import FakePrompts, add_run, cell, select, shown_ids
from dlstudio.config import RunConfig
from dlstudio.gui.runs.runs_model import COLUMN_INDEX
from dlstudio.gui.runs.runs_panel import RunsPanel
from dlstudio.store import Store
from dlstudio.training.run_groups import create_cross_validation, cross_validation_summary

CV = "CV dev (mean ± sd)"
TINY = RunConfig.from_dict({"data": {"name": "digits"}, "model": {"hidden": [16]},
                            "train": {"epochs": 1, "device": "cpu"}})


def finish_fold(db_path, run_id: int, train: float, dev: float, test: float) -> None:
    with Store(db_path) as store:
        store.end_run(run_id, "finished", {"metric_name": "accuracy", "train_metric": train,
                                           "dev_metric": dev, "test_metric": test})


def make(qtbot, context) -> RunsPanel:
    panel = RunsPanel(context, prompts=FakePrompts())
    qtbot.addWidget(panel)
    return panel


def test_every_fold_row_shows_the_groups_mean_and_spread(qtbot, db_path, app_context):
    with Store(db_path) as store:
        tag, folds = create_cross_validation(store, TINY, 3)
        single = add_run(store, summary={"metric_name": "accuracy", "dev_metric": 0.5})
    finish_fold(db_path, folds[0], 0.99, 0.90, 0.88)
    finish_fold(db_path, folds[1], 0.97, 0.80, 0.86)
    panel = make(qtbot, app_context)
    with Store(db_path) as store:
        dev = cross_validation_summary(store, tag)["dev_metric"]
    expected = f"{100 * dev['mean']:.2f} ± {100 * dev['std']:.2f} % (2/3 folds)"
    assert expected == "85.00 ± 7.07 % (2/3 folds)"
    ids = shown_ids(panel)
    for run_id in folds:  # the queued fold too: it belongs to the group
        assert cell(panel, ids.index(run_id), CV) == expected
    assert cell(panel, ids.index(single), CV) == ""
    tip = panel.proxy.index(ids.index(folds[0]), COLUMN_INDEX[CV]).data(
        Qt.ItemDataRole.ToolTipRole)
    assert tag in tip and "Train: 98.00 ± 1.41 %" in tip and "Test: 87.00 ± 1.41 %" in tip

    finish_fold(db_path, folds[2], 0.98, 0.85, 0.87)
    panel.refresh()
    assert cell(panel, shown_ids(panel).index(folds[2]), CV) == "85.00 ± 5.00 %"


def test_the_cv_column_sorts_by_the_mean_and_the_group_filters(qtbot, db_path, app_context):
    with Store(db_path) as store:
        low, low_folds = create_cross_validation(store, TINY, 2)
        _, high_folds = create_cross_validation(store, TINY, 2)
        single = add_run(store, summary={"metric_name": "accuracy", "dev_metric": 0.99})
    for run_id, dev in zip(low_folds + high_folds, (0.6, 0.7, 0.9, 0.95)):
        finish_fold(db_path, run_id, 1.0, dev, dev)
    panel = make(qtbot, app_context)
    panel.table.sortByColumn(COLUMN_INDEX[CV], Qt.SortOrder.DescendingOrder)
    assert shown_ids(panel)[:4] == sorted(high_folds, reverse=True) + \
        sorted(low_folds, reverse=True)
    assert shown_ids(panel)[-1] == single  # no group: at the bottom
    panel.tag_filter.setCurrentIndex(panel.tag_filter.findData(low))
    assert sorted(shown_ids(panel)) == low_folds


def test_the_context_menu_filters_to_the_runs_group(qtbot, db_path, app_context):
    with Store(db_path) as store:
        tag, folds = create_cross_validation(store, TINY, 2)
        add_run(store)
    panel = make(qtbot, app_context)
    select(panel, [folds[0]])
    menu = panel.context_menu()
    action = next(a for a in menu.actions() if a.text() == f"Show only the runs of {tag}")
    action.trigger()
    assert panel.tag_filter.currentData() == tag
    assert sorted(shown_ids(panel)) == folds


def test_the_cv_column_is_shown_only_when_there_is_a_group(qtbot, db_path, app_context):
    with Store(db_path) as store:
        add_run(store, summary={"metric_name": "accuracy", "dev_metric": 0.5})
    panel = make(qtbot, app_context)
    assert panel.table.isColumnHidden(COLUMN_INDEX[CV])
    with Store(db_path) as store:
        create_cross_validation(store, TINY, 2)
    panel.refresh()
    assert not panel.table.isColumnHidden(COLUMN_INDEX[CV])
