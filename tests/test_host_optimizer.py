"""The optimizer's step on host arrays (an estimator's embeddings and heads)
through the binding ``rnnsk._core.propose_*_on_host`` (src/host_optimizer.hpp):
what it reads and writes, and the errors for buffers it cannot read. Its
formulas are checked against published ones in test_optimizer_formulas.py."""
import numpy as np
import pytest

from rnnsk import _core


def adam(parameter, gradient, rows=None, first=None, second=None):
    first = np.zeros_like(parameter) if first is None else first
    second = np.zeros_like(parameter) if second is None else second
    return _core.propose_adam_on_host(parameter, gradient, rows, first, second, 0.1, 0.9, 0.999,
                                      1e-8)


def sgd(parameter, gradient, rows=None, velocity=None):
    velocity = np.zeros_like(parameter) if velocity is None else velocity
    return _core.propose_sgd_on_host(parameter, gradient, rows, velocity, 0.1, 0.9, True)


@pytest.mark.parametrize("propose", [adam, sgd])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_a_proposal_is_new_arrays_and_changes_nothing(propose, dtype):
    rng = np.random.default_rng(0)
    parameter = rng.standard_normal((4, 3)).astype(dtype)
    gradient = rng.standard_normal((4, 3)).astype(dtype)
    before = parameter.copy(), gradient.copy()
    finite, value, *states = propose(parameter, gradient)
    assert finite is True
    for array in (value, *states):
        assert array.shape == (4, 3) and array.dtype == dtype
    assert not np.array_equal(value, parameter)
    np.testing.assert_array_equal(parameter, before[0])
    np.testing.assert_array_equal(gradient, before[1])


@pytest.mark.parametrize("propose", [adam, sgd])
def test_a_lazy_proposal_holds_the_rows_of_the_gradient_alone(propose):
    rng = np.random.default_rng(1)
    table = rng.standard_normal((6, 3))
    rows = np.array([4, 1])
    values = rng.standard_normal((2, 3))
    finite, value, *states = propose(table, values, rows)
    dense_finite, dense_value, *dense_states = propose(table[rows], values)
    assert finite and dense_finite
    np.testing.assert_array_equal(value, dense_value)
    for state, dense_state in zip(states, dense_states):
        np.testing.assert_array_equal(state, dense_state)


@pytest.mark.parametrize("propose", [adam, sgd])
@pytest.mark.parametrize("bad", [np.nan, np.inf])
def test_a_non_finite_new_value_is_reported(propose, bad):
    gradient = np.ones(5)
    gradient[3] = bad
    finite, value, *_ = propose(np.zeros(5), gradient)
    assert finite is False
    assert np.isfinite(value[:3]).all()


def test_an_empty_lazy_step_proposes_nothing():
    finite, value, first, second = adam(np.ones((3, 2)), np.zeros((0, 2)), np.zeros(0, np.int64))
    assert finite is True and value.shape == first.shape == second.shape == (0, 2)


@pytest.mark.parametrize("call, error, message", [
    (lambda: adam(np.ones(3, np.float16), np.ones(3, np.float16)), TypeError,
     "parameter must be a numpy array of float32 or float64"),
    (lambda: adam([1.0, 2.0], np.ones(2)), TypeError, "parameter must be a numpy array"),
    (lambda: adam(np.ones(3, np.float32), np.ones(3)), TypeError,
     "gradient must have dtype float32, got float64"),
    (lambda: adam(np.ones(3), np.ones(4)), ValueError,
     r"gradient has shape \(4,\), expected \(3,\)"),
    (lambda: adam(np.ones(3), np.ones(3), first=np.ones(2)), ValueError,
     r"first has shape \(2,\), expected \(3,\)"),
    (lambda: sgd(np.ones((3, 2)), np.ones((3, 2)), velocity=np.ones((2, 3)).T), ValueError,
     "velocity must be C-contiguous"),
    (lambda: adam(np.ones(3), np.ones((1, 3)), np.array([0])), ValueError,
     "a lazy step needs a 2-D table, got 1-D"),
    (lambda: adam(np.ones((3, 2)), np.ones((1, 2)), [0]), ValueError,
     "rows must be a 1-D numpy array"),
    (lambda: adam(np.ones((3, 2)), np.ones((1, 2)), np.array([0], np.int32)), TypeError,
     "rows must have dtype int64"),
    (lambda: adam(np.ones((3, 2)), np.ones((2, 2)), np.array([0])), ValueError,
     r"gradient has shape \(2, 2\), expected \(1, 2\)"),
    (lambda: adam(np.ones((3, 2)), np.ones((1, 2)), np.array([3])), IndexError,
     "row 3 is outside a table of 3 rows"),
    (lambda: sgd(np.ones((3, 2)), np.ones((1, 2)), np.array([-1])), IndexError,
     "row -1 is outside a table of 3 rows"),
])
def test_buffers_it_cannot_read_are_refused(call, error, message):
    with pytest.raises(error, match=message):
        call()
