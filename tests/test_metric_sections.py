"""The one rule that puts a metric key in a section (Compare's panels, the choosers)."""

from __future__ import annotations

import pytest

from dlstudio.metric_sections import (DEFAULT_SECTION, SYSTEM_SECTION, group_metric_keys,
                                      metric_section, split_metric_key)


@pytest.mark.parametrize("key, section, name", [
    ("train/loss", "train", "loss"),
    ("val/accuracy", "val", "accuracy"),
    ("a/b/c", "a", "b/c"),                    # nested: the first part is the section
    ("/val/loss", "val", "loss"),             # a leading slash is not a section
    ("val/loss/", "val", "loss"),
    ("a//b", "a", "b"),
    ("/loss", DEFAULT_SECTION, "/loss"),      # empty section: shown whole, unprefixed
    ("train/", DEFAULT_SECTION, "train/"),    # empty name: the same
    ("train//", DEFAULT_SECTION, "train//"),
    ("/", DEFAULT_SECTION, "/"),
    ("", DEFAULT_SECTION, ""),
    ("loss", DEFAULT_SECTION, "loss"),        # the app's own keys
    ("dev_metric", DEFAULT_SECTION, "dev_metric"),
    ("val_acc", DEFAULT_SECTION, "val_acc"),  # an underscore is not a prefix
    ("sys.gpu_util", SYSTEM_SECTION, "gpu_util"),
    ("sys.", SYSTEM_SECTION, "sys."),
    ("sysadmin", DEFAULT_SECTION, "sysadmin"),
    ("sys/gpu", "sys", "gpu"),                # a prefix the script chose stays its own
])
def test_split_metric_key(key, section, name):
    assert split_metric_key(key) == (section, name)
    assert metric_section(key) == section


def test_sections_in_order_charts_first_system_last_builtins_first():
    keys = ["val_acc", "sys.ram_mb", "train/loss", "lr", "Val/x", "val/loss", "loss",
            "train/acc", "dev_loss", "b/z", "loss"]
    assert group_metric_keys(keys) == [
        (DEFAULT_SECTION, ["loss", "dev_loss", "lr", "val_acc"]),
        ("b", ["b/z"]),
        ("train", ["train/acc", "train/loss"]),
        ("Val", ["Val/x"]),
        ("val", ["val/loss"]),
        (SYSTEM_SECTION, ["sys.ram_mb"]),
    ]
    assert group_metric_keys([]) == []
