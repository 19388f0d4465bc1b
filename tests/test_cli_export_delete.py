"""``dlstudio export`` never overwrites what it should not; ``dlstudio delete`` removes
only the checkpoints the database owns and says what it removed."""

from __future__ import annotations

import io
import os
import pty
import select
import subprocess
import time
import shutil

import pytest

from dlstudio.cli import main
from dlstudio.store import Store

FAST = ["--set", "data.name=iris", "--set", "model.hidden=[8]", "--set", "train.epochs=2",
        "--set", "train.device=cpu"]


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def trained(db_path, capsys):
    code, _, _ = _run(capsys, "train", "--db", db_path, *FAST)
    assert code == 0
    return db_path


def _runs(db_path) -> int:
    with Store(db_path) as store:
        return len(store.list_runs())


def test_export_refuses_the_database_itself_even_with_force(trained, capsys):
    before = trained.read_bytes()
    for extra in ([], ["--force"]):
        code, _, err = _run(capsys, "export", "1", "--db", trained, "-o", trained, *extra)
        assert code == 2 and "is the database being exported from" in err
    for sibling in (f"{trained}-wal", trained.parent / "alias.db"):
        if sibling != f"{trained}-wal":
            os.link(trained, sibling)  # a hard link is the same file under another name
        code, _, err = _run(capsys, "export", "1", "--db", trained, "-o", sibling, "--force")
        assert code == 2 and "database" in err
    assert trained.read_bytes() == before and _runs(trained) == 1


def test_export_refuses_an_existing_file_unless_forced(trained, capsys, tmp_path):
    target = tmp_path / "out.csv"
    target.write_text("keep me")
    code, _, err = _run(capsys, "export", "1", "--db", trained, "-o", target)
    assert code == 2 and "already exists; pass --force" in err
    assert target.read_text() == "keep me"
    code, _, _ = _run(capsys, "export", "1", "--db", trained, "-o", target, "--force")
    assert code == 0 and target.read_text().startswith("key,step,epoch,value,time")
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")] == []


def test_export_never_writes_through_a_symlink(trained, capsys, tmp_path):
    precious = tmp_path / "precious.txt"
    precious.write_text("precious")
    link = tmp_path / "link.csv"
    link.symlink_to(precious)
    code, _, err = _run(capsys, "export", "1", "--db", trained, "-o", link)
    assert code == 2 and "symbolic link" in err
    assert precious.read_text() == "precious"
    code, _, _ = _run(capsys, "export", "1", "--db", trained, "-o", link, "--force")
    assert code == 0
    assert precious.read_text() == "precious"  # the link was replaced, not followed
    assert not link.is_symlink() and link.read_text().startswith("key,")
    # A link onto the database is refused too, forced or not.
    db_link = tmp_path / "db-link.csv"
    db_link.symlink_to(trained)
    code, _, err = _run(capsys, "export", "1", "--db", trained, "-o", db_link, "--force")
    assert code == 2 and "database" in err and _runs(trained) == 1


@pytest.mark.parametrize("where, message", [
    ("missing/out.csv", "does not exist"),
    (".", "is a folder"),
])
def test_export_to_a_missing_folder_or_a_folder_is_one_line(trained, capsys, tmp_path,
                                                            where, message):
    code, out, err = _run(capsys, "export", "1", "--db", trained, "-o", tmp_path / where)
    assert code == 2 and message in err and "Traceback" not in err
    assert len(err.strip().splitlines()) == 1
    assert not (tmp_path / "missing").exists()


def test_delete_removes_the_run_checkpoints_relative_to_the_database(trained, capsys,
                                                                     tmp_path, monkeypatch):
    with Store(trained) as store:
        stored = store.db.conn.execute("SELECT checkpoint_dir FROM runs").fetchone()[0]
        shown = store.get_run(1)["checkpoint_dir"]
    assert stored == "runs-checkpoints/run-1"  # relative: the database can move
    folder = tmp_path / "runs-checkpoints" / "run-1"
    assert shown == str(folder) and (folder / "last.pt").is_file()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)  # a relative row must not depend on the working dir
    code, out, _ = _run(capsys, "delete", "1", "--db", trained)
    assert code == 0 and f"removed its checkpoints {folder}" in out
    assert not folder.exists()


def test_delete_in_a_copy_of_the_database_keeps_the_original_checkpoints(trained, capsys,
                                                                         tmp_path):
    # An older row stores an absolute path: the copy's row points at the original's files.
    with Store(trained) as store:
        original = tmp_path / "runs-checkpoints" / "run-1"
        store.set_checkpoint_dir(1, original)
    copy = tmp_path / "copy.db"
    shutil.copy(trained, copy)
    code, out, _ = _run(capsys, "delete", "1", "--db", copy)
    assert code == 0 and "was kept: it is not inside this database's checkpoint folder" in out
    assert (original / "last.pt").is_file()
    assert _runs(copy) == 0 and _runs(trained) == 1


