"""What is timed, built the same way for rnnsk and for torch.nn.

Every builder returns a function of no arguments that does the work once. Both
libraries get the same weights (torch's default initialisation, copied into
rnnsk), the same float32 inputs and the same optimizer settings, so that they
compute the same model; :func:`max_output_difference` checks that they do.

torch is optional: :func:`load_torch` returns None when it is not installed and
the torch builders are then never called.
"""
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning

import rnnsk
from rnnsk._optim import AdamOptimizer

# Standard shapes of docs/DESIGN.md, "Measuring speed": (batch, steps, inputs, hidden).
SHAPES = {"S": (64, 50, 8, 32), "M": (64, 100, 32, 128), "L": (64, 100, 128, 512)}
CELLS = ("rnn_tanh", "lstm", "gru")
LEARNING_RATE = 1e-3

# The estimator fit: 3 epochs of 64-sequence minibatches over 2,048 random
# sequences of 4 classes.
FIT_SAMPLES, FIT_EPOCHS, FIT_BATCH, FIT_CLASSES = 2048, 3, 64, 4
ESTIMATORS = {"rnn_tanh": rnnsk.RNNClassifier, "lstm": rnnsk.LSTMClassifier,
              "gru": rnnsk.GRUClassifier}


def load_torch():
    try:
        import torch
    except ImportError:
        return None
    return torch


def forward_flops(cell, shape):
    """Multiply-adds x 2 of the input and recurrent products of one forward pass,
    2*T*B*G*H*(I+H); the elementwise gate math is not counted."""
    batch, steps, inputs, hidden = shape
    gates = rnnsk.RecurrentNetwork(cell, 1, 1).gate_count
    return 2 * steps * batch * gates * hidden * (inputs + hidden)


def train_flops(cell, shape):
    """A training step is counted as three forward passes (forward, and the two
    products of backward: gradients of the inputs/states and of the weights)."""
    return 3 * forward_flops(cell, shape)


def fit_flops(cell, shape, n_samples, epochs, batch_size):
    batches = -(-n_samples // batch_size)
    return epochs * batches * train_flops(cell, (batch_size, *shape[1:]))


def make_inputs(shape, seed=0):
    """Inputs X (B, T, I) and a fixed gradient of the loss w.r.t. the outputs (B, T, H)."""
    batch, steps, inputs, hidden = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((batch, steps, inputs), dtype=np.float32)
    d_output = rng.standard_normal((batch, steps, hidden), dtype=np.float32)
    return x, d_output


def make_fit_data(shape, n_samples, seed=0):
    _, steps, inputs, _ = shape
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n_samples, steps, inputs), dtype=np.float32)
    y = rng.integers(0, FIT_CLASSES, n_samples)
    return x, y


# ------------------------------------------------------------------ models --

def torch_recurrent(torch, cell, inputs, hidden, seed=0):
    torch.manual_seed(seed)
    if cell == "lstm":
        return torch.nn.LSTM(inputs, hidden, batch_first=True)
    if cell == "gru":
        return torch.nn.GRU(inputs, hidden, batch_first=True)
    return torch.nn.RNN(inputs, hidden, nonlinearity=cell.split("_")[1], batch_first=True)


def rnnsk_network(cell, shape, threads, state=None):
    """rnnsk's network for ``shape``; with ``state`` (a torch state_dict) its weights."""
    _, _, inputs, hidden = shape
    net = rnnsk.RecurrentNetwork(cell, inputs, hidden, dtype=np.float32, random_state=0,
                                 n_threads=threads)
    if state is not None:
        net.load_parameters({name: value.detach().numpy() for name, value in state.items()})
    return net


def same_model(torch, cell, shape, threads):
    """Inputs, output gradient, torch module (None without torch) and rnnsk network
    holding the module's weights, for one shape."""
    x, d_output = make_inputs(shape)
    module = torch_recurrent(torch, cell, shape[2], shape[3]) if torch else None
    net = rnnsk_network(cell, shape, threads, module.state_dict() if torch else None)
    return x, d_output, module, net


