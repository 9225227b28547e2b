"""Optimizers over a list of parameter arrays, updated in place.

The semantics and defaults are scikit-learn's MLP solvers ('adam', 'sgd' with
momentum and Nesterov momentum). A step is a transaction: every new value is
computed aside first, then all are written with Ctrl-C held back, so an
interrupt never leaves some arrays stepped and others not, and a step that would
leave a weight NaN or infinite is refused whole.
"""
import signal
import threading
from contextlib import contextmanager

import numpy as np


def clip_by_global_norm(gradients, max_norm):
    """Scale all gradients together so their joint L2 norm is at most ``max_norm``
    (PyTorch's ``clip_grad_norm_``). Returns the norm before clipping."""
    norm = float(np.sqrt(sum(float(np.dot(g.ravel(), g.ravel())) for g in gradients)))
    if max_norm is not None and norm > max_norm:
        scale = max_norm / (norm + 1e-6)
        for g in gradients:
            g *= scale
    return norm


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
    value is not finite: then nothing is written."""
    if not all(np.isfinite(value).all() for value in new_values):
        raise Diverged("a step would make some weights NaN or infinite")
    with interrupts_held_back():
        for parameter, value in zip(parameters, new_values):
            parameter[...] = value
        keep_state()


class SGDOptimizer:
    def __init__(self, parameters, learning_rate, momentum=0.9, nesterov=True):
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.nesterov = nesterov
        self.velocities = [np.zeros_like(p) for p in parameters]

    def step(self, parameters, gradients):
        velocities = [self.momentum * v - self.learning_rate * g
                      for v, g in zip(self.velocities, gradients)]
        if self.nesterov:
            moves = [self.momentum * v - self.learning_rate * g
                     for v, g in zip(velocities, gradients)]
        else:
            moves = velocities
        new_values = [p + move for p, move in zip(parameters, moves)]
        _commit(parameters, new_values, lambda: setattr(self, "velocities", velocities))


class AdamOptimizer:
    def __init__(self, parameters, learning_rate, beta_1=0.9, beta_2=0.999, epsilon=1e-8):
        self.learning_rate = learning_rate
        self.beta_1 = beta_1
        self.beta_2 = beta_2
        self.epsilon = epsilon
        self.t = 0
        self.first_moments = [np.zeros_like(p) for p in parameters]
        self.second_moments = [np.zeros_like(p) for p in parameters]

    def step(self, parameters, gradients):
        t = self.t + 1
        rate = (self.learning_rate * (1 - self.beta_2 ** t) ** 0.5 / (1 - self.beta_1 ** t))
        first = [self.beta_1 * m + (1 - self.beta_1) * g
                 for m, g in zip(self.first_moments, gradients)]
        second = [self.beta_2 * v + (1 - self.beta_2) * (g * g)
                  for v, g in zip(self.second_moments, gradients)]
        new_values = [p - rate * m / (np.sqrt(v) + self.epsilon)
                      for p, m, v in zip(parameters, first, second)]
        _commit(parameters, new_values, lambda: self.__dict__.update(
            t=t, first_moments=first, second_moments=second))
