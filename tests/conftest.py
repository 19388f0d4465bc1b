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
