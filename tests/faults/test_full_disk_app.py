"""A real full disk under the running app: the run fails with a clear message, the app
stays up and keeps working.

The app (offscreen Qt, the real window) runs in a child process inside its own mount
namespace (``unshare -rm``), with its database on a 2 MB tmpfs.
"""

from __future__ import annotations

import json
import sys
import textwrap

from tests.faults.test_full_disk_run import _in_small_tmpfs

APP = textwrap.dedent("""
    import json, os, sys, time
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QSettings
    from PySide6.QtWidgets import QApplication
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import MainWindow

    db, settings_file = sys.argv[1], sys.argv[2]
    app = QApplication([])
    window = MainWindow(AppContext.open(db, QSettings(settings_file, QSettings.Format.IniFormat)),
                        confirm_stop=lambda parent, running: True)
    window.show()
    ended = []
    window.run_finished.connect(lambda run_id, result: ended.append(result))

    def run(values):
        window.form.set_config(values)
        window.form.validate_now()
        count = len(ended)
        window.form.run_button.click()
        deadline = time.monotonic() + 120
        while len(ended) == count and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.01)
        return ended[-1] if len(ended) > count else None

    base = {"data.name": "digits", "train.device": "cpu", "train.epochs": "3"}
    # The checkpoint (weights and Adam state, ~1.4 MB each for last and best) cannot fit.
    full = run({**base, "model.hidden": "1500"})
    runs = window.tabs.show_panel("runs")
    runs.refresh()
    print(json.dumps({"full": full, "visible": window.isVisible(),
                      "rows": runs.proxy.rowCount(), "status": window.status.currentMessage()}))
    window.close()
""")


def test_a_full_disk_fails_the_app_run_and_the_app_stays_up(tmp_path):
    disk = tmp_path / "disk"
    disk.mkdir()
    app = [sys.executable, "-c", APP, str(disk / "runs.db"), str(tmp_path / "settings.ini")]
    (result,) = _in_small_tmpfs(disk, "2m", tmp_path, app)
    assert result["code"] == 0, result["err"][-3000:]
    assert "Traceback" not in result["err"], result["err"][-3000:]
    said = json.loads(result["out"].strip().splitlines()[-1])
    assert said["full"]["status"] == "failed"
    assert said["full"]["error"].startswith("no space left on device: could not write")
    assert said["visible"] and said["rows"] == 1
