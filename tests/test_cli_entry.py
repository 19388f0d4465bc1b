"""The command line's entry points: help, --version, python -m, --db placement, no display."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys

import pytest

import dlstudio
from dlstudio.cli import build_parser, main
from dlstudio.store import Store

FAST = ["--set", "data.name=digits", "--set", "model.hidden=[16]", "--set", "train.epochs=1",
        "--set", "train.device=cpu"]


def _commands(parser: argparse.ArgumentParser, path: tuple[str, ...] = ()):
    """Every command path below ``parser``: (), ("train",), ... and nested ones."""
    yield path
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for name, sub in action.choices.items():
                yield from _commands(sub, path + (name,))


def test_every_command_and_subcommand_help_renders(capsys):
    paths = list(_commands(build_parser()))
    assert ("learning-curve",) in paths and ("train",) in paths and len(paths) > 10
    for path in paths:
        for flag in ("--help", "-h"):
            with pytest.raises(SystemExit) as ended:
                main([*path, flag])
            out, err = capsys.readouterr()
            assert ended.value.code == 0, (path, err)
            assert out.startswith("usage: dlstudio"), path


def test_db_means_the_same_before_and_after_the_subcommand(tmp_path, monkeypatch, capsys):
    fallback = tmp_path / "fallback" / "default.db"
    monkeypatch.setenv("DLSTUDIO_DB", str(fallback))
    chosen = tmp_path / "chosen.db"
    assert main(["--db", str(chosen), "train", *FAST, "--json"]) == 0
    capsys.readouterr()
    with Store(chosen) as store:
        assert len(store.list_runs()) == 1
    for argv in (["--db", str(chosen), "runs", "--json"], ["runs", "--db", str(chosen), "--json"]):
        assert main(argv) == 0
        assert [run["id"] for run in json.loads(capsys.readouterr().out)] == [1], argv
    assert not fallback.exists()
    # Given twice, the one after the subcommand (the more specific) wins.
    other = tmp_path / "other.db"
    Store(other).close()  # read commands need an existing database
    assert main(["--db", str(chosen), "runs", "--db", str(other), "--json"]) == 0
    assert json.loads(capsys.readouterr().out) == []


def test_no_match_says_so_rather_than_no_runs_yet(db_path, capsys):
    assert main(["train", "--db", str(db_path), *FAST]) == 0
    capsys.readouterr()
    assert main(["runs", "--db", str(db_path), "--status", "stopped"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("no run matches --status 'stopped'") and "no runs yet" not in out


def _env(**changes: str | None) -> dict[str, str]:
    env = dict(os.environ)
    for key, value in changes.items():
        env.pop(key, None)
        if value is not None:
            env[key] = value
    return env


def test_version_and_python_dash_m(tmp_path):
    done = subprocess.run([sys.executable, "-m", "dlstudio", "--version"], capture_output=True,
                          text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == f"dlstudio {dlstudio.__version__}"


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="X11/Wayland are Linux's")
def test_the_app_without_a_display_says_so_and_how_to_run_headless(tmp_path):
    env = _env(DISPLAY=None, WAYLAND_DISPLAY=None, QT_QPA_PLATFORM=None,
               DLSTUDIO_DB=str(tmp_path / "app.db"))
    done = subprocess.run([sys.executable, "-m", "dlstudio"], capture_output=True, text=True,
                          timeout=120, cwd=tmp_path, env=env)
    assert done.returncode == 2
    assert done.stderr.startswith("error: no display found")
    assert "xvfb-run" in done.stderr and "QT_QPA_PLATFORM=offscreen" in done.stderr
    assert not (tmp_path / "app.db").exists()
