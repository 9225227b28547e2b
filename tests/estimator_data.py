"""Small data sets and helpers shared by the estimator tests (test_estimator*.py,
test_torch_interop.py, test_scaler.py). Everything is tiny so that a fit takes
milliseconds."""

import numpy as np

# A network small enough to fit in a few milliseconds on tiny data.
FAST = dict(hidden_size=8, max_iter=10, learning_rate_init=0.02, random_state=0)


def sequences_3d(n=60, steps=6, features=3, seed=0):
    """A 3-D array and a binary label that depends on the whole sequence."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, steps, features))
    y = (X[:, :, 0].sum(axis=1) > 0).astype(np.int64)
    return X, y


def multiclass_3d(n=60, steps=6, features=3, n_classes=3, seed=0):
    """Three classes told apart by the mean level of the first feature."""
    rng = np.random.default_rng(seed)
    y = np.arange(n) % n_classes
    X = rng.standard_normal((n, steps, features))
    X[:, :, 0] += 1.5 * (y[:, None] - 1)
    return X, y


def ragged(n=60, features=3, min_length=2, max_length=8, seed=0):
    """A list of (length_i, features) arrays of different lengths, a binary
    label, and the lengths."""
    rng = np.random.default_rng(seed)
    lengths = rng.integers(min_length, max_length + 1, size=n)
    X = [rng.standard_normal((length, features)) for length in lengths]
    y = np.array([int(x[:, 0].mean() > 0) for x in X])
    return X, y, lengths


def regression_3d(n=60, steps=6, features=3, n_targets=None, seed=0):
    """Targets that are smooth functions of the sequences; 1-D y when
    ``n_targets`` is None, else (n, n_targets)."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, steps, features))
    base = X[:, :, 0].mean(axis=1)
    if n_targets is None:
        return X, 3.0 * base + 10.0
    columns = [(k + 1) * base + X[:, -1, k % features] + 5.0 * k for k in range(n_targets)]
    return X, np.stack(columns, axis=1)


def tokens(n=60, steps=6, vocabulary=10, seed=0):
    """Integer token ids (n, steps) in [0, vocabulary) whose label is whether
    token 0 occurs; every id occurs somewhere."""
    rng = np.random.default_rng(seed)
    X = rng.integers(1, vocabulary, size=(n, steps))
    X[np.arange(n // 2), rng.integers(0, steps, size=n // 2)] = 0
    X[0, :] = np.arange(steps) % vocabulary
    X[1, 0] = vocabulary - 1
    y = (X == 0).any(axis=1).astype(np.int64)
    return X, y


def assert_same_state(first, second):
    """Two state dicts hold the same names and bit-identical arrays."""
    assert list(first) == list(second)
    for name in first:
        assert first[name].shape == second[name].shape, name
        assert np.array_equal(first[name], second[name]), name


def states_equal(first, second):
    return list(first) == list(second) and all(
        np.array_equal(first[name], second[name]) for name in first)


def fast(**changes):
    """FAST with some parameters changed."""
    return {**FAST, **changes}
