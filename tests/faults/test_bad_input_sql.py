"""Text a user types that reaches SQL (filters, sorts, tags, names, notes, run and sweep
references) is passed as parameters: injection strings are stored and matched as plain
text, and the database is unchanged otherwise."""

from __future__ import annotations

import json
import sqlite3

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dlstudio.errors import ConfigError
from dlstudio.store import Store
from dlstudio.store.runs import RUN_STATUSES
from tests.bad_input import run_cli, tried

INJECTIONS = [
    "'; DROP TABLE runs; --", "\"; DROP TABLE runs; --", "x' OR '1'='1", "1 OR 1=1",
    "') OR 1=1 --", "%", "_", "\\", "%' ESCAPE '", "*/ DELETE FROM metrics; /*",
    "best_dev_metric\") IS NULL; DELETE FROM runs; --", "$.\"x\"", "name; DROP TABLE tags",
    "runs.id DESC; DELETE FROM runs", "\x00", "' UNION SELECT sql FROM sqlite_master --",
    "ﾟ∀ﾟ'); --", "id); ATTACH DATABASE '/tmp/x.db' AS x; --",
]
TEXT = st.sampled_from(INJECTIONS) | st.text(
    alphabet=st.characters(blacklist_categories=("Cs",)), max_size=30)


def _fingerprint(store: Store) -> tuple:
    conn = store.db.conn
    tables = conn.execute("SELECT name, sql FROM sqlite_master ORDER BY name").fetchall()
    counts = tuple(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
                   for table in ("runs", "metrics", "tags", "sweeps", "trials"))
    return tuple(tables), counts


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    with Store(tmp_path_factory.mktemp("sql") / "runs.db") as opened:
        for index in range(3):
            run_id = opened.create_run({"data": {"name": "iris"}}, name=f"plain {index}")
            opened.write_metrics([(run_id, "loss", step, 1, 1.0 / step, 0.0)
                                  for step in range(1, 6)])
            opened.add_tag(run_id, "baseline")
            opened.update_summary(run_id, {"best_dev_metric": 0.5 + index / 10})
        yield opened


@settings(max_examples=200, deadline=None)
@given(text=TEXT)
def test_filters_and_sorts_treat_text_as_text(store, text):
    tried("SQL text (filters, sorts)")
    before = _fingerprint(store)
    store.list_runs(text=text)
    store.list_runs(tag=text)
    try:
        store.list_runs(sort_by=text)
    except ConfigError as error:
        assert "sort_by" in str(error)
    if text in RUN_STATUSES:  # hypothesis can draw a real status: a filter, not an error
        store.list_runs(status=text)
    else:
        with pytest.raises(ConfigError):
            store.list_runs(status=text)
    assert _fingerprint(store) == before


@settings(max_examples=150, deadline=None)
@given(text=TEXT)
def test_names_notes_and_tags_are_stored_verbatim(store, text):
    tried("SQL text (names, notes, tags)")
    run_id = store.create_run({"name": text}, name=text or "x")
    before = _fingerprint(store)
    store.rename_run(run_id, text)
    store.set_notes(run_id, text)
    run = store.get_run(run_id)
    assert run["name"] == text and run["notes"] == text
    if text.strip():
        store.add_tag(run_id, text)
        assert store.get_run(run_id)["tags"] == [text.strip()]
        assert [r["id"] for r in store.list_runs(tag=text.strip())] == [run_id]
        store.remove_tag(run_id, text)
    if text:
        assert run_id in [r["id"] for r in store.list_runs(text=text)]
    sweep_id = store.create_sweep(text, {"note": text})
    assert store.get_sweep(sweep_id)["name"] == text
    store.db.conn.execute("DELETE FROM sweeps WHERE id = ?", (sweep_id,))
    assert _fingerprint(store) == before
    store.delete_run(run_id)


def test_the_cli_passes_injection_strings_as_text(tmp_path):
    db = tmp_path / "runs.db"
    with Store(db) as store:
        run_id = store.create_run({"data": {"name": "iris"}}, name="keep me")
        store.add_tag(run_id, "keep")
    for text in INJECTIONS:
        if "\x00" in text:
            continue  # not passable as a command-line argument
        tried("SQL text (dlstudio runs/show/sweeps)")
        for argv in (["runs", "--filter", text, "--json"], ["runs", "--tag", text, "--json"],
                     ["runs", "--sort", text, "--json"], ["show", text],
                     ["sweep-resume", text], ["delete", text], ["diagnose", text]):
            code, out, err = run_cli(*argv, "--db", db)
            assert "Traceback" not in err
            assert code in (0, 2), (argv, err)
            if code == 0 and argv[0] == "runs":
                assert isinstance(json.loads(out), list)
    with Store(db) as store:
        assert [r["name"] for r in store.list_runs()] == ["keep me"]
        assert store.get_run(run_id)["tags"] == ["keep"]
    conn = sqlite3.connect(db)
    assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    conn.close()
