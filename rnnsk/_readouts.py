"""Readouts that summarise each sequence from the top layer's outputs at every
step: mean, max and attention pooling over the real steps (HEADS.md gives the
exact definitions). They plug into ``SequenceHead`` as ``LastStateReadout``
does: ``forward(top, training)`` -> (B, D) summaries, ``backward(d_summary)``
-> (gradient of the outputs, gradient of the final states), and a PyTorch
counterpart for ``to_torch``.

Steps at or beyond a sequence's length never contribute, whatever they hold.
Everything is vectorized over (batch, time).
"""
import numpy as np

from ._heads import LastStateReadout
from ._init import glorot_uniform, linear_weights
from ._network import _core


def _real_steps(outputs, lengths):
    """(B, T) boolean mask of the steps each sequence really has."""
    return np.arange(outputs.shape[1]) < lengths[:, None]


def _torch_real_steps(torch, outputs, lengths):
    steps = torch.arange(outputs.shape[1], device=outputs.device)
    return steps[None, :] < lengths.to(outputs.device)[:, None]


class _StepReadout:
    """What every readout over the per-step outputs shares."""

    reads_outputs = True
    parameters = gradients = {}
    decayed = frozenset()

    def torch_layers(self, torch):
        return {}


class MeanReadout(_StepReadout):
    """``mean``: the average of the outputs over each sequence's real steps."""

    def forward(self, top, training):
        real = _real_steps(top.outputs, top.lengths)[:, :, None]
        scale = (1.0 / top.lengths).astype(top.outputs.dtype)[:, None]
        if training:
            self._tape = (real, scale)
        return np.where(real, top.outputs, 0).sum(axis=1) * scale

    def backward(self, d_summary):
        real, scale = self._tape
        return real * (d_summary * scale)[:, None, :], None

    @staticmethod
    def torch_forward(layers, outputs, final, lengths):
        import torch
        real = _torch_real_steps(torch, outputs, lengths)[:, :, None]
        total = torch.where(real, outputs, torch.zeros_like(outputs)).sum(dim=1)
        return total / lengths.to(outputs.device, outputs.dtype)[:, None]


class MaxReadout(_StepReadout):
    """``max``: each feature's largest value over the real steps; its gradient
    goes to the first step holding it (as ``torch.max``)."""

    def forward(self, top, training):
        first = _core.first_largest_steps(np.ascontiguousarray(top.outputs),
                                          np.ascontiguousarray(top.lengths, np.int64))
        first = first[:, None, :]
        if training:
            self._tape = (first, top.outputs.shape)
        return np.take_along_axis(top.outputs, first, axis=1)[:, 0]

    def backward(self, d_summary):
        first, shape = self._tape
        d_outputs = np.zeros(shape, d_summary.dtype)
        np.put_along_axis(d_outputs, first, d_summary[:, None, :], axis=1)
        return d_outputs, None

    @staticmethod
    def torch_forward(layers, outputs, final, lengths):
        import torch
        real = _torch_real_steps(torch, outputs, lengths)[:, :, None]
        return outputs.masked_fill(~real, float("-inf")).max(dim=1).values


class AttentionReadout(_StepReadout):
    """``attention``: feed-forward attention pooling (Raffel & Ellis 2015; Yang
    et al. 2016). Scores e = context . tanh(weight o + bias) over the real
    steps, their softmax weighs the outputs. ``readout.weight`` (A x D),
    ``readout.bias`` (A), ``readout.context`` (A), A = D."""

    decayed = frozenset({"readout.weight", "readout.context"})

    def __init__(self, n_features, rng, dtype, init="pytorch"):
        size = n_features
        self.weight, self.bias = linear_weights(rng, init, n_features, size, dtype)
        if init == "pytorch":
            # As a torch nn.Linear(A, 1, bias=False) would be.
            bound = 1.0 / np.sqrt(size)
            self.context = rng.uniform(-bound, bound, size).astype(dtype)
        else:
            self.context = glorot_uniform(rng, (size,), dtype)
        self.d_weight = np.zeros_like(self.weight)
        self.d_bias = np.zeros_like(self.bias)
        self.d_context = np.zeros_like(self.context)

    @property
    def parameters(self):
        return {"readout.weight": self.weight, "readout.bias": self.bias,
                "readout.context": self.context}

    @property
    def gradients(self):
        return {"readout.weight": self.d_weight, "readout.bias": self.d_bias,
                "readout.context": self.d_context}

    def forward(self, top, training):
        outputs = np.where(_real_steps(top.outputs, top.lengths)[:, :, None], top.outputs, 0)
        hidden = np.tanh(outputs @ self.weight.T + self.bias)
        scores = hidden @ self.context
        real = _real_steps(outputs, top.lengths)
        scores = np.where(real, scores, -np.inf)
        scores -= scores.max(axis=1, keepdims=True)
        attention = np.exp(scores)
        attention /= attention.sum(axis=1, keepdims=True)
        if training:
            self._tape = (outputs, hidden, attention)
        return (attention[:, None, :] @ outputs)[:, 0]

    def backward(self, d_summary):
        outputs, hidden, attention = self._tape
        d_attention = (outputs @ d_summary[:, :, None])[:, :, 0]
        d_scores = attention * (d_attention - (attention * d_attention).sum(axis=1,
                                                                             keepdims=True))
        rows_hidden = hidden.reshape(-1, hidden.shape[-1])
        self.d_context[...] = d_scores.reshape(-1) @ rows_hidden
        d_pre = d_scores[:, :, None] * self.context * (1 - hidden * hidden)
        rows_pre = d_pre.reshape(-1, d_pre.shape[-1])
        self.d_weight[...] = rows_pre.T @ outputs.reshape(-1, outputs.shape[-1])
        self.d_bias[...] = rows_pre.sum(axis=0)
        d_outputs = attention[:, :, None] * d_summary[:, None, :] + d_pre @ self.weight
        return d_outputs, None

    def torch_layers(self, torch):
        layer = torch.nn.Linear(*self.weight.shape[::-1])
        layer.context = torch.nn.Parameter(torch.zeros(self.weight.shape[0]))
        return {"readout": layer}

    @staticmethod
    def torch_forward(layers, outputs, final, lengths):
        import torch
        layer = layers["readout"]
        real = _torch_real_steps(torch, outputs, lengths)
        outputs = torch.where(real[:, :, None], outputs, torch.zeros_like(outputs))
        scores = torch.tanh(layer(outputs)) @ layer.context
        attention = torch.softmax(scores.masked_fill(~real, float("-inf")), dim=1)
        return torch.einsum("bt,btd->bd", attention, outputs)


READOUTS = ("last", "mean", "max", "attention")


def make_readout(name, n_features, rng, dtype, init):
    """The readout called ``name`` for top-layer outputs of ``n_features``."""
    if name == "attention":
        return AttentionReadout(n_features, rng, dtype, init)
    return {"last": LastStateReadout, "mean": MeanReadout, "max": MaxReadout}[name]()
