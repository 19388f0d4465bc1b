"""The layering of docs/architecture.md, enforced by the import-linter contracts in
pyproject.toml."""

from __future__ import annotations

import os
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    previous = Path.cwd()
    os.chdir(ROOT)  # import-linter reads pyproject.toml from the working folder
    try:
        assert lint_imports(no_cache=True) == 0
    finally:
        os.chdir(previous)


def test_no_gui_module_is_over_300_lines():
    # Small files with one job: a GUI module past this has taken a second one.
    long = {str(path.relative_to(ROOT)): lines for path in (ROOT / "dlstudio" / "gui").rglob("*.py")
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 300}
    assert long == {}
