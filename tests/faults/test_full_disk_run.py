"""A real full disk under a real ``dlstudio train``: a small tmpfs holds the database.

``unshare -rm`` gives the test its own mount namespace (as any user), where a 2 MB
tmpfs is mounted; the training, and the reads that check what it left, run inside it.
"""

from __future__ import annotations

import json
import shlex
import shutil
import subprocess
import sys

from tests.faults.processes import DLSTUDIO, ENV

# Starts a run through the tracking API, then SIGKILLs its own process: the row stays
# "running", with the database's log and index files left as a crash leaves them.
KILLED_SCRIPT = ("import os, signal, sys, dlstudio; "
                 "dlstudio.start_run({'lr': 0.1}, name='killed', db=sys.argv[1], "
                 "system_metrics=False); os.kill(os.getpid(), signal.SIGKILL)")


def _in_small_tmpfs(folder, size: str, results, *commands: list[str]) -> list[dict]:
    """Mount a tmpfs of ``size`` on ``folder`` and run each command there, in order;
    their exit codes and output (kept in ``results``, off the small disk)."""
    script = [f"mount -t tmpfs -o size={size} tmpfs {shlex.quote(str(folder))} || exit 99"]
    for index, command in enumerate(commands):
        out, err = (shlex.quote(str(results / f"{index}.{kind}")) for kind in ("out", "err"))
        script.append(f"{shlex.join(command)} > {out} 2> {err}; "
                      f"echo $? > {shlex.quote(str(results / f'{index}.code'))}")
    done = subprocess.run(["unshare", "-rm", "sh", "-c", "\n".join(script)], env=ENV,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode != 99, f"cannot mount a tmpfs here: {done.stderr}"
    return [{"code": int((results / f"{i}.code").read_text()),
             "out": (results / f"{i}.out").read_text(),
             "err": (results / f"{i}.err").read_text()} for i in range(len(commands))]


def test_a_full_disk_fails_the_run_with_one_clear_message(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    db = disk / "runs.db"
    # The checkpoint (weights and Adam state, ~1.4 MB each for last and best) cannot fit.
    train = [*DLSTUDIO, "train", "--db", str(db), "--set", "data.name=digits", "--set",
             "model.hidden=[1500]", "--set", "train.epochs=5", "--set", "train.device=cpu",
             "--set", "train.threads=1"]
    show = [*DLSTUDIO, "show", "1", "--db", str(db), "--json"]
    listing = ["sh", "-c", f"ls -A {shlex.quote(str(disk / 'runs-checkpoints' / 'run-1'))}"]
    export = [*DLSTUDIO, "export", "1", "--db", str(db), "--format", "json"]
    trained, shown, files, exported = _in_small_tmpfs(disk, "2m", tmp_path, train, show,
                                                      listing, export)
    assert trained["code"] == 1
    assert "Traceback" not in trained["err"] and "Traceback" not in trained["out"]
    assert "no space left on device: could not write" in trained["out"]
    assert "runs-checkpoints/run-1/" in trained["out"]  # it names the file
    run = json.loads(shown["out"])
    assert run["status"] == "failed"
    assert run["error"].startswith("no space left on device: could not write")
    assert "ended while the run was running" not in run["error"]
    assert files["code"] == 0 and ".partial" not in files["out"]
    # What was written before the disk filled stays readable: the first epoch's points
    # were flushed before its checkpoint was written.
    assert exported["code"] == 0
    assert json.loads(exported["out"])["metrics"]["dev_metric"]["epoch"] == [1]


def test_a_database_that_fills_the_disk_fails_the_run_not_the_file(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    db = disk / "runs.db"
    # No checkpoints: the metric points alone fill a 400 KB disk.
    train = [*DLSTUDIO, "train", "--db", str(db), "--set", "data.name=iris", "--set",
             "train.batch_size=1", "--set", "train.checkpoints=false", "--set",
             "train.epochs=300", "--set", "train.device=cpu", "--set", "train.threads=1"]
    show = [*DLSTUDIO, "show", "1", "--db", str(db), "--json"]
    check = ["sqlite3" if shutil.which("sqlite3") else "true", str(db),
             "PRAGMA integrity_check"]
    trained, shown, checked = _in_small_tmpfs(disk, "400k", tmp_path, train, show, check)
    assert trained["code"] == 1 and "Traceback" not in trained["err"]
    assert f"no space left on device: could not write database {db}" in trained["out"]
    assert shown["code"] == 0, shown["err"]
    run = json.loads(shown["out"])
    # Whether the status still fits depends on where the full disk cut the last write:
    # the failed write's rolled-back space is reused, but may be too short.
    if "the run's status could not be recorded either" in trained["out"]:
        # The next open marks it interrupted or, when that does not fit either, says so.
        assert run["status"] == "interrupted" or (
            run["status"] == "running"
            and "runs whose process ended still show as running" in shown["err"])
    else:
        assert run["status"] == "failed" and run["error"].startswith("no space left on device")
    if shutil.which("sqlite3"):
        assert checked["out"].strip() == "ok"


def test_a_full_disk_still_lets_a_killed_run_be_read_and_marks_it_once_there_is_room(
        tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    db = disk / "runs.db"
    killed = [sys.executable, "-c", KILLED_SCRIPT, str(db)]
    fill = ["sh", "-c", f"cat /dev/zero > {shlex.quote(str(disk / 'filler'))}"]
    show = [*DLSTUDIO, "show", "1", "--db", str(db), "--json"]
    listing = [*DLSTUDIO, "runs", "--db", str(db)]
    make_room = ["rm", str(disk / "filler")]
    started, filled, shown, listed, _, shown_again = _in_small_tmpfs(
        disk, "1m", tmp_path, killed, fill, show, listing, make_room, show)
    assert started["code"] == 128 + 9, started  # the shell's code for a SIGKILL
    assert "No space left" in filled["err"]
    # The open cannot mark the run interrupted (no room), and says so; the reads work.
    assert shown["code"] == 0, shown["err"]
    assert json.loads(shown["out"])["status"] == "running"
    assert shown["err"].strip() == (
        "warning: runs whose process ended still show as running: no space left on "
        f"device: could not write database {db}")
    assert listed["code"] == 0 and "killed" in listed["out"], listed
    # With room again, the next open marks it.
    assert shown_again["code"] == 0, shown_again["err"]
    run = json.loads(shown_again["out"])
    assert run["status"] == "interrupted" and "ended while the run was running" in run["error"]
    assert shown_again["err"] == ""
