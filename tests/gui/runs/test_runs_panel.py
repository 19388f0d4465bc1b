"""The runs table: columns, filters, numeric sort, edits through the store, signals."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from dlstudio.config import RunConfig
from dlstudio.gui.runs.runs_model import COLUMN_INDEX, COLUMNS, RUN_ID_ROLE
from dlstudio.gui.runs.runs_panel import RunsPanel
from dlstudio.store import Store


def add_run(store: Store, *, optim: str = "adam", lr: float = 1e-3, dataset: str = "digits",
            status: str = "finished", summary: dict | None = None, name: str = "",
            tags: tuple[str, ...] = (), curves: dict | None = None) -> int:
    """A run row as training would leave it: config, summary, curves, tags."""
    config = RunConfig.from_dict({"data": {"name": dataset},
                                  "optim": {"name": optim, "lr": lr}}).to_dict()
    run_id = store.create_run(config, name=name)
    rows = []
    for key, values in (curves or {}).items():
        rows += [(run_id, key, step, 1 + step // 100, float(value), step * 0.01)
                 for step, value in enumerate(values, start=1)]
    if rows:
        store.write_metrics(rows)
    if status != "queued":
        store.end_run(run_id, status, summary or {})
    for tag in tags:
        store.add_tag(run_id, tag)
    return run_id


class FakePrompts:
    """Answers the panel's questions without dialogs and records them."""

    def __init__(self, confirm: bool = True, text: str | None = None):
        self.answer_confirm = confirm
        self.answer_text = text
        self.asked: list[str] = []

    def confirm(self, parent, title, question):
        self.asked.append(question)
        return self.answer_confirm

    def inform(self, parent, title, message):
        self.asked.append(message)

    def text(self, parent, title, label, current=""):
        self.asked.append(label)
        return self.answer_text

    multiline_text = text

    def save_path(self, parent, title, suggested, filters):
        self.asked.append(title)
        return self.answer_text


@pytest.fixture
def three_runs(db_path):
    with Store(db_path) as store:
        ids = [
            add_run(store, optim="adam", lr=0.0003, name="small adam", tags=("baseline",),
                    summary={"metric_name": "accuracy", "best_dev_metric": 0.9712,
                             "train_metric": 0.99, "dev_metric": 0.96, "duration": 75.0}),
            add_run(store, optim="sgd", lr=0.1, name="big sgd", status="diverged",
                    summary={"metric_name": "accuracy", "best_dev_metric": 0.5,
                             "duration": 9.5}),
            add_run(store, optim="rmsprop", lr=1e-05, dataset="diabetes", name="regression",
                    summary={"metric_name": "rmse", "best_dev_metric": 0.31,
                             "duration": 600.0}),
        ]
    return ids


def make_panel(qtbot, context, prompts=None) -> RunsPanel:
    panel = RunsPanel(context, prompts=prompts or FakePrompts())
    qtbot.addWidget(panel)
    return panel


def cell(panel: RunsPanel, row: int, header: str) -> str:
    return panel.proxy.index(row, COLUMN_INDEX[header]).data()


def shown_ids(panel: RunsPanel) -> list[int]:
    return [panel.proxy.index(row, 0).data(RUN_ID_ROLE) for row in range(panel.proxy.rowCount())]


def select(panel: RunsPanel, run_ids: list[int]) -> None:
    """Select these runs' rows in the table, as Ctrl+clicks do."""
    from PySide6.QtCore import QItemSelectionModel

    flags = QItemSelectionModel.SelectionFlag
    selection = panel.table.selectionModel()
    selection.clearSelection()
    for row in range(panel.proxy.rowCount()):
        index = panel.proxy.index(row, 0)
        if index.data(RUN_ID_ROLE) in run_ids:
            selection.select(index, flags.Select | flags.Rows)
            selection.setCurrentIndex(index, flags.NoUpdate)


def test_table_shows_every_run_with_its_columns(qtbot, db_path, three_runs, app_context):
    panel = make_panel(qtbot, app_context)
    headers = [panel.proxy.headerData(i, Qt.Orientation.Horizontal) for i in range(len(COLUMNS))]
    assert headers[:7] == ["ID", "Name", "Status", "Dataset", "Model", "Optimizer", "LR"]
    assert {"Best dev", "Train", "Dev", "Duration", "Created", "Tags"} <= set(headers)
    assert shown_ids(panel) == three_runs[::-1]  # newest first
    row = shown_ids(panel).index(three_runs[0])
    assert [cell(panel, row, h) for h in ("Name", "Status", "Dataset", "Model", "Optimizer",
                                          "LR", "Best dev", "Train", "Dev", "Duration",
                                          "Tags")] == [
        "small adam", "finished", "digits", "mlp", "adam", "0.0003", "97.12 %", "99.00 %",
        "96.00 %", "1 m 15 s", "baseline"]
    assert cell(panel, shown_ids(panel).index(three_runs[2]), "Best dev") == "0.31 RMSE"
    assert panel.pages.currentWidget() is panel.table


