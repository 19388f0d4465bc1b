"""Fuzzed plugin files and ``dlstudio diagnose`` numbers.

A plugin that raises (at import or in build_model), has a syntax error, exits, returns
something other than a module, or a model that does not fit the data: ``dlstudio train``
names ``model.plugin`` and the file, exits 2, adds no run. ``diagnose`` with impossible
numbers (negative, above 100 %, NaN, inf, sizes of 0 or below) names the option.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.bad_input import assert_no_run, assert_readable_refusal, run_cli, tried

EXCEPTIONS = ["RuntimeError('boom')", "ValueError", "KeyError('x')", "ZeroDivisionError",
              "MemoryError", "RecursionError", "SystemExit(3)", "SystemExit('bye')",
              "ImportError('no such thing')", "AssertionError"]
NOT_MODULES = ["None", "42", "'text'", "[torch.nn.Linear(4, 3)]", "torch.nn.Linear",
               "torch.zeros(3)", "lambda x: x", "{'model': 1}"]
BAD_MODELS = ["torch.nn.Linear(shape[0], out + 1)", "torch.nn.Linear(shape[0] + 1, out)",
              "torch.nn.Sequential(torch.nn.Linear(shape[0], out), torch.nn.Flatten(0))",
              "torch.nn.Identity()", "torch.nn.Linear(shape[0], 1)",
              "torch.nn.Sequential()"]


@st.composite
def plugins(draw) -> str:
    kind = draw(st.sampled_from(["import_raises", "build_raises", "syntax", "not_module",
                                 "bad_model", "no_builder", "garbage"]))
    if kind == "import_raises":
        return f"import torch\nraise {draw(st.sampled_from(EXCEPTIONS))}\n"
    if kind == "build_raises":
        return ("import torch\ndef build_model(config, shape, out):\n"
                f"    raise {draw(st.sampled_from(EXCEPTIONS))}\n")
    if kind == "syntax":
        broken = draw(st.sampled_from(["def build_model(:\n", "x = (\n", "return 1\n",
                                       "\tdef f():\n pass\n", "import\n"]))
        return f"import torch\n{broken}"
    if kind == "not_module":
        return ("import torch\ndef build_model(config, shape, out):\n"
                f"    return {draw(st.sampled_from(NOT_MODULES))}\n")
    if kind == "bad_model":
        return ("import torch\ndef build_model(config, shape, out):\n"
                f"    return {draw(st.sampled_from(BAD_MODELS))}\n")
    if kind == "no_builder":
        return "import torch\nbuild_model = 3\n"
    return draw(st.text(max_size=40)) + "\n("


@settings(max_examples=60, deadline=None)
@given(source=plugins())
def test_a_bad_plugin_is_refused_naming_the_file_without_a_row(source):
    tried("plugin file")
    with tempfile.TemporaryDirectory() as folder:
        plugin = Path(folder) / "net.py"
        plugin.write_text(source, encoding="utf-8")
        db = Path(folder) / "runs.db"
        code, _, err = run_cli("train", "--db", db, "--set", "data.name=iris", "--set",
                               "train.device=cpu", "--set", "model.name=plugin", "--set",
                               f"model.plugin={plugin}")
        assert_readable_refusal(code, err, "model.plugin")
        assert str(plugin) in err
        assert_no_run(db)


IMPOSSIBLE = st.sampled_from([-1.0, -0.001, 100.001, 150.0, 1e9, math.nan, math.inf, -math.inf])
PERCENT = st.floats(0, 100)


@settings(max_examples=120, deadline=None)
@given(option=st.sampled_from(["--train", "--dev", "--test", "--hlp"]), bad=IMPOSSIBLE,
       train=PERCENT, dev=PERCENT, as_error=st.booleans())
def test_diagnose_refuses_impossible_percentages(option, bad, train, dev, as_error):
    tried("diagnose numbers")
    values = {"--train": train, "--dev": dev}
    values[option] = bad
    argv = [f"{key}={value!r}" for key, value in values.items()]  # = : "-1" is no option
    code, _, err = run_cli("diagnose", *argv, *(["--error"] if as_error else []))
    field = {"--hlp": "human_level"}.get(option, option.lstrip("-"))
    assert_readable_refusal(code, err, field)


@settings(max_examples=40, deadline=None)
@given(option=st.sampled_from(["--train-size", "--dev-size", "--test-size"]),
       size=st.integers(max_value=0))
def test_diagnose_refuses_impossible_sizes(option, size):
    tried("diagnose numbers")
    code, _, err = run_cli("diagnose", "--train", "90", "--dev", "85", "--test", "84",
                           f"{option}={size}")
    assert_readable_refusal(code, err, option.lstrip("-").replace("-", "_"), option)


def test_diagnose_without_numbers_or_with_text():
    for argv in (["diagnose"], ["diagnose", "--train", "90"]):
        tried("diagnose numbers")
        code, _, err = run_cli(*argv)
        assert_readable_refusal(code, err, "--dev", "--train")
