"""A network's C++ core is freed with the network: reading its parameters or
gradients (views of the core's memory) must not tie the core to itself."""
import gc
import warnings

import numpy as np

from rnnsk import LSTMClassifier
from rnnsk._network import RecurrentNetwork


def live_cores():
    gc.collect()
    return sum(type(o).__name__ == "NetworkCore" for o in gc.get_objects())


def test_dropped_networks_free_their_cores():
    before = live_cores()
    for _ in range(3):
        network = RecurrentNetwork("lstm", 4, 4)
        network.flat_parameters += 0.0
        gradients = network.flat_gradients
        del network, gradients
    assert live_cores() == before


def test_dropped_estimators_free_their_cores():
    X = np.random.default_rng(0).standard_normal((12, 5, 3))
    y = np.arange(12) % 2
    before = live_cores()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for _ in range(2):
            LSTMClassifier(hidden_size=4, max_iter=2, random_state=0).fit(X, y).predict(X)
    assert live_cores() == before
