"""Tests of the shipped Japanese Vowels data set and its loader."""

import numpy as np
import pytest
from sklearn.utils import Bunch

from rnnsk.datasets import load_japanese_vowels

CLASSES = [str(i) for i in range(1, 10)]
EXPECTED = {
    # n_sequences, total time steps, per-speaker counts (UCI size_ae.*)
    "train": (270, 4274, [30] * 9),
    "test": (370, 5687, [31, 35, 88, 44, 29, 24, 40, 50, 29]),
}


@pytest.mark.parametrize("subset", ["train", "test"])
def test_counts_shapes_and_labels(subset):
    n, n_steps, counts = EXPECTED[subset]
    bunch = load_japanese_vowels(subset=subset)
    assert isinstance(bunch, Bunch)
    X, y = bunch.data, bunch.target

    assert isinstance(X, list) and len(X) == n
    assert isinstance(y, np.ndarray) and y.shape == (n,)
    assert y.dtype.kind == "U"
    assert [int(np.sum(y == c)) for c in CLASSES] == counts
    # Speaker by speaker, in the original UCI order.
    assert list(y) == sorted(y, key=int)

    lengths = np.array([x.shape[0] for x in X])
    assert all(x.ndim == 2 and x.shape[1] == 12 for x in X)
    assert all(x.dtype == np.float64 for x in X)
    assert lengths.sum() == n_steps
    assert 7 <= lengths.min() and lengths.max() <= 29
    assert all(np.isfinite(x).all() for x in X)


def test_lengths_are_ragged_and_unpadded():
    X = load_japanese_vowels(subset="all").data
    lengths = np.array([x.shape[0] for x in X])
    assert lengths.min() == 7 and lengths.max() == 29
    assert len(np.unique(lengths)) > 10
    for x in X:
        # padding would show as a repeated or all-zero last frame
        assert not np.array_equal(x[-1], x[-2])
        assert np.any(x[-1] != 0)


def test_known_values():
    # First frame of the first utterance of ae.train (UCI).
    X, y = load_japanese_vowels(return_X_y=True)
    first = [1.860936, -0.207383, 0.261557, -0.214562, -0.171253, -0.118167,
             -0.277557, 0.025668, 0.126701, -0.306756, -0.213076, 0.088728]
    np.testing.assert_array_equal(X[0][0], first)
    assert X[0].shape == (20, 12) and y[0] == "1"
    # Values carry 6 decimals: exact in float64.
    flat = np.concatenate(X)
    np.testing.assert_array_equal(np.round(flat, 6), flat)


def test_bunch_metadata():
    bunch = load_japanese_vowels()
    assert bunch.frame is None
    assert bunch.feature_names == [f"lpc_cepstrum_{i}" for i in range(1, 13)]
    assert list(bunch.target_names) == CLASSES
    assert set(bunch.target) == set(bunch.target_names)
    assert isinstance(bunch.DESCR, str) and "Japanese Vowels" in bunch.DESCR
    assert "CC BY 4.0" in bunch.DESCR


def test_all_is_train_then_test():
    X_tr, y_tr = load_japanese_vowels(subset="train", return_X_y=True)
    X_te, y_te = load_japanese_vowels(subset="test", return_X_y=True)
    X_all, y_all = load_japanese_vowels(subset="all", return_X_y=True)
    assert len(X_all) == 640
    np.testing.assert_array_equal(y_all, np.concatenate([y_tr, y_te]))
    assert len(X_all) == len(X_tr) + len(X_te)
    for a, b in zip(X_all, X_tr + X_te):
        np.testing.assert_array_equal(a, b)


def test_return_X_y_matches_bunch():
    bunch = load_japanese_vowels(subset="test")
    result = load_japanese_vowels(subset="test", return_X_y=True)
    assert isinstance(result, tuple) and len(result) == 2
    X, y = result
    np.testing.assert_array_equal(y, bunch.target)
    for a, b in zip(X, bunch.data):
        np.testing.assert_array_equal(a, b)


def test_dtype():
    X64, _ = load_japanese_vowels(return_X_y=True)
    X32, _ = load_japanese_vowels(return_X_y=True, dtype=np.float32)
    assert all(x.dtype == np.float32 for x in X32)
    for a, b in zip(X32, X64):
        np.testing.assert_array_equal(a, b.astype(np.float32))
    with pytest.raises(ValueError, match="floating"):
        load_japanese_vowels(dtype=np.int64)


def test_calls_do_not_share_memory():
    X1, _ = load_japanese_vowels(return_X_y=True)
    X1[0][0, 0] = 123.0
    X2, _ = load_japanese_vowels(return_X_y=True)
    assert X2[0][0, 0] == 1.860936


@pytest.mark.parametrize("subset", ["Train", "validation", "", None, 0, ["train"]])
def test_bad_subset(subset):
    with pytest.raises(ValueError, match="subset must be one of"):
        load_japanese_vowels(subset=subset)


def test_keyword_only():
    with pytest.raises(TypeError):
        load_japanese_vowels("train")
