"""Recurrent layers advanced one token at a time, for generation and decoding.

Training and scoring run whole sequences through the core; generating text
(and decoding with an encoder-decoder) needs the next token before the step
after it can run. :class:`IncrementalState` holds the states of a batch of
streams and advances all of them by one input row per call: per block one call
into the C++ core (``src/incremental.hpp``), which lays the weights out once
and keeps no tape, so a token costs one small product per layer and matrix and
no Python work per layer.
"""
import numpy as np

from ._network import CELLS, _core


class IncrementalStep:
    """One unidirectional :class:`~rnnsk.RecurrentNetwork` as a step function:
    ``step(x, h, c)`` reads one row of ``x`` (batch, input_size) per state and
    replaces ``h`` (and ``c`` for LSTM), of shape (num_layers, batch,
    hidden_size), by the states after it. The weights are read as they are when
    the step is made; make a new one after training further."""

    def __init__(self, network):
        if network.bidirectional:
            raise ValueError("an incremental step needs a unidirectional network: the "
                             "reverse direction would need the tokens after this one")
        self.cell = network.cell
        self.hidden_size = network.hidden_size
        self.num_layers = network.num_layers
        self.dtype = network.dtype
        # The network's own array on the CPU, which the core reads without
        # copying; a host copy for a network on a GPU (generation runs on the CPU).
        parameters = network.flat_parameters
        self._core = _core.StepCore(CELLS[network.cell], network.input_size,
                                    network.hidden_size, network.num_layers, network.dtype)
        self._core.prepare(parameters)

    def __call__(self, x, h, c=None):
        self._core.step(x, h, c)

    def zero_states(self, batch):
        """Zero states for ``batch`` streams: [h] or [h, c] (LSTM)."""
        shape = (self.num_layers, batch, self.hidden_size)
        return [np.zeros(shape, self.dtype) for _ in range(2 if self.cell == "lstm" else 1)]


class IncrementalState:
    """The states of a batch of streams in a stack of recurrent blocks (a
    model's ``blocks``), advanced together one input row at a time.

    ``states`` is, per block, [h] or [h, c] of shape (num_layers, batch,
    hidden_size) -- the ``finals`` that ``SequenceModel.run_blocks`` returns --
    or None for zeros. ``advance(x)`` reads one row of ``x`` (batch, n_features)
    per stream and returns the top layer's new output (batch, hidden_size).
    ``select(rows)`` keeps (or repeats, or reorders) streams, as beam search and
    finished samples need.
    """

    def __init__(self, blocks, states=None, batch=1):
        self._steps = [IncrementalStep(block) for block in blocks]
        if states is None:
            states = [step.zero_states(batch) for step in self._steps]
        self.states = [[np.ascontiguousarray(state, dtype=step.dtype) for state in block]
                       for step, block in zip(self._steps, states)]

    @property
    def batch(self):
        return self.states[0][0].shape[1]

    @property
    def top(self):
        """The top layer's latest output (batch, hidden_size)."""
        return self.states[-1][0][-1]

    def advance(self, x):
        x = np.ascontiguousarray(x, dtype=self._steps[0].dtype)
        for step, states in zip(self._steps, self.states):
            step(x, *states)
            x = states[0][-1]
        return x

    def select(self, rows):
        self.states = [[np.ascontiguousarray(state[:, rows]) for state in block]
                       for block in self.states]
        return self