def max_output_difference(torch, module, net, x):
    """Largest absolute difference of the two forward outputs on ``x``."""
    with torch.inference_mode():
        expected, _ = module(torch.from_numpy(x))
    output, _, _ = net.forward(x)
    return float(np.max(np.abs(output - expected.numpy())))


# ---------------------------------------------------------- training step --

def rnnsk_train_step(net, x, d_output):
    """Forward with tape, BPTT given d loss / d output, and the estimators' Adam,
    which the core runs on the parameters and moments it owns."""
    optimizer = AdamOptimizer([], LEARNING_RATE, networks=[net])

    def step():
        net.forward(x, training=True)
        # torch's x does not require grad, so neither library computes d x.
        net.backward(d_output, input_gradient=False)
        optimizer.step([], [], [net])
    return step


def torch_train_step(torch, module, x, d_output):
    """The same step in torch: loss = sum(output * d_output), so that d loss / d
    output is exactly ``d_output``."""
    x, d_output = torch.from_numpy(x), torch.from_numpy(d_output)
    optimizer = torch.optim.Adam(module.parameters(), lr=LEARNING_RATE)

    def step():
        optimizer.zero_grad()
        output, _ = module(x)
        (output * d_output).sum().backward()
        optimizer.step()
    return step


# -------------------------------------------------------------- inference --

def rnnsk_inference(net, x):
    def infer():
        net.forward(x)
    return infer


def torch_inference(torch, module, x):
    x = torch.from_numpy(x)

    def infer():
        with torch.inference_mode():
            module(x)
    return infer


# ------------------------------------------------------------------- fit --

def rnnsk_fit(cell, shape, x, y, threads, epochs=FIT_EPOCHS, same_model=True):
    """LSTMClassifier(...).fit as a user calls it: the estimator's defaults but
    for the model's size, batch, epochs and learning rate (those of the torch
    loop) and the thread count that both libraries are given.

    With ``same_model`` (the 'fit' row) the recurrence reads every step, as the
    torch loop's does: patch_length='auto' would read the 100 steps of shape M
    in 34 patches of 3, a third of the steps. It reads the inputs alone, as
    the torch loop's layer does: sequence_standardize=True gives it four inputs
    per feature (docs/guide/defaults.md has their cost). And it reads them one
    way, as the loop's layer (the classifiers' bidirectional='auto' reads both),
    against one-hot targets, as the loop's loss (label_smoothing=0). Without it
    (the 'fit-defaults' row) both stay at their defaults: what a user's fit costs."""
    model = (dict(patch_length=1, sequence_standardize=False, bidirectional=False,
                  label_smoothing=0.0) if same_model else {})
    estimator = ESTIMATORS[cell](
        hidden_size=shape[3], max_iter=epochs, batch_size=FIT_BATCH,
        learning_rate_init=LEARNING_RATE, n_threads=threads, random_state=0, **model)

    def fit():
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(x, y)
    return fit


def torch_fit(torch, cell, shape, x, y, epochs=FIT_EPOCHS):
    """The plain loop a PyTorch user writes for the same model: recurrent layer,
    linear head on the last hidden state, cross-entropy, clipping, Adam."""
    n_samples = len(x)

    def fit():
        torch.manual_seed(0)
        features, targets = torch.from_numpy(x), torch.from_numpy(y)
        recurrent = torch_recurrent(torch, cell, shape[2], shape[3])
        head = torch.nn.Linear(shape[3], FIT_CLASSES)
        parameters = [*recurrent.parameters(), *head.parameters()]
        optimizer = torch.optim.Adam(parameters, lr=LEARNING_RATE)
        loss_function = torch.nn.CrossEntropyLoss()
        for _ in range(epochs):
            order = torch.randperm(n_samples)
            for first in range(0, n_samples, FIT_BATCH):
                batch = order[first:first + FIT_BATCH]
                _, state = recurrent(features[batch])
                last = state[0] if isinstance(state, tuple) else state
                loss = loss_function(head(last[-1]), targets[batch])
                optimizer.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(parameters, 1.0)
                optimizer.step()
    return fit