def test_empty_database_explains_how_to_start(qtbot, db_path, app_context):
    panel = make_panel(qtbot, app_context)
    assert panel.pages.currentWidget() is panel.empty_label
    assert "No runs yet" in panel.empty_label.text()
    assert "dlstudio train" in panel.empty_label.text()


def test_text_status_and_tag_filters(qtbot, db_path, three_runs, app_context):
    panel = make_panel(qtbot, app_context)
    panel.search.setText("SGD")
    assert shown_ids(panel) == [three_runs[1]]
    panel.search.setText("diabetes rmsprop")  # every word must match
    assert shown_ids(panel) == [three_runs[2]]
    panel.search.setText("no such run")
    assert panel.pages.currentWidget() is panel.empty_label
    assert "No run matches" in panel.empty_label.text()
    panel.search.clear()
    panel.status_filter.setCurrentIndex(panel.status_filter.findData("diverged"))
    assert shown_ids(panel) == [three_runs[1]]
    panel.status_filter.setCurrentIndex(0)
    panel.tag_filter.setCurrentIndex(panel.tag_filter.findData("baseline"))
    assert shown_ids(panel) == [three_runs[0]]
    assert panel.count_label.text().startswith("1 of 3 runs")


def test_numbers_sort_as_numbers(qtbot, db_path, three_runs, app_context):
    panel = make_panel(qtbot, app_context)
    panel.table.sortByColumn(COLUMN_INDEX["LR"], Qt.SortOrder.AscendingOrder)
    # As text "0.0003" < "0.1" < "1e-05"; as numbers 1e-05 comes first.
    assert [cell(panel, r, "LR") for r in range(3)] == ["1e-05", "0.0003", "0.1"]
    panel.table.sortByColumn(COLUMN_INDEX["Duration"], Qt.SortOrder.DescendingOrder)
    assert [cell(panel, r, "Duration") for r in range(3)] == ["10 m 00 s", "1 m 15 s", "9.5 s"]
    panel.table.sortByColumn(COLUMN_INDEX["Best dev"], Qt.SortOrder.AscendingOrder)
    assert shown_ids(panel) == [three_runs[2], three_runs[1], three_runs[0]]


def test_refresh_keeps_selection_and_sort(qtbot, db_path, three_runs, app_context):
    panel = make_panel(qtbot, app_context)
    panel.table.sortByColumn(COLUMN_INDEX["LR"], Qt.SortOrder.AscendingOrder)
    select(panel, [three_runs[0], three_runs[2]])
    with Store(db_path) as store:
        newest = add_run(store, lr=0.5, summary={"duration": 1.0})
    panel.refresh()
    assert sorted(panel.selected_run_ids()) == sorted([three_runs[0], three_runs[2]])
    assert shown_ids(panel)[-1] == newest  # the largest LR, still sorted by LR


def test_sorting_and_in_place_updates_keep_the_selection(qtbot, db_path, three_runs, app_context):
    panel = make_panel(qtbot, app_context)
    select(panel, [three_runs[1]])
    panel.table.sortByColumn(COLUMN_INDEX["Status"], Qt.SortOrder.AscendingOrder)
    assert panel.selected_run_ids() == [three_runs[1]]
    assert [cell(panel, r, "Status") for r in range(3)] == ["diverged", "finished", "finished"]
    with Store(db_path) as store:
        store.set_status(three_runs[0], "failed")  # "failed" sorts between the two
    panel.refresh()
    assert [cell(panel, r, "Status") for r in range(3)] == ["diverged", "failed", "finished"]
    assert shown_ids(panel)[1] == three_runs[0]
    assert panel.selected_run_ids() == [three_runs[1]]


def test_rename_tag_and_note_go_through_the_store(qtbot, db_path, three_runs, app_context):
    prompts = FakePrompts(text="renamed run")
    panel = make_panel(qtbot, app_context, prompts)
    select(panel, [three_runs[1]])
    panel.rename_button.click()
    prompts.answer_text = "lr too high, keep"
    panel.notes_button.click()
    prompts.answer_text = "bad, sgd ; lr"
    panel.tags_button.click()
    with Store(db_path) as store:
        run = store.get_run(three_runs[1])
    assert run["name"] == "renamed run"
    assert run["notes"] == "lr too high, keep"
    assert run["tags"] == ["bad", "lr", "sgd"]
    assert cell(panel, shown_ids(panel).index(three_runs[1]), "Name") == "renamed run"
    assert panel.selected_run_ids() == [three_runs[1]]
    panel.search.setText("too high")  # notes are searched too
    assert shown_ids(panel) == [three_runs[1]]


def test_tags_of_several_runs_edit_the_shared_ones(qtbot, db_path, three_runs, app_context):
    prompts = FakePrompts(text="best")
    panel = make_panel(qtbot, app_context, prompts)
    select(panel, [three_runs[0], three_runs[2]])
    panel.tags_button.click()  # nothing shared yet: adds "best" to both
    with Store(db_path) as store:
        assert store.get_run(three_runs[0])["tags"] == ["baseline", "best"]
        assert store.get_run(three_runs[2])["tags"] == ["best"]
    prompts.answer_text = ""
    panel.tags_button.click()  # removes the shared "best", keeps "baseline"
    with Store(db_path) as store:
        assert store.get_run(three_runs[0])["tags"] == ["baseline"]
        assert store.get_run(three_runs[2])["tags"] == []