def test_delete_never_removes_an_unrelated_folder(trained, capsys, tmp_path):
    code, _, _ = _run(capsys, "train", "--db", trained, *FAST)  # run 2, for the link below
    unrelated = tmp_path / "photos"
    unrelated.mkdir()
    (unrelated / "holiday.jpg").write_bytes(b"jpg")
    with Store(trained) as store:
        store.set_checkpoint_dir(1, unrelated)
    code, out, _ = _run(capsys, "delete", "1", "--db", trained)
    assert code == 0 and f"{unrelated} was kept" in out
    assert (unrelated / "holiday.jpg").is_file()
    # A run folder that is a link out of the checkpoint folder is not followed either.
    run_folder = tmp_path / "runs-checkpoints" / "run-2"
    shutil.rmtree(run_folder)
    run_folder.symlink_to(unrelated)
    code, out, _ = _run(capsys, "delete", "2", "--db", trained)
    assert code == 0 and "was kept" in out and (unrelated / "holiday.jpg").is_file()


def test_delete_says_when_there_was_nothing_to_remove(db_path, capsys):
    with Store(db_path) as store:
        store.create_run({})
    code, out, _ = _run(capsys, "delete", "1", "--db", db_path)
    assert code == 0 and "it had no checkpoints on disk" in out


@pytest.fixture
def four_runs(db_path):
    with Store(db_path) as store:
        for name, status in (("a", "finished"), ("b", "failed"), ("c", "failed"),
                             ("d", "finished")):
            store.create_run({}, name=name, status=status)
    return db_path


def _names(db_path) -> list[str]:
    with Store(db_path) as store:
        return sorted(run["name"] for run in store.list_runs())


def test_delete_takes_several_runs_by_id_or_name(four_runs, capsys):
    code, out, _ = _run(capsys, "delete", "1", "c", "1", "--db", four_runs)
    assert code == 0 and _names(four_runs) == ["b", "d"]
    assert [line.split(" (")[0] for line in out.splitlines()] == ["deleted run 1",
                                                                  "deleted run 3"]


def test_delete_of_an_unknown_run_deletes_none_of_the_others(four_runs, capsys):
    code, _, err = _run(capsys, "delete", "1", "9", "--db", four_runs)
    assert code == 2 and err.strip() == "error: run 9: not found"
    assert _names(four_runs) == ["a", "b", "c", "d"]


def test_delete_by_query_asks_for_yes_without_a_terminal(four_runs, capsys, monkeypatch):
    monkeypatch.setattr("sys.stdin", io.StringIO("y\n"))  # not a terminal: no prompt
    code, _, err = _run(capsys, "delete", "--where", "status = failed", "--db", four_runs)
    assert code == 2 and err.strip() == ("error: delete --where: 2 runs match; pass --yes to "
                                         "delete them without a terminal to confirm")
    assert _names(four_runs) == ["a", "b", "c", "d"]
    code, out, _ = _run(capsys, "delete", "--where", "status = failed", "--yes",
                        "--db", four_runs)
    assert code == 0 and out.count("deleted run ") == 2 and _names(four_runs) == ["a", "d"]
    code, out, _ = _run(capsys, "delete", "--where", "status = failed", "--yes",
                        "--db", four_runs)
    assert code == 0 and out.strip() == ("no run matches --where 'status = failed'; nothing "
                                         "deleted")


@pytest.mark.parametrize("args, said", [
    ([], "error: delete: name the runs to delete (ids or names) or give --where QUERY"),
    (["1", "--where", "status = failed"], "error: delete: name the runs or give --where "
                                          "QUERY, not both")])
def test_delete_needs_runs_or_a_query_but_not_both(four_runs, capsys, args, said):
    code, _, err = _run(capsys, "delete", *args, "--db", four_runs)
    assert code == 2 and err.strip() == said
    assert _names(four_runs) == ["a", "b", "c", "d"]


@pytest.mark.parametrize("answer, left", [("y", ["a", "d"]), ("n", ["a", "b", "c", "d"])])
def test_delete_by_query_lists_the_runs_and_asks_at_a_terminal(four_runs, answer, left):
    from tests.faults.processes import DLSTUDIO, ENV

    controller, terminal = pty.openpty()  # a real terminal, as a shell gives the child
    child = subprocess.Popen([*DLSTUDIO, "delete", "--where", "status = failed", "--db",
                              str(four_runs)], stdin=terminal, stdout=terminal,
                             stderr=terminal, env=ENV)
    os.close(terminal)
    said, deadline = b"", time.monotonic() + 60  # a missing prompt fails, never hangs
    while b"[y/N]" not in said:
        assert time.monotonic() < deadline and child.poll() is None, said
        if select.select([controller], [], [], 0.5)[0]:
            said += os.read(controller, 1024)
    os.write(controller, f"{answer}\n".encode())
    assert child.wait(timeout=60) == (0 if answer == "y" else 1)
    os.close(controller)
    listed = said.decode().splitlines()
    assert [line.split()[:3] for line in listed[:2]] == [["2", "failed", "b"],
                                                         ["3", "failed", "c"]]
    assert listed[2].startswith("Delete these 2 runs with their metrics and checkpoints?")
    assert _names(four_runs) == left
