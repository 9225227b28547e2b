"""Heads: what sits on the top recurrent block and gives the estimator's outputs.

A model is an input part (features or an embedding), recurrent blocks (the C++
core) and one head. Every task differs only in its head and in how the
estimator encodes ``y``, so the training loop, the optimizer and the model are
written once. A head:

- says whether it reads the top block's output at every step
  (``reads_outputs``; otherwise it sees only the final states, and the model
  skips copying the outputs out of the core);
- owns its parameters, named as in the equivalent PyTorch module's
  ``state_dict`` (``parameters``), with aligned ``gradients`` and the set of
  names that get L2 regularization (``decayed``);
- computes scores from a :class:`TopLayer` in ``forward`` and, after
  ``forward(training=True)``, turns the scores' gradient into its parameters'
  gradients and the gradients of the top layer's outputs and final states in
  ``backward``;
- builds its PyTorch counterpart for ``to_torch`` (``torch_layers`` and
  ``torch_forward``).

The exact definitions are those of the design's HEADS.md. Nothing here loops
over time steps.
"""
from typing import NamedTuple, Optional

import numpy as np

from ._init import linear_weights


class TopLayer(NamedTuple):
    """What the top recurrent block gives a head, for a padded batch of B
    sequences of at most T steps.

    outputs : (B, T, D) array or None
        The top layer's output at every step (forward and reverse halves
        concatenated when bidirectional); steps at or beyond a sequence's length
        hold no data. None when the head does not read them.
    final : (B, D) array
        The top layer's final state in each direction: the forward direction's
        after the sequence's last real step, the reverse direction's after
        reading back to the first (torch's ``h_n`` of packed sequences).
    lengths : (B,) int64 array
        Real steps of each sequence.
    """
    outputs: Optional[np.ndarray]
    final: np.ndarray
    lengths: np.ndarray


class Linear:
    """A dense layer ``x @ weight.T + bias`` over the last axis of any array,
    PyTorch's ``nn.Linear``, under the state_dict prefix ``name``; initialised
    by scheme ``init`` (see ``_init.py``); ``bias=False`` leaves the bias out,
    as ``nn.Linear``'s option of that name."""

    def __init__(self, name, n_inputs, n_outputs, rng, dtype, init="pytorch", bias=True):
        self.name = name
        self.weight, self.bias = linear_weights(rng, init, n_inputs, n_outputs, dtype, bias)
        self.d_weight = np.zeros_like(self.weight)
        self.d_bias = np.zeros_like(self.bias) if bias else None

    @property
    def parameters(self):
        if self.bias is None:
            return {f"{self.name}.weight": self.weight}
        return {f"{self.name}.weight": self.weight, f"{self.name}.bias": self.bias}

    @property
    def gradients(self):
        if self.bias is None:
            return {f"{self.name}.weight": self.d_weight}
        return {f"{self.name}.weight": self.d_weight, f"{self.name}.bias": self.d_bias}

    @property
    def decayed(self):
        return {f"{self.name}.weight"}

    def forward(self, x):
        # As one 2-D product: numpy's stacked matmul does not reach BLAS (8x
        # slower for (64, 100, 128) per-step outputs).
        rows = x.reshape(-1, x.shape[-1]) @ self.weight.T
        if self.bias is not None:
            rows += self.bias
        return rows.reshape(x.shape[:-1] + (rows.shape[-1],))

    def backward(self, x, d_y):
        """Writes the parameters' gradients for input ``x`` and output gradient
        ``d_y`` (rows over any leading axes; rows of zeros add nothing) and
        returns the gradient of ``x``."""
        rows_x = x.reshape(-1, x.shape[-1])
        rows_d = d_y.reshape(-1, d_y.shape[-1])
        np.matmul(rows_d.T, rows_x, out=self.d_weight)
        if self.bias is not None:
            np.sum(rows_d, axis=0, out=self.d_bias)
        return (rows_d @ self.weight).reshape(d_y.shape[:-1] + (self.weight.shape[1],))

    def torch_layer(self, torch):
        return torch.nn.Linear(self.weight.shape[1], self.weight.shape[0],
                               bias=self.bias is not None)


class LastStateReadout:
    """The ``last`` readout: each sequence is summarised by the top layer's
    final state in each direction. No parameters."""

    reads_outputs = False
    parameters = gradients = {}
    decayed = frozenset()

    def forward(self, top, training):
        return top.final

    def backward(self, d_summary):
        return None, d_summary

    def torch_layers(self, torch):
        return {}

    @staticmethod
    def torch_forward(layers, outputs, final, lengths):
        return final


class SequenceHead:
    """Sequence -> one answer: a readout summarises each sequence into one
    vector, a linear layer maps it to ``n_outputs`` scores (class logits or
    standardized regression targets)."""

    def __init__(self, readout, n_features, n_outputs, rng, dtype, init="pytorch"):
        self.readout = readout
        self.linear = Linear("head", n_features, n_outputs, rng, dtype, init)
        self._summary = None

    @property
    def reads_outputs(self):
        return self.readout.reads_outputs

    @property
    def parameters(self):
        return {**self.readout.parameters, **self.linear.parameters}

    @property
    def gradients(self):
        return {**self.readout.gradients, **self.linear.gradients}

    @property
    def decayed(self):
        return self.readout.decayed | self.linear.decayed

    def forward(self, top, training):
        summary = self.readout.forward(top, training)
        if training:
            self._summary = summary
        return self.linear.forward(summary)

    def backward(self, d_scores):
        d_summary = self.linear.backward(self._summary, d_scores)
        return self.readout.backward(d_summary)

    def torch_layers(self, torch):
        return {**self.readout.torch_layers(torch), "head": self.linear.torch_layer(torch)}

    def torch_forward(self, layers, outputs, final, lengths):
        summary = self.readout.torch_forward(layers, outputs, final, lengths)
        return layers["head"](summary)


class StepHead:
    """Sequence -> one answer per step: the same linear layer on the top layer's
    output at every step (taggers, per-step regressors, language models). Scores
    at padded steps are computed but mean nothing; losses skip them
    (``_losses.per_step``)."""

    reads_outputs = True

    def __init__(self, n_features, n_outputs, rng, dtype):
        self.linear = Linear("head", n_features, n_outputs, rng, dtype)
        self._outputs = None

    @property
    def parameters(self):
        return self.linear.parameters

    @property
    def gradients(self):
        return self.linear.gradients

    @property
    def decayed(self):
        return self.linear.decayed

    def forward(self, top, training):
        if training:
            self._outputs = top.outputs
        return self.linear.forward(top.outputs)

    def backward(self, d_scores):
        """``d_scores`` must be zero at padded steps (as the losses make it)."""
        return self.linear.backward(self._outputs, d_scores), None

    def torch_layers(self, torch):
        return {"head": self.linear.torch_layer(torch)}

    @staticmethod
    def torch_forward(layers, outputs, final, lengths):
        return layers["head"](outputs)
