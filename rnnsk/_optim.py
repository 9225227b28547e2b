"""Optimizers over host arrays and recurrent networks, updated in place.

The semantics and defaults are scikit-learn's MLP solvers ('adam', 'sgd' with
momentum and Nesterov momentum). A step is a transaction: every new value is
computed aside first, then all are written with Ctrl-C held back, so an
interrupt never leaves some arrays stepped and others not, and a step that would
leave a weight NaN or infinite is refused whole. A step holds every network it
steps from its proposal to its commit (`RecurrentNetwork.transaction`), so that
steps from several threads land one after another.

A model's parameters come in two groups. Its recurrent networks (the
``networks`` arguments) own their parameters, gradients and optimizer moments
in the C++ core, on whatever device: the core proposes their step aside (the
same formulas, src/optimizer_math.hpp), says whether it is finite, and commits
it with the rest. The host arrays (embeddings, heads) are proposed by the same
formulas in C++ over host buffers (src/host_optimizer.hpp, through
``_core.propose_*_on_host``); this module only says which arrays make a step
and lands it whole.

A parameter whose gradient is a `SparseRows` (an embedding table) is updated
lazily, as PyTorch's ``SparseAdam`` and the lazy updates of Keras/TensorFlow:
only the rows in the gradient change, and only their optimizer state. For Adam,
with the step count t shared by all parameters, each row i in the gradient gets

    m_i <- beta_1 m_i + (1 - beta_1) g_i
    v_i <- beta_2 v_i + (1 - beta_2) g_i^2
    w_i <- w_i - lr sqrt(1 - beta_2^t) / (1 - beta_1^t) m_i / (sqrt(v_i) + epsilon)

which is dense Adam restricted to those rows. Dense Adam would also decay
the moments of every other row (m_i <- beta_1 m_i, v_i <- beta_2 v_i) and keep
moving it by its remaining momentum; the lazy rule leaves rows that the
minibatch did not use exactly as they are. SGD with momentum is lazy the same
way: the velocity and weights of the used rows follow the dense formulas,
other rows are untouched. Clipping counts the sparse rows in the global norm
(they hold the summed gradient of each row, so the norm is the dense one), and
embeddings get no L2 penalty (see `add_weight_decay`).
"""
import signal
import threading
from collections import namedtuple
from contextlib import ExitStack, contextmanager

import numpy as np

from ._network import _core
from ._sparse import SparseRows


def clip_by_global_norm(gradients, max_norm, networks=()):
    """Scale all gradients together so their joint L2 norm is at most ``max_norm``
    (PyTorch's ``clip_grad_norm_``). Returns the norm before clipping."""
    squares = sum(_sum_of_squares(g) for g in gradients)
    squares += sum(network.gradient_sum_of_squares() for network in networks)
    norm = float(np.sqrt(squares))
    if max_norm is not None and norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in gradients:
            g *= scale
        for network in networks:
            network.scale_gradients(scale)
    return norm


def _sum_of_squares(gradient):
    return squared_norm(gradient.values if isinstance(gradient, SparseRows) else gradient)


def squared_norm(array):
    """|array|^2 in float64, summed by numpy itself: np.dot would call BLAS,
    whose thread pool then competes with the core's threads for the cores."""
    return float(np.sum(np.square(array, dtype=np.float64)))


def add_weight_decay(parameters, gradients, decay_masks, scale, networks=()):
    """L2 on the weights (not biases), as scikit-learn's MLP: adds ``scale * W``
    to the gradients where the mask is 1 (in a network: its weight matrices)
    and returns ``|W|^2`` (in float64).

    A mask of None leaves its parameter out: the embedding tables. Their
    gradients are sparse and their updates lazy, and an L2 term on the rows of
    each minibatch would shrink a word's vector in proportion to how often the
    word occurs (rare words, which overfit most, least), while one on the whole
    table would bring back a sweep of it at every step.
    """
    squares = 0.0
    for parameter, gradient, mask in zip(parameters, gradients, decay_masks):
        if mask is None:
            continue
        squares += squared_norm(mask * parameter)
        gradient += scale * mask * parameter
    return squares + sum(network.add_weight_decay(scale) for network in networks)


class InterruptedAfterStep(KeyboardInterrupt):
    """Ctrl-C arrived during a step and was raised once the step had landed."""


