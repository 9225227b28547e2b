"""rnnsk: recurrent neural networks (Elman RNN, LSTM, GRU) for scikit-learn users."""

from rnnsk._network import RecurrentNetwork

__version__ = "0.1.0"

__all__ = ["RecurrentNetwork"]