def test_delete_asks_first_and_declining_keeps_the_run(qtbot, db_path, three_runs, app_context):
    prompts = FakePrompts(confirm=False)
    panel = make_panel(qtbot, app_context, prompts)
    select(panel, [three_runs[0]])
    panel.delete_button.click()
    assert "cannot be undone" in prompts.asked[-1]
    with Store(db_path) as store:
        assert len(store.list_runs()) == 3
    prompts.answer_confirm = True
    panel.delete_button.click()
    with Store(db_path) as store:
        assert [run["id"] for run in store.list_runs()] == [three_runs[2], three_runs[1]]
    assert shown_ids(panel) == [three_runs[2], three_runs[1]]
    assert panel.selected_run_ids() == []


def test_running_run_is_not_deleted(qtbot, db_path, app_context):
    with Store(db_path) as store:
        run_id = add_run(store, status="queued")
        store.start_run(run_id)
    prompts = FakePrompts(confirm=True)
    panel = make_panel(qtbot, app_context, prompts)
    select(panel, [run_id])
    panel.delete_button.click()
    assert "still running" in prompts.asked[-1]
    with Store(db_path) as store:
        assert store.get_run(run_id)["status"] == "running"


def test_a_run_that_started_since_the_table_was_read_is_not_deleted(qtbot, db_path,
                                                                     app_context):
    with Store(db_path) as store:
        waiting, other = add_run(store, status="queued"), add_run(store, status="finished")
    prompts = FakePrompts(confirm=True)
    panel = make_panel(qtbot, app_context, prompts)
    select(panel, [waiting, other])
    with Store(db_path) as store:
        store.start_run(waiting)  # the queue started it; the table still says queued
    panel.delete_button.click()
    assert prompts.asked[-1] == f"run {waiting}: still running; stop it first, then delete it"
    with Store(db_path) as store:
        assert [run["id"] for run in store.list_runs()] == [waiting]
    assert shown_ids(panel) == [waiting]


def test_run_again_open_and_compare_emit_signals(qtbot, db_path, three_runs, app_context):
    panel = make_panel(qtbot, app_context)
    select(panel, [three_runs[1]])
    with qtbot.waitSignal(panel.run_again_requested, timeout=1000) as again:
        panel.run_again_button.click()
    assert (again.args[0]["optim"]["name"], again.args[0]["optim"]["lr"]) == ("sgd", 0.1)
    assert RunConfig.from_dict(again.args[0]).optim.lr == 0.1
    with qtbot.waitSignal(panel.open_run_requested, timeout=1000) as opened:
        panel.table.doubleClicked.emit(panel.table.currentIndex())
    assert opened.args == [three_runs[1]]
    assert not panel.compare_button.isEnabled()
    select(panel, [three_runs[0], three_runs[2]])
    assert panel.compare_button.isEnabled()
    with qtbot.waitSignal(panel.compare_requested, timeout=1000) as compared:
        panel.compare_button.click()
    assert sorted(compared.args[0]) == sorted([three_runs[0], three_runs[2]])


def test_thousands_of_runs_sort_and_filter(qtbot, db_path, app_context):
    # How fast: benchmarks/runs_table.py (10,000 runs), not a wall-clock assert here.
    config = RunConfig().to_dict()
    with Store(db_path) as store:
        rows = [(f"run {i}", "finished", float(i), "{}") for i in range(3000)]
        with store._write() as conn:  # bulk set-up only; the panel uses the public API
            conn.executemany("INSERT INTO runs (name, status, created, config) "
                             "VALUES (?, ?, ?, ?)", rows)
        store.update_summary(1, {"best_dev_metric": 0.5, "metric_name": "accuracy"})
        store.create_run(config)
    panel = make_panel(qtbot, app_context)
    panel.table.sortByColumn(COLUMN_INDEX["Best dev"], Qt.SortOrder.DescendingOrder)
    panel.search.setText("2999")
    assert panel.proxy.rowCount() == 2  # id 2999 and the run named "run 2999"
    assert panel.count_label.text().startswith("2 of 3,001 runs")


def test_deleting_runs_says_when_the_file_holds_space_to_give_back(qtbot, db_path,
                                                                    app_context):
    from tests.damaged_files import database_with_points

    database_with_points(db_path, runs=4, points=20_000)  # ~0.8 MB of points a run
    prompts = FakePrompts(confirm=True)
    panel = make_panel(qtbot, app_context, prompts)
    said = []
    panel.status_message.connect(lambda text, ms: said.append(text))
    select(panel, [4])
    panel.delete_button.click()
    assert said == []  # under a megabyte: not worth a word
    select(panel, [1, 2])
    panel.delete_button.click()
    assert len(said) == 1 and said[0].endswith(
        "MB inside the database is free now: File > Compact database gives it back to the "
        "disk.")
