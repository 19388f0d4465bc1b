"""Files and folders that are not what the CLI expects: one line naming the file, never
a traceback, and read commands never create a database (or its folder) on the way."""

from __future__ import annotations

import random
import shlex
import subprocess

import pytest

from dlstudio.cli import main
from dlstudio.store import Store
from tests.faults.processes import DLSTUDIO, ENV, cli

FAST = ["--set", "data.name=iris", "--set", "model.hidden=[8]", "--set", "train.epochs=1",
        "--set", "train.device=cpu"]


def _run(capsys, *argv):
    code = main([str(a) for a in argv])
    out, err = capsys.readouterr()
    return code, out, err


def _one_line_error(err: str, *needles: str) -> None:
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    for needle in needles:
        assert needle in lines[0]


@pytest.fixture
def trained(db_path, capsys):
    assert _run(capsys, "train", "--db", db_path, *FAST)[0] == 0
    return db_path


@pytest.mark.parametrize("command", [["runs"], ["show", "1"], ["export", "1"], ["sweeps"],
                                     ["resume", "1"], ["delete", "1"]])
def test_read_commands_do_not_create_a_missing_database_or_folder(capsys, tmp_path, command):
    db = tmp_path / "nowhere" / "runs.db"
    code, _, err = _run(capsys, *command, "--db", db)
    assert code == 2
    _one_line_error(err, str(db), "does not exist")
    assert not (tmp_path / "nowhere").exists()
    db = tmp_path / "missing.db"  # an existing folder: no empty database appears either
    code, _, err = _run(capsys, *command, "--db", db)
    assert code == 2 and not db.exists()


@pytest.mark.parametrize("command", [["runs"], ["train", *FAST]])
def test_a_db_path_whose_parent_is_a_file(capsys, tmp_path, command):
    (tmp_path / "afile").write_text("x")
    code, _, err = _run(capsys, *command, "--db", tmp_path / "afile" / "runs.db")
    assert code == 2
    _one_line_error(err, "afile is a file, not a folder")


def test_a_binary_config_file(capsys, db_path, tmp_path):
    config = tmp_path / "run.yaml"
    config.write_bytes(bytes(range(256)) * 4)
    code, _, err = _run(capsys, "train", config, "--db", db_path)
    assert code == 2
    _one_line_error(err, str(config), "not a text file")
    assert not db_path.exists()


@pytest.mark.parametrize("override, key", [
    ("data.n_samples=1000000000000", "data.n_samples"),
    ("train.seed=100000000000000", "train.seed"),
    ("train.epochs=100000000000000000000000", "train.epochs"),
])
def test_huge_numbers_are_refused_before_any_row(capsys, db_path, override, key):
    code, _, err = _run(capsys, "train", "--db", db_path, *FAST, "--set", "data.name=moons",
                        "--set", override)
    assert code == 2
    _one_line_error(err, key)
    with Store(db_path) as store:
        assert store.list_runs() == []


def test_a_database_with_a_corrupted_inner_page(capsys, trained):
    import sqlite3

    conn = sqlite3.connect(trained)
    conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    pages, page_size = (conn.execute(f"PRAGMA {p}").fetchone()[0]
                        for p in ("page_count", "page_size"))
    conn.close()
    # The same garbage each time: with os.urandom's, about 1 run in 12 left the file
    # readable enough for `train` to start and fail mid-run, which it reports as the
    # run's outcome on stdout, not as an error line.
    garbage = random.Random(0)
    with open(trained, "r+b") as handle:  # over every page but the first two
        for page in range(2, pages):
            handle.seek(page * page_size + 8)
            handle.write(garbage.randbytes(256))
    results = [_run(capsys, *command, "--db", trained)
               for command in (["runs"], ["show", "1"], ["export", "1"], ["train", *FAST])]
    failed = [err for code, _, err in results if code != 0]
    assert failed
    for err in failed:
        _one_line_error(err)
    assert any(f"database {trained}: damaged" in err for err in failed)


def _sh_in_private_mounts(script: str) -> subprocess.CompletedProcess:
    return subprocess.run(["unshare", "-rm", "sh", "-c", script], env=ENV,
                          capture_output=True, text=True, timeout=300)


def test_a_read_only_database_file_reads_and_refuses_writes_in_one_line(trained):
    # A read-only bind mount of the file itself: unwritable even for root, while the
    # folder stays writable (as a chmod 444 file is for other users).
    db = shlex.quote(str(trained))
    dl = shlex.join(DLSTUDIO)
    script = (f"mount --bind {db} {db} && mount -o remount,ro,bind {db} || exit 99\n"
              f"{dl} runs --db {db}; echo \"code $?\"\n"
              f"{dl} train --db {db} --set data.name=iris --set train.epochs=1; "
              "echo \"code $?\"")
    done = _sh_in_private_mounts(script)
    assert done.returncode != 99, done.stderr
    assert "iris-mlp-adam #1" in done.stdout and "code 0" in done.stdout
    assert "Traceback" not in done.stderr
    assert "read-only" in done.stderr and str(trained) in done.stderr
    assert "code 2" in done.stdout


def test_a_read_only_mount_is_readable(trained, tmp_path):
    # A run of a dead process: a writable file would be changed on open, this one not.
    with Store(trained) as store:
        store.db.conn.execute("UPDATE runs SET status = 'running', owner_pid = ?, "
                              "owner_host = ?", (_dead_pid(), _host()))
    mount = tmp_path / "ro"
    mount.mkdir()
    inside = shlex.quote(str(mount / "runs.db"))
    dl = shlex.join(DLSTUDIO)
    script = (f"mount -t tmpfs -o size=4m tmpfs {shlex.quote(str(mount))} || exit 99\n"
              f"cp {shlex.quote(str(trained))} {inside}\n"
              f"mount -o remount,ro {shlex.quote(str(mount))} || exit 99\n"
              f"{dl} runs --db {inside}; echo \"code $?\"\n"
              f"{dl} show 1 --db {inside} --json > /dev/null; echo \"code $?\"\n"
              f"{dl} train --db {inside} --set data.name=iris --set train.epochs=1; "
              "echo \"code $?\"")
    done = _sh_in_private_mounts(script)
    assert done.returncode != 99, done.stderr
    assert "cannot be used now" not in done.stderr and "Traceback" not in done.stderr
    codes = [line for line in done.stdout.splitlines() if line.startswith("code ")]
    assert codes == ["code 0", "code 0", "code 2"], done.stdout + done.stderr
    assert "running" in done.stdout  # the read-only file was read, not changed
    assert "iris-mlp-adam #1" in done.stdout
    assert "read-only" in done.stderr


def _dead_pid() -> int:
    child = subprocess.Popen(["true"])
    child.wait()
    return child.pid


def _host() -> str:
    from dlstudio.store.owners import HOST

    return HOST


def test_the_real_cli_prints_one_line_for_a_missing_database(tmp_path):
    done = cli("runs", "--db", tmp_path / "nope" / "x.db")
    assert done.returncode == 2
    _one_line_error(done.stderr, "does not exist")
