"""The README's set-up command, as written: its demo run learns digits and the app opens on it."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from dlstudio.cli import main

README = Path(__file__).resolve().parents[2] / "README.md"


def _setup_command() -> list[str]:
    """The commands of the README's first set-up block, split on ``&&``."""
    text = README.read_text(encoding="utf-8")
    section = text[text.index("## Set-up"):]
    block = re.search(r"```bash\n(.*?)```", section, re.S).group(1)
    return [part.strip() for part in block.strip().split("&&")]


def test_the_readme_demo_learns_digits_and_the_app_opens_on_it(qtbot, db_path, qt_settings,
                                                                capsys):
    from dlstudio.gui.context import AppContext
    from dlstudio.gui.main_window import MainWindow

    install, train, app = _setup_command()
    assert install.startswith("pip install") and app == "dlstudio"
    argv = shlex.split(train)
    assert argv[:2] == ["dlstudio", "train"]
    assert main([*argv[1:], "--db", str(db_path), "--json"]) == 0
    capsys.readouterr()

    window = MainWindow(AppContext.open(db_path, qt_settings))
    qtbot.addWidget(window)
    window.show()
    try:
        live = window.live_view
        assert live.stack.currentIndex() == 1  # the run's plots, not "No run yet"
        trace = live.trace()
        assert trace.run_id == 1 and "finished" in live.progress.title.text()
        assert trace.ended["summary"]["dev_metric"] > 0.95  # 96.98 %; before: 86 % (5 epochs)
    finally:
        window.close()
