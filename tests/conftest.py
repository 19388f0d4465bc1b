"""Shared test set-up: offscreen Qt, one torch thread, temporary databases."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest  # noqa: E402


@pytest.fixture(autouse=True, scope="session")
def _one_torch_thread():
    # 2-core machines: a second intra-op thread fights the test runner and Qt.
    try:
        import torch
    except ImportError:  # store/search tests do not need torch
        yield
        return
    torch.set_num_threads(1)
    yield


@pytest.fixture
def db_path(tmp_path):
    """A fresh database file path in a temporary folder."""
    return tmp_path / "runs.db"


@pytest.fixture(autouse=True)
def _collect_qt_garbage(request):
    """After a GUI test, collect its cyclic garbage at once, on the main thread.

    Left to chance, Python collected a GUI test's Qt objects during a later sweep test
    while a worker thread was inside torch.save, and the suite hung there (seen once
    in four full runs).
    """
    yield
    if request.node.module.__name__.split(".")[-1].startswith("test_gui"):
        import gc

        gc.collect()
