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
