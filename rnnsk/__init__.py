"""rnnsk: recurrent neural networks (Elman RNN, LSTM, GRU) for scikit-learn users."""

from rnnsk._classes import (
    GRUClassifier,
    GRURegressor,
    LSTMClassifier,
    LSTMRegressor,
    RecurrentClassifier,
    RecurrentRegressor,
    RNNClassifier,
    RNNRegressor,
)
from rnnsk._network import RecurrentNetwork
from rnnsk._scaler import SequenceScaler
from rnnsk._torch import to_torch

__version__ = "0.1.0"

__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "RecurrentClassifier",
    "RecurrentNetwork",
    "RecurrentRegressor",
    "SequenceScaler",
    "to_torch",
]
