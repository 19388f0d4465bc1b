"""The JSON columns' codec: what is written reads back equal; bad text says where."""

from __future__ import annotations

import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dlstudio.store import codec

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12)


@given(JSON_VALUES)
def test_what_is_written_reads_back_equal(value):
    assert codec.loads(codec.dumps(value)) == json.loads(json.dumps(value))


def test_integers_beyond_64_bits_stay_exact_integers():
    big = 2 ** 70 + 1
    assert codec.loads(codec.dumps({"seed": big})) == {"seed": big}
    assert isinstance(codec.loads(str(big)), int)


def test_bad_text_raises_the_standard_librarys_error():
    with pytest.raises(json.JSONDecodeError, match="line 1 column 2"):
        codec.loads("{bad")


def test_empty_text_gives_the_default():
    assert codec.loads("", {}) == {} and codec.loads(None) is None


def test_a_lazy_object_reads_as_the_object_its_text_holds():
    text = codec.dumps({"best_dev_metric": 0.97, "sizes": {"train": 10}})
    lazy = codec.LazyObject(text)
    assert lazy["best_dev_metric"] == 0.97 and lazy.get("missing", 1) == 1
    assert "sizes" in lazy and len(lazy) == 2 and dict(lazy) == json.loads(text)
    assert lazy == codec.LazyObject(text) == json.loads(text)
    assert lazy != codec.LazyObject(codec.dumps({"best_dev_metric": 0.5}))
    # Spelled differently, the same object: equal once decoded.
    assert lazy == codec.LazyObject('{"sizes": {"train": 10}, "best_dev_metric": 0.97}')
    assert codec.loads(codec.dumps({"summary": lazy})) == {"summary": json.loads(text)}


@pytest.mark.parametrize("text", [None, "", "[1, 2]", "3", "null"])
def test_a_lazy_object_of_no_object_reads_as_empty(text):
    lazy = codec.LazyObject(text)
    assert not lazy and dict(lazy) == {} and lazy.get("key") is None
