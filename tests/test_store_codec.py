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
