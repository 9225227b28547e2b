"""A fitted estimator's recurrent layers as a RecurrentNetwork: one call
(RecurrentNetwork.from_estimator), and load_parameters reading an estimator's
state_dict (its ``rnn.`` entries)."""
import numpy as np
import pytest
from sklearn.exceptions import NotFittedError

from rnnsk import GRURegressor, LSTMClassifier, RecurrentNetwork

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


def _data(n=16, steps=5, features=3):
    rng = np.random.default_rng(0)
    X = rng.standard_normal((n, steps, features))
    return X, (X[:, :, 0].sum(axis=1) > 0).astype(int)


def _with_sequence_statistics(X):
    """What an estimator with sequence_standardize reads, computed here: each
    feature x, then (x - m) / s, m and log(max(s, 0.001 * the feature's global
    standard deviation)), m and s each sequence's mean and standard deviation."""
    m, s = X.mean(axis=1, keepdims=True), X.std(axis=1, keepdims=True)
    floor = 1e-3 * X.reshape(-1, X.shape[2]).std(axis=0)
    steps = np.ones((1, X.shape[1], 1))
    return np.concatenate([X, (X - m) / s, m * steps, np.log(np.maximum(s, floor)) * steps],
                          axis=2)


def _final_states_through_head(clf, net, X):
    """The classifier's logits recomputed from the network's final states and
    the exported head weights (an independent path to predict_proba)."""
    if clf.sequence_standardize:
        X = _with_sequence_statistics(X)
    _, h_n, _ = net.forward(X.astype(net.dtype))
    directions = 2 if net.bidirectional else 1
    final = np.concatenate(list(h_n[-directions:]), axis=1)
    state = clf.state_dict()
    return final @ state["head.weight"].T + state["head.bias"]


@pytest.mark.parametrize("sequence_standardize", [False, True])
@pytest.mark.parametrize("bidirectional", [False, True])
def test_from_estimator_gives_the_estimators_layers(bidirectional, sequence_standardize):
    X, y = _data()
    clf = LSTMClassifier(hidden_size=5, num_layers=2, bidirectional=bidirectional,
                         max_iter=2, random_state=0, dtype="float64", n_threads=1,
                         readout="last", sequence_standardize=sequence_standardize).fit(X, y)
    net = RecurrentNetwork.from_estimator(clf)
    assert (net.cell, net.input_size, net.hidden_size, net.num_layers, net.bidirectional,
            net.dtype) == ("lstm", 12 if sequence_standardize else 3, 5, 2, bidirectional,
                           np.float64)
    logits = _final_states_through_head(clf, net, X)
    np.testing.assert_allclose(clf.predict_log_proba(X),
                               logits - np.log(np.exp(logits).sum(axis=1, keepdims=True)),
                               rtol=1e-10, atol=1e-12)
    # A copy: changing it leaves the estimator as it was.
    before = clf.predict_proba(X)
    net.flat_parameters[:] = 0
    np.testing.assert_array_equal(clf.predict_proba(X), before)


def test_load_parameters_reads_an_estimators_state_dict():
    X, y = _data()
    clf = LSTMClassifier(hidden_size=4, num_layers=2, max_iter=2, random_state=0,
                         n_threads=1).fit(X, y)
    # 3 features, each read with its sequence's statistics: 12 inputs; both
    # directions (the classifiers' bidirectional='auto')
    net = RecurrentNetwork("lstm", 12, 4, num_layers=2, bidirectional=True, random_state=5)
    net.load_parameters(clf.state_dict())
    np.testing.assert_array_equal(net.flat_parameters,
                                  RecurrentNetwork.from_estimator(clf).flat_parameters)
    with pytest.raises(ValueError, match="parameter names do not match"):
        RecurrentNetwork("lstm", 12, 4, num_layers=2).load_parameters(clf.state_dict())


def test_layers_of_different_sizes_are_chosen_by_block():
    X, y = _data()
    reg = GRURegressor(hidden_size=(6, 6, 3), max_iter=1, random_state=0,
                       n_threads=1).fit(X, y.astype(float))
    with pytest.raises(ValueError, match=r"2 networks of hidden sizes \[6, 3\]: choose one "
                                         r"with block=0..1"):
        RecurrentNetwork.from_estimator(reg)
    first, second = (RecurrentNetwork.from_estimator(reg, block=i) for i in (0, 1))
    assert (first.num_layers, first.hidden_size, second.input_size, second.hidden_size) == (
        2, 6, 6, 3)
    with pytest.raises(ValueError, match="block must be an integer in"):
        RecurrentNetwork.from_estimator(reg, block=2)
    with pytest.raises(ValueError, match="holds 2 recurrent networks"):
        first.load_parameters(reg.state_dict())


def test_from_an_unfitted_estimator():
    with pytest.raises(NotFittedError):
        RecurrentNetwork.from_estimator(LSTMClassifier())