@contextmanager
def interrupts_held_back():
    """Delay SIGINT (Ctrl-C) until the block is done. Signal handlers can only be
    changed in the main thread; elsewhere Python delivers no SIGINT anyway."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    received = []
    previous = signal.signal(signal.SIGINT, lambda number, frame: received.append(number))
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)
    if received:
        raise InterruptedAfterStep


class Diverged(FloatingPointError):
    """A training step would make the loss or a weight NaN or infinite."""


class RowWrite:
    """New values for some rows of a table, written at commit time."""

    def __init__(self, table, rows, values):
        self.table = table
        self.rows = rows
        self.values = values

    def write(self):
        self.table[self.rows] = self.values


HostStep = namedtuple("HostStep", "finite value states writes")
HostStep.__doc__ = """One host array's step, proposed aside: whether its new
values are finite, the new value (an array, or a `RowWrite` for a lazy step),
the optimizer's state arrays after the step, and the `RowWrite`s of that
state to make at commit time (lazy steps)."""


def _host_step(propose, parameter, gradient, states):
    """Propose the step of ``parameter`` with ``propose`` (a ``_core.propose_*_on_host``
    with the step's constants bound), whose optimizer state is ``states``. A
    `SparseRows` gradient is stepped lazily: its rows only, written back at commit."""
    if isinstance(gradient, SparseRows):
        rows = gradient.indices
        finite, value, *new_states = propose(parameter, gradient.values, rows, *states)
        writes = [RowWrite(state, rows, new) for state, new in zip(states, new_states)]
        return HostStep(finite, RowWrite(parameter, rows, value), list(states), writes)
    finite, value, *new_states = propose(parameter, gradient, None, *states)
    return HostStep(finite, value, new_states, [])


def _commit(parameters, new_values, keep_state):
    """Write the new values and the optimizer's new state (``keep_state()``,
    which also commits the networks' proposed steps) as one step. A new value
    is an array or a `RowWrite` (lazy updates)."""
    with interrupts_held_back():
        for parameter, value in zip(parameters, new_values):
            if isinstance(value, RowWrite):
                value.write()
            else:
                parameter[...] = value
        keep_state()


def _check_proposals(finite):
    """Refuse a step whose proposal (of a host array or in some network) is not
    finite, before anything is written."""
    if not all(finite):
        raise Diverged("a step would make some weights NaN or infinite")


def _keeping(state_rows, set_attributes, networks):
    """The ``keep_state`` of a step: commit the networks' proposals, write the
    rows of the optimizer's tables that a lazy update changed, then set its
    new attributes."""
    def keep_state():
        for network in networks:
            network.commit()
        for rows in state_rows:
            rows.write()
        set_attributes()
    return keep_state


@contextmanager
def _transaction(networks):
    """Hold every network from the step's first proposal to its last commit, so
    that another thread's step on one of them cannot come between (its
    proposal would replace this one's). Taken in one order, by id, so that two
    steps over the same networks never wait for each other in a circle."""
    with ExitStack() as stack:
        for network in sorted({id(n): n for n in networks}.values(), key=id):
            stack.enter_context(network.transaction())
        yield


def _land(parameters, steps, network_proposals, set_attributes, networks):
    """Check every proposal of a step, then commit the step whole."""
    _check_proposals([step.finite for step in steps] + network_proposals)
    _commit(parameters, [step.value for step in steps],
            _keeping([write for step in steps for write in step.writes], set_attributes,
                     networks))


def _reset(networks):
    for network in networks:
        network.reset_optimizer_state()


class _Optimizer:
    def step(self, parameters, gradients, networks=()):
        """Step the host ``parameters`` by their ``gradients`` (arrays, or
        `SparseRows` for a lazy step) and the ``networks`` by theirs, all or
        nothing."""
        with _transaction(networks):
            self._step(parameters, gradients, networks)


class SGDOptimizer(_Optimizer):
    def __init__(self, parameters, learning_rate, momentum=0.9, nesterov=True, networks=()):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = [np.zeros_like(p) for p in parameters]
        _reset(networks)

    def _step(self, parameters, gradients, networks):
        def propose(parameter, gradient, rows, velocity):
            return _core.propose_sgd_on_host(parameter, gradient, rows, velocity,
                                             self.learning_rate, self.momentum, self.nesterov)

        steps = [_host_step(propose, p, g, (v,))
                 for p, g, v in zip(parameters, gradients, self.velocities)]
        proposals = [network.propose_sgd(self.learning_rate, self.momentum, self.nesterov)
                     for network in networks]
        velocities = [step.states[0] for step in steps]
        _land(parameters, steps, proposals, lambda: setattr(self, "velocities", velocities),
              networks)


class AdamOptimizer(_Optimizer):
    def __init__(self, parameters, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8,
                 networks=()):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.first_moments = [np.zeros_like(p) for p in parameters]
        self.second_moments = [np.zeros_like(p) for p in parameters]
        _reset(networks)

    def _step(self, parameters, gradients, networks):
        t = self.t + 1
        rate = (self.learning_rate * (1 - self.beta_2 ** t) ** 0.5 / (1 - self.beta_1 ** t))

        def propose(parameter, gradient, rows, first, second):
            return _core.propose_adam_on_host(parameter, gradient, rows, first, second, rate,
                                              self.beta_1, self.beta_2, self.epsilon)

        steps = [_host_step(propose, p, g, (m, v))
                 for p, g, m, v in zip(parameters, gradients, self.first_moments,
                                       self.second_moments)]
        proposals = [network.propose_adam(rate, self.beta_1, self.beta_2, self.epsilon)
                     for network in networks]
        first = [step.states[0] for step in steps]
        second = [step.states[1] for step in steps]
        _land(parameters, steps, proposals, lambda: self.__dict__.update(
            t=t, first_moments=first, second_moments=second), networks)
