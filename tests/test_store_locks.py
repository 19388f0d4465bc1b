"""Two connections to one database in one process stay safe while another process
opens and closes the file (the API's writer thread, GUI workers and sweeps all do this).

Opening a second ``Store`` used to read the file header with a plain ``open()``; closing
that descriptor dropped the POSIX locks of the first connection, so another process's
last close reset the WAL under it and its next statement failed with "disk I/O error".
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

from dlstudio.store import Store

ROOT = Path(__file__).resolve().parent.parent


def test_a_second_store_does_not_drop_the_first_ones_locks(db_path, tmp_path):
    with Store(db_path) as store:
        run_id = store.create_run({"model": "mine"})
    child = tmp_path / "child.py"
    child.write_text(textwrap.dedent(f"""
        import sys
        from dlstudio.store import Store
        first = Store({str(db_path)!r}, mark_orphans=False)
        second = Store({str(db_path)!r}, mark_orphans=False)   # the header check ran here
        print("ready", flush=True)
        for step in range(200):
            sys.stdin.readline()                               # the parent opened+closed
            first.write_metrics([({run_id}, "loss", step, 0, 1.0, 0.0)])
            print(first.read_curve({run_id}, "loss")["total"], flush=True)
        """))
    process = subprocess.Popen([sys.executable, str(child)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        assert process.stdout.readline().strip() == "ready", process.stderr.read()
        for step in range(200):
            with Store(db_path, mark_orphans=False) as reader:  # open and close: last one out
                seen = reader.read_curve(run_id, "loss")["total"]
            assert seen == step
            process.stdin.write("\n")
            process.stdin.flush()
            line = process.stdout.readline()
            assert line.strip() == str(step + 1), process.stderr.read()
    finally:
        process.kill()
        process.wait()
