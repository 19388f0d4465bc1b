"""A checkpoint replaced by a pickle that would run code is refused, never executed."""

from __future__ import annotations

import ast
import pickle
from pathlib import Path

from dlstudio.store import Store
from tests.faults.processes import cli

PACKAGE = Path(__file__).resolve().parents[2] / "dlstudio"


class _RunsCode:
    def __init__(self, marker: Path):
        self.marker = marker

    def __reduce__(self):
        return (Path.write_text, (self.marker, "code ran"))


def test_a_checkpoint_that_would_run_code_is_refused(db_path, tmp_path):
    trained = cli("train", "--set", "data.name=digits", "--set", "model.hidden=[16]",
                  "--set", "train.epochs=2", "--set", "train.device=cpu", "--db", str(db_path))
    assert trained.returncode == 0, trained.stderr
    with Store(db_path) as store:
        store.set_status(1, "stopped")
        folder = Path(store.get_run(1)["checkpoint_dir"])
    if not folder.is_absolute():
        folder = db_path.parent / folder
    marker = tmp_path / "owned.txt"
    (folder / "last.pt").write_bytes(pickle.dumps({"model": _RunsCode(marker)}))
    resumed = cli("resume", "1", "--db", str(db_path))
    assert resumed.returncode != 0
    assert not marker.exists()
    said = resumed.stdout + resumed.stderr
    assert "Traceback" not in said
    assert "last.pt: refused: it holds more than weights" in said, said
    with Store(db_path) as store:
        assert "refused" in store.get_run(1)["error"]


def _torch_load_calls(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                and node.func.attr == "load" and isinstance(node.func.value, ast.Name) \
                and node.func.value.id == "torch":
            yield node


def test_every_torch_load_in_the_package_is_weights_only():
    calls = 0
    for source in PACKAGE.rglob("*.py"):
        for call in _torch_load_calls(ast.parse(source.read_text(), str(source))):
            calls += 1
            weights_only = [k for k in call.keywords if k.arg == "weights_only"]
            assert weights_only and isinstance(weights_only[0].value, ast.Constant) \
                and weights_only[0].value.value is True, f"{source}:{call.lineno}"
    assert calls >= 1
