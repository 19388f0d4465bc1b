"""Fuzzed run configs: wrong types, NaN / inf, out-of-range and unknown keys.

Every one is refused with a ConfigError naming the key; through ``dlstudio train`` the
refusal is an ``error:`` line, exit 2, and no run row.
"""

from __future__ import annotations

import dataclasses
import json
import math
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from dlstudio.config import MAX_INT, SECTIONS, RunConfig
from tests.bad_input import (assert_no_run, assert_readable_refusal, config_error_or_none,
                             run_cli, tried)

CHOICE_KEYS = {"data.name", "data.task", "model.name", "model.activation", "optim.name",
               "schedule.name", "schedule.mode", "train.precision"}


def _keys_of(kind: type) -> list[str]:
    return [f"{name}.{f.name}" for name, section in SECTIONS.items()
            for f in dataclasses.fields(section) if type(getattr(section(), f.name)) is kind]


def _unparsable(parse):
    def bad(text: str) -> bool:
        try:
            parse(text)
        except (ValueError, OverflowError):
            return True
        return False
    return st.text(max_size=12).filter(bad)


def _int_text(text: str) -> int:
    return int(text)


_containers = st.lists(st.integers(), max_size=3) | st.dictionaries(st.text(max_size=3),
                                                                      st.integers(), max_size=2)
BAD_FLOAT = (st.sampled_from([math.nan, math.inf, -math.inf, "nan", "inf", "-inf"])
             | _unparsable(float) | st.booleans() | _containers | st.none())
BAD_INT = (st.floats(allow_nan=True, allow_infinity=True).filter(
               lambda v: not (math.isfinite(v) and v.is_integer()))
           | _unparsable(_int_text) | st.booleans() | _containers | st.none()
           | st.integers(min_value=MAX_INT + 1) | st.integers(max_value=-MAX_INT - 1))
BAD_BOOL = (st.text(max_size=8).filter(
                lambda t: t.lower() not in ("true", "false", "yes", "no", "1", "0"))
            | st.integers() | st.floats() | _containers | st.none())
BAD_LIST = (st.lists(st.integers(max_value=0), min_size=1, max_size=3)
            | st.lists(st.floats().filter(lambda v: not (math.isfinite(v) and v.is_integer())),
                       min_size=1, max_size=3)
            | st.text(alphabet="abcxyz!?", min_size=1, max_size=6)
            | st.lists(st.lists(st.integers(), min_size=1), min_size=1, max_size=2))
BAD_CHOICE = st.text(max_size=10) | st.integers() | st.floats() | _containers
IDENT = st.from_regex(r"[a-z_][a-z0-9_]{0,10}", fullmatch=True)


def _bad_setting() -> st.SearchStrategy[tuple[str, object]]:
    floats = st.tuples(st.sampled_from(_keys_of(float)), BAD_FLOAT)
    ints = st.tuples(st.sampled_from(_keys_of(int)), BAD_INT)
    bools = st.tuples(st.sampled_from(_keys_of(bool)), BAD_BOOL)
    lists = st.tuples(st.sampled_from(["model.hidden", "model.channels"]), BAD_LIST)
    choices = st.tuples(st.sampled_from(sorted(CHOICE_KEYS)), BAD_CHOICE)
    unknown_key = st.tuples(st.builds(lambda s, k: f"{s}.{k}", st.sampled_from(list(SECTIONS)),
                                      IDENT.filter(lambda k: k not in _ALL_FIELDS)),
                            st.integers())
    unknown_section = st.tuples(st.builds(lambda s, k: f"{s}.{k}",
                                          IDENT.filter(lambda s: s not in SECTIONS), IDENT),
                                st.integers())
    return floats | ints | bools | lists | choices | unknown_key | unknown_section


_ALL_FIELDS = {f.name for section in SECTIONS.values() for f in dataclasses.fields(section)}


def _is_valid_choice(key: str, value: object) -> bool:
    try:
        RunConfig.from_dict({key: value})
    except Exception:  # noqa: BLE001 - only asks whether the value happens to be valid
        return False
    return True


@settings(max_examples=400, deadline=None)
@given(setting=_bad_setting())
@example(setting=("data.noise", {}))  # an empty mapping was silently dropped
@example(setting=("train.epochs", 10**30))
@example(setting=("model.hidden", [math.inf]))  # an OverflowError traceback
@example(setting=("model.hidden", [1.5]))  # silently truncated to [1]
def test_a_bad_setting_is_refused_naming_its_key(setting):
    key, value = setting
    if key in CHOICE_KEYS and isinstance(value, str) and _is_valid_choice(key, value):
        return  # a random text that is an allowed name (e.g. "adam") is not bad input
    tried("run config")
    error = config_error_or_none(lambda: RunConfig.from_dict({key: value}))
    assert error is not None, f"{key}={value!r} was accepted"
    assert key in str(error), (key, str(error))


@settings(max_examples=150, deadline=None)
@given(setting=_bad_setting(), nested=st.booleans())
def test_a_bad_override_is_refused_naming_its_key(setting, nested):
    key, value = setting
    if key in CHOICE_KEYS and isinstance(value, str) and _is_valid_choice(key, value):
        return
    tried("run config")
    text = json.dumps(value, allow_nan=True)
    if nested:  # through a file, as a section mapping
        section, attr = key.split(".")
        call = lambda: RunConfig.from_dict({section: {attr: value}})  # noqa: E731
    else:  # --set key=value, parsed the YAML way
        call = lambda: RunConfig.from_dict({}, [f"{key}={text}"])  # noqa: E731
    error = config_error_or_none(call)
    if error is None:
        # YAML may read the JSON text as a valid value (e.g. a string "1" for an int);
        # then it is not bad input, but the same value given directly must be fine too.
        return
    assert key.split(".")[0] in str(error)


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(setting=_bad_setting())
@example(setting=("data.noise", {"\r": 0}))  # a CR in a key split the error in two lines
def test_dlstudio_train_refuses_a_bad_config_file_without_a_row(setting):
    key, value = setting
    if key in CHOICE_KEYS and isinstance(value, str) and _is_valid_choice(key, value):
        return
    tried("run config (dlstudio train)")
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "run.json"
        section, attr = key.split(".")
        config.write_text(json.dumps({section: {attr: value}}, allow_nan=True))
        db = Path(folder) / "runs.db"
        code, _, err = run_cli("train", config, "--db", db)
        assert_readable_refusal(code, err, key)
        assert_no_run(db)


def test_config_files_that_are_not_mappings_or_not_text(tmp_path):
    db = tmp_path / "runs.db"
    cases = {"list.yaml": "- 1\n- 2\n", "scalar.json": "42", "broken.toml": "a = [1,",
             "broken.yaml": "a: [1, 2\n", "binary.yaml": bytes(range(256)),
             "unknown.ini": "[a]\nb=1\n", "nan.json": '{"optim": {"lr": NaN}}'}
    for name, content in cases.items():
        tried("run config")
        path = tmp_path / name
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
        code, _, err = run_cli("train", path, "--db", db)
        assert_readable_refusal(code, err, str(path), "optim.lr")
    assert_no_run(db)
