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
    child = tmp_path / "child.py"
    child.write_text(textwrap.dedent(f"""
        import sys
        from dlstudio.store import Store
        first = Store({str(db_path)!r}, mark_orphans=False)    # creates the file
        run_id = first.create_run({{"model": "mine"}})
        second = Store({str(db_path)!r}, mark_orphans=False)   # the header check ran here
        print(run_id, flush=True)
        for step in range(50):
            sys.stdin.readline()                               # the parent opened+closed
            second.write_metrics([(run_id, "loss", step, 0, 1.0, 0.0)])
            print(second.read_curve(run_id, "loss")["total"], flush=True)
        """))
    process = subprocess.Popen([sys.executable, str(child)], stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        run_id = int(process.stdout.readline())
        for step in range(50):
            with Store(db_path, mark_orphans=False) as reader:  # open and close: last one out
                # Before the fix this stayed 0: the child's commits never reached the file.
                assert reader.read_curve(run_id, "loss")["total"] == step
            process.stdin.write("\n")
            process.stdin.flush()
            assert process.stdout.readline().strip() == str(step + 1)
    finally:
        process.kill()
        process.wait()
