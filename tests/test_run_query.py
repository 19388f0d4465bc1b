"""The run query language: parsing, SQL semantics on a real database, errors, injection."""

from __future__ import annotations

import pytest

from dlstudio.errors import ConfigError
from dlstudio.store import Store
from dlstudio.store.run_query import parse_query, tokenize


def _nested(optim: str, lr: float, hidden: list[int]) -> dict:
    return {"data": {"name": "digits"}, "model": {"name": "mlp", "hidden": hidden},
            "optim": {"name": optim, "lr": lr}}


@pytest.fixture
def store(db_path):
    """Five runs: nested RunConfig-style configs, a flat and a free-form user config."""
    with Store(db_path) as opened:
        ids = {
            "adam_good": opened.create_run(_nested("adam", 1e-3, [16])),
            "adam_bad": opened.create_run(_nested("adam", 1.0, [16])),
            "sgd": opened.create_run(_nested("sgd", 0.1, [32])),
            "flat": opened.create_run({"optim.name": "adam", "optim.lr": 3e-4}),
            "script": opened.create_run({"lr": 3e-4, "model": "resnet18", "amp": True}),
        }
        scores = {"adam_good": 0.97, "adam_bad": 0.4, "sgd": 0.96, "flat": 0.99}
        for name, score in scores.items():
            opened.start_run(ids[name])
            opened.end_run(ids[name], "finished", {"best_dev_metric": score})
        opened.add_tag(ids["adam_good"], "baseline")
        opened.add_tag(ids["sgd"], "baseline")
        opened.add_tag(ids["script"], "my tag")
        opened.ids = ids
        yield opened


def _names(store: Store, where: str) -> set[str]:
    by_id = {run_id: name for name, run_id in store.ids.items()}
    return {by_id[run["id"]] for run in store.list_runs(where=where)}


@pytest.mark.parametrize("where, expected", [
    ("optim.name = adam", {"adam_good", "adam_bad", "flat"}),
    ("optim.name = adam and best_dev_metric > 0.95 and tag:baseline", {"adam_good"}),
    ("optim.name = adam and best_dev_metric > 0.95", {"adam_good", "flat"}),
    ("best_dev_metric >= 0.96 AND NOT optim.name = sgd", {"adam_good", "flat"}),
    ("optim.name != sgd", {"adam_good", "adam_bad", "flat", "script"}),
    ("not best_dev_metric > 0.5", {"adam_bad", "script"}),
    ("(optim.name = sgd or optim.lr >= 1) and tag:baseline", {"sgd"}),
    ("optim.name = sgd or optim.lr >= 1 and tag:baseline", {"sgd"}),
    ("lr < 0.001", {"script"}),
    ("model = resnet18 and amp = true", {"script"}),
    ("config.model.name = mlp", {"adam_good", "adam_bad", "sgd"}),
    ("summary.best_dev_metric < 0.5", {"adam_bad"}),
    ("model ~ RESNET", {"script"}),
    ('tag:"my tag"', {"script"}),
    ("tag: 'my tag'", {"script"}),
    ("status = queued", {"script"}),
    ("status=finished and best_dev_metric<=0.4", {"adam_bad"}),
    ("best_dev_metric = null", {"script"}),
    ("best_dev_metric != null and optim.lr > 0.5", {"adam_bad"}),
    ("duration >= 0", {"adam_good", "adam_bad", "sgd", "flat"}),
    ("created > 2000-01-01", {"adam_good", "adam_bad", "sgd", "flat", "script"}),
    ("name ~ 'digits-mlp'", {"adam_good", "adam_bad", "sgd"}),
])
def test_queries_select_the_expected_runs(store, where, expected):
    assert _names(store, where) == expected


def test_an_empty_query_filters_nothing(store):
    assert len(store.list_runs(where="  ")) == len(store.list_runs(where=None)) == 5


def test_sweep_and_id_atoms(store):
    sweep_id = store.create_sweep("s", {})
    trial = store.create_run(_nested("adam", 0.01, [8]), sweep_id=sweep_id)
    assert [run["id"] for run in store.list_runs(where=f"sweep:{sweep_id}")] == [trial]
    assert store.run_ids_matching(f"sweep: {sweep_id} or id = {store.ids['sgd']}") == {
        trial, store.ids["sgd"]}


@pytest.mark.parametrize("where, message", [
    ("  ", "position 1: expected a condition"),
    ("optim.name adam", "position 12: expected an operator (= != < <= > >= ~) after "
                        "'optim.name', got 'adam'"),
    ("optim.name =", "position 13: expected a value after 'optim.name =', got the end"),
    ("(lr > 1", "position 8: expected ')' to close the '(' at position 1, got the end"),
    ("lr > 1)", "position 7: expected ')' to close"),
    ("lr > 1 lr < 2", "position 8: expected 'and', 'or' or the end, got 'lr'"),
    ("and lr > 1", "position 1: expected a key"),
    ("lr > 'open", "position 6: expected a closing quote"),
    ("status = finishd", "position 10: expected a status (queued, running"),
    ("sweep:abc", "position 1: expected a sweep id"),
    ("created > yesterday", "position 11: expected a date"),
    ("lr > null", "expected a number or text after '>', got null"),
    ("opt$im = 1", "expected a key of letters, digits"),
])
def test_bad_queries_name_the_position_and_what_was_expected(store, where, message):
    with pytest.raises(ConfigError, match="^query, position") as raised:
        parse_query(where)
    assert message in str(raised.value)


@pytest.mark.parametrize("value", [
    "x'; DROP TABLE runs; --",
    "adam' OR '1'='1",
    '") OR 1=1 --',
    "%",
    "_",
])
def test_injection_strings_stay_values(store, value):
    quoted = '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    assert store.list_runs(where=f"optim.name = {quoted}") == []
    assert store.list_runs(where=f"name ~ {quoted}") == []
    assert store.list_runs(where=f"tag:{quoted}") == []
    assert len(store.list_runs()) == 5  # the table is still there and whole


def test_values_and_keys_never_enter_the_sql_text():
    query = parse_query("optim.name = \"x'); DROP TABLE runs;--\" and lr > 3e-4 or tag:b")
    assert "DROP" not in query.sql and "optim" not in query.sql and "3e-4" not in query.sql
    assert "x'); DROP TABLE runs;--" in query.params and 3e-4 in query.params
    assert query.keys == ["optim.name", "lr"]


def test_a_key_cannot_smuggle_sql_or_json_path_syntax(store):
    for key in ('optim"name', "optim[0]", "a..b", "$.x", ".lr"):
        with pytest.raises(ConfigError, match=r"^query, position \d+: expected"):
            store.list_runs(where=f"{key} = 1")


def test_tokens_carry_one_based_positions():
    tokens = tokenize("lr>=0.1 and tag:'a b'")
    assert [(t.kind, t.text, t.position) for t in tokens] == [
        ("word", "lr", 1), ("op", ">=", 3), ("word", "0.1", 5), ("word", "and", 9),
        ("word", "tag:", 13), ("string", "a b", 17), ("end", "", 22)]
