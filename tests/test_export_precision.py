"""Exports of a float32 regressor are the same model as ``predict``.

The regressor learns standardized targets; its state_dict and to_torch fold
the target's mean and scale into the head, which float32 cannot hold without
losing what matters (y = 1e7 + noise keeps its noise only in the last bits of
a float32 bias, |y| > 3.4e38 overflows float32). So that head is exported in
float64; everything else keeps the model's dtype.
"""
import numpy as np
import pytest

from rnnsk import GRURegressor, LSTMRegressor, to_torch


def _data(offset, spread, n=48, steps=6, features=3, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, steps, features)).astype(np.float32)
    return X, offset + spread * (X[:, :, 0].mean(axis=1) + 0.3 * rng.standard_normal(n))


# The bit-for-bit round trips below hold for head biases of order 1 (PyTorch's
# draws): a bias near 0 (the orthogonal scheme starts at 0) loses bits in
# b * scale + mean at mean = 1e7. Inputs are not standardized: folding that map
# into float32 first-layer weights rounds them, nor are the sequences' own
# statistics read beside them.
EXACT = dict(init="pytorch", readout="last", standardize=False, sequence_standardize=False)


def _fitted(X, y, **params):
    return LSTMRegressor(**{"hidden_size": 8, "max_iter": 5, "random_state": 0,
                            "n_threads": 1, "dtype": "float32", **EXACT,
                            **params}).fit(X, y)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("offset, spread", [(1e7, 1.0), (1e39, 1e32), (-5e12, 3e-3)])
def test_state_dict_round_trip_reproduces_predict(offset, spread):
    X, y = _data(offset, spread)
    reg = _fitted(X, y)
    expected = reg.predict(X)
    state = reg.state_dict()
    assert state["head.weight"].dtype == state["head.bias"].dtype == np.float64
    assert state["rnn.weight_ih_l0"].dtype == np.float32
    assert all(np.all(np.isfinite(value)) for value in state.values())
    # Into a regressor fitted on other targets (another mean and scale): the head
    # is re-expressed in its standardization, in float64 before rounding.
    reloaded = _fitted(X, y + spread, random_state=1).load_state_dict(state)
    np.testing.assert_allclose(reloaded.predict(X), expected, rtol=0, atol=1e-5 * spread)
    # Into the same regressor: the float32 head weights come back bit for bit.
    np.testing.assert_array_equal(reg.load_state_dict(state).predict(X), expected)


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
@pytest.mark.parametrize("offset, spread", [(1e7, 1.0), (1e39, 1e32)])
def test_torch_module_reproduces_predict(offset, spread):
    torch = pytest.importorskip("torch")
    X, y = _data(offset, spread)
    reg = _fitted(X, y)
    with torch.no_grad():
        outputs = to_torch(reg)(torch.from_numpy(X)).numpy().ravel()
    assert outputs.dtype == np.float64
    # Float32 rounding of standardized outputs of order 1, times the spread of y
    # (the float32 fold had errors of about 0.5 at y = 1e7 + noise).
    np.testing.assert_allclose(outputs, reg.predict(X), rtol=0, atol=1e-5 * np.std(y))


@pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")
def test_a_torch_module_loads_back_into_the_regressor():
    pytest.importorskip("torch")
    X, y = _data(1e7, 1.0)
    reg = GRURegressor(hidden_size=6, max_iter=3, random_state=0, n_threads=1,
                       **EXACT).fit(X, y)
    module = to_torch(reg)
    other = GRURegressor(hidden_size=6, max_iter=1, random_state=3, n_threads=1,
                         **EXACT).fit(X, y)
    other.load_state_dict(module.state_dict())
    np.testing.assert_array_equal(other.predict(X), reg.predict(X))
