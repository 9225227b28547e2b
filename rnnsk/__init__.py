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
from rnnsk._device import cuda_device_count
from rnnsk._display import TrainingCurveDisplay
from rnnsk._forecaster import RecurrentForecaster
from rnnsk._forecasting import last_window, make_windows
from rnnsk._language_model import RecurrentLanguageModel
from rnnsk._network import RecurrentNetwork
from rnnsk._scaler import SequenceScaler
from rnnsk._tagger import RecurrentStepRegressor, RecurrentTagger
from rnnsk._text import TextSequencer
from rnnsk._torch import to_torch
from rnnsk._version import __version__  # noqa: F401 (public, not an API entry)


__all__ = [
    "GRUClassifier",
    "GRURegressor",
    "LSTMClassifier",
    "LSTMRegressor",
    "RNNClassifier",
    "RNNRegressor",
    "RecurrentClassifier",
    "RecurrentForecaster",
    "RecurrentLanguageModel",
    "RecurrentNetwork",
    "RecurrentRegressor",
    "RecurrentStepRegressor",
    "RecurrentTagger",
    "SequenceScaler",
    "TextSequencer",
    "TrainingCurveDisplay",
    "cuda_device_count",
    "last_window",
    "make_windows",
    "to_torch",
]
