"""Initial weights of the recurrent layers and the head.

Two schemes (the estimators' ``init`` parameter):

- ``'pytorch'``: every recurrent weight and bias from U(-1/sqrt(H), 1/sqrt(H))
  (``torch.nn.RNN/LSTM/GRU``), linear layers as ``torch.nn.Linear``
  (U(-1/sqrt(fan_in), 1/sqrt(fan_in)) for weight and bias).
- ``'orthogonal'``: Keras's defaults for recurrent layers, with the
  literature's choice for each cell:

  * input weights ``weight_ih``: Glorot uniform, U(-a, a) with
    a = sqrt(6 / (fan_in + fan_out)) over the whole (G*H, fan_in) matrix
    (Glorot & Bengio 2010; Keras ``kernel_initializer='glorot_uniform'``);
  * recurrent weights ``weight_hh``: each gate's H x H block an independent
    random orthogonal matrix (Saxe et al. 2014), which keeps the norm of a
    state carried through the linear part of the recurrence; for
    ``rnn_relu`` the identity instead (IRNN, Le, Jaitly & Hinton 2015: with a
    ReLU the identity copies the state forward unchanged at the start);
  * biases zero, except the LSTM forget gate's at 1 (Gers et al. 2000;
    Jozefowicz, Zaremba & Sutskever 2015; Keras ``unit_forget_bias=True``).
    PyTorch's cells add two biases, ``bias_ih`` and ``bias_hh``: the 1 goes in
    ``bias_ih`` so that their sum is 1. GRU biases stay zero (Keras; Jozefowicz
    et al. found no bias that helps the GRU the way the forget bias helps the
    LSTM);
  * linear layers of the head: Glorot uniform weights, zero biases (Keras
    ``Dense``).

Draws use the estimator's ``RandomState``, in a fixed order, so that a seed gives
the same weights every time.
"""
import numpy as np

INITS = ("pytorch", "orthogonal")


def uniform(rng, bound, shape, dtype):
    """U(-bound, bound) values: PyTorch's default initialisation of linear layers
    is this with bound = 1/sqrt(fan_in)."""
    return rng.uniform(-bound, bound, shape).astype(dtype)


def glorot_uniform(rng, shape, dtype):
    """U(-a, a), a = sqrt(6 / (fan_in + fan_out)), for a (fan_out, fan_in) matrix
    (or a vector, taken as one row)."""
    fan_out, fan_in = shape if len(shape) == 2 else (1, shape[0])
    bound = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-bound, bound, shape).astype(dtype)


def random_orthogonal(rng, size):
    """A size x size orthogonal matrix drawn uniformly (Haar measure): the Q of
    a Gaussian matrix's QR, its columns' signs fixed by R's diagonal (Mezzadri
    2007)."""
    q, r = np.linalg.qr(rng.standard_normal((size, size)))
    return q * np.where(np.diag(r) < 0, -1.0, 1.0)


def initialize_orthogonal(network, rng):
    """Set the weights of a ``RecurrentNetwork`` by the 'orthogonal' scheme (its
    own constructor draws the 'pytorch' one)."""
    hidden, gates = network.hidden_size, network.gate_count
    values = {}
    for name, current in network.parameters.items():
        if name.startswith("weight_ih"):
            values[name] = glorot_uniform(rng, current.shape, network.dtype)
        elif name.startswith("weight_hh"):
            if network.cell == "rnn_relu":
                values[name] = np.eye(hidden, dtype=network.dtype)
            else:
                values[name] = np.concatenate([random_orthogonal(rng, hidden)
                                               for _ in range(gates)]).astype(network.dtype)
        else:
            bias = np.zeros(current.shape, network.dtype)
            if network.cell == "lstm" and name.startswith("bias_ih"):
                bias[hidden:2 * hidden] = 1.0  # gates in torch's order i, f, g, o
            values[name] = bias
    network.load_parameters(values)


def linear_weights(rng, init, n_inputs, n_outputs, dtype, bias=True):
    """(weight, bias) of a linear layer ``n_inputs -> n_outputs``; without
    ``bias`` none is drawn (None), as ``nn.Linear(bias=False)`` draws none."""
    if init == "pytorch":
        bound = 1.0 / np.sqrt(n_inputs)
        return (uniform(rng, bound, (n_outputs, n_inputs), dtype),
                uniform(rng, bound, (n_outputs,), dtype) if bias else None)
    return (glorot_uniform(rng, (n_outputs, n_inputs), dtype),
            np.zeros(n_outputs, dtype) if bias else None)
