"""Optimizers over a list of parameter arrays, updated in place.

The semantics and defaults are scikit-learn's MLP solvers ('adam', 'sgd' with
momentum and Nesterov momentum). A step is a transaction: every new value is
computed aside first, then all are written with Ctrl-C held back, so an
interrupt never leaves some arrays stepped and others not, and a step that would
leave a weight NaN or infinite is refused whole.

Parameters of networks on a GPU (`DeviceParameters`) take part in the same
transaction: their step is computed on the device aside, checked there, and
committed with the others.
"""
import signal
import threading
from contextlib import contextmanager

import numpy as np

from ._device import DeviceGradients, DeviceParameters


def clip_by_global_norm(gradients, max_norm):
    """Scale all gradients together so their joint L2 norm is at most ``max_norm``
    (PyTorch's ``clip_grad_norm_``). Returns the norm before clipping."""
    norm = float(np.sqrt(sum(_sum_of_squares(g) for g in gradients)))
    if max_norm is not None and norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in gradients:
            g *= scale
    return norm


def _sum_of_squares(gradient):
    if isinstance(gradient, DeviceGradients):
        return gradient.sum_of_squares()
    return float(np.dot(gradient.ravel(), gradient.ravel()))


def add_weight_decay(parameters, gradients, decay_masks, scale):
    """L2 on the weights (not biases), as scikit-learn's MLP: adds ``scale * W``
    to the gradients where the mask is 1 and returns ``|W|^2`` (in float64)."""
    squares = 0.0
    for parameter, gradient, mask in zip(parameters, gradients, decay_masks):
        if isinstance(gradient, DeviceGradients):
            squares += gradient.add_weight_decay(scale)
            continue
        weights_only = (mask * parameter).astype(np.float64)
        squares += float(np.dot(weights_only.ravel(), weights_only.ravel()))
        gradient += scale * mask * parameter
    return squares


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


def _commit(parameters, new_values, keep_state):
    """Write the new values and the optimizer's new state as one step, unless a
    value is not finite: then nothing is written. A device's new values are
    already computed on it (their entry in new_values is whether they are all
    finite) and are committed there."""
    finite = [value if isinstance(parameter, DeviceParameters) else np.isfinite(value).all()
              for parameter, value in zip(parameters, new_values)]
    if not all(finite):
        raise Diverged("a step would make some weights NaN or infinite")
    with interrupts_held_back():
        for parameter, value in zip(parameters, new_values):
            if isinstance(parameter, DeviceParameters):
                parameter.commit()
            else:
                parameter[...] = value
        keep_state()


def _host_zeros(parameters):
    """Zero moments for host arrays; a device keeps (and here resets) its own."""
    moments = []
    for parameter in parameters:
        if isinstance(parameter, DeviceParameters):
            parameter.reset_optimizer_state()
            moments.append(None)
        else:
            moments.append(np.zeros_like(parameter))
    return moments


class SGDOptimizer:
    def __init__(self, parameters, learning_rate, momentum=0.9, nesterov=True):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = _host_zeros(parameters)

    def step(self, parameters, gradients):
        velocities, new_values = [], []
        for p, g, v in zip(parameters, gradients, self.velocities):
            if isinstance(p, DeviceParameters):
                velocities.append(None)
                new_values.append(p.propose_sgd(self.learning_rate, self.momentum,
                                                self.nesterov))
                continue
            velocity = self.momentum * v - self.learning_rate * g
            move = (self.momentum * velocity - self.learning_rate * g if self.nesterov
                    else velocity)
            velocities.append(velocity)
            new_values.append(p + move)
        _commit(parameters, new_values, lambda: setattr(self, "velocities", velocities))


class AdamOptimizer:
    def __init__(self, parameters, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.first_moments = _host_zeros(parameters)
        self.second_moments = [None if m is None else np.zeros_like(m)
                               for m in self.first_moments]

    def step(self, parameters, gradients):
        t = self.t + 1
        rate = (self.learning_rate * (1 - self.beta_2 ** t) ** 0.5 / (1 - self.beta_1 ** t))
        first, second, new_values = [], [], []
        for p, g, m, v in zip(parameters, gradients, self.first_moments, self.second_moments):
            if isinstance(p, DeviceParameters):
                first.append(None)
                second.append(None)
                new_values.append(p.propose_adam(rate, self.beta_1, self.beta_2, self.epsilon))
                continue
            first.append(self.beta_1 * m + (1 - self.beta_1) * g)
            second.append(self.beta_2 * v + (1 - self.beta_2) * (g * g))
            new_values.append(p - rate * first[-1] / (np.sqrt(second[-1]) + self.epsilon))
        _commit(parameters, new_values, lambda: self.__dict__.update(
            t=t, first_moments=first, second_moments=second))
