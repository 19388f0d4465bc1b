"""Shared checks of the bad-input fuzz tests (tests/faults/test_bad_input_*.py).

``tried(category)`` counts each input a test fed; with ``DLSTUDIO_FUZZ_COUNTS`` set to
a file, the counts are added to it as ``category count`` lines, so a run can report how
many bad inputs each category tried.
"""

from __future__ import annotations

import contextlib
import io
import os
import traceback
from collections import Counter
from pathlib import Path

from dlstudio.cli import main
from dlstudio.errors import ConfigError
from dlstudio.store import Store

COUNTS: Counter[str] = Counter()


def tried(category: str) -> None:
    COUNTS[category] += 1
    target = os.environ.get("DLSTUDIO_FUZZ_COUNTS")
    if target:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(f"{category} 1\n")


def run_cli(*argv: object) -> tuple[int, str, str]:
    """``dlstudio ARGV`` in this process; (exit code, stdout, stderr). An exception that
    escapes ``main`` is a failure of the test, shown with its traceback."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def assert_readable_refusal(code: int, err: str, *names: str) -> None:
    """Exit 2, only ``error: ...`` lines, no traceback, and one of ``names`` (a field,
    a file) appears in the message."""
    assert code == 2, err
    assert "Traceback" not in err, err
    lines = [line for line in err.splitlines() if line.strip()]
    assert lines and all(line.startswith("error: ") for line in lines), err
    assert any(name in err for name in names), (names, err)


def assert_no_run(db_path: Path) -> None:
    """No half-created run: no row, or no database at all."""
    if not db_path.exists():
        return
    with Store(db_path) as store:
        assert store.list_runs() == []


def config_error_or_none(call) -> ConfigError | None:
    """Run ``call()``; its ``ConfigError``, or None when it accepted the input. Any other
    exception fails the test with the traceback that a user would have seen."""
    try:
        call()
    except ConfigError as error:
        return error
    except Exception:  # noqa: BLE001 - exactly what the fuzz test looks for
        raise AssertionError("a bad input raised past ConfigError:\n"
                             + traceback.format_exc()) from None
    return None
