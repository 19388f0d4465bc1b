"""``dlstudio check`` on real files: intact, a damaged page the other commands never
read, and a row whose run is gone. The check changes nothing."""

from __future__ import annotations

import json
import sqlite3

from tests.damaged_files import database_with_points, metrics_root_page, overwrite_page
from tests.faults.processes import cli


def test_an_intact_file_is_said_intact(db_path):
    database_with_points(db_path)
    for flags in ([], ["--thorough"]):
        done = cli("check", "--db", db_path, *flags)
        assert done.returncode == 0, done.stderr
        assert done.stdout.startswith(f"database {db_path}: intact (")
        assert "20 runs" in done.stdout
    said = json.loads(cli("check", "--db", db_path, "--json").stdout)
    assert said["ok"] and said["runs"] == 20 and said["problems"] == []


def test_a_damaged_page_no_other_command_reads_is_found_and_nothing_changes(db_path):
    database_with_points(db_path)
    root = metrics_root_page(db_path)
    overwrite_page(db_path, root, b"\x00")  # the top of the metrics tree
    before = db_path.read_bytes()
    # Listing runs never reads the metrics, so it does not notice ...
    assert cli("runs", "--db", db_path).returncode == 0
    # ... the check does.
    done = cli("check", "--db", db_path)
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].startswith(f"database {db_path}: damaged, ") and "found:" in lines[0]
    assert any(line.startswith(f"  Page {root}: ") for line in lines[1:-1]), done.stdout
    assert lines[-1].startswith("Restore a backup, or recover what can be read")
    assert "Traceback" not in done.stderr
    said = json.loads(cli("check", "--db", db_path, "--json").stdout)
    assert not said["ok"] and said["problems"] and said["runs"] is None
    assert db_path.read_bytes() == before


def test_a_long_list_of_problems_says_there_may_be_more(db_path):
    database_with_points(db_path)
    # Past the page header: every cell pointer of the metrics tree's top page.
    overwrite_page(db_path, metrics_root_page(db_path), b"\x5a", skip=12)
    said = json.loads(cli("check", "--db", db_path, "--json").stdout)
    assert len(said["problems"]) == 101
    assert said["problems"][-1] == "the check lists the first 100 problems; there may be more"


def test_a_row_whose_run_is_gone_is_found(db_path):
    database_with_points(db_path, runs=2, points=3)
    conn = sqlite3.connect(db_path)  # foreign keys are off in a plain sqlite3 connection
    conn.execute("INSERT INTO tags (run_id, tag) VALUES (99, 'stray')")
    conn.commit()
    conn.close()
    done = cli("check", "--db", db_path)
    assert done.returncode == 1
    assert "  a tags row refers to a runs row that does not exist" in done.stdout.splitlines()


def test_a_file_that_is_not_a_database_is_refused_in_one_line(tmp_path):
    path = tmp_path / "notes.db"
    path.write_bytes(b"name,value\n" * 500)
    done = cli("check", "--db", path)
    assert done.returncode == 2
    assert done.stderr.startswith("error: ") and str(path) in done.stderr
