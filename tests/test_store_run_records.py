"""The runs table's read: records with the shown config values read by SQLite and the
rest decoded on demand, equal to ``list_runs`` once decoded, for every shape of config."""

from __future__ import annotations

import pytest

from dlstudio.config import RunConfig, flatten
from dlstudio.store import Store
from dlstudio.store.run_records import CONFIG_VALUES, full_run, record_config

SHOWN = ("data.name", "model.name", "optim.name", "optim.lr")
CONFIGS = [
    RunConfig.from_dict({"optim": {"name": "sgd", "lr": 0.1}}).to_dict(),  # nested
    {"lr": 3e-4, "model": "my-resnet"},  # a script's: "model" is text, no optim section
    {"optim.lr": 0.01, "optim.name": "adam", "data.name": "wine"},  # flat, dotted keys
    {"model": {"name": "cnn", "hidden": [64, 32]}, "optim": {"lr.warm": 1, "lr": 0.5}},
    {"optim": {"lr": 0.2}, "optim.lr": 0.3},  # spelled twice: flatten's last one wins
    {"optim": {"lr": {}}, "data": {"name": {"nested": True}}},  # mappings as values
    {"optim": {"name": True, "lr": 1.4519026994987816e-05}, "data": {"name": "a{b}"}},
    {},
    {"a": {"b.c": 7}},  # half flat, for the key "a.b.c"
]


@pytest.fixture
def store(db_path, tmp_path):
    with Store(db_path) as store:
        for number, config in enumerate(CONFIGS):
            run_id = store.create_run(config, name=f"run {number}")
            store.end_run(run_id, "finished", {"best_dev_metric": number / 10})
            if number % 2:
                store.set_environment(run_id, {"python": "3.11", "git": {"dirty": True}})
                store.set_resources(run_id, {"sys.cpu_percent": 50.0})
                store.set_checkpoint_dir(run_id, tmp_path / f"run-{run_id}")
            if number % 3 == 0:
                store.add_tag(run_id, "z-last")
                store.add_tag(run_id, "a-first")
        yield store


def test_a_record_decoded_is_the_run_list_runs_gives(store):
    records = store.list_run_records(SHOWN)
    assert [full_run(record) for record in records] == store.list_runs()
    assert all("config" not in record and "environment" not in record for record in records)
    assert [record_config(record) for record in records] == CONFIGS[::-1]
    assert records[-1]["tags"] == ["a-first", "z-last"]


def test_shown_config_values_are_the_flattened_configs(store):
    keys = [*SHOWN, "a.b.c", "model.hidden", "lr", "optim.lr.warm"]
    for record in store.list_run_records(keys):
        flat = flatten(record_config(record))
        assert record[CONFIG_VALUES] == {key: flat.get(key) for key in keys}, record["name"]
    values = {r["name"]: r[CONFIG_VALUES] for r in store.list_run_records(["optim.lr"])}
    assert values["run 2"] == {"optim.lr": 0.01} and values["run 4"] == {"optim.lr": 0.3}
    assert values["run 6"] == {"optim.lr": 1.4519026994987816e-05}  # every digit kept


def test_one_key_or_none(store):
    records = store.list_run_records(["lr"])
    assert [r[CONFIG_VALUES] for r in records][-2] == {"lr": 3e-4}
    assert all(r[CONFIG_VALUES] == {} for r in store.list_run_records())


def test_a_key_no_json_path_can_name_is_refused(store):
    with pytest.raises(ValueError, match='config key: \'say"hi\'.*double quote'):
        store.list_run_records(['say"hi'])
